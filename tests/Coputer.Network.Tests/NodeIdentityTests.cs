namespace Coputer.Network.Tests;

public class NodeIdentityTests
{
    [Fact]
    public void IdDerivesFromKeyAndSignaturesVerify()
    {
        using var a = NodeIdentity.Generate();
        using var b = NodeIdentity.Generate();
        Assert.Equal(a.Id, NodeId.FromPublicKey(a.PublicKey));
        Assert.NotEqual(a.Id, b.Id);

        byte[] data = [1, 2, 3];
        var signature = a.Sign(data);
        Assert.True(NodeIdentity.Verify(a.PublicKey, data, signature));
        Assert.False(NodeIdentity.Verify(b.PublicKey, data, signature));
        Assert.False(NodeIdentity.Verify(a.PublicKey, [1, 2, 4], signature));
        Assert.False(NodeIdentity.Verify(a.PublicKey[..31], data, signature));
    }
}

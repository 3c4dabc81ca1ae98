using System.Text;
using Coputer.Network.Execution;
using Coputer.Network.Wire;
using Coputer.Platform;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;
using Coputer.Platform.Runtime;

namespace Coputer.Network.Tests.Execution;

public class MismatchProofTests
{
    private static readonly Hash256 s_program = Hash256.Of("audited program"u8);

    private static (MismatchProof Proof, NodeIdentity Honest, NodeIdentity Liar) Make()
    {
        var honest = new NodeIdentity(Publisher.FromSeed(Hash256.Of("proof honest"u8).ToArray()));
        var liar = new NodeIdentity(Publisher.FromSeed(Hash256.Of("proof liar"u8).ToArray()));
        var request = new RunRequest(ProgramRef.ByHash(s_program), "GET", "/page?x=1", [new("accept", "text/html")], []);
        var input = WebRequest.Create(request.Method, request.RequestTarget, request.Headers, request.Body).InputHash;
        var good = RunReceipt.Sign(honest, "coputer-test", s_program, input, Hash256.Of("right"u8), 100);
        var bad = RunReceipt.Sign(liar, "coputer-test", s_program, input, Hash256.Of("wrong"u8), 100);
        return (MismatchProof.Create(new Disagreement(good, bad), request), honest, liar);
    }

    [Fact]
    public void AProofRoundTripsAndNamesBothRunners()
    {
        var (proof, honest, liar) = Make();
        var bytes = proof.Encode();
        var decoded = MismatchProof.Decode(bytes);
        Assert.Equal(bytes, decoded.Encode());
        Assert.Equal(honest.Id, decoded.Disagreement.First.Runner);
        Assert.Equal(liar.Id, decoded.Disagreement.Second.Runner);
        Assert.Equal(proof.Id, decoded.Id);
        honest.Dispose();
        liar.Dispose();
    }

    [Fact]
    public void ReceiptsThatAgreeOrAreOfAnotherRunOrOneRunnerAreNoProof()
    {
        var (proof, honest, liar) = Make();
        var d = proof.Disagreement;
        var agreeing = RunReceipt.Sign(liar, "coputer-test", s_program, d.First.Input, d.First.Output, 100);
        Assert.Throws<ArgumentException>(() => MismatchProof.Create(new Disagreement(d.First, agreeing), proof.Request));
        var otherInput = RunReceipt.Sign(liar, "coputer-test", s_program, Hash256.Of("other"u8), Hash256.Of("wrong"u8), 100);
        Assert.Throws<ArgumentException>(() => MismatchProof.Create(new Disagreement(d.First, otherInput), proof.Request));
        var sameRunner = RunReceipt.Sign(honest, "coputer-test", s_program, d.First.Input, Hash256.Of("wrong"u8), 100);
        Assert.Throws<ArgumentException>(() => MismatchProof.Create(new Disagreement(d.First, sameRunner), proof.Request));
        // A request that is not the receipts' input.
        Assert.Throws<ArgumentException>(() => MismatchProof.Create(d, proof.Request with { RequestTarget = "/elsewhere" }));
        honest.Dispose();
        liar.Dispose();
    }

    [Fact]
    public void EveryTruncationAndEverySingleByteChangeIsRefusedOrDecodesToTheSameBytes()
    {
        var (proof, honest, liar) = Make();
        var bytes = proof.Encode();
        for (int length = 0; length < bytes.Length; length++)
        {
            var error = Assert.Throws<WireFormatException>(() => MismatchProof.Decode(bytes.AsSpan(0, length)));
            Assert.InRange(error.Offset, 0, length);
        }
        var random = new Random(77);
        for (int i = 0; i < bytes.Length; i++)
        {
            var changed = (byte[])bytes.Clone();
            changed[i] ^= (byte)random.Next(1, 256);
            try
            {
                // Only a change inside the request's unsigned parts could decode, and then it must be a proof of its own.
                Assert.Equal(changed, MismatchProof.Decode(changed).Encode());
            }
            catch (WireFormatException error)
            {
                Assert.InRange(error.Offset, 0, changed.Length);
            }
        }
        honest.Dispose();
        liar.Dispose();
    }

    [Fact]
    public void SeededRandomAndMutatedInputsNeverCrash()
    {
        var (proof, honest, liar) = Make();
        var seed = proof.Encode();
        var random = new Random(2024);
        int refused = 0;
        for (int i = 0; i < 5000; i++)
        {
            byte[] input;
            if (i % 3 == 0)
            {
                input = new byte[random.Next(0, 800)];
                random.NextBytes(input);
                if (input.Length > 0)
                    input[0] = MismatchProof.Version;
            }
            else
            {
                input = (byte[])seed.Clone();
                for (int flips = random.Next(1, 5); flips > 0; flips--)
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                if (random.Next(3) == 0)
                    input = input[..random.Next(input.Length + 1)];
                if (random.Next(5) == 0)
                    input = [.. input, .. Encoding.ASCII.GetBytes("trailing")];
            }
            try
            {
                Assert.Equal(input, MismatchProof.Decode(input).Encode());
            }
            catch (WireFormatException error)
            {
                Assert.InRange(error.Offset, 0, input.Length);
                refused++;
            }
        }
        Assert.True(refused > 4000, $"only {refused} refused");
        Assert.Throws<WireFormatException>(() => MismatchProof.Decode(new byte[MismatchProof.MaxSize + 1]));
        honest.Dispose();
        liar.Dispose();
    }
}

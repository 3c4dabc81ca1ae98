using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Coputer.Network.Transport;

namespace Coputer.Network.Tests.Transport;

public class PeerCertificateTests
{
    private static readonly DateTimeOffset s_now = DateTimeOffset.UtcNow;

    [Fact]
    public void AFreshCertificateAuthenticatesItsNodeId()
    {
        using var identity = NodeIdentity.Generate();
        using var certificate = PeerCertificate.Create(identity, s_now, TimeSpan.FromDays(1));
        var result = PeerCertificate.Verify(certificate, s_now);
        Assert.Null(result.Error);
        Assert.Equal(identity.Id, result.Id);
        Assert.Equal(identity.Id, PeerListener.AuthenticatedPeer(certificate));
        Assert.True(certificate.HasPrivateKey);
    }

    [Fact]
    public void ASignatureOverAnotherCertificateKeyIsRefused()
    {
        using var identity = NodeIdentity.Generate();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // The node key signed a different certificate key: replaying its extension onto this certificate fails.
        byte[] signature = identity.Sign(PeerCertificate.Signed(other.ExportSubjectPublicKeyInfo()));
        using var certificate = PeerCertificate.CreateWithExtension(key, identity.PublicKey, signature, s_now.AddHours(-1), s_now.AddDays(1));
        var result = PeerCertificate.Verify(certificate, s_now);
        Assert.Null(result.Id);
        Assert.Contains("does not verify", result.Error);
    }

    [Fact]
    public void AnExtensionNamingAnotherNodeKeyIsRefused()
    {
        using var identity = NodeIdentity.Generate();
        using var victim = NodeIdentity.Generate();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // Signed with our key, but claiming the victim's public key (to take its node id).
        byte[] signature = identity.Sign(PeerCertificate.Signed(key.ExportSubjectPublicKeyInfo()));
        using var certificate = PeerCertificate.CreateWithExtension(key, victim.PublicKey, signature, s_now.AddHours(-1), s_now.AddDays(1));
        Assert.Null(PeerCertificate.Verify(certificate, s_now).Id);
    }

    [Fact]
    public void AnExpiredOrNotYetValidCertificateIsRefused()
    {
        using var identity = NodeIdentity.Generate();
        using var certificate = PeerCertificate.Create(identity, s_now.AddDays(-10), TimeSpan.FromDays(1));
        Assert.Contains("valid from", PeerCertificate.Verify(certificate, s_now).Error);
        using var future = PeerCertificate.Create(identity, s_now.AddDays(10), TimeSpan.FromDays(1));
        Assert.Contains("valid from", PeerCertificate.Verify(future, s_now).Error);
    }

    [Fact]
    public void ACertificateWithoutTheExtensionOrWithAnRsaKeyIsRefused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var plain = new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSelfSigned(s_now.AddHours(-1), s_now.AddDays(1));
        Assert.Contains("no node-key extension", PeerCertificate.Verify(plain, s_now).Error);
        using var rsa = RSA.Create(2048);
        using var rsaCertificate = new CertificateRequest("CN=x", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSelfSigned(s_now.AddHours(-1), s_now.AddDays(1));
        Assert.Contains("not ECDSA P-256", PeerCertificate.Verify(rsaCertificate, s_now).Error);
    }

    [Fact]
    public void ACertificateNotSignedByItsOwnKeyIsRefused()
    {
        using var identity = NodeIdentity.Generate();
        using var issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var subjectKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=coputer-node", subjectKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509Extension(PeerCertificate.ExtensionOid,
            Extension(identity.PublicKey, identity.Sign(PeerCertificate.Signed(subjectKey.ExportSubjectPublicKeyInfo()))), critical: false));
        // Same subject and issuer name, but signed by another key: not self-signed.
        using var certificate = request.Create(new X500DistinguishedName("CN=coputer-node"), X509SignatureGenerator.CreateForECDsa(issuerKey), s_now.AddHours(-1), s_now.AddDays(1), [1, 2, 3]);
        Assert.Contains("self-signed", PeerCertificate.Verify(certificate, s_now).Error);
    }

    [Fact]
    public void TheExtensionDecoderRefusesEveryTruncationAndFuzzedInputWithoutThrowing()
    {
        using var identity = NodeIdentity.Generate();
        byte[] good = Extension(identity.PublicKey, new byte[64]);
        Assert.NotNull(PeerCertificate.DecodeExtension(good));
        for (int n = 0; n < good.Length; n++)
            Assert.Null(PeerCertificate.DecodeExtension(good.AsSpan(0, n)));
        Assert.Null(PeerCertificate.DecodeExtension([.. good, 0]));
        var random = new Random(10);
        int accepted = 0;
        for (int i = 0; i < 20_000; i++)
        {
            byte[] input = i % 2 == 0 ? RandomBytes(random, random.Next(0, 200)) : Mutate(random, good);
            if (PeerCertificate.DecodeExtension(input) is var (key, signature))
            {
                // Whatever is accepted has the exact shape: a 32-byte key and a 64-byte signature, nothing else.
                Assert.Equal(32, key.Length);
                Assert.Equal(64, signature.Length);
                Assert.Equal(input, Extension(key, signature));
                accepted++;
            }
        }
        Assert.InRange(accepted, 1, 10_000);
    }

    private static byte[] Extension(byte[] key, byte[] signature)
    {
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteOctetString(key);
            writer.WriteOctetString(signature);
        }
        return writer.Encode();
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] good)
    {
        var bytes = (byte[])good.Clone();
        int changes = random.Next(1, 4);
        for (int c = 0; c < changes; c++)
        {
            // Mostly content bytes (accepted, still well-formed); sometimes a header byte (refused).
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
        }
        return bytes;
    }
}

using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Coputer.Network.Transport;

/// <summary>
/// Binds a node's Ed25519 key to a TLS certificate in the manner of libp2p's TLS handshake: .NET's TLS cannot use
/// Ed25519 certificates, so each node makes a throwaway self-signed ECDSA P-256 certificate and adds an extension
/// holding its Ed25519 public key and the Ed25519 signature of a tag plus the certificate's SubjectPublicKeyInfo.
/// The TLS handshake proves the peer holds the certificate's ECDSA key; the extension proves the holder of the
/// node key chose that ECDSA key. So a completed handshake authenticates the peer's <see cref="NodeId"/>.
/// </summary>
public static class PeerCertificate
{
    /// <summary>libp2p's extension id (its private enterprise arc); the content follows its SignedKey shape.</summary>
    public const string ExtensionOid = "1.3.6.1.4.1.53594.1.1";

    /// <summary>Signed before the SubjectPublicKeyInfo, so the signature cannot be replayed for another purpose.</summary>
    private static readonly byte[] s_tag = Encoding.ASCII.GetBytes("coputer-tls-handshake:");

    /// <summary>Upper bound of an extension's DER form: 32-byte key and 64-byte signature with their headers.</summary>
    private const int MaxExtensionSize = 128;

    /// <summary>A fresh certificate for <paramref name="identity"/>, valid from an hour before <paramref name="now"/> for <paramref name="lifetime"/>.</summary>
    public static X509Certificate2 Create(NodeIdentity identity, DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=coputer-node", key, HashAlgorithmName.SHA256);
        byte[] spki = key.ExportSubjectPublicKeyInfo();
        request.CertificateExtensions.Add(new X509Extension(ExtensionOid, EncodeExtension(identity.PublicKey, identity.Sign(Signed(spki))), critical: false));
        return Finish(request.CreateSelfSigned(now.AddHours(-1), now + lifetime));
    }

    /// <summary>A certificate whose extension says <paramref name="publicKey"/> with <paramref name="signature"/> (tests build forgeries with it).</summary>
    public static X509Certificate2 CreateWithExtension(ECDsa key, byte[] publicKey, byte[] signature, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest("CN=coputer-node", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509Extension(ExtensionOid, EncodeExtension(publicKey, signature), critical: false));
        return Finish(request.CreateSelfSigned(notBefore, notAfter));
    }

    /// <summary>What the node key signs: the tag and the certificate key's SubjectPublicKeyInfo.</summary>
    public static byte[] Signed(ReadOnlySpan<byte> subjectPublicKeyInfo) => [.. s_tag, .. subjectPublicKeyInfo];

    // SslStream on some platforms needs a key it can export and re-import; a PKCS#12 round trip gives one.
    private static X509Certificate2 Finish(X509Certificate2 ephemeral)
    {
        using (ephemeral)
            return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
    }

    private static byte[] EncodeExtension(byte[] publicKey, byte[] signature)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteOctetString(publicKey);
            writer.WriteOctetString(signature);
        }
        return writer.Encode();
    }

    /// <summary>
    /// Checks a peer's certificate: in its validity period at <paramref name="now"/>, self-signed by its own key,
    /// an ECDSA P-256 key, and carrying exactly one well-formed extension whose Ed25519 signature over the
    /// certificate's key verifies. Returns the authenticated node id, or the reason the certificate is refused.
    /// </summary>
    public static PeerCertificateResult Verify(X509Certificate2 certificate, DateTimeOffset now)
    {
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
            return PeerCertificateResult.Refuse($"the certificate is valid from {certificate.NotBefore:u} to {certificate.NotAfter:u}");
        using (var ecdsa = certificate.GetECDsaPublicKey())
        {
            if (ecdsa is null || ecdsa.KeySize != 256)
                return PeerCertificateResult.Refuse("the certificate key is not ECDSA P-256");
        }
        if (!IsSelfSigned(certificate))
            return PeerCertificateResult.Refuse("the certificate is not validly self-signed");
        X509Extension? binding = null;
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != ExtensionOid)
                continue;
            if (binding is not null)
                return PeerCertificateResult.Refuse("the certificate has two node-key extensions");
            binding = extension;
        }
        if (binding is null)
            return PeerCertificateResult.Refuse("the certificate has no node-key extension");
        if (DecodeExtension(binding.RawData) is not var (publicKey, signature))
            return PeerCertificateResult.Refuse("the node-key extension is malformed");
        if (!NodeIdentity.Verify(publicKey, Signed(certificate.PublicKey.ExportSubjectPublicKeyInfo()), signature))
            return PeerCertificateResult.Refuse("the node key's signature over the certificate key does not verify");
        return new PeerCertificateResult(NodeId.FromPublicKey(publicKey), null);
    }

    /// <summary>The extension's (public key, signature), or null when it is not exactly the DER this class writes.</summary>
    public static (byte[] PublicKey, byte[] Signature)? DecodeExtension(ReadOnlySpan<byte> der)
    {
        if (der.Length > MaxExtensionSize)
            return null;
        try
        {
            var reader = new AsnReader(der.ToArray(), AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            byte[] publicKey = sequence.ReadOctetString();
            byte[] signature = sequence.ReadOctetString();
            sequence.ThrowIfNotEmpty();
            return publicKey.Length == NodeId.PublicKeySize && signature.Length == 64 ? (publicKey, signature) : null;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";

    // Checks the certificate's signature with its own key (the TLS stack's chain check trusts an anchor without it):
    // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }.
    private static bool IsSelfSigned(X509Certificate2 certificate)
    {
        try
        {
            var reader = new AsnReader(certificate.RawData, AsnEncodingRules.DER);
            var outer = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var tbs = outer.ReadEncodedValue();
            var algorithm = outer.ReadSequence();
            string oid = algorithm.ReadObjectIdentifier();
            if (algorithm.HasData)
                return false; // ECDSA signature algorithms have no parameters
            byte[] signature = outer.ReadBitString(out int unused);
            outer.ThrowIfNotEmpty();
            if (oid != EcdsaWithSha256 || unused != 0)
                return false;
            using var key = certificate.GetECDsaPublicKey();
            return key is not null && key.VerifyData(tbs.Span, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            return false;
        }
    }
}

/// <summary>The outcome of <see cref="PeerCertificate.Verify"/>: the peer's id, or why it was refused.</summary>
public sealed record PeerCertificateResult(NodeId? Id, string? Error)
{
    public static PeerCertificateResult Refuse(string error) => new(null, error);
}

using NSec.Cryptography;

namespace Coputer.Platform.Identity;

/// <summary>
/// A publisher's Ed25519 key pair (libsodium through NSec). Its secret text form is <c>cosec:</c> and 50 base-36
/// digits of the 32-byte seed in 5 groups of 10, as the original writes secret keys. Keep it in a
/// <see cref="KeyFile"/>, which only its owner can read.
/// </summary>
public sealed class Publisher : IDisposable
{
    /// <summary>The prefix of the secret text form.</summary>
    public const string SecretPrefix = "cosec:";

    private readonly Key _key;

    private Publisher(Key key)
    {
        _key = key;
        Key = PublisherKey.FromBytes(key.PublicKey.Export(KeyBlobFormat.RawPublicKey))!;
    }

    /// <summary>The public half.</summary>
    public PublisherKey Key { get; }

    /// <summary>A new random key pair (microseconds, unlike the original's proof-of-work keys).</summary>
    public static Publisher Generate() => new(NSec.Cryptography.Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    /// <summary>The key pair of a 32-byte Ed25519 seed.</summary>
    public static Publisher FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != 32)
            throw new ArgumentException("An Ed25519 seed has 32 bytes.", nameof(seed));
        return new(NSec.Cryptography.Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));
    }

    /// <summary>Parses the <c>cosec:</c> text form (surrounding white space is ignored).</summary>
    /// <exception cref="FormatException">The text is not a secret key; the message says why.</exception>
    public static Publisher ParseSecret(string text)
    {
        if (KeyText.TryDecode(text.Trim(), SecretPrefix, 32, out var seed) is { } error)
            throw new FormatException($"invalid secret key: {error}");
        return FromSeed(seed);
    }

    /// <summary>The <c>cosec:</c> text form of the seed. Treat it as a password.</summary>
    public string ExportSecret() => SecretPrefix + KeyText.Encode(_key.Export(KeyBlobFormat.RawPrivateKey));

    /// <summary>The Ed25519 signature (64 bytes) of <paramref name="data"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => SignatureAlgorithm.Ed25519.Sign(_key, data);

    public void Dispose() => _key.Dispose();

    public override string ToString() => Key.ToString();
}

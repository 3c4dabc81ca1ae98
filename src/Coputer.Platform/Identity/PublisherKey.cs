using System.Diagnostics.CodeAnalysis;
using NSec.Cryptography;

namespace Coputer.Platform.Identity;

/// <summary>
/// A publisher's Ed25519 public key. Its text form follows the original's style: <c>copub:</c> and 50 lowercase
/// base-36 digits of the 32 key bytes (big endian) in 5 groups of 10, for example
/// <c>copub:0a1b2c3d4e-...</c>. Programs are addressed by the shorter <see cref="Id"/>.
/// </summary>
public sealed class PublisherKey : IEquatable<PublisherKey>
{
    /// <summary>The key size in bytes.</summary>
    public const int Size = 32;

    /// <summary>The prefix of the text form.</summary>
    public const string Prefix = "copub:";

    internal const int Digits = 50;

    private readonly byte[] _bytes;

    private PublisherKey(byte[] bytes, PublicKey key)
    {
        _bytes = bytes;
        NSecKey = key;
        Id = PublisherId.Of(bytes);
    }

    internal PublicKey NSecKey { get; }

    /// <summary>The 32 key bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The short identifier programs are addressed by (<c>{name}-{id}</c>).</summary>
    public PublisherId Id { get; }

    /// <summary>The key from its 32 bytes, or null when they are not a valid Ed25519 public key.</summary>
    public static PublisherKey? FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
            return null;
        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, bytes, KeyBlobFormat.RawPublicKey, out var key) || key is null)
            return null;
        return new PublisherKey(bytes.ToArray(), key);
    }

    /// <summary>
    /// Parses <c>copub:</c> followed by 5 groups of 10 digits joined by <c>-</c>; the prefix may be left out.
    /// Returns an error message on failure.
    /// </summary>
    public static string? TryParse(string? text, [NotNullWhen(true)] out PublisherKey? key)
    {
        key = null;
        if (text is null)
            return "no public key given";
        if (KeyText.TryDecode(text.Trim(), Prefix, Size, out var bytes) is { } error)
            return error;
        key = FromBytes(bytes);
        return key is null ? "not a valid Ed25519 public key" : null;
    }

    /// <summary>Parses like <see cref="TryParse"/>, throwing <see cref="FormatException"/> with the reason.</summary>
    public static PublisherKey Parse(string text) =>
        TryParse(text, out var key) is { } error ? throw new FormatException($"invalid public key: {error}") : key!;

    /// <summary>Whether <paramref name="signature"/> is this key's Ed25519 signature of <paramref name="data"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureAlgorithm.Ed25519.SignatureSize && SignatureAlgorithm.Ed25519.Verify(NSecKey, data, signature);

    /// <summary>The text form, <c>copub:</c> and 5 groups of 10 base-36 digits.</summary>
    public override string ToString() => Prefix + KeyText.Encode(_bytes);

    public bool Equals(PublisherKey? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => Equals(obj as PublisherKey);

    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0);
}

/// <summary>Base-36 key texts: 50 digits in 5 groups of 10 joined by hyphens, after a prefix.</summary>
internal static class KeyText
{
    public const int Groups = 5;
    public const int GroupDigits = 10;

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var digits = Base36.Encode(bytes, Groups * GroupDigits);
        return string.Join('-', Enumerable.Range(0, Groups).Select(i => digits.Substring(i * GroupDigits, GroupDigits)));
    }

    public static string? TryDecode(string text, string prefix, int size, out byte[] bytes)
    {
        bytes = [];
        if (text.StartsWith(prefix, StringComparison.Ordinal))
            text = text[prefix.Length..];
        else if (text.Contains(':'))
            return $"expected the prefix '{prefix}'";
        int expected = Groups * GroupDigits + Groups - 1;
        if (text.Length != expected)
            return $"invalid length: expected {expected}, got {text.Length}";
        var digits = new char[Groups * GroupDigits];
        for (int g = 0; g < Groups; g++)
        {
            if (g > 0 && text[g * (GroupDigits + 1) - 1] != '-')
                return $"expected '-' at position {g * (GroupDigits + 1)}";
            text.AsSpan(g * (GroupDigits + 1), GroupDigits).CopyTo(digits.AsSpan(g * GroupDigits));
        }
        return Base36.TryDecode(digits, size, out bytes);
    }
}

using System.Diagnostics.CodeAnalysis;

namespace Coputer.Platform.Identity;

/// <summary>
/// The short identifier of a publisher: the first 20 bytes of SHA3-256 over a tag and the public key, written as 31
/// lowercase base-36 digits. Short enough that <c>{name}-{id}</c> fits one DNS label with names of up to 31
/// characters, and long enough (160 bits) that nobody can make a key with someone else's id.
/// </summary>
public readonly struct PublisherId : IEquatable<PublisherId>
{
    /// <summary>The id size in bytes.</summary>
    public const int Size = 20;

    /// <summary>The length of the text form.</summary>
    public const int TextLength = 31;

    private readonly string? _text;

    private PublisherId(string text) => _text = text;

    internal static PublisherId Of(ReadOnlySpan<byte> publicKey)
    {
        var input = new byte[24 + publicKey.Length];
        "coputer-publisher-id-v1\0"u8.CopyTo(input);
        publicKey.CopyTo(input.AsSpan(24));
        var digest = Sha3.Hash(input);
        return new PublisherId(Base36.Encode(digest.AsSpan(0, Size), TextLength));
    }

    /// <summary>Parses the 31-digit text form.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out PublisherId id)
    {
        id = default;
        if (text is null || text.Length != TextLength)
            return false;
        if (Base36.TryDecode(text, Size, out _) is not null)
            return false;
        id = new PublisherId(text);
        return true;
    }

    /// <summary>31 lowercase base-36 digits.</summary>
    public override string ToString() => _text ?? new string('0', TextLength);

    public bool Equals(PublisherId other) => string.Equals(ToString(), other.ToString(), StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is PublisherId other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    public static bool operator ==(PublisherId a, PublisherId b) => a.Equals(b);

    public static bool operator !=(PublisherId a, PublisherId b) => !a.Equals(b);
}

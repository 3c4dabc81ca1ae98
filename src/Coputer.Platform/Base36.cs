using System.Numerics;

namespace Coputer.Platform;

/// <summary>
/// Big-endian unsigned integers written in base 36 (<c>0-9a-z</c>, lowercase), most significant digit first and
/// left-padded with zeros to a fixed width: the digits of the original's key texts.
/// </summary>
internal static class Base36
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>How many digits any value of <paramref name="byteCount"/> bytes needs.</summary>
    public static int DigitsFor(int byteCount) => (int)Math.Ceiling(byteCount * 8 / Math.Log2(36));

    public static string Encode(ReadOnlySpan<byte> bytes, int digits)
    {
        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        var chars = new char[digits];
        for (int i = digits - 1; i >= 0; i--)
        {
            value = BigInteger.DivRem(value, 36, out var digit);
            chars[i] = Alphabet[(int)digit];
        }
        if (!value.IsZero)
            throw new ArgumentException("The value needs more digits than given.", nameof(digits));
        return new string(chars);
    }

    /// <summary>Decodes the digits of <paramref name="text"/> into <paramref name="byteCount"/> bytes, or returns an error message.</summary>
    public static string? TryDecode(ReadOnlySpan<char> text, int byteCount, out byte[] bytes)
    {
        bytes = [];
        var value = BigInteger.Zero;
        foreach (char c in text)
        {
            int d = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'z' ? c - 'a' + 10 : -1;
            if (d < 0)
                return $"non-base character '{c}'";
            value = value * 36 + d;
        }
        if (value.GetByteCount(isUnsigned: true) > byteCount)
            return $"value does not fit in {byteCount} bytes";
        bytes = new byte[byteCount];
        var raw = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        if (!value.IsZero)
            raw.CopyTo(bytes, byteCount - raw.Length);
        return null;
    }
}

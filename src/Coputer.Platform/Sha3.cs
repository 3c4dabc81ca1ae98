using System.Security.Cryptography;

namespace Coputer.Platform;

/// <summary>SHA3-256 (FIPS 202) from the BCL, which takes it from the operating system's OpenSSL.</summary>
internal static class Sha3
{
    public const int Size = 32;

    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        EnsureSupported();
        return SHA3_256.HashData(data);
    }

    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        EnsureSupported();
        SHA3_256.HashData(data, destination);
    }

    /// <summary>An incremental hash, for inputs built in pieces.</summary>
    public static IncrementalHash Incremental()
    {
        EnsureSupported();
        return IncrementalHash.CreateHash(HashAlgorithmName.SHA3_256);
    }

    private static void EnsureSupported()
    {
        if (!SHA3_256.IsSupported)
            throw new PlatformNotSupportedException("SHA3-256 needs OpenSSL 1.1.1 or later on this system.");
    }
}

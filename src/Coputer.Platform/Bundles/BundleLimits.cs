namespace Coputer.Platform.Bundles;

/// <summary>
/// Caps on what a bundle may hold. Reading a bundle is reading untrusted input: every cap is checked from the
/// sizes the bundle declares before anything is inflated, and inflation stops at the declared size.
/// </summary>
public sealed record BundleLimits
{
    /// <summary>The defaults: 1,024 files, 4 MiB a file, 16 MiB unpacked, 16 MiB packed, 256:1 compression.</summary>
    public static BundleLimits Default { get; } = new();

    /// <summary>The most files a bundle may hold.</summary>
    public int MaxFiles { get; init; } = 1024;

    /// <summary>The largest a single file may be, unpacked.</summary>
    public long MaxFileBytes { get; init; } = 4 << 20;

    /// <summary>The largest all files together may be, unpacked.</summary>
    public long MaxTotalBytes { get; init; } = 16 << 20;

    /// <summary>The largest the bundle itself may be.</summary>
    public long MaxBundleBytes { get; init; } = 16 << 20;

    /// <summary>The longest a file's path may be, in bytes.</summary>
    public int MaxPathLength { get; init; } = 255;

    /// <summary>The most directories a path may nest.</summary>
    public int MaxPathDepth { get; init; } = 16;

    /// <summary>
    /// The highest ratio of unpacked to packed size a file may have once it is larger than
    /// <see cref="CompressionRatioThreshold"/> (ordinary source compresses 3 to 10 times; a gzip bomb about 1,000).
    /// </summary>
    public int MaxCompressionRatio { get; init; } = 256;

    /// <summary>Files up to this size are not held to <see cref="MaxCompressionRatio"/> (a page of spaces may compress well).</summary>
    public long CompressionRatioThreshold { get; init; } = 64 << 10;
}

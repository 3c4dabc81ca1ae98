namespace Coputer.Platform.Bundles;

/// <summary>
/// One file of a program: a relative path with <c>/</c> separators (for example <c>lib/util.luau</c> or
/// <c>public/style.css</c>) and its bytes. Files ending in <c>.luau</c> are modules; the rest are assets.
/// </summary>
public sealed class BundleFile
{
    internal BundleFile(string path, byte[] content)
    {
        Path = path;
        ContentBytes = content;
    }

    /// <summary>The path inside the program, validated by <see cref="BundlePaths.Validate"/>.</summary>
    public string Path { get; }

    /// <summary>The file's bytes.</summary>
    public ReadOnlyMemory<byte> Content => ContentBytes;

    internal byte[] ContentBytes { get; }

    /// <summary>Whether the file is Luau source (<c>.luau</c>), which <c>require</c> can load.</summary>
    public bool IsModule => Path.EndsWith(".luau", StringComparison.Ordinal);

    /// <summary>SHA3-256 of the content: the key of its compiled bytecode.</summary>
    public Hash256 ContentHash => _contentHash ??= Hash256.Of(ContentBytes);

    private Hash256? _contentHash;

    public override string ToString() => $"{Path} ({ContentBytes.Length} bytes)";
}

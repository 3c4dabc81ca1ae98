using System.Buffers.Binary;
using System.Text;

namespace Coputer.Platform.Bundles;

/// <summary>
/// A program's files: <c>main.luau</c>, the modules it requires and assets the gateway serves by path. A bundle is
/// immutable and always valid (every path checked, no duplicates, an entry point). Its identity, <see cref="Hash"/>,
/// is SHA3-256 of a canonical encoding of the sorted (path, content) list, so it depends on the sources only, not on
/// the compressor that packed them.
/// </summary>
public sealed class Bundle
{
    private readonly Dictionary<string, BundleFile> _byPath;

    private Bundle(List<BundleFile> sortedFiles)
    {
        Files = sortedFiles;
        _byPath = new Dictionary<string, BundleFile>(sortedFiles.Count, StringComparer.Ordinal);
        foreach (var f in sortedFiles)
            _byPath.Add(f.Path, f);
        Main = _byPath[BundlePaths.Entrypoint];
        Hash = ComputeHash(sortedFiles);
        TotalBytes = sortedFiles.Sum(f => (long)f.ContentBytes.Length);
    }

    /// <summary>The files in canonical order (ordinal by path).</summary>
    public IReadOnlyList<BundleFile> Files { get; }

    /// <summary>The entry point, <c>main.luau</c>.</summary>
    public BundleFile Main { get; }

    /// <summary>The program's identity: SHA3-256 of the canonical encoding (see <see cref="CanonicalEncoding"/>).</summary>
    public Hash256 Hash { get; }

    /// <summary>The size of all files together.</summary>
    public long TotalBytes { get; }

    /// <summary>The file at <paramref name="path"/>, or null.</summary>
    public BundleFile? Find(string path) => _byPath.GetValueOrDefault(path);

    /// <summary>
    /// A bundle of these files, checked as a bundle read from the network would be (paths, duplicates, names that
    /// differ only in case, an entry point, the caps of <paramref name="limits"/>).
    /// </summary>
    /// <exception cref="BundleException">The files cannot form a program.</exception>
    public static Bundle Create(IEnumerable<KeyValuePair<string, byte[]>> files, BundleLimits? limits = null)
    {
        limits ??= BundleLimits.Default;
        var list = new List<BundleFile>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        long total = 0;
        foreach (var (path, content) in files)
        {
            if (list.Count >= limits.MaxFiles)
                throw new BundleException($"too many files (at most {limits.MaxFiles})");
            if (BundlePaths.Validate(path, limits) is { } error)
                throw new BundleException(error);
            if (content.Length > limits.MaxFileBytes)
                throw new BundleException($"file {BundlePaths.Show(path)} is {content.Length} bytes (at most {limits.MaxFileBytes})");
            total += content.Length;
            if (total > limits.MaxTotalBytes)
                throw new BundleException($"the files add up to more than {limits.MaxTotalBytes} bytes");
            AddUnique(seen, path);
            list.Add(new BundleFile(path, content));
        }
        if (!list.Exists(f => f.Path == BundlePaths.Entrypoint))
            throw new BundleException("entrypoint (main.luau) not found");
        list.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return new Bundle(list);
    }

    /// <summary>
    /// Reads a program directory: every regular file below it, except inside directories whose names start with a
    /// dot (<c>.git</c>, <c>.vscode</c>). Symbolic links are not followed.
    /// </summary>
    /// <exception cref="BundleException">The directory does not form a program (the message names the file).</exception>
    public static Bundle FromDirectory(string directory, BundleLimits? limits = null)
    {
        var root = new DirectoryInfo(directory);
        if (!root.Exists)
            throw new BundleException($"directory not found: {directory}");
        var files = new List<KeyValuePair<string, byte[]>>();
        Walk(root, "", files, limits ?? BundleLimits.Default);
        if (files.Count == 0)
            throw new BundleException($"entrypoint (main.luau) not found: {directory} has no files");
        return Create(files, limits);
    }

    private static void Walk(DirectoryInfo dir, string prefix, List<KeyValuePair<string, byte[]>> files, BundleLimits limits)
    {
        foreach (var entry in dir.EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (entry.LinkTarget is not null)
                continue;
            string path = prefix + entry.Name;
            if (entry is DirectoryInfo sub)
            {
                if (!entry.Name.StartsWith('.'))
                    Walk(sub, path + "/", files, limits);
            }
            else if (entry is FileInfo file)
            {
                if (files.Count >= limits.MaxFiles)
                    throw new BundleException($"too many files (at most {limits.MaxFiles})");
                if (file.Length > limits.MaxFileBytes)
                    throw new BundleException($"file {BundlePaths.Show(path)} is {file.Length} bytes (at most {limits.MaxFileBytes})");
                files.Add(new(path, File.ReadAllBytes(file.FullName)));
            }
        }
    }

    internal static void AddUnique(HashSet<string> seen, string path)
    {
        if (!seen.Add(path))
        {
            seen.TryGetValue(path, out var other);
            throw new BundleException(other == path
                ? $"duplicate file name: {BundlePaths.Show(path)}"
                : $"file names differ only in case: {BundlePaths.Show(other!)} and {BundlePaths.Show(path)}");
        }
    }

    /// <summary>The original's bundle bytes (see <see cref="BundleFormat"/>).</summary>
    public byte[] Encode() => BundleFormat.Write(this);

    /// <summary>
    /// The bytes the identity hashes: the ASCII tag <c>coputer-program-v1</c> and a NUL, the file count (u32 big
    /// endian), then for each file in ordinal path order the path's UTF-8 length (u16 big endian), the path and
    /// SHA3-256 of the content.
    /// </summary>
    public static byte[] CanonicalEncoding(IReadOnlyList<BundleFile> sortedFiles)
    {
        var tag = "coputer-program-v1\0"u8;
        int size = tag.Length + 4;
        foreach (var f in sortedFiles)
            size += 2 + Encoding.UTF8.GetByteCount(f.Path) + Hash256.Size;
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        tag.CopyTo(span);
        int at = tag.Length;
        BinaryPrimitives.WriteUInt32BigEndian(span[at..], (uint)sortedFiles.Count);
        at += 4;
        foreach (var f in sortedFiles)
        {
            int n = Encoding.UTF8.GetBytes(f.Path, span[(at + 2)..]);
            BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)n);
            at += 2 + n;
            f.ContentHash.CopyTo(span[at..]);
            at += Hash256.Size;
        }
        return bytes;
    }

    private static Hash256 ComputeHash(List<BundleFile> sortedFiles) => Hash256.Of(CanonicalEncoding(sortedFiles));

    public override string ToString() => $"program {Hash} ({Files.Count} files, {TotalBytes} bytes)";
}

using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace Coputer.Platform.Bundles;

/// <summary>
/// The original's bundle format, byte-compatible both ways. A bundle is, for each file, <c>uvarint(length)</c>
/// (LEB128) followed by a gzip member (RFC 1952) without its first 10 header bytes: the member starts with the
/// NUL-terminated Latin-1 file name, then the DEFLATE stream, CRC-32 and ISIZE (both little endian).
/// <c>main.luau</c> comes first, the other files follow in directory-walk order.
/// </summary>
public static class BundleFormat
{
    /// <summary>What the original prepends when reading: gzip magic, deflate, FNAME flag, zero time, OS unknown.</summary>
    private static readonly byte[] GzipHeader = [0x1f, 0x8b, 0x08, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff];

    private static readonly Encoding Latin1 = Encoding.Latin1;

    /// <summary>Packs a bundle; the original (and this reader) can read the result.</summary>
    public static byte[] Write(Bundle bundle)
    {
        var output = new MemoryStream();
        var ordered = bundle.Files.Where(f => f.Path != BundlePaths.Entrypoint).ToList();
        ordered.Sort((a, b) => CompareWalkOrder(a.Path, b.Path));
        ordered.Insert(0, bundle.Main);
        Span<byte> varint = stackalloc byte[10];
        foreach (var file in ordered)
        {
            var member = Compress(file);
            int n = WriteUvarint(varint, (ulong)member.Length);
            output.Write(varint[..n]);
            output.Write(member);
        }
        return output.ToArray();
    }

    /// <summary>
    /// Reads an untrusted bundle. Every cap of <paramref name="limits"/> is checked against the sizes the bundle
    /// declares before a file is inflated, and inflation stops at the declared size, so a gzip bomb costs nothing.
    /// </summary>
    /// <exception cref="BundleException">The bundle is malformed or breaks a cap; the message says which file and why.</exception>
    public static Bundle Read(ReadOnlySpan<byte> bytes, BundleLimits? limits = null)
    {
        limits ??= BundleLimits.Default;
        if (bytes.Length == 0)
            throw new BundleException("bad bundle: 0 length");
        if (bytes.Length > limits.MaxBundleBytes)
            throw new BundleException($"bad bundle: {bytes.Length} bytes (at most {limits.MaxBundleBytes})");
        var files = new List<KeyValuePair<string, byte[]>>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        long total = 0;
        int at = 0;
        while (at < bytes.Length)
        {
            if (files.Count >= limits.MaxFiles)
                throw new BundleException($"bad bundle: more than {limits.MaxFiles} files");
            if (!TryReadUvarint(bytes[at..], out ulong length, out int n))
                throw new BundleException($"bad bundle: malformed length of file {files.Count + 1}");
            at += n;
            if (length > (ulong)(bytes.Length - at))
                throw new BundleException("bad bundle: file length exceeds bundle length");
            var member = bytes.Slice(at, (int)length);
            at += (int)length;
            var (path, content) = ReadMember(member, files.Count, limits, ref total);
            if (files.Count == 0 && path != BundlePaths.Entrypoint)
                throw new BundleException($"bad bundle: the first file must be main.luau, not {BundlePaths.Show(path)}");
            Bundle.AddUnique(seen, path);
            files.Add(new(path, content));
        }
        return Bundle.Create(files, limits);
    }

    private static (string Path, byte[] Content) ReadMember(ReadOnlySpan<byte> member, int index, BundleLimits limits, ref long total)
    {
        int nul = member[..Math.Min(member.Length, limits.MaxPathLength + 1)].IndexOf((byte)0);
        if (nul < 0)
        {
            throw new BundleException(member.Length > limits.MaxPathLength
                ? $"bad bundle: file {index + 1} has a name longer than {limits.MaxPathLength} bytes"
                : $"bad bundle: file {index + 1} has no name");
        }
        string path = Latin1.GetString(member[..nul]);
        if (BundlePaths.Validate(path, limits) is { } pathError)
            throw new BundleException("bad bundle: " + pathError);
        string shown = BundlePaths.Show(path);
        if (member.Length - nul - 1 < 8 + 2)
            throw new BundleException($"bad bundle: file {shown} is truncated");

        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(member[^8..]);
        uint declared = BinaryPrimitives.ReadUInt32LittleEndian(member[^4..]);
        int compressed = member.Length - nul - 1 - 8;
        if (declared > limits.MaxFileBytes)
            throw new BundleException($"bad bundle: file {shown} unpacks to {declared} bytes (at most {limits.MaxFileBytes})");
        if (total + declared > limits.MaxTotalBytes)
            throw new BundleException($"bad bundle: the files unpack to more than {limits.MaxTotalBytes} bytes");
        if (declared > limits.CompressionRatioThreshold && declared / (double)compressed > limits.MaxCompressionRatio)
            throw new BundleException($"bad bundle: file {shown} is compressed {declared / compressed}:1 (at most {limits.MaxCompressionRatio}:1)");
        total += declared;

        // Inflate through a gzip reader, as the original does, so the stream must end exactly at the trailer.
        var gzip = new byte[GzipHeader.Length + member.Length];
        GzipHeader.CopyTo(gzip, 0);
        member.CopyTo(gzip.AsSpan(GzipHeader.Length));
        var content = new byte[declared];
        try
        {
            using var stream = new GZipStream(new MemoryStream(gzip, writable: false), CompressionMode.Decompress);
            int read = 0;
            while (read < content.Length)
            {
                int got = stream.Read(content, read, content.Length - read);
                if (got == 0)
                    throw new BundleException($"bad bundle: file {shown} unpacks to {read} bytes, not the {declared} it declares");
                read += got;
            }
            Span<byte> probe = stackalloc byte[1];
            if (stream.Read(probe) != 0)
                throw new BundleException($"bad bundle: file {shown} unpacks to more than the {declared} bytes it declares");
        }
        catch (InvalidDataException e)
        {
            throw new BundleException($"bad bundle: file {shown}: corrupt compressed data ({e.Message})");
        }
        if (Crc32.HashToUInt32(content) != crc)
            throw new BundleException($"bad bundle: file {shown}: checksum mismatch");
        return (path, content);
    }

    private static byte[] Compress(BundleFile file)
    {
        var output = new MemoryStream();
        output.Write(Latin1.GetBytes(file.Path));
        output.WriteByte(0);
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
            deflate.Write(file.ContentBytes);
        Span<byte> trailer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, Crc32.HashToUInt32(file.ContentBytes));
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], (uint)file.ContentBytes.Length);
        output.Write(trailer);
        return output.ToArray();
    }

    /// <summary>Go's <c>filepath.WalkDir</c> order: names compared part by part, so <c>a/x</c> comes before <c>a.luau</c>.</summary>
    internal static int CompareWalkOrder(string a, string b)
    {
        var pa = a.Split('/');
        var pb = b.Split('/');
        for (int i = 0; i < Math.Min(pa.Length, pb.Length); i++)
        {
            int c = string.CompareOrdinal(pa[i], pb[i]);
            if (c != 0)
                return c;
        }
        return pa.Length.CompareTo(pb.Length);
    }

    internal static int WriteUvarint(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Go's <c>binary.Uvarint</c>: at most 10 bytes, and the 10th may only be 0 or 1.</summary>
    internal static bool TryReadUvarint(ReadOnlySpan<byte> source, out ulong value, out int length)
    {
        value = 0;
        int shift = 0;
        for (int i = 0; i < source.Length && i < 10; i++)
        {
            byte b = source[i];
            if (i == 9 && b > 1)
                break;
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                length = i + 1;
                return true;
            }
            shift += 7;
        }
        length = 0;
        value = 0;
        return false;
    }
}

using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using Coputer.Platform.Bundles;

namespace Coputer.Platform.Tests.Bundles;

/// <summary>Builds bundle bytes by hand, including ones no honest bundler would write.</summary>
internal static class BundleBytes
{
    public static byte[] Member(string name, ReadOnlySpan<byte> content, CompressionLevel level = CompressionLevel.Optimal, uint? declaredSize = null, uint? crc = null)
    {
        var output = new MemoryStream();
        output.Write(Encoding.Latin1.GetBytes(name));
        output.WriteByte(0);
        if (level == CompressionLevel.NoCompression)
            WriteStored(output, content);
        else if (content.IsEmpty)
            output.Write([0x03, 0x00]);
        else
        {
            using var deflate = new DeflateStream(output, level, leaveOpen: true);
            deflate.Write(content);
        }
        Span<byte> trailer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, crc ?? Crc32.HashToUInt32(content));
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], declaredSize ?? (uint)content.Length);
        output.Write(trailer);
        return output.ToArray();
    }

    /// <summary>DEFLATE stored blocks: a valid stream any inflater reads, unlike anything .NET's compressor writes.</summary>
    private static void WriteStored(Stream output, ReadOnlySpan<byte> content)
    {
        int at = 0;
        Span<byte> len = stackalloc byte[4];
        do
        {
            int n = Math.Min(65535, content.Length - at);
            bool last = at + n == content.Length;
            output.WriteByte(last ? (byte)1 : (byte)0);
            BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)n);
            BinaryPrimitives.WriteUInt16LittleEndian(len[2..], (ushort)~n);
            output.Write(len);
            output.Write(content.Slice(at, n));
            at += n;
        }
        while (at < content.Length);
    }

    public static byte[] Concat(params byte[][] members)
    {
        var output = new MemoryStream();
        Span<byte> varint = stackalloc byte[10];
        foreach (var m in members)
        {
            int n = BundleFormat.WriteUvarint(varint, (ulong)m.Length);
            output.Write(varint[..n]);
            output.Write(m);
        }
        return output.ToArray();
    }

    public static byte[] Of(params (string Name, string Content)[] files) =>
        Concat(files.Select(f => Member(f.Name, Encoding.UTF8.GetBytes(f.Content))).ToArray());

    /// <summary>A member whose DEFLATE stream inflates to 1 GiB of zeros (about 1 MB packed).</summary>
    public static readonly Lazy<byte[]> GigabyteBombDeflate = new(() =>
    {
        var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 1024; i++)
                deflate.Write(zeros);
        }
        return output.ToArray();
    });

    public static byte[] BombMember(string name, uint declaredSize)
    {
        var deflate = GigabyteBombDeflate.Value;
        var member = new byte[name.Length + 1 + deflate.Length + 8];
        Encoding.Latin1.GetBytes(name).CopyTo(member, 0);
        deflate.CopyTo(member, name.Length + 1);
        BinaryPrimitives.WriteUInt32LittleEndian(member.AsSpan(member.Length - 4), declaredSize);
        return member;
    }
}

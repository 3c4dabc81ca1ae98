using System.IO.Compression;

namespace Coputer.Gateway.Serving;

/// <summary>A content coding the gateway can send.</summary>
public enum ContentCoding
{
    /// <summary>As is.</summary>
    Identity,

    /// <summary>gzip (RFC 1952).</summary>
    Gzip,

    /// <summary>Brotli (RFC 7932).</summary>
    Brotli,
}

/// <summary>Choosing and applying response compression (the BCL's encoders).</summary>
public static class Compression
{
    /// <summary>
    /// The best coding <paramref name="acceptEncoding"/> allows: Brotli, then gzip, else none. Codings with
    /// <c>q=0</c> are refused; <c>*</c> stands for any coding not named.
    /// </summary>
    public static ContentCoding Choose(string? acceptEncoding)
    {
        if (string.IsNullOrEmpty(acceptEncoding))
            return ContentCoding.Identity;
        double br = -1, gzip = -1, any = -1;
        foreach (var part in acceptEncoding.Split(','))
        {
            var segments = part.Split(';');
            string coding = segments[0].Trim();
            double q = 1;
            for (int i = 1; i < segments.Length; i++)
            {
                string p = segments[i].Trim();
                if (p.StartsWith("q=", StringComparison.OrdinalIgnoreCase) &&
                    !double.TryParse(p.AsSpan(2), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out q))
                    q = 0;
            }
            if (coding.Equals("br", StringComparison.OrdinalIgnoreCase))
                br = q;
            else if (coding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || coding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
                gzip = q;
            else if (coding == "*")
                any = q;
        }
        if (br < 0)
            br = any;
        if (gzip < 0)
            gzip = any;
        if (br > 0 && br >= gzip)
            return ContentCoding.Brotli;
        return gzip > 0 ? ContentCoding.Gzip : ContentCoding.Identity;
    }

    /// <summary>The <c>Content-Encoding</c> value of a coding.</summary>
    public static string Name(ContentCoding coding) => coding == ContentCoding.Brotli ? "br" : "gzip";

    /// <summary>Whether a response of this content type is worth compressing (text, JSON, JavaScript, XML, SVG, WebAssembly).</summary>
    public static bool IsCompressible(string? contentType)
    {
        if (contentType is null)
            return false;
        var type = contentType.AsSpan();
        int semicolon = type.IndexOf(';');
        if (semicolon >= 0)
            type = type[..semicolon];
        type = type.Trim();
        return type.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+xml", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.Equals("application/javascript", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/xml", StringComparison.OrdinalIgnoreCase) || type.Equals("application/wasm", StringComparison.OrdinalIgnoreCase)
            || type.Equals("image/svg+xml", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Compresses <paramref name="data"/> (quality suited to answers computed once and then cached).</summary>
    public static byte[] Compress(ReadOnlySpan<byte> data, ContentCoding coding)
    {
        if (coding == ContentCoding.Brotli)
        {
            var output = new byte[BrotliEncoder.GetMaxCompressedLength(data.Length)];
            if (!BrotliEncoder.TryCompress(data, output, out int written, quality: 5, window: 22))
                throw new InvalidOperationException("Brotli compression failed.");
            return output.AsSpan(0, written).ToArray();
        }
        using var buffer = new MemoryStream(data.Length / 2 + 64);
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(data);
        return buffer.ToArray();
    }
}

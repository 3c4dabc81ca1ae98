using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Coputer.Platform.Runtime;

namespace Coputer.Gateway.Serving;

/// <summary>
/// A response ready to send: headers checked and filtered, a weak ETag from the hash of the output, and its
/// compressed forms made on first use. A program's response from the result cache is the same object every time,
/// so all of this is done once per cached result (<see cref="For"/>).
/// </summary>
public sealed class PreparedResponse
{
    private static readonly ConditionalWeakTable<WebResponse, PreparedResponse> s_prepared = [];

    private byte[]? _gzip;
    private byte[]? _brotli;

    private PreparedResponse(int statusCode, KeyValuePair<string, string>[] headers, ReadOnlyMemory<byte> body, string? error, bool compressible)
    {
        StatusCode = statusCode;
        Headers = headers;
        Body = body;
        Error = error;
        foreach (var (name, _) in headers)
        {
            if (name.Equals("cache-control", StringComparison.OrdinalIgnoreCase))
                HasCacheControl = true;
            else if (name.Equals("vary", StringComparison.OrdinalIgnoreCase))
                HasVary = true;
            else if (name.Equals("content-encoding", StringComparison.OrdinalIgnoreCase))
                compressible = false;
        }
        CanHaveBody = statusCode is not (204 or 205 or 304) && statusCode >= 200;
        Compressible = compressible && CanHaveBody;
        ETag = error is null ? ComputeETag(statusCode, headers, body.Span) : "";
    }

    /// <summary>The status code.</summary>
    public int StatusCode { get; }

    /// <summary>The headers to send (checked; connection headers dropped).</summary>
    public KeyValuePair<string, string>[] Headers { get; }

    /// <summary>The body, uncompressed.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>Why the response cannot be sent (a header that is not valid HTTP, a 1xx status), or null.</summary>
    public string? Error { get; }

    /// <summary>A weak entity tag: the same output always has the same tag (weak, because it covers every content coding).</summary>
    public string ETag { get; }

    /// <summary>Whether the program chose its own <c>Cache-Control</c>.</summary>
    public bool HasCacheControl { get; }

    /// <summary>Whether the program sent its own <c>Vary</c>.</summary>
    public bool HasVary { get; }

    /// <summary>Whether a body may be sent with this status (not for 1xx, 204, 205 and 304).</summary>
    public bool CanHaveBody { get; }

    /// <summary>Whether the body is worth compressing (a textual type, large enough, not already encoded).</summary>
    public bool Compressible { get; }

    /// <summary>The prepared form of a program's response, made once per response object.</summary>
    public static PreparedResponse For(WebResponse response, int minCompressBytes) =>
        s_prepared.GetValue(response, r => Create(r.StatusCode, r.Headers, r.Body, minCompressBytes));

    /// <summary>Prepares a response that is not cached (a development page with its reload script, say).</summary>
    public static PreparedResponse Create(int statusCode, IReadOnlyList<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body, int minCompressBytes)
    {
        var kept = new List<KeyValuePair<string, string>>(headers.Count);
        string? error = ResponseHeaders.Filter(headers, kept);
        if (error is null && statusCode < 200)
            error = $"status {statusCode} is informational and cannot end a response";
        string? contentType = kept.FirstOrDefault(h => h.Key.Equals("content-type", StringComparison.OrdinalIgnoreCase)).Value;
        return new PreparedResponse(statusCode, kept.ToArray(), body, error, body.Length >= minCompressBytes && Compression.IsCompressible(contentType));
    }

    /// <summary>The body in <paramref name="coding"/> (compressed once, then kept).</summary>
    public ReadOnlyMemory<byte> BodyFor(ContentCoding coding) => coding switch
    {
        ContentCoding.Gzip => _gzip ??= Compression.Compress(Body.Span, ContentCoding.Gzip),
        ContentCoding.Brotli => _brotli ??= Compression.Compress(Body.Span, ContentCoding.Brotli),
        _ => Body,
    };

    private static string ComputeETag(int status, KeyValuePair<string, string>[] headers, ReadOnlySpan<byte> body)
    {
        // One buffer holding the status line, the headers and the body, hashed in one call: no hash object (and
        // its native context) per response.
        var head = new StringBuilder().Append(status).Append('\n');
        foreach (var (k, v) in headers)
            head.Append(k).Append(':').Append(v).Append('\n');
        string text = head.ToString();
        int headBytes = Encoding.UTF8.GetByteCount(text);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(headBytes + body.Length);
        try
        {
            Encoding.UTF8.GetBytes(text, buffer);
            body.CopyTo(buffer.AsSpan(headBytes));
            Span<byte> digest = stackalloc byte[32];
            SHA3_256.HashData(buffer.AsSpan(0, headBytes + body.Length), digest);
            return "W/\"" + Convert.ToBase64String(digest[..18]).Replace('+', '-').Replace('/', '_') + "\"";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Whether an <c>If-None-Match</c> header matches <paramref name="etag"/> by the weak comparison RFC 9110
    /// prescribes for it (<c>*</c> matches anything).
    /// </summary>
    public static bool Matches(string? ifNoneMatch, string etag)
    {
        if (string.IsNullOrEmpty(ifNoneMatch) || etag.Length == 0)
            return false;
        var opaque = etag.AsSpan(etag.StartsWith("W/", StringComparison.Ordinal) ? 2 : 0);
        foreach (var range in ifNoneMatch.AsSpan().Split(','))
        {
            var tag = ifNoneMatch.AsSpan(range).Trim();
            if (tag is "*")
                return true;
            if (tag.StartsWith("W/"))
                tag = tag[2..];
            if (tag.SequenceEqual(opaque))
                return true;
        }
        return false;
    }
}

using System.Buffers.Binary;
using System.Text;

namespace Coputer.Platform.Runtime;

/// <summary>
/// A web request as a program sees it through <c>args.web()</c>: method, URL parts, headers and body. Header names
/// are kept lowercase and a repeated header's values are joined with <c>", "</c> (<c>"; "</c> for
/// <c>cookie</c>), so nothing the client sent is lost. <see cref="InputHash"/> is SHA3-256 of
/// <see cref="CanonicalEncoding"/>: the same request has the same hash on every node.
/// </summary>
public sealed class WebRequest
{
    private byte[]? _canonical;
    private Hash256? _hash;

    private WebRequest(string method, string rawPath, string path, string rawQuery, IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> query,
        IReadOnlyList<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body)
    {
        Method = method;
        RawPath = rawPath;
        Path = path;
        RawQuery = rawQuery;
        Query = query;
        Headers = headers;
        Body = body;
    }

    /// <summary>The method, for example <c>GET</c>.</summary>
    public string Method { get; }

    /// <summary>The request target as received, for example <c>/a?b=c</c> (the original's <c>url.rawpath</c>).</summary>
    public string RawPath { get; }

    /// <summary>The decoded path; always starts with <c>/</c>.</summary>
    public string Path { get; }

    /// <summary>The query without the <c>?</c>, undecoded.</summary>
    public string RawQuery { get; }

    /// <summary>The decoded query parameters in sorted key order, each with its values in the order given.</summary>
    public IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> Query { get; }

    /// <summary>The headers, lowercase names in sorted order, one entry per name.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The body.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>
    /// A request for <paramref name="target"/> (an origin-form request target such as <c>/path?query</c>; an
    /// absolute URL is also accepted and reduced to its path and query). The query is parsed as Go's
    /// <c>url.ParseQuery</c> does, as the original's gateway did: pairs split on <c>&amp;</c>, pairs with a
    /// <c>;</c> or a bad escape dropped, <c>+</c> read as a space.
    /// </summary>
    public static WebRequest Create(string method, string target, IEnumerable<KeyValuePair<string, string>>? headers = null, ReadOnlyMemory<byte> body = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(target);
        string rawPath = target;
        if (target.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || target.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            int slash = target.IndexOf('/', target.IndexOf("//", StringComparison.Ordinal) + 2);
            rawPath = slash < 0 ? "/" : target[slash..];
        }
        int hashMark = rawPath.IndexOf('#');
        if (hashMark >= 0)
            rawPath = rawPath[..hashMark];
        int question = rawPath.IndexOf('?');
        string rawPathPart = question < 0 ? rawPath : rawPath[..question];
        string rawQuery = question < 0 ? "" : rawPath[(question + 1)..];
        string path = PercentDecode(rawPathPart, plusIsSpace: false) ?? rawPathPart;
        if (!path.StartsWith('/'))
            path = "/" + path;
        return new WebRequest(method, rawPath, path, rawQuery, ParseQuery(rawQuery), NormalizeHeaders(headers), body);
    }

    /// <summary>
    /// A request from parts already parsed by a gateway. Headers are normalised as in <see cref="Create"/>;
    /// the query is taken as given (keys are sorted, value order is kept).
    /// </summary>
    public static WebRequest FromParts(string method, string rawPath, string path, string rawQuery,
        IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> query, IEnumerable<KeyValuePair<string, string>>? headers, ReadOnlyMemory<byte> body)
    {
        var grouped = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (k, values) in query)
        {
            if (!grouped.TryGetValue(k, out var list))
                grouped[k] = list = [];
            list.AddRange(values);
        }
        var q = grouped.Select(p => new KeyValuePair<string, IReadOnlyList<string>>(p.Key, p.Value.ToArray())).ToArray();
        return new WebRequest(method, rawPath, path.StartsWith('/') ? path : "/" + path, rawQuery, q, NormalizeHeaders(headers), body);
    }

    /// <summary>Go's <c>url.ParseQuery</c>, keys sorted and values in order.</summary>
    internal static KeyValuePair<string, IReadOnlyList<string>>[] ParseQuery(string rawQuery)
    {
        if (rawQuery.Length == 0)
            return [];
        var grouped = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in rawQuery.Split('&'))
        {
            if (pair.Length == 0 || pair.Contains(';'))
                continue;
            int eq = pair.IndexOf('=');
            string? key = PercentDecode(eq < 0 ? pair : pair[..eq], plusIsSpace: true);
            string? value = PercentDecode(eq < 0 ? "" : pair[(eq + 1)..], plusIsSpace: true);
            if (key is null || value is null)
                continue;
            if (!grouped.TryGetValue(key, out var list))
                grouped[key] = list = [];
            list.Add(value);
        }
        return grouped.Select(p => new KeyValuePair<string, IReadOnlyList<string>>(p.Key, p.Value.ToArray())).ToArray();
    }

    /// <summary>Percent-decoding as Go's unescape; null when an escape is malformed. Decoded bytes are read as UTF-8.</summary>
    internal static string? PercentDecode(string s, bool plusIsSpace)
    {
        if (s.IndexOf('%') < 0 && !(plusIsSpace && s.Contains('+')))
            return s;
        var bytes = new List<byte>(s.Length);
        var utf8 = Encoding.UTF8;
        Span<byte> one = stackalloc byte[4];
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '%')
            {
                if (i + 2 >= s.Length || !Uri.IsHexDigit(s[i + 1]) || !Uri.IsHexDigit(s[i + 2]))
                    return null;
                bytes.Add((byte)Convert.ToInt32(s.Substring(i + 1, 2), 16));
                i += 2;
            }
            else if (c == '+' && plusIsSpace)
            {
                bytes.Add((byte)' ');
            }
            else
            {
                int n = utf8.GetBytes(s.AsSpan(i, char.IsHighSurrogate(c) && i + 1 < s.Length ? 2 : 1), one);
                if (n > 1 && char.IsHighSurrogate(c))
                    i++;
                for (int j = 0; j < n; j++)
                    bytes.Add(one[j]);
            }
        }
        return utf8.GetString(bytes.ToArray());
    }

    private static KeyValuePair<string, string>[] NormalizeHeaders(IEnumerable<KeyValuePair<string, string>>? headers)
    {
        if (headers is null)
            return [];
        var grouped = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            string lower = name.ToLowerInvariant();
            grouped[lower] = grouped.TryGetValue(lower, out var existing) ? existing + (lower == "cookie" ? "; " : ", ") + value : value;
        }
        return grouped.ToArray();
    }

    /// <summary>The value of header <paramref name="name"/> (any case), or null.</summary>
    public string? GetHeader(string name)
    {
        string lower = name.ToLowerInvariant();
        foreach (var (k, v) in Headers)
        {
            if (k == lower)
                return v;
        }
        return null;
    }

    /// <summary>SHA3-256 of <see cref="CanonicalEncoding"/>.</summary>
    public Hash256 InputHash => _hash ??= Hash256.Of(CanonicalEncoding());

    /// <summary>
    /// The versioned binary encoding the input hash covers: the ASCII tag <c>coputer-web-request-v1</c> and a NUL,
    /// then method, raw path, path and raw query as length-prefixed UTF-8 (u32 big endian lengths), the query
    /// (u32 key count; each key, u32 value count and values), the headers (u32 count; name and value each), and the body.
    /// </summary>
    public byte[] CanonicalEncoding()
    {
        if (_canonical is not null)
            return _canonical;
        var w = new CanonicalWriter();
        w.Raw("coputer-web-request-v1\0"u8);
        w.String(Method);
        w.String(RawPath);
        w.String(Path);
        w.String(RawQuery);
        w.Count(Query.Count);
        foreach (var (k, values) in Query)
        {
            w.String(k);
            w.Count(values.Count);
            foreach (var v in values)
                w.String(v);
        }
        w.Count(Headers.Count);
        foreach (var (k, v) in Headers)
        {
            w.String(k);
            w.String(v);
        }
        w.Bytes(Body.Span);
        return _canonical = w.ToArray();
    }

    public override string ToString() => $"{Method} {RawPath}";
}

/// <summary>Length-prefixed fields, big endian, for canonical encodings.</summary>
internal sealed class CanonicalWriter
{
    private byte[] _buffer = new byte[256];
    private int _length;

    private Span<byte> Reserve(int n)
    {
        if (_length + n > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + n));
        var span = _buffer.AsSpan(_length, n);
        _length += n;
        return span;
    }

    public void Raw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    public void Count(int n) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), (uint)n);

    public void UInt64(ulong n) => BinaryPrimitives.WriteUInt64BigEndian(Reserve(8), n);

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        Count(bytes.Length);
        Raw(bytes);
    }

    public void String(string s)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        Count(n);
        Encoding.UTF8.GetBytes(s, Reserve(n));
    }

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();
}

/// <summary>Reads what <see cref="CanonicalWriter"/> wrote, failing on anything out of bounds.</summary>
internal ref struct CanonicalReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _at;

    public readonly bool AtEnd => _at == _data.Length;

    public ReadOnlySpan<byte> Raw(int n)
    {
        if (n < 0 || n > _data.Length - _at)
            throw new FormatException("truncated data");
        var s = _data.Slice(_at, n);
        _at += n;
        return s;
    }

    public int Count() => checked((int)BinaryPrimitives.ReadUInt32BigEndian(Raw(4)));

    public ulong UInt64() => BinaryPrimitives.ReadUInt64BigEndian(Raw(8));

    public ReadOnlySpan<byte> Bytes() => Raw(Count());

    public string String() => Encoding.UTF8.GetString(Bytes());
}

namespace Coputer.Platform.Runtime;

/// <summary>
/// What a web program answered: a status code (100 to 599), headers with lowercase names in sorted order, and
/// the body. When the program gave no body it is the status text (<c>Not Found</c>, or <c>Error 454</c> for a code
/// with no text) with <c>content-type: text/plain; charset=utf-8</c> unless the program set a content type.
/// </summary>
public sealed class WebResponse
{
    /// <summary>A response with headers already lowercase and unique.</summary>
    public WebResponse(int statusCode, IReadOnlyList<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body)
    {
        StatusCode = statusCode;
        Headers = headers;
        Body = body;
    }

    /// <summary>The status code.</summary>
    public int StatusCode { get; }

    /// <summary>The headers, lowercase names, sorted, each once.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The body.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The value of header <paramref name="name"/> (any case), or null.</summary>
    public string? GetHeader(string name)
    {
        foreach (var (k, v) in Headers)
        {
            if (string.Equals(k, name, StringComparison.OrdinalIgnoreCase))
                return v;
        }
        return null;
    }

    /// <summary>The body read as UTF-8 (for tests and logs).</summary>
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body.Span);

    /// <summary>The size counted against the response cap: body plus header names and values.</summary>
    public long Size => Body.Length + Headers.Sum(h => (long)h.Key.Length + h.Value.Length);

    internal void WriteTo(CanonicalWriter w)
    {
        w.Count(StatusCode);
        w.Count(Headers.Count);
        foreach (var (k, v) in Headers)
        {
            w.String(k);
            w.String(v);
        }
        w.Bytes(Body.Span);
    }

    internal static WebResponse ReadFrom(ref CanonicalReader r)
    {
        int status = r.Count();
        int count = r.Count();
        if (count > 10_000)
            throw new FormatException("too many headers");
        var headers = new KeyValuePair<string, string>[count];
        for (int i = 0; i < count; i++)
            headers[i] = new(r.String(), r.String());
        var body = r.Bytes().ToArray();
        return new WebResponse(status, headers, body);
    }

    /// <summary>Go's <c>http.StatusText</c>, which the original uses for default bodies; empty for unknown codes.</summary>
    public static string StatusText(int code) => code switch
    {
        100 => "Continue",
        101 => "Switching Protocols",
        102 => "Processing",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        208 => "Already Reported",
        226 => "IM Used",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Request Entity Too Large",
        414 => "Request URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Requested Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        _ => "",
    };
}

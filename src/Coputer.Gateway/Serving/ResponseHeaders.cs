namespace Coputer.Gateway.Serving;

/// <summary>
/// The checks a program's response headers pass before they reach the client. The runtime already refuses names
/// that are not tokens and values with line breaks; the gateway checks again (a response split by a stray CR or
/// LF must be impossible whatever produced it), drops what belongs to the connection rather than the response,
/// and keeps cookies on the program's own host.
/// </summary>
public static class ResponseHeaders
{
    /// <summary>
    /// Headers about the connection (RFC 9110 section 7.6.1, plus the framing the gateway owns); a program cannot
    /// set them.
    /// </summary>
    private static readonly HashSet<string> s_dropped = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "content-length",
    };

    /// <summary>Whether a program may not set header <paramref name="name"/> (it is dropped, not refused).</summary>
    public static bool IsDropped(string name) => s_dropped.Contains(name);

    /// <summary>
    /// The headers to send, or an error naming the first header that is not valid HTTP. Dropped headers are left
    /// out; <c>set-cookie</c> loses any <c>Domain</c> attribute, so a program cannot set cookies for its neighbours.
    /// </summary>
    public static string? Filter(IReadOnlyList<KeyValuePair<string, string>> headers, List<KeyValuePair<string, string>> kept)
    {
        foreach (var (name, value) in headers)
        {
            if (!IsToken(name))
                return $"header name '{Printable(name)}' is not a valid HTTP header name";
            if (!IsFieldValue(value))
                return $"header '{Printable(name)}' has a value with a line break or control character";
            if (IsDropped(name))
                continue;
            kept.Add(new(name, name.Equals("set-cookie", StringComparison.OrdinalIgnoreCase) ? WithoutDomain(value) : value));
        }
        return null;
    }

    /// <summary>An RFC 9110 token.</summary>
    public static bool IsToken(string s)
    {
        if (s.Length == 0)
            return false;
        foreach (char c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)))
                return false;
        }
        return true;
    }

    /// <summary>A field value: no control characters but tab, nothing that ends a line.</summary>
    public static bool IsFieldValue(string s)
    {
        foreach (char c in s)
        {
            if ((c < ' ' && c != '\t') || c == '\x7f')
                return false;
        }
        return true;
    }

    /// <summary>A <c>Set-Cookie</c> value without its <c>Domain</c> attribute (a host-only cookie).</summary>
    public static string WithoutDomain(string setCookie)
    {
        if (setCookie.IndexOf("domain", StringComparison.OrdinalIgnoreCase) < 0)
            return setCookie;
        var parts = setCookie.Split(';');
        var kept = new List<string> { parts[0] };
        for (int i = 1; i < parts.Length; i++)
        {
            string attribute = parts[i];
            int eq = attribute.IndexOf('=');
            if (!(eq < 0 ? attribute : attribute[..eq]).Trim().Equals("domain", StringComparison.OrdinalIgnoreCase))
                kept.Add(attribute);
        }
        return string.Join(';', kept);
    }

    private static string Printable(string s) =>
        new(s.Take(64).Select(c => c is >= ' ' and < '\x7f' and not '\'' ? c : '?').ToArray());
}

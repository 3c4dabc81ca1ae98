using System.Text;
using Coputer.Luau.VM;

namespace Coputer.Platform.Runtime;

/// <summary>
/// Turns what <c>main.luau</c> returned into a response, checking it in the original's order with its exact
/// messages (section 2.3 of the spec), then the checks the original lacked: header names and values must be
/// valid HTTP (no line breaks to split a response with), names differing only in case are refused, and the
/// response must fit the size caps.
/// </summary>
internal static class ReturnValidation
{
    private const string DefaultContentType = "text/plain; charset=utf-8";

    public static (WebResponse? Response, string? Error, RunLimit? Limit) ToResponse(LuauValue[] results, RunLimits limits)
    {
        if (results.Length != 1)
            return Fail("program did not return a single value");
        if (results[0].AsTable is not { } table)
            return Fail("web program did not return a table");

        int status = 200;
        var code = table["statuscode"];
        if (!code.IsNil)
        {
            // An integer (Luau's experimental 64-bit type) is as good a status code as a number.
            if (!code.IsNumber && !code.IsInteger)
                return Fail("return statuscode, if provided, must be a number");
            double truncated = code.IsInteger ? Math.Clamp(code.Integer, -1, 1000) : Math.Truncate(code.Number);
            if (!(truncated >= 100 && truncated <= 599))
                return Fail("return statuscode, if provided, must be between 100 and 599");
            status = (int)truncated;
        }

        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var headersValue = table["headers"];
        if (!headersValue.IsNil)
        {
            if (headersValue.AsTable is not { } headerTable)
                return Fail("return headers, if provided, must be a table");
            var key = LuauValue.Nil;
            while (headerTable.Next(key, out var k, out var v))
            {
                key = k;
                if (!k.IsString)
                    return Fail("header keys must be strings");
                if (!v.IsString)
                    return Fail("header values must be strings");
                if (headers.Count >= limits.ResponseHeaders)
                    return (null, $"response has more than {limits.ResponseHeaders} headers (response size limit)", RunLimit.ResponseSize);
                var nameBytes = k.AsString!.Span;
                if (!IsToken(nameBytes))
                    return Fail($"header name '{Printable(nameBytes)}' is not a valid HTTP header name");
                var valueBytes = v.AsString!.Span;
                if (!IsFieldValue(valueBytes))
                    return Fail($"header '{Printable(nameBytes)}' has a value with a line break or control character");
                string name = Encoding.ASCII.GetString(nameBytes).ToLowerInvariant();
                if (!headers.TryAdd(name, Encoding.UTF8.GetString(valueBytes)))
                    return Fail($"header '{name}' is given twice (header names ignore case)");
            }
        }

        ReadOnlyMemory<byte> body;
        var bodyValue = table["body"];
        if (!bodyValue.IsNil)
        {
            if (bodyValue.AsBuffer is not { } buffer)
                return Fail("return body, if provided, must be a buffer");
            if (buffer.Length > limits.ResponseBytes)
                return (null, $"response body of {buffer.Length} bytes is over the limit of {limits.ResponseBytes} bytes", RunLimit.ResponseSize);
            body = buffer.Data.ToArray();
        }
        else
        {
            string text = WebResponse.StatusText(status);
            body = Encoding.UTF8.GetBytes(text.Length > 0 ? text : $"Error {status}");
            // The original overwrote the program's content type here; a program that chose one keeps it.
            headers.TryAdd("content-type", DefaultContentType);
        }
        var response = new WebResponse(status, headers.ToArray(), body);
        if (response.Size > limits.ResponseBytes)
            return (null, $"response of {response.Size} bytes is over the limit of {limits.ResponseBytes} bytes", RunLimit.ResponseSize);
        return (response, null, null);
    }

    private static (WebResponse?, string?, RunLimit?) Fail(string message) => (null, message, null);

    /// <summary>An RFC 9110 token: the characters a header name may have.</summary>
    private static bool IsToken(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty)
            return false;
        foreach (byte b in s)
        {
            bool ok = b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
                || "!#$%&'*+-.^_`|~"u8.Contains(b);
            if (!ok)
                return false;
        }
        return true;
    }

    /// <summary>A field value: visible characters, spaces and tabs (bytes above 0x7f allowed), nothing that ends a line.</summary>
    private static bool IsFieldValue(ReadOnlySpan<byte> s)
    {
        foreach (byte b in s)
        {
            if ((b < 0x20 && b != (byte)'\t') || b == 0x7f)
                return false;
        }
        return true;
    }

    private static string Printable(ReadOnlySpan<byte> s)
    {
        var sb = new StringBuilder();
        foreach (byte b in s.Length > 64 ? s[..64] : s)
            sb.Append(b is >= 0x20 and < 0x7f && b != (byte)'\'' ? (char)b : '?');
        return sb.ToString();
    }
}

using System.Text;

namespace Coputer.Tooling.LanguageServer;

/// <summary>A violation of the base protocol's framing (headers and content length).</summary>
public sealed class LspFramingException(string message, bool recoverable) : Exception(message)
{
    /// <summary>
    /// True when the stream is still in step (an oversized body was skipped, so the next message can be read);
    /// false when the headers were malformed and nothing after them can be trusted.
    /// </summary>
    public bool Recoverable { get; } = recoverable;
}

/// <summary>
/// Reads base-protocol messages: header lines (<c>Name: value</c>, each ended by CR LF), an empty line, then exactly
/// <c>Content-Length</c> bytes of UTF-8 JSON. The reader is strict and bounded: header lines, the number of headers
/// and the body size all have limits, so no input makes it hang on a complete stream or hold unbounded memory.
/// </summary>
public sealed class LspMessageReader
{
    public const int DefaultMaxContentLength = 64 << 20;
    private const int MaxHeaderLineLength = 1024;
    private const int MaxHeaderLines = 32;

    private readonly Stream _input;
    private readonly int _maxContentLength;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public LspMessageReader(Stream input, int maxContentLength = DefaultMaxContentLength)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxContentLength);
        _input = input;
        _maxContentLength = maxContentLength;
    }

    /// <summary>
    /// The next message's body, or null when the stream ends cleanly between messages. Throws
    /// <see cref="LspFramingException"/> for malformed headers, a stream that ends inside a message, or a body over
    /// the size limit (which is skipped, so reading can go on).
    /// </summary>
    public async ValueTask<byte[]?> ReadAsync(CancellationToken cancellationToken = default)
    {
        long? contentLength = null;
        int lines = 0;
        while (true)
        {
            string? line = await ReadHeaderLineAsync(atMessageStart: lines == 0, cancellationToken).ConfigureAwait(false);
            if (line is null)
                return null;
            if (line.Length == 0)
                break;
            if (++lines > MaxHeaderLines)
                throw new LspFramingException($"more than {MaxHeaderLines} header lines", recoverable: false);

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
                throw new LspFramingException($"malformed header line \"{Printable(line)}\" (expected \"Name: value\")", recoverable: false);
            string name = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (contentLength is not null)
                    throw new LspFramingException("Content-Length given twice", recoverable: false);
                if (value.Length is 0 or > 18 || !value.All(char.IsAsciiDigit))
                    throw new LspFramingException($"Content-Length \"{Printable(value)}\" is not a number of bytes", recoverable: false);
                contentLength = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                int charset = value.IndexOf("charset=", StringComparison.OrdinalIgnoreCase);
                if (charset >= 0)
                {
                    string encoding = value[(charset + 8)..].Split(';')[0].Trim().Trim('"');
                    if (!encoding.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !encoding.Equals("utf8", StringComparison.OrdinalIgnoreCase))
                        throw new LspFramingException($"unsupported charset \"{Printable(encoding)}\" (only utf-8)", recoverable: false);
                }
            }
            // Other headers are allowed and ignored, as the specification asks.
        }

        if (contentLength is null)
            throw new LspFramingException("message without a Content-Length header", recoverable: false);
        if (contentLength > _maxContentLength)
        {
            await SkipAsync(contentLength.Value, cancellationToken).ConfigureAwait(false);
            throw new LspFramingException($"message of {contentLength} bytes is over the limit of {_maxContentLength}; skipped", recoverable: true);
        }

        var body = new byte[(int)contentLength.Value];
        int filled = 0;
        while (filled < body.Length)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                throw new LspFramingException($"the stream ended after {filled} of {body.Length} content bytes", recoverable: false);
            int n = Math.Min(_end - _start, body.Length - filled);
            _buffer.AsSpan(_start, n).CopyTo(body.AsSpan(filled));
            _start += n;
            filled += n;
        }
        return body;
    }

    /// <summary>One header line without its CR LF; null at a clean end of stream before a message starts.</summary>
    private async ValueTask<string?> ReadHeaderLineAsync(bool atMessageStart, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                if (atMessageStart && line.Length == 0)
                    return null;
                throw new LspFramingException("the stream ended inside a message's headers", recoverable: false);
            }
            byte b = _buffer[_start++];
            if (b == '\r')
            {
                if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                    throw new LspFramingException("the stream ended inside a message's headers", recoverable: false);
                if (_buffer[_start] != '\n')
                    throw new LspFramingException("a header line's CR is not followed by LF", recoverable: false);
                _start++;
                return line.ToString();
            }
            if (b == '\n')
                throw new LspFramingException("a header line ends with LF alone (headers end with CR LF)", recoverable: false);
            if (b is < 0x20 or >= 0x7F && b != '\t')
                throw new LspFramingException($"header bytes must be printable ASCII (found 0x{b:X2})", recoverable: false);
            if (line.Length >= MaxHeaderLineLength)
                throw new LspFramingException($"a header line is longer than {MaxHeaderLineLength} bytes", recoverable: false);
            line.Append((char)b);
        }
    }

    private async ValueTask SkipAsync(long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                throw new LspFramingException("the stream ended inside an oversized message", recoverable: false);
            int n = (int)Math.Min(_end - _start, count);
            _start += n;
            count -= n;
        }
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        _end = await _input.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        return _end > 0;
    }

    private static string Printable(string s) => s.Length > 40 ? s[..40] + "..." : s;
}

/// <summary>Writes base-protocol messages (a Content-Length header, then the UTF-8 body); safe to call from several threads.</summary>
public sealed class LspMessageWriter(Stream output)
{
    private readonly SemaphoreSlim _lock = new(1, 1);

    public async ValueTask WriteAsync(byte[] body, CancellationToken cancellationToken = default)
    {
        byte[] header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await output.WriteAsync(header, cancellationToken).ConfigureAwait(false);
            await output.WriteAsync(body, cancellationToken).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }
}

using System.Buffers;

namespace Coputer.Luau.Syntax;

/// <summary>
/// Splits UTF-8 source bytes into tokens. The lexer only finds token boundaries; literal values (escapes, numbers)
/// are decoded by the parser when it builds nodes, so lexing allocates nothing except interned names.
/// </summary>
/// <remarks>
/// The buffer must end with at least <see cref="Padding"/> zero bytes after the source. A zero byte ends the input
/// (as in the reference lexer, an embedded NUL outside a string literal ends the chunk), and the padding lets the
/// lexer peek a few bytes ahead without bounds checks of its own.
/// </remarks>
internal sealed class Lexer
{
    /// <summary>How many zero bytes must follow the source in the buffer.</summary>
    public const int Padding = 4;

    // Bytes that end the fast scan through a quoted string.
    private static readonly SearchValues<byte> s_doubleQuoteStops = SearchValues.Create("\"\\\n\r\0"u8);
    private static readonly SearchValues<byte> s_singleQuoteStops = SearchValues.Create("'\\\n\r\0"u8);

    private readonly byte[] _src;
    private readonly NameTable _names;

    private int _offset;
    private int _line;
    private int _lineStart;

    private Token _current;
    private Location _previousLocation;

    // One entry per open '{': true when it opened a hole of an interpolated string. Plain braces are only tracked
    // while some interpolated string is open, so that the matching '}' can be told apart.
    private readonly List<bool> _braces = new();

    public Lexer(byte[] buffer, NameTable names)
    {
        _src = buffer;
        _names = names;
        _current = new Token(TokenKind.Eof, default);
    }

    public ref readonly Token Current => ref _current;

    /// <summary>The location of the last non-comment token before <see cref="Current"/>.</summary>
    public Location PreviousLocation => _previousLocation;

    /// <summary>
    /// Reads the next token. Comments are returned as tokens unless <paramref name="skipComments"/> is set.
    /// <paramref name="updatePrevious"/> decides whether <see cref="PreviousLocation"/> moves to the token being left.
    /// </summary>
    public void Next(bool skipComments, bool updatePrevious)
    {
        do
        {
            SkipWhitespace();
            if (updatePrevious)
                _previousLocation = _current.Location;
            ReadToken(ref _current);
            updatePrevious = false;
        }
        while (skipComments && (_current.Kind == TokenKind.Comment || _current.Kind == TokenKind.BlockComment));
    }

    /// <summary>The token after <see cref="Current"/>, skipping comments, without moving.</summary>
    public Token Lookahead()
    {
        int offset = _offset, line = _line, lineStart = _lineStart;
        Token current = _current;
        Location previous = _previousLocation;
        int braceCount = _braces.Count;
        bool braceTop = braceCount > 0 && _braces[braceCount - 1];

        Next(skipComments: true, updatePrevious: true);
        Token result = _current;

        _offset = offset;
        _line = line;
        _lineStart = lineStart;
        _current = current;
        _previousLocation = previous;

        // One token changes the brace stack by at most one entry.
        if (_braces.Count < braceCount)
            _braces.Add(braceTop);
        else if (_braces.Count > braceCount)
            _braces.RemoveAt(_braces.Count - 1);

        return result;
    }

    /// <summary>
    /// The kind of the token after <see cref="Current"/>, like <c>Lookahead().Kind</c>. Common punctuation is decided
    /// from the next bytes directly; anything else (including a comment in between) takes the full lookahead.
    /// </summary>
    public TokenKind PeekKind()
    {
        byte[] src = _src;
        int i = _offset;
        while (s_classes[src[i]] == SpaceClass)
            i++;

        // The padding guarantees two readable bytes after the terminating zero.
        byte c = src[i];
        byte d = src[i + 1];
        switch (c)
        {
            case (byte)'=':
                return d == '=' ? TokenKind.Equal : (TokenKind)'=';
            case (byte)':':
                return d == ':' ? TokenKind.DoubleColon : (TokenKind)':';
            case (byte)'<':
                return d == '=' ? TokenKind.LessEqual : (TokenKind)'<';
            case (byte)',':
            case (byte)';':
            case (byte)'(':
            case (byte)')':
            case (byte)']':
                return (TokenKind)c;
            case (byte)'.':
                if (d == '.')
                    return src[i + 2] == '.' ? TokenKind.Dot3 : src[i + 2] == '=' ? TokenKind.ConcatAssign : TokenKind.Dot2;
                return IsDigit(d) ? TokenKind.Number : (TokenKind)'.';
            default:
                return Lookahead().Kind;
        }
    }

    /// <summary>0 when no brace is open, 1 when the innermost one is an interpolation hole, 2 for a plain brace.</summary>
    public int BraceStackTop => _braces.Count == 0 ? 0 : _braces[^1] ? 1 : 2;

    private Position Here => new(_line, _offset - _lineStart);

    private byte Peek() => _src[_offset];

    private byte Peek(int ahead) => _src[_offset + ahead];

    private const byte SpaceClass = 1;
    private const byte NameClass = 2;

    // Character classes by byte value, so the scanning loops test one table entry per byte.
    private static readonly byte[] s_classes = BuildClasses();

    private static byte[] BuildClasses()
    {
        var classes = new byte[256];
        foreach (char c in " \t\r\n\v\f")
            classes[c] = SpaceClass;
        for (int c = 0; c < 128; c++)
        {
            if (char.IsAsciiLetterOrDigit((char)c) || c == '_')
                classes[c] = NameClass;
        }
        return classes;
    }

    private static bool IsSpace(byte c) => s_classes[c] == SpaceClass;

    private static bool IsAlpha(byte c) => (uint)((c | 0x20) - 'a') < 26;

    private static bool IsDigit(byte c) => (uint)(c - '0') < 10;

    private static bool IsNameChar(byte c) => s_classes[c] == NameClass;

    /// <summary>Moves past any byte, counting lines.</summary>
    private void Advance()
    {
        if (_src[_offset] == '\n')
        {
            _line++;
            _lineStart = _offset + 1;
        }
        _offset++;
    }

    private void SkipWhitespace()
    {
        byte[] src = _src;
        byte[] classes = s_classes;
        int offset = _offset;
        while (true)
        {
            byte c = src[offset];
            if (classes[c] != SpaceClass)
                break;
            offset++;
            if (c == '\n')
            {
                _line++;
                _lineStart = offset;
            }
        }
        _offset = offset;
    }

    private static Location Span(Position begin, int length) => new(begin, new Position(begin.Line, begin.Column + length));

    private void Simple(ref Token token, TokenKind kind, Position begin, int length)
    {
        _offset += length;
        token.Kind = kind;
        token.Location = Span(begin, length);
    }

    private void ReadToken(ref Token token)
    {
        Position begin = Here;
        token.Start = _offset;
        token.Length = 0;
        byte c = Peek();

        switch (c)
        {
            case 0:
                token.Kind = TokenKind.Eof;
                token.Location = new Location(begin, begin);
                return;

            case (byte)'-':
                if (Peek(1) == '>')
                    Simple(ref token, TokenKind.SkinnyArrow, begin, 2);
                else if (Peek(1) == '=')
                    Simple(ref token, TokenKind.SubAssign, begin, 2);
                else if (Peek(1) == '-')
                    ReadComment(ref token, begin);
                else
                    Simple(ref token, (TokenKind)'-', begin, 1);
                return;

            case (byte)'[':
                {
                    int level = SkipLongBracket();
                    if (level >= 0)
                        ReadLongString(ref token, begin, level, TokenKind.RawString, TokenKind.BrokenString);
                    else if (level == -1)
                    {
                        token.Kind = (TokenKind)'[';
                        token.Location = Span(begin, 1);
                    }
                    else
                    {
                        // '[=' without a second '[': a malformed long string opener.
                        token.Kind = TokenKind.BrokenString;
                        token.Location = new Location(begin, Here);
                    }
                    return;
                }

            case (byte)'{':
                if (_braces.Count > 0)
                    _braces.Add(false);
                Simple(ref token, (TokenKind)'{', begin, 1);
                return;

            case (byte)'}':
                _offset++;
                if (_braces.Count > 0)
                {
                    bool hole = _braces[^1];
                    _braces.RemoveAt(_braces.Count - 1);
                    if (hole)
                    {
                        ReadInterpolatedSection(ref token, begin, TokenKind.InterpStringMid, TokenKind.InterpStringEnd);
                        return;
                    }
                }
                token.Kind = (TokenKind)'}';
                token.Location = Span(begin, 1);
                return;

            case (byte)'=':
                if (Peek(1) == '=')
                    Simple(ref token, TokenKind.Equal, begin, 2);
                else
                    Simple(ref token, (TokenKind)'=', begin, 1);
                return;

            case (byte)'<':
                if (Peek(1) == '=')
                    Simple(ref token, TokenKind.LessEqual, begin, 2);
                else
                    Simple(ref token, (TokenKind)'<', begin, 1);
                return;

            case (byte)'>':
                if (Peek(1) == '=')
                    Simple(ref token, TokenKind.GreaterEqual, begin, 2);
                else
                    Simple(ref token, (TokenKind)'>', begin, 1);
                return;

            case (byte)'~':
                if (Peek(1) == '=')
                    Simple(ref token, TokenKind.NotEqual, begin, 2);
                else
                    Simple(ref token, (TokenKind)'~', begin, 1);
                return;

            case (byte)'"':
            case (byte)'\'':
                ReadQuotedString(ref token, begin);
                return;

            case (byte)'`':
                _offset++;
                ReadInterpolatedSection(ref token, begin, TokenKind.InterpStringBegin, TokenKind.InterpStringSimple);
                return;

            case (byte)'.':
                if (Peek(1) == '.')
                {
                    if (Peek(2) == '.')
                        Simple(ref token, TokenKind.Dot3, begin, 3);
                    else if (Peek(2) == '=')
                        Simple(ref token, TokenKind.ConcatAssign, begin, 3);
                    else
                        Simple(ref token, TokenKind.Dot2, begin, 2);
                }
                else if (IsDigit(Peek(1)))
                {
                    ReadNumber(ref token, begin);
                }
                else
                {
                    Simple(ref token, (TokenKind)'.', begin, 1);
                }
                return;

            case (byte)'+':
                OperatorOrAssign(ref token, begin, (TokenKind)'+', TokenKind.AddAssign);
                return;
            case (byte)'*':
                OperatorOrAssign(ref token, begin, (TokenKind)'*', TokenKind.MulAssign);
                return;
            case (byte)'%':
                OperatorOrAssign(ref token, begin, (TokenKind)'%', TokenKind.ModAssign);
                return;
            case (byte)'^':
                OperatorOrAssign(ref token, begin, (TokenKind)'^', TokenKind.PowAssign);
                return;

            case (byte)'/':
                if (Peek(1) == '=')
                    Simple(ref token, TokenKind.DivAssign, begin, 2);
                else if (Peek(1) == '/')
                {
                    if (Peek(2) == '=')
                        Simple(ref token, TokenKind.FloorDivAssign, begin, 3);
                    else
                        Simple(ref token, TokenKind.FloorDiv, begin, 2);
                }
                else
                {
                    Simple(ref token, (TokenKind)'/', begin, 1);
                }
                return;

            case (byte)':':
                if (Peek(1) == ':')
                    Simple(ref token, TokenKind.DoubleColon, begin, 2);
                else
                    Simple(ref token, (TokenKind)':', begin, 1);
                return;

            case (byte)'@':
                if (Peek(1) == '[')
                {
                    Simple(ref token, TokenKind.AttributeOpen, begin, 2);
                }
                else
                {
                    _offset++;
                    token.Kind = TokenKind.Attribute;
                    if (IsAlpha(Peek()) || Peek() == '_')
                    {
                        ReadName(ref token);
                        token.Kind = TokenKind.Attribute;
                    }
                    else
                    {
                        token.NameId = -1;
                    }
                    token.Location = new Location(begin, Here);
                }
                return;

            default:
                if (IsDigit(c))
                {
                    ReadNumber(ref token, begin);
                }
                else if (IsAlpha(c) || c == '_')
                {
                    ReadName(ref token);
                    token.Location = new Location(begin, Here);
                }
                else if (c >= 0x80)
                {
                    ReadUtf8Error(ref token, begin);
                }
                else
                {
                    // Every other ASCII character is a token of its own; the parser reports the ones it does not expect.
                    Simple(ref token, (TokenKind)c, begin, 1);
                }
                return;
        }
    }

    private void OperatorOrAssign(ref Token token, Position begin, TokenKind op, TokenKind assign)
    {
        if (Peek(1) == '=')
            Simple(ref token, assign, begin, 2);
        else
            Simple(ref token, op, begin, 1);
    }

    private void ReadName(ref Token token)
    {
        byte[] src = _src;
        byte[] classes = s_classes;
        int start = _offset;
        int offset = start;
        uint hash = NameTable.HashSeed;
        byte c = src[offset];
        do
        {
            hash = NameTable.HashStep(hash, c);
            c = src[++offset];
        }
        while (classes[c] == NameClass);
        _offset = offset;

        var (id, kind) = _names.GetOrAdd(src.AsSpan(start, offset - start), hash);
        token.Kind = kind;
        token.NameId = id;
    }

    private void ReadNumber(ref Token token, Position begin)
    {
        // Only the extent is found here, with Lua's permissive pattern; the parser validates and converts it.
        int start = _offset;
        do
            _offset++;
        while (IsDigit(Peek()) || Peek() == '.' || Peek() == '_');

        if (Peek() == 'e' || Peek() == 'E')
        {
            _offset++;
            if (Peek() == '+' || Peek() == '-')
                _offset++;
        }

        while (IsNameChar(Peek()))
            _offset++;

        token.Kind = TokenKind.Number;
        token.Start = start;
        token.Length = _offset - start;
        token.Location = new Location(begin, Here);
    }

    private void ReadComment(ref Token token, Position begin)
    {
        _offset += 2;
        int start = _offset;

        if (Peek() == '[')
        {
            int level = SkipLongBracket();
            if (level >= 0)
            {
                ReadLongString(ref token, begin, level, TokenKind.BlockComment, TokenKind.BrokenComment);
                return;
            }
        }

        // A line comment runs to the end of the line; '\r' also ends it.
        int end = _src.AsSpan(_offset).IndexOfAny((byte)'\n', (byte)'\r', (byte)0);
        _offset += end;

        token.Kind = TokenKind.Comment;
        token.Start = start;
        token.Length = _offset - start;
        token.Location = new Location(begin, Here);
    }

    /// <summary>
    /// At '[' or ']': skips the bracket and any '=' signs. Returns the number of '=' when the same bracket follows
    /// (not consumed), -1 when no '=' came and no bracket follows, or -(count + 1) for a malformed separator.
    /// </summary>
    private int SkipLongBracket()
    {
        byte bracket = Peek();
        _offset++;
        int count = 0;
        while (Peek() == '=')
        {
            _offset++;
            count++;
        }
        return Peek() == bracket ? count : -count - 1;
    }

    private void ReadLongString(ref Token token, Position begin, int level, TokenKind ok, TokenKind broken)
    {
        _offset++; // the second '['
        int start = _offset;

        while (true)
        {
            // Jump to the next ']', newline or end; everything in between is content.
            _offset += _src.AsSpan(_offset).IndexOfAny((byte)']', (byte)'\n', (byte)0);
            byte c = Peek();
            if (c == 0)
                break;
            if (c == ']')
            {
                if (SkipLongBracket() == level)
                {
                    _offset++; // the closing ']'
                    token.Kind = ok;
                    token.Start = start;
                    token.Length = _offset - level - 2 - start;
                    token.Location = new Location(begin, Here);
                    return;
                }
            }
            else
            {
                Advance();
            }
        }

        token.Kind = broken;
        token.Location = new Location(begin, Here);
    }

    private void SkipEscape()
    {
        _offset++; // the backslash
        switch (Peek())
        {
            case (byte)'\r':
                _offset++;
                if (Peek() == '\n')
                    Advance();
                break;
            case 0:
                break;
            case (byte)'z':
                _offset++;
                while (IsSpace(Peek()))
                    Advance();
                break;
            default:
                Advance();
                break;
        }
    }

    private void ReadQuotedString(ref Token token, Position begin)
    {
        byte quote = Peek();
        _offset++;
        int start = _offset;

        while (true)
        {
            // Jump to the next byte that needs a decision.
            _offset += _src.AsSpan(_offset).IndexOfAny(quote == '"' ? s_doubleQuoteStops : s_singleQuoteStops);
            byte c = Peek();
            if (c == quote)
                break;
            if (c == '\\')
            {
                SkipEscape();
                continue;
            }
            token.Kind = TokenKind.BrokenString;
            token.Location = new Location(begin, Here);
            return;
        }

        token.Kind = TokenKind.QuotedString;
        token.Start = start;
        token.Length = _offset - start;
        _offset++; // closing quote
        token.Location = new Location(begin, Here);
    }

    /// <summary>Reads an interpolated string section after its opening '`' or '}' up to the next '{' or closing '`'.</summary>
    private void ReadInterpolatedSection(ref Token token, Position begin, TokenKind holeKind, TokenKind endKind)
    {
        int start = _offset;

        while (true)
        {
            byte c = Peek();
            if (c == '`')
                break;
            switch (c)
            {
                case 0:
                case (byte)'\r':
                case (byte)'\n':
                    token.Kind = TokenKind.BrokenString;
                    token.Location = new Location(begin, Here);
                    return;

                case (byte)'\\':
                    // "\u{" must not be taken for a hole.
                    if (Peek(1) == 'u' && Peek(2) == '{')
                        _offset += 3;
                    else
                        SkipEscape();
                    break;

                case (byte)'{':
                    _braces.Add(true);
                    if (Peek(1) == '{')
                    {
                        token.Kind = TokenKind.BrokenInterpDoubleBrace;
                        token.Start = start;
                        token.Length = _offset - start;
                        token.Location = new Location(begin, Here);
                        _offset += 2;
                        return;
                    }
                    token.Kind = holeKind;
                    token.Start = start;
                    token.Length = _offset - start;
                    _offset++;
                    token.Location = new Location(begin, Here);
                    return;

                default:
                    _offset++;
                    break;
            }
        }

        token.Kind = endKind;
        token.Start = start;
        token.Length = _offset - start;
        _offset++; // closing '`'
        token.Location = new Location(begin, Here);
    }

    private void ReadUtf8Error(ref Token token, Position begin)
    {
        byte c = Peek();
        int size;
        uint codepoint;
        if ((c & 0xE0) == 0xC0)
        {
            size = 2;
            codepoint = c & 0x1Fu;
        }
        else if ((c & 0xF0) == 0xE0)
        {
            size = 3;
            codepoint = c & 0x0Fu;
        }
        else if ((c & 0xF8) == 0xF0)
        {
            size = 4;
            codepoint = c & 0x07u;
        }
        else
        {
            // A continuation byte or an invalid lead byte.
            _offset++;
            token.Kind = TokenKind.BrokenUnicode;
            token.Codepoint = 0;
            token.Location = new Location(begin, Here);
            return;
        }

        _offset++;
        token.Kind = TokenKind.BrokenUnicode;
        for (int i = 1; i < size; i++)
        {
            byte next = Peek();
            if ((next & 0xC0) != 0x80)
            {
                token.Codepoint = 0;
                token.Location = new Location(begin, Here);
                return;
            }
            codepoint = (codepoint << 6) | (next & 0x3Fu);
            _offset++;
        }
        token.Codepoint = codepoint;
        token.Location = new Location(begin, Here);
    }
}

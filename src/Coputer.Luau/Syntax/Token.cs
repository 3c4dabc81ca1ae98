namespace Coputer.Luau.Syntax;

/// <summary>
/// The kind of a token. Values 1 to 255 are single-character tokens whose value is the character itself (so
/// <c>(TokenKind)'('</c> is the open parenthesis); the named members above <see cref="CharEnd"/> are the rest.
/// </summary>
internal enum TokenKind : ushort
{
    Eof = 0,

    CharEnd = 256,

    Equal,
    LessEqual,
    GreaterEqual,
    NotEqual,
    Dot2,
    Dot3,
    SkinnyArrow,
    DoubleColon,
    FloorDiv,

    /// <summary><c>`text{</c>: the start of an interpolated string with holes.</summary>
    InterpStringBegin,

    /// <summary><c>}text{</c>: a section between two holes.</summary>
    InterpStringMid,

    /// <summary><c>}text`</c>: the last section.</summary>
    InterpStringEnd,

    /// <summary><c>`text`</c>: an interpolated string without holes.</summary>
    InterpStringSimple,

    AddAssign,
    SubAssign,
    MulAssign,
    DivAssign,
    FloorDivAssign,
    ModAssign,
    PowAssign,
    ConcatAssign,

    RawString,
    QuotedString,
    Number,
    Name,

    Comment,
    BlockComment,

    /// <summary><c>@name</c>; <c>Token.Name</c> is the name without the '@' (empty when none follows).</summary>
    Attribute,

    /// <summary><c>@[</c></summary>
    AttributeOpen,

    BrokenString,
    BrokenComment,
    BrokenUnicode,
    BrokenInterpDoubleBrace,

    ReservedAnd,
    ReservedBreak,
    ReservedDo,
    ReservedElse,
    ReservedElseif,
    ReservedEnd,
    ReservedFalse,
    ReservedFor,
    ReservedFunction,
    ReservedIf,
    ReservedIn,
    ReservedLocal,
    ReservedNil,
    ReservedNot,
    ReservedOr,
    ReservedRepeat,
    ReservedReturn,
    ReservedThen,
    ReservedTrue,
    ReservedUntil,
    ReservedWhile,

    Count,
}

/// <summary>
/// One token. Literal tokens (strings, numbers, comments, interpolated sections) do not copy their text: they point
/// at it in the source with <see cref="Start"/> and <see cref="Length"/>.
/// </summary>
internal struct Token
{
    public TokenKind Kind;
    public Location Location;

    /// <summary>Offset of the payload in the source: the text between the quotes, brackets or braces of a literal.</summary>
    public int Start;
    public int Length;

    /// <summary>
    /// For a name, keyword or attribute: the name's index in the parse's <see cref="NameTable"/> (-1 for an attribute
    /// '@' with no name). Tokens hold no references, so storing one needs no GC write barrier.
    /// </summary>
    public int NameId;

    /// <summary>For <see cref="TokenKind.BrokenUnicode"/>: the decoded code point, or 0 for an invalid UTF-8 sequence.</summary>
    public uint Codepoint;

    public Token(TokenKind kind, Location location)
    {
        Kind = kind;
        Location = location;
    }

    public readonly bool IsReserved => Kind >= TokenKind.ReservedAnd && Kind <= TokenKind.ReservedWhile;
}

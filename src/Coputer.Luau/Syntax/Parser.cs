using System.Runtime.CompilerServices;
using System.Text;

namespace Coputer.Luau.Syntax;

/// <summary>
/// The Luau parser: UTF-8 source in, a typed syntax tree out. It resolves every name to a local or a global while
/// parsing, keeps comments beside the tree, and recovers from errors so that one parse reports many of them.
/// </summary>
/// <remarks>
/// A recursive-descent parser whose behaviour (grammar, error messages and their locations, recovery) follows the
/// reference Luau parser. Nesting is bounded by <see cref="ParseOptions.RecursionLimit"/> and by the stack space
/// left on the calling thread, so no input can overflow the stack.
/// </remarks>
public sealed partial class Parser
{
    private const string ErrorName = "%error-id%";

    private readonly ParseOptions _options;
    private readonly byte[] _source;
    private readonly Lexer _lexer;
    private readonly NameTable _names;

    private readonly List<ParseError> _errors = new();
    private readonly List<HotComment> _hotComments = new();
    private readonly List<Comment> _comments = new();
    private readonly List<SyntaxToken>? _tokens;
    private bool _hotCommentHeader = true;

    private int _recursion;

    // Counts of enclosing constructs that error recovery must not skip past, by token kind.
    private readonly int[] _recoveryStop = new int[(int)TokenKind.Count];

    // The most recent block opener whose closing keyword was indented differently: the likely culprit when a
    // later 'end' goes missing.
    private MatchToken _endMismatchSuspect = new(TokenKind.Eof, default);

    private FunctionState[] _functions = new FunctionState[8];
    private int _functionCount;

    // The innermost visible local for each name id; declarations push, scope exits restore the shadowed entry.
    private AstLocal?[] _localByName = new AstLocal?[64];
    private readonly ScratchStack<(AstLocal Local, int NameId)> _localStack = new();
    private int _nextLocalId;

    // Function depth of the innermost 'type function' body: its code may not see locals from outside it.
    private int _typeFunctionDepth;

    private readonly int _selfNameId;
    private readonly int _errorNameId;

    private readonly ScratchStack<AstStat> _stats = new();
    private readonly ScratchStack<AstExpr> _exprs = new();
    private readonly ScratchStack<AstLocal> _locals = new();
    private readonly ScratchStack<Binding> _bindings = new();
    private readonly ScratchStack<AstType> _types = new();
    private readonly ScratchStack<AstArgumentName?> _argNames = new();
    private readonly ScratchStack<AstTypeOrPack> _typeArgs = new();
    private readonly ScratchStack<AstGenericType> _generics = new();
    private readonly ScratchStack<AstGenericTypePack> _genericPacks = new();
    private readonly ScratchStack<TableItem> _tableItems = new();
    private readonly ScratchStack<AstTableProp> _tableProps = new();
    private readonly ScratchStack<AstAttribute> _attributes = new();
    private readonly ScratchStack<byte[]> _strings = new();

    // The open run of packed number literals (ParseOptions.PackNumberLists): values, and (element, line) pairs.
    private readonly ScratchStack<double> _numberRun = new();
    private readonly ScratchStack<int> _numberRunLines = new();
    private bool _hasNumberLists;

    private Parser(byte[] source, ParseOptions options)
    {
        _options = options;
        _source = source;
        _names = new NameTable();
        _lexer = new Lexer(source, _names);
        if (options.CaptureTokens)
            _tokens = new List<SyntaxToken>();

        _functions[0] = new FunctionState { Vararg = true };
        _functionCount = 1;

        _selfNameId = _names.GetOrAdd("self");
        _errorNameId = _names.GetOrAdd(ErrorName);

        _recoveryStop[(int)TokenKind.Eof] = 1;

        // Hot comments before the first token are header comments; later ones are not.
        Next();
        _hotCommentHeader = false;
    }

    /// <summary>Parses a chunk of Luau source. Never throws: syntax errors are listed in <see cref="ParseResult.Errors"/>.</summary>
    public static ParseResult Parse(ReadOnlySpan<byte> source, ParseOptions? options = null)
    {
        var buffer = new byte[source.Length + Lexer.Padding];
        source.CopyTo(buffer);
        bool endsWithoutNewline = source.Length > 0 && source[^1] != '\n';
        return new Parser(buffer, options ?? ParseOptions.Default).Run(endsWithoutNewline);
    }

    /// <summary>Parses source given as a string (encoded to UTF-8 first).</summary>
    public static ParseResult Parse(string source, ParseOptions? options = null) => Parse(Encoding.UTF8.GetBytes(source), options);

    private ParseResult Run(bool endsWithoutNewline)
    {
        try
        {
            BlockStat root = ParseChunk();
            int lines = _lexer.Current.Location.End.Line + (endsWithoutNewline ? 1 : 0);
            return new ParseResult(root, lines, _hotComments, _errors, _comments) { Tokens = _tokens ?? [], HasNumberLists = _hasNumberLists };
        }
        catch (FatalParseException fatal)
        {
            // Recursion or error limits end the parse; the tree is then empty.
            _errors.Add(fatal.Error);
            var empty = new BlockStat(new Location(default, _lexer.Current.Location.End), [], hasEnd: false);
            return new ParseResult(empty, _lexer.Current.Location.End.Line + 1, _hotComments, _errors, _comments) { Tokens = _tokens ?? [] };
        }
    }

    // ----- Tokens -----

    private ref readonly Token Current => ref _lexer.Current;

    private TokenKind Kind => _lexer.Current.Kind;

    /// <summary>Moves to the next token, recording the comments in between.</summary>
    private void Next()
    {
        _lexer.Next(skipComments: false, updatePrevious: true);
        while (true)
        {
            ref readonly Token t = ref _lexer.Current;
            CommentKind kind;
            if (t.Kind == TokenKind.Comment)
                kind = CommentKind.Line;
            else if (t.Kind == TokenKind.BlockComment)
                kind = CommentKind.Block;
            else if (t.Kind == TokenKind.BrokenComment)
                kind = CommentKind.BrokenBlock;
            else
            {
                _tokens?.Add(new SyntaxToken(Classify(t.Kind), t.Location));
                return;
            }

            if (_options.CaptureComments)
                _comments.Add(new Comment(kind, t.Location));

            // An unterminated block comment is also handed to the parser, which reports it where it stops.
            if (kind == CommentKind.BrokenBlock)
                return;

            if (kind == CommentKind.Line && t.Length > 0 && _source[t.Start] == '!')
                AddHotComment(t);

            _lexer.Next(skipComments: false, updatePrevious: false);
        }
    }

    private static SyntaxTokenKind Classify(TokenKind kind) => kind switch
    {
        TokenKind.Eof => SyntaxTokenKind.EndOfFile,
        TokenKind.Name => SyntaxTokenKind.Name,
        TokenKind.Number => SyntaxTokenKind.Number,
        TokenKind.QuotedString or TokenKind.RawString => SyntaxTokenKind.String,
        TokenKind.InterpStringBegin or TokenKind.InterpStringMid or TokenKind.InterpStringEnd or TokenKind.InterpStringSimple => SyntaxTokenKind.InterpolatedString,
        TokenKind.Attribute or TokenKind.AttributeOpen => SyntaxTokenKind.Attribute,
        TokenKind.BrokenString or TokenKind.BrokenComment or TokenKind.BrokenUnicode or TokenKind.BrokenInterpDoubleBrace => SyntaxTokenKind.Broken,
        >= TokenKind.ReservedAnd and <= TokenKind.ReservedWhile => SyntaxTokenKind.Keyword,
        _ => SyntaxTokenKind.Symbol,
    };

    private void AddHotComment(in Token t)
    {
        int end = t.Start + t.Length;
        while (end > t.Start && IsSpace(_source[end - 1]))
            end--;
        string content = Encoding.UTF8.GetString(_source, t.Start + 1, end - t.Start - 1);
        _hotComments.Add(new HotComment(_hotCommentHeader, t.Location, content));
    }

    private static bool IsSpace(byte c) => c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';

    private Token Lookahead() => _lexer.Lookahead();

    private TokenKind PeekKind() => _lexer.PeekKind();

    /// <summary>The text of the current name, keyword or attribute token.</summary>
    private string CurrentName => _names[Current.NameId];

    /// <summary>True when the current token is the name <paramref name="name"/>.</summary>
    private bool AtName(string name) => Kind == TokenKind.Name && _names[Current.NameId] == name;

    private ReadOnlySpan<byte> Payload(in Token t) => _source.AsSpan(t.Start, t.Length);

    // ----- Errors -----

    private sealed class FatalParseException(ParseError error) : Exception(error.Message)
    {
        public ParseError Error { get; } = error;
    }

    private void Report(Location location, string message)
    {
        // Several errors at one spot (say, an unfinished expression) are reported once.
        if (_errors.Count > 0 && _errors[^1].Location == location)
            return;

        var error = new ParseError(location, message);
        if (_options.ErrorLimit <= 1)
            throw new FatalParseException(error);

        _errors.Add(error);
        if (_errors.Count >= _options.ErrorLimit)
            throw new FatalParseException(new ParseError(location, $"Reached error limit ({_options.ErrorLimit})"));
    }

    private ErrorStat ReportStatError(Location location, AstExpr[] expressions, AstStat[] statements, string message)
    {
        Report(location, message);
        return new ErrorStat(location, expressions, statements, _errors.Count - 1);
    }

    private ErrorExpr ReportExprError(Location location, AstExpr[] expressions, string message)
    {
        Report(location, message);
        return new ErrorExpr(location, expressions, _errors.Count - 1);
    }

    private ErrorType ReportTypeError(Location location, AstType[] types, string message)
    {
        Report(location, message);
        return new ErrorType(location, types, _errors.Count - 1);
    }

    private void IncrementRecursion(string context)
    {
        _recursion++;
        Compiler.CompilePoll.Tick();

        // The stack check runs every few levels: fewer frames than its safety margin come between two checks.
        if (_recursion > _options.RecursionLimit || ((_recursion & 7) == 0 && !RuntimeHelpers.TryEnsureSufficientExecutionStack()))
        {
            throw new FatalParseException(new ParseError(
                Current.Location, $"Exceeded allowed recursion depth; simplify your {context} to make the code compile"));
        }
    }

    /// <summary>A token that opened a construct, remembered to report where a closing token went missing.</summary>
    private readonly record struct MatchToken(TokenKind Kind, Position Position)
    {
        public static MatchToken Of(in Token t) => new(t.Kind, t.Location.Begin);
    }

    private bool ExpectAndConsume(TokenKind kind, string? context)
    {
        if (Kind != kind)
        {
            ExpectAndConsumeFail(kind, context);

            // An extra token before the expected one: skip both.
            if (PeekKind() == kind)
            {
                Next();
                Next();
            }
            return false;
        }
        Next();
        return true;
    }

    private bool ExpectAndConsume(char c, string? context) => ExpectAndConsume((TokenKind)c, context);

    private void ExpectAndConsumeFail(TokenKind kind, string? context)
    {
        string message = context is null
            ? $"Expected {DescribeKind(kind)}, got {Describe(Current)}"
            : $"Expected {DescribeKind(kind)} when parsing {context}, got {Describe(Current)}";
        Report(Current.Location, message);
    }

    private bool ExpectMatchAndConsume(char c, MatchToken begin, bool searchForMissing = false)
    {
        var kind = (TokenKind)c;
        if (Kind == kind)
        {
            Next();
            return true;
        }

        ExpectMatchAndConsumeFail(kind, begin, null);

        if (searchForMissing)
        {
            // Look for the closing token on the rest of the line, stopping at anything an enclosing construct owns.
            int line = _lexer.PreviousLocation.End.Line;
            while (line == Current.Location.Begin.Line && Kind != kind && _recoveryStop[(int)Kind] == 0)
                Next();
            if (Kind == kind)
            {
                Next();
                return true;
            }
        }
        else if (PeekKind() == kind)
        {
            Next();
            Next();
            return true;
        }
        return false;
    }

    private void ExpectMatchAndConsumeFail(TokenKind kind, MatchToken begin, string? extra)
    {
        string where = Current.Location.Begin.Line == begin.Position.Line
            ? $"column {begin.Position.Column + 1}"
            : $"line {begin.Position.Line + 1}";
        Report(Current.Location, $"Expected {DescribeKind(kind)} (to close {DescribeKind(begin.Kind)} at {where}), got {Describe(Current)}{extra}");
    }

    private bool ExpectMatchEndAndConsume(TokenKind kind, MatchToken begin)
    {
        if (Kind != kind)
        {
            string? extra = null;
            if (_endMismatchSuspect.Kind != TokenKind.Eof && _endMismatchSuspect.Position.Line > begin.Position.Line)
                extra = $"; did you forget to close {DescribeKind(_endMismatchSuspect.Kind)} at line {_endMismatchSuspect.Position.Line + 1}?";
            ExpectMatchAndConsumeFail(kind, begin, extra);

            if (PeekKind() == kind)
            {
                Next();
                Next();
                return true;
            }
            return false;
        }

        // A closer on another line and in another column than its opener suggests misleading indentation.
        Position at = Current.Location.Begin;
        if (at.Line != begin.Position.Line && at.Column != begin.Position.Column && _endMismatchSuspect.Position.Line < begin.Position.Line)
            _endMismatchSuspect = begin;

        Next();
        return true;
    }

    /// <summary>How a token kind is named in "Expected X" messages.</summary>
    private static string DescribeKind(TokenKind kind) => kind switch
    {
        TokenKind.RawString or TokenKind.QuotedString => "string",
        TokenKind.InterpStringBegin => "the beginning of an interpolated string",
        TokenKind.InterpStringMid => "the middle of an interpolated string",
        TokenKind.InterpStringEnd => "the end of an interpolated string",
        TokenKind.InterpStringSimple => "interpolated string",
        TokenKind.Number => "number",
        TokenKind.Name => "identifier",
        TokenKind.Attribute => "attribute",
        TokenKind.BrokenUnicode => "invalid UTF-8 sequence",
        _ => DescribeFixed(kind),
    };

    /// <summary>How an actual token is named in "got X" messages, with its text where it has one.</summary>
    private string Describe(in Token t)
    {
        switch (t.Kind)
        {
            case TokenKind.RawString:
            case TokenKind.QuotedString:
                return "\"" + Text(t) + "\"";
            case TokenKind.InterpStringBegin:
                return "`" + Text(t) + "{";
            case TokenKind.InterpStringMid:
                return "}" + Text(t) + "{";
            case TokenKind.InterpStringEnd:
                return "}" + Text(t) + "`";
            case TokenKind.InterpStringSimple:
                return "`" + Text(t) + "`";
            case TokenKind.Number:
                return "'" + Text(t) + "'";
            case TokenKind.Name:
            case TokenKind.Attribute:
                return "'" + _names[t.NameId] + "'";
            case TokenKind.BrokenUnicode:
                if (t.Codepoint == 0)
                    return "invalid UTF-8 sequence";
                string? suggestion = Confusables.Find(t.Codepoint);
                return suggestion is null
                    ? $"Unicode character U+{t.Codepoint:x}"
                    : $"Unicode character U+{t.Codepoint:x} (did you mean '{suggestion}'?)";
            default:
                return DescribeFixed(t.Kind);
        }
    }

    private string Text(in Token t) => Encoding.UTF8.GetString(_source, t.Start, t.Length);

    private static string DescribeFixed(TokenKind kind)
    {
        switch (kind)
        {
            case TokenKind.Eof: return "<eof>";
            case TokenKind.Equal: return "'=='";
            case TokenKind.LessEqual: return "'<='";
            case TokenKind.GreaterEqual: return "'>='";
            case TokenKind.NotEqual: return "'~='";
            case TokenKind.Dot2: return "'..'";
            case TokenKind.Dot3: return "'...'";
            case TokenKind.SkinnyArrow: return "'->'";
            case TokenKind.DoubleColon: return "'::'";
            case TokenKind.FloorDiv: return "'//'";
            case TokenKind.AddAssign: return "'+='";
            case TokenKind.SubAssign: return "'-='";
            case TokenKind.MulAssign: return "'*='";
            case TokenKind.DivAssign: return "'/='";
            case TokenKind.FloorDivAssign: return "'//='";
            case TokenKind.ModAssign: return "'%='";
            case TokenKind.PowAssign: return "'^='";
            case TokenKind.ConcatAssign: return "'..='";
            case TokenKind.Comment: return "comment";
            case TokenKind.AttributeOpen: return "'@['";
            case TokenKind.BrokenString: return "malformed string";
            case TokenKind.BrokenComment: return "unfinished comment";
            case TokenKind.BrokenInterpDoubleBrace: return "'{{', which is invalid (did you mean '\\{'?)";
        }
        if (kind < TokenKind.CharEnd)
            return "'" + (char)kind + "'";
        if (kind >= TokenKind.ReservedAnd && kind <= TokenKind.ReservedWhile)
            return "'" + s_reservedWords[kind - TokenKind.ReservedAnd] + "'";
        return "<unknown>";
    }

    private static readonly string[] s_reservedWords =
    [
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "if", "in",
        "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
    ];

    // ----- Names and locals -----

    /// <summary>An identifier as written: its interned text, its id in the name table and where it is.</summary>
    private readonly record struct Name(string Value, int Id, Location Location);

    /// <summary>A variable about to be declared: its name, annotation and constness.</summary>
    private readonly record struct Binding(Name Name, AstType? Annotation, bool IsConst);

    private struct FunctionState
    {
        public bool Vararg;
        public int LoopDepth;
    }

    private ref FunctionState CurrentFunction => ref _functions[_functionCount - 1];

    private void PushFunction(bool vararg)
    {
        if (_functionCount == _functions.Length)
            Array.Resize(ref _functions, _functions.Length * 2);
        _functions[_functionCount++] = new FunctionState { Vararg = vararg };
    }

    private void PopFunction() => _functionCount--;

    private Name ErrorNameAt(Location location) => new(ErrorName, _errorNameId, location);

    private Name? ParseNameOpt(string? context)
    {
        if (Kind != TokenKind.Name)
        {
            ReportNameError(context);
            return null;
        }
        var name = new Name(_names[Current.NameId], Current.NameId, Current.Location);
        Next();
        return name;
    }

    private Name ParseName(string? context)
    {
        if (ParseNameOpt(context) is Name name)
            return name;
        Position at = Current.Location.Begin;
        return ErrorNameAt(new Location(at, at));
    }

    /// <summary>A name after '.' or ':'. A keyword on the same line is taken as the (misspelt) name, after reporting it.</summary>
    private Name ParseIndexName(string? context, Position previous)
    {
        if (ParseNameOpt(context) is Name name)
            return name;

        if (Current.IsReserved && Current.Location.Begin.Line == previous.Line)
        {
            var keyword = new Name(_names[Current.NameId], Current.NameId, Current.Location);
            Next();
            return keyword;
        }

        Position at = Current.Location.Begin;
        return ErrorNameAt(new Location(at, at));
    }

    private void ReportNameError(string? context)
    {
        string message = context is null
            ? $"Expected identifier, got {Describe(Current)}"
            : $"Expected identifier when parsing {context}, got {Describe(Current)}";
        Report(Current.Location, message);
    }

    private AstLocal? LookupLocal(int nameId) => nameId < _localByName.Length ? _localByName[nameId] : null;

    private AstLocal PushLocal(in Binding binding)
    {
        int id = binding.Name.Id;
        if (id >= _localByName.Length)
            Array.Resize(ref _localByName, Math.Max(_localByName.Length * 2, id + 1));

        var local = new AstLocal(
            binding.Name.Value,
            binding.Name.Location,
            _localByName[id],
            _functionCount - 1,
            CurrentFunction.LoopDepth,
            binding.Annotation,
            binding.IsConst,
            _nextLocalId++);
        _localByName[id] = local;
        _localStack.Push((local, id));
        return local;
    }

    private int SaveLocals() => _localStack.Mark;

    private void RestoreLocals(int mark)
    {
        for (int i = _localStack.Mark - 1; i >= mark; i--)
        {
            var (local, id) = _localStack[i];
            _localByName[id] = local.Shadow;
        }
        _localStack.PopTo(mark);
    }
}

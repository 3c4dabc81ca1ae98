using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Coputer.Luau.Syntax;

/// <summary>
/// Turns a syntax tree back into Luau source: one statement per line, blocks indented by four spaces, single spaces
/// around binary operators. Parsing the output of <see cref="PrintUtf8(AstNode)"/> gives the same tree again, apart from source
/// locations. Comments are not reproduced.
/// </summary>
/// <remarks>
/// Parentheses appear where the tree has a <see cref="GroupExpr"/> or <see cref="GroupType"/>; a tree built by hand
/// also gets them where operator precedence requires. Number literals are written in decimal (<c>0xFF</c> comes back
/// as <c>255</c>), and call arguments always in parentheses (<c>f"x"</c> comes back as <c>f("x")</c>); neither changes
/// the tree.
/// </remarks>
public static class AstPrinter
{
    /// <summary>
    /// Prints a chunk, statement, expression or type as Luau source text. String bytes that are not valid UTF-8 are
    /// written as escapes, which turns a long-bracket string holding such bytes into a quoted one.
    /// </summary>
    public static string Print(AstNode node) => Encoding.UTF8.GetString(Print(node, validUtf8Only: true));

    /// <summary>
    /// Prints a chunk, statement, expression or type as UTF-8 Luau source. Long-bracket strings keep their bytes as
    /// they are, so the output reparses to exactly the same tree.
    /// </summary>
    public static byte[] PrintUtf8(AstNode node) => Print(node, validUtf8Only: false);

    /// <summary>
    /// Like <see cref="PrintUtf8(AstNode)"/>, but writes ';' only where one is needed, so two trees that differ only in
    /// their optional semicolons print the same (a formatter compares its result with its input this way).
    /// </summary>
    public static byte[] PrintUtf8WithoutOptionalSemicolons(AstNode node) => Print(node, validUtf8Only: false, keepSemicolons: false);

    /// <summary>
    /// Prints a parsed chunk as UTF-8 source, starting with its header hot comments (<c>--!strict</c>,
    /// <c>--!optimize 2</c>), which change how the chunk is checked and compiled. Other comments are not reproduced.
    /// </summary>
    public static byte[] PrintUtf8(ParseResult result)
    {
        var header = new StringBuilder();
        foreach (HotComment hot in result.HotComments)
        {
            if (hot.Header)
                header.Append("--!").Append(hot.Content).Append('\n');
        }
        byte[] body = PrintUtf8(result.Root);
        if (header.Length == 0)
            return body;
        return [.. Encoding.UTF8.GetBytes(header.ToString()), .. body];
    }

    /// <summary>
    /// True when <paramref name="next"/> starts with a parenthesis that, written after <paramref name="previous"/>,
    /// would continue it as a call: the two then need a ';' between them.
    /// </summary>
    public static bool NeedsSemicolonBetween(AstStat previous, AstStat next) =>
        Writer.EndsWithPrefixExpression(previous) && Writer.StartsWithParenthesis(next);

    private static byte[] Print(AstNode node, bool validUtf8Only, bool keepSemicolons = true)
    {
        var writer = new Writer(validUtf8Only, keepSemicolons);
        switch (node)
        {
            case BlockStat root:
                // A block on its own is printed as a chunk: its statements, without 'do' and 'end'.
                writer.Chunk(root.Body);
                break;
            case AstStat stat:
                writer.Statement(stat);
                break;
            case AstExpr expr:
                writer.Expr(expr);
                break;
            case AstType type:
                writer.Type(type);
                break;
            case AstTypePack pack:
                writer.Pack(pack);
                break;
            default:
                throw new ArgumentException($"cannot print a {node.GetType().Name} on its own", nameof(node));
        }
        return writer.ToArray();
    }

    private sealed class Writer(bool validUtf8Only, bool keepSemicolons)
    {
        private const int UnaryPriority = 8;

        // Binding powers of BinaryOp, as the parser uses them.
        private static readonly (byte Left, byte Right)[] s_priority =
        [
            (6, 6), (6, 6), (7, 7), (7, 7), (7, 7), (7, 7), (10, 9), (5, 4),
            (3, 3), (3, 3), (3, 3), (3, 3), (3, 3), (3, 3), (2, 2), (1, 1),
        ];

        private static readonly string[] s_binaryText =
            ["+", "-", "*", "/", "//", "%", "^", "..", "~=", "==", "<", "<=", ">", ">=", "and", "or"];

        private static readonly HashSet<string> s_reserved =
        [
            "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "if", "in",
            "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
        ];

        private byte[] _buffer = new byte[1024];
        private int _length;
        private int _indent;

        public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

        // ----- Output -----

        private void Ensure(int extra)
        {
            if (_length + extra > _buffer.Length)
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + extra));
        }

        private void Byte(byte b)
        {
            Ensure(1);
            _buffer[_length++] = b;
        }

        private void Raw(ReadOnlySpan<byte> bytes)
        {
            Ensure(bytes.Length);
            bytes.CopyTo(_buffer.AsSpan(_length));
            _length += bytes.Length;
        }

        /// <summary>Writes ASCII text (keywords, names, punctuation).</summary>
        private void Text(string s)
        {
            Ensure(s.Length);
            foreach (char c in s)
                _buffer[_length++] = (byte)c;
        }

        /// <summary>Writes a name, which may hold any character (names of string-keyed table type properties).</summary>
        private void NameText(string s)
        {
            bool ascii = true;
            foreach (char c in s)
                ascii &= c < 0x80;
            if (ascii)
                Text(s);
            else
                Raw(Encoding.UTF8.GetBytes(s));
        }

        private void NewLine()
        {
            Byte((byte)'\n');
            Ensure(_indent * 4);
            for (int i = 0; i < _indent * 4; i++)
                _buffer[_length++] = (byte)' ';
        }

        // ----- Statements -----

        public void Chunk(AstStat[] body)
        {
            Statements(body, leadingNewLine: false);
            if (_length > 0)
                Byte((byte)'\n');
        }

        /// <summary>Statements one per line, each on a new line (but the first of a chunk).</summary>
        private void Statements(AstStat[] body, bool leadingNewLine)
        {
            for (int i = 0; i < body.Length; i++)
            {
                if (i > 0 || leadingNewLine)
                    NewLine();
                Statement(body[i]);

                // A statement starting with '(' would otherwise continue the one before it as a call.
                bool separate = i + 1 < body.Length && NeedsSemicolonBetween(body[i], body[i + 1]);
                if ((keepSemicolons && body[i].HasSemicolon) || separate)
                    Byte((byte)';');
            }
        }

        private void IndentedBlock(AstStat[] body)
        {
            _indent++;
            Statements(body, leadingNewLine: true);
            _indent--;
        }

        /// <summary>An indented block followed by its closing keyword on a line of its own.</summary>
        private void Body(BlockStat block, string closer)
        {
            IndentedBlock(block.Body);
            NewLine();
            Text(closer);
        }

        /// <summary>True when the statement ends with a name, call, index or parenthesis, which a '(' could continue.</summary>
        internal static bool EndsWithPrefixExpression(AstStat stat)
        {
            AstExpr? last = stat switch
            {
                ExprStat e => e.Expr,
                LocalStat { Values.Length: > 0 } l => l.Values[^1],
                AssignStat { Values.Length: > 0 } a => a.Values[^1],
                CompoundAssignStat c => c.Value,
                ReturnStat { List.Length: > 0 } r => r.List[^1],
                RepeatStat r => r.Condition,
                _ => null,
            };
            while (true)
            {
                switch (last)
                {
                    case BinaryExpr binary:
                        last = binary.Right;
                        break;
                    case UnaryExpr unary:
                        last = unary.Expr;
                        break;
                    case IfElseExpr ifElse:
                        last = ifElse.FalseExpr;
                        break;
                    case LocalExpr or GlobalExpr or GroupExpr or CallExpr or IndexExpr or IndexNameExpr or InstantiateExpr:
                        return true;
                    default:
                        return false;
                }
            }
        }

        internal static bool StartsWithParenthesis(AstStat stat)
        {
            AstExpr? first = stat switch
            {
                ExprStat e => e.Expr,
                AssignStat { Vars.Length: > 0 } a => a.Vars[0],
                CompoundAssignStat c => c.Var,
                _ => null,
            };
            while (true)
            {
                switch (first)
                {
                    case CallExpr call:
                        first = call.Function;
                        break;
                    case IndexExpr index:
                        first = index.Expr;
                        break;
                    case IndexNameExpr name:
                        first = name.Expr;
                        break;
                    case InstantiateExpr inst:
                        first = inst.Expr;
                        break;
                    case GroupExpr:
                        return true;
                    default:
                        return false;
                }
            }
        }

        public void Statement(AstStat stat)
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();

            switch (stat)
            {
                case BlockStat block:
                    Text("do");
                    Body(block, "end");
                    break;

                case IfStat ifStat:
                    Text("if ");
                    IfChain(ifStat);
                    break;

                case WhileStat whileStat:
                    Text("while ");
                    Expr(whileStat.Condition);
                    Text(" do");
                    Body(whileStat.Body, "end");
                    break;

                case RepeatStat repeat:
                    Text("repeat");
                    Body(repeat.Body, "until ");
                    Expr(repeat.Condition);
                    break;

                case BreakStat:
                    Text("break");
                    break;

                case ContinueStat:
                    Text("continue");
                    break;

                case ReturnStat ret:
                    Text("return");
                    if (ret.List.Length > 0)
                    {
                        Byte((byte)' ');
                        ExprList(ret.List);
                    }
                    break;

                case ExprStat exprStat:
                    Expr(exprStat.Expr);
                    break;

                case LocalStat local:
                    Text(local.Vars.Length > 0 && local.Vars[0].IsConst ? "const " : "local ");
                    for (int i = 0; i < local.Vars.Length; i++)
                    {
                        if (i > 0)
                            Text(", ");
                        Binding(local.Vars[i]);
                    }
                    if (local.Values.Length > 0)
                    {
                        Text(" = ");
                        ExprList(local.Values);
                    }
                    break;

                case ForStat forStat:
                    Text("for ");
                    Binding(forStat.Var);
                    Text(" = ");
                    Expr(forStat.From);
                    Text(", ");
                    Expr(forStat.To);
                    if (forStat.Step is not null)
                    {
                        Text(", ");
                        Expr(forStat.Step);
                    }
                    Text(" do");
                    Body(forStat.Body, "end");
                    break;

                case ForInStat forIn:
                    Text("for ");
                    for (int i = 0; i < forIn.Vars.Length; i++)
                    {
                        if (i > 0)
                            Text(", ");
                        Binding(forIn.Vars[i]);
                    }
                    Text(" in ");
                    ExprList(forIn.Values);
                    Text(" do");
                    Body(forIn.Body, "end");
                    break;

                case AssignStat assign:
                    ExprList(assign.Vars);
                    Text(" = ");
                    ExprList(assign.Values);
                    break;

                case CompoundAssignStat compound:
                    Expr(compound.Var);
                    Byte((byte)' ');
                    Text(s_binaryText[(int)compound.Op]);
                    Text("= ");
                    Expr(compound.Value);
                    break;

                case FunctionStat function:
                    Attributes(function.Function.Attributes);
                    Text("function ");
                    Expr(function.Name);
                    FunctionBody(function.Function);
                    break;

                case LocalFunctionStat localFunction:
                    Attributes(localFunction.Function.Attributes);
                    Text(localFunction.Name.IsConst ? "const function " : "local function ");
                    NameText(localFunction.Name.Name);
                    FunctionBody(localFunction.Function);
                    break;

                case TypeAliasStat alias:
                    if (alias.Exported)
                        Text("export ");
                    Text("type ");
                    NameText(alias.Name);
                    Generics(alias.Generics, alias.GenericPacks);
                    Text(" = ");
                    Type(alias.Type);
                    break;

                case TypeFunctionStat typeFunction:
                    if (typeFunction.Exported)
                        Text("export ");
                    Text("type function ");
                    NameText(typeFunction.Name);
                    FunctionBody(typeFunction.Body);
                    break;

                case ErrorStat error:
                    Text("--[[ error ]]");
                    foreach (AstStat inner in error.Statements)
                    {
                        NewLine();
                        Statement(inner);
                    }
                    break;

                default:
                    throw new ArgumentException($"unknown statement {stat.GetType().Name}", nameof(stat));
            }
        }

        /// <summary>Everything after 'if ' (or 'elseif '): condition, body and the rest of the chain up to 'end'.</summary>
        private void IfChain(IfStat ifStat)
        {
            while (true)
            {
                Expr(ifStat.Condition);
                Text(" then");
                IndentedBlock(ifStat.ThenBody.Body);
                NewLine();

                if (ifStat.ElseBody is IfStat elseIf)
                {
                    Text("elseif ");
                    ifStat = elseIf;
                    continue;
                }
                if (ifStat.ElseBody is BlockStat elseBlock)
                {
                    Text("else");
                    Body(elseBlock, "end");
                    return;
                }
                if (ifStat.ElseBody is AstStat other)
                {
                    Text("else");
                    IndentedBlock([other]);
                    NewLine();
                }
                Text("end");
                return;
            }
        }

        private void Binding(AstLocal local)
        {
            NameText(local.Name);
            if (local.Annotation is not null)
            {
                Text(": ");
                Type(local.Annotation);
            }
        }

        private void Attributes(AstAttribute[] attributes)
        {
            foreach (AstAttribute attribute in attributes)
            {
                if (attribute.Arguments.Length == 0)
                {
                    Byte((byte)'@');
                    NameText(attribute.Name);
                }
                else
                {
                    Text("@[");
                    NameText(attribute.Name);
                    Byte((byte)'(');
                    ExprList(attribute.Arguments);
                    Text(")]");
                }
                Byte((byte)' ');
            }
        }

        /// <summary>Generics, parameters, return type, body and 'end' of a function.</summary>
        private void FunctionBody(FunctionExpr function)
        {
            Generics(function.Generics, function.GenericPacks);
            Byte((byte)'(');
            for (int i = 0; i < function.Parameters.Length; i++)
            {
                if (i > 0)
                    Text(", ");
                Binding(function.Parameters[i]);
            }
            if (function.IsVararg)
            {
                if (function.Parameters.Length > 0)
                    Text(", ");
                Text("...");
                if (function.VarargAnnotation is not null)
                {
                    Text(": ");
                    if (function.VarargAnnotation is VariadicTypePack variadic)
                        Type(variadic.VariadicType);
                    else
                        Pack(function.VarargAnnotation);
                }
            }
            Byte((byte)')');

            if (function.ReturnAnnotation is not null)
            {
                Text(": ");
                ReturnPack(function.ReturnAnnotation);
            }

            if (function.Body.Body.Length == 0)
                Text(" end");
            else
                Body(function.Body, "end");
        }

        private void Generics(AstGenericType[] generics, AstGenericTypePack[] packs)
        {
            if (generics.Length == 0 && packs.Length == 0)
                return;

            Byte((byte)'<');
            bool first = true;
            foreach (AstGenericType generic in generics)
            {
                if (!first)
                    Text(", ");
                first = false;
                NameText(generic.Name);
                if (generic.DefaultValue is not null)
                {
                    Text(" = ");
                    Type(generic.DefaultValue);
                }
            }
            foreach (AstGenericTypePack pack in packs)
            {
                if (!first)
                    Text(", ");
                first = false;
                NameText(pack.Name);
                Text("...");
                if (pack.DefaultValue is not null)
                {
                    Text(" = ");
                    Pack(pack.DefaultValue);
                }
            }
            Byte((byte)'>');
        }

        // ----- Expressions -----

        private void ExprList(AstExpr[] list)
        {
            for (int i = 0; i < list.Length; i++)
            {
                if (i > 0)
                    Text(", ");
                Expr(list[i]);
            }
        }

        public void Expr(AstExpr expr)
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();

            switch (expr)
            {
                case GroupExpr group:
                    Byte((byte)'(');
                    Expr(group.Expr);
                    Byte((byte)')');
                    break;

                case NilExpr:
                    Text("nil");
                    break;

                case BooleanExpr boolean:
                    Text(boolean.Value ? "true" : "false");
                    break;

                case NumberExpr number:
                    Number(number.Value);
                    break;

                case IntegerExpr integer:
                    Text(integer.Value >= 0
                        ? integer.Value.ToString(CultureInfo.InvariantCulture) + "i"
                        : "0x" + ((ulong)integer.Value).ToString("X", CultureInfo.InvariantCulture) + "i");
                    break;

                case StringExpr str:
                    StringLiteral(str.Value, str.QuoteStyle);
                    break;

                case LocalExpr local:
                    NameText(local.Local.Name);
                    break;

                case GlobalExpr global:
                    NameText(global.Name);
                    break;

                case VarargsExpr:
                    Text("...");
                    break;

                case CallExpr call:
                    Prefix(call.Function);
                    if (call.TypeArguments.Length > 0)
                        TypeArguments(call.TypeArguments);
                    Byte((byte)'(');
                    ExprList(call.Arguments);
                    Byte((byte)')');
                    break;

                case IndexNameExpr indexName:
                    Prefix(indexName.Expr);
                    Byte((byte)indexName.Op);
                    NameText(indexName.Index);
                    break;

                case IndexExpr index:
                    Prefix(index.Expr);
                    Byte((byte)'[');
                    Bracketed(index.Index);
                    Byte((byte)']');
                    break;

                case FunctionExpr function:
                    Attributes(function.Attributes);
                    Text("function");
                    FunctionBody(function);
                    break;

                case TableExpr table:
                    Table(table);
                    break;

                case UnaryExpr unary:
                    Unary(unary);
                    break;

                case BinaryExpr binary:
                    Binary(binary);
                    break;

                case TypeAssertionExpr assertion:
                    Operand(assertion.Expr, simpleOnly: true);
                    Text(" :: ");
                    Type(assertion.Annotation);
                    break;

                case IfElseExpr ifElse:
                    Text("if ");
                    Expr(ifElse.Condition);
                    Text(" then ");
                    Expr(ifElse.TrueExpr);
                    AstExpr rest = ifElse.FalseExpr;
                    while (rest is IfElseExpr elseIf)
                    {
                        Text(" elseif ");
                        Expr(elseIf.Condition);
                        Text(" then ");
                        Expr(elseIf.TrueExpr);
                        rest = elseIf.FalseExpr;
                    }
                    Text(" else ");
                    Expr(rest);
                    break;

                case InterpStringExpr interp:
                    Interpolated(interp);
                    break;

                case InstantiateExpr instantiate:
                    Prefix(instantiate.Expr);
                    TypeArguments(instantiate.TypeArguments);
                    break;

                case ErrorExpr:
                    Text("--[[ error ]] nil");
                    break;

                default:
                    throw new ArgumentException($"unknown expression {expr.GetType().Name}", nameof(expr));
            }
        }

        /// <summary>An expression inside '[' ']': a leading '[' of a long string must not merge into "[[".</summary>
        private void Bracketed(AstExpr expr)
        {
            int at = _length;
            Expr(expr);
            if (_length > at && _buffer[at] == '[')
                InsertSpace(at);
        }

        private void InsertSpace(int at)
        {
            Ensure(1);
            Array.Copy(_buffer, at, _buffer, at + 1, _length - at);
            _buffer[at] = (byte)' ';
            _length++;
        }

        /// <summary>The object of a call or index, which must be a name, a call, an index or parenthesised.</summary>
        private void Prefix(AstExpr expr)
        {
            bool isPrefix = expr is LocalExpr or GlobalExpr or GroupExpr or CallExpr or IndexExpr or IndexNameExpr or InstantiateExpr;
            if (!isPrefix)
                Byte((byte)'(');
            Expr(expr);
            if (!isPrefix)
                Byte((byte)')');
        }

        private void TypeArguments(AstTypeOrPack[] arguments)
        {
            Text("<<");
            TypeOrPackList(arguments);
            Text(">>");
        }

        private void Unary(UnaryExpr unary)
        {
            switch (unary.Op)
            {
                case UnaryOp.Not:
                    Text("not ");
                    break;
                case UnaryOp.Minus:
                    Byte((byte)'-');
                    break;
                case UnaryOp.Len:
                    Byte((byte)'#');
                    break;
            }

            int at = _length;
            AstExpr operand = unary.Expr;

            // The operand must not take a following binary operator that binds tighter than unary operators (^).
            bool wrap = operand is BinaryExpr inner && s_priority[(int)inner.Op].Left <= UnaryPriority;
            if (wrap)
                Byte((byte)'(');
            Operand(operand, simpleOnly: false);
            if (wrap)
                Byte((byte)')');

            // "- -x" must not become the comment "--x".
            if (unary.Op == UnaryOp.Minus && _length > at && _buffer[at] == '-')
                InsertSpace(at);
        }

        private void Binary(BinaryExpr binary)
        {
            var (left, right) = s_priority[(int)binary.Op];

            // The left operand keeps its shape unless this operator would bind into its right end.
            bool wrapLeft = binary.Left switch
            {
                BinaryExpr l => left > s_priority[(int)l.Op].Right,
                UnaryExpr => left > UnaryPriority,
                IfElseExpr => true,
                _ => false,
            };
            // The right operand is parsed with this operator's right power as the limit.
            bool wrapRight = binary.Right is BinaryExpr r && s_priority[(int)r.Op].Left <= right;

            Wrapped(binary.Left, wrapLeft);
            Byte((byte)' ');
            Text(s_binaryText[(int)binary.Op]);
            Byte((byte)' ');
            Wrapped(binary.Right, wrapRight);
        }

        private void Wrapped(AstExpr expr, bool parenthesise)
        {
            if (parenthesise)
                Byte((byte)'(');
            Expr(expr);
            if (parenthesise)
                Byte((byte)')');
        }

        /// <summary>An operand; with <paramref name="simpleOnly"/> (before '::') operators of any kind need parentheses.</summary>
        private void Operand(AstExpr expr, bool simpleOnly)
        {
            bool wrap = simpleOnly && expr is BinaryExpr or UnaryExpr or TypeAssertionExpr or IfElseExpr;
            Wrapped(expr, wrap);
        }

        private void Table(TableExpr table)
        {
            if (table.Items.Length == 0)
            {
                Text("{}");
                return;
            }

            Text("{ ");
            for (int i = 0; i < table.Items.Length; i++)
            {
                if (i > 0)
                    Text(", ");
                TableItem item = table.Items[i];
                switch (item.Kind)
                {
                    case TableItemKind.Record when item.Key is StringExpr { Value: var name } && IsIdentifier(name):
                        Raw(name);
                        Text(" = ");
                        break;
                    case TableItemKind.Record:
                    case TableItemKind.General:
                        Byte((byte)'[');
                        Bracketed(item.Key!);
                        Text("] = ");
                        break;
                }
                Expr(item.Value);
            }
            Text(" }");
        }

        private static bool IsIdentifier(ReadOnlySpan<byte> name)
        {
            if (name.Length == 0 || IsDigit(name[0]))
                return false;
            foreach (byte b in name)
            {
                if (!(IsDigit(b) || (uint)((b | 0x20) - 'a') < 26 || b == '_'))
                    return false;
            }
            return !s_reserved.Contains(Encoding.ASCII.GetString(name));
        }

        private static bool IsIdentifier(string name)
        {
            if (name.Length == 0 || char.IsAsciiDigit(name[0]))
                return false;
            foreach (char c in name)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
                    return false;
            }
            return !s_reserved.Contains(name);
        }

        private static bool IsDigit(byte b) => (uint)(b - '0') < 10;

        private void Number(double value)
        {
            if (double.IsNaN(value))
            {
                Text("(0 / 0)");
                return;
            }
            if (double.IsInfinity(value))
            {
                Text(value > 0 ? "1e999" : "(-1e999)");
                return;
            }
            if (value < 0 || double.IsNegative(value))
            {
                Text("(-");
                Text((-value).ToString("R", CultureInfo.InvariantCulture));
                Byte((byte)')');
                return;
            }
            Text(value.ToString("R", CultureInfo.InvariantCulture));
        }

        private void Interpolated(InterpStringExpr interp)
        {
            Byte((byte)'`');
            for (int i = 0; i < interp.Strings.Length; i++)
            {
                Escaped(interp.Strings[i], (byte)'`', interpolated: true);
                if (i < interp.Expressions.Length)
                {
                    Byte((byte)'{');
                    int at = _length;
                    Expr(interp.Expressions[i]);

                    // "{{" would read as an escaped brace.
                    if (_length > at && _buffer[at] == '{')
                        InsertSpace(at);
                    Byte((byte)'}');
                }
            }
            Byte((byte)'`');
        }

        private void StringLiteral(byte[] value, StringQuoteStyle style)
        {
            if (style == StringQuoteStyle.Raw && TryLongString(value))
                return;

            if (style == StringQuoteStyle.Interpolated)
            {
                Byte((byte)'`');
                Escaped(value, (byte)'`', interpolated: true);
                Byte((byte)'`');
                return;
            }

            Byte((byte)'"');
            Escaped(value, (byte)'"', interpolated: false);
            Byte((byte)'"');
        }

        /// <summary>Writes [=*[ value ]=*] when a long bracket can hold the value exactly.</summary>
        private bool TryLongString(byte[] value)
        {
            ReadOnlySpan<byte> span = value;

            // The lexer ends input at a zero byte and turns CR LF into LF, so such values need a quoted string.
            if (span.IndexOf((byte)0) >= 0 || span.IndexOf("\r\n"u8) >= 0 || (validUtf8Only && !IsValidUtf8(span)))
                return false;

            // Pick the fewest '=' such that the closing bracket first appears where it is meant to.
            for (int level = 0; ; level++)
            {
                byte[] closer = new byte[level + 2];
                closer[0] = (byte)']';
                closer[^1] = (byte)']';
                for (int i = 1; i <= level; i++)
                    closer[i] = (byte)'=';

                byte[] tail = new byte[span.Length + closer.Length];
                span.CopyTo(tail);
                closer.CopyTo(tail.AsSpan(span.Length));
                if (tail.AsSpan().IndexOf(closer) != span.Length)
                    continue;

                Byte((byte)'[');
                for (int i = 0; i < level; i++)
                    Byte((byte)'=');
                Byte((byte)'[');

                // The first newline after the opening bracket is dropped by the lexer.
                if (span.Length > 0 && span[0] == '\n')
                    Byte((byte)'\n');
                Raw(span);
                Raw(closer);
                return true;
            }
        }

        private static bool IsValidUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

        /// <summary>Writes string contents with escapes for the quote, backslashes, control bytes and invalid UTF-8.</summary>
        private void Escaped(ReadOnlySpan<byte> value, byte quote, bool interpolated)
        {
            int i = 0;
            while (i < value.Length)
            {
                byte b = value[i];
                if (b >= 0x80)
                {
                    // Valid UTF-8 sequences are kept as they are for readability.
                    int length = Utf8SequenceLength(value[i..]);
                    if (length > 0)
                    {
                        Raw(value.Slice(i, length));
                        i += length;
                    }
                    else
                    {
                        HexEscape(b);
                        i++;
                    }
                    continue;
                }

                switch (b)
                {
                    case (byte)'\\':
                        Text("\\\\");
                        break;
                    case (byte)'\n':
                        Text("\\n");
                        break;
                    case (byte)'\r':
                        Text("\\r");
                        break;
                    case (byte)'\t':
                        Text("\\t");
                        break;
                    default:
                        if (b == quote || (interpolated && b == '{'))
                        {
                            Byte((byte)'\\');
                            Byte(b);
                        }
                        else if (b < 0x20 || b == 0x7F)
                        {
                            HexEscape(b);
                        }
                        else
                        {
                            Byte(b);
                        }
                        break;
                }
                i++;
            }
        }

        private void HexEscape(byte b)
        {
            const string digits = "0123456789ABCDEF";
            Text("\\x");
            Byte((byte)digits[b >> 4]);
            Byte((byte)digits[b & 15]);
        }

        /// <summary>The length of the well-formed UTF-8 sequence starting at <paramref name="s"/>[0], or 0.</summary>
        private static int Utf8SequenceLength(ReadOnlySpan<byte> s)
        {
            int length = s[0] switch
            {
                >= 0xC2 and <= 0xDF => 2,
                >= 0xE0 and <= 0xEF => 3,
                >= 0xF0 and <= 0xF4 => 4,
                _ => 0,
            };
            if (length == 0 || s.Length < length)
                return 0;
            return System.Text.Unicode.Utf8.IsValid(s[..length]) ? length : 0;
        }

        // ----- Types -----

        public void Type(AstType type)
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();

            switch (type)
            {
                case ReferenceType reference:
                    if (reference.Prefix is not null)
                    {
                        NameText(reference.Prefix);
                        Byte((byte)'.');
                    }
                    NameText(reference.Name);
                    if (reference.HasParameterList || reference.Parameters.Length > 0)
                    {
                        Byte((byte)'<');
                        TypeOrPackList(reference.Parameters);
                        Byte((byte)'>');
                    }
                    break;

                case TableType table:
                    TableType(table);
                    break;

                case FunctionType function:
                    Generics(function.Generics, function.GenericPacks);
                    Byte((byte)'(');
                    AstType[] args = function.ArgTypes.Types;
                    for (int i = 0; i < args.Length; i++)
                    {
                        if (i > 0)
                            Text(", ");
                        if (i < function.ArgNames.Length && function.ArgNames[i] is AstArgumentName name)
                        {
                            NameText(name.Name);
                            Text(": ");
                        }
                        Type(args[i]);
                    }
                    if (function.ArgTypes.TailType is not null)
                    {
                        if (args.Length > 0)
                            Text(", ");
                        Pack(function.ArgTypes.TailType);
                    }
                    Text(") -> ");
                    ReturnPack(function.ReturnTypes);
                    break;

                case TypeofType typeOf:
                    Text("typeof(");
                    Expr(typeOf.Expr);
                    Byte((byte)')');
                    break;

                case OptionalType optional:
                    Type(optional.Type);
                    Byte((byte)'?');
                    break;

                case UnionType union:
                    Composite(union.Types, " | ");
                    break;

                case IntersectionType intersection:
                    Composite(intersection.Types, " & ");
                    break;

                case SingletonBoolType boolean:
                    Text(boolean.Value ? "true" : "false");
                    break;

                case SingletonStringType str:
                    Byte((byte)'"');
                    Escaped(str.Value, (byte)'"', interpolated: false);
                    Byte((byte)'"');
                    break;

                case GroupType group:
                    Byte((byte)'(');
                    Type(group.Type);
                    Byte((byte)')');
                    break;

                case ErrorType:
                    Text("--[[ error ]] any");
                    break;

                default:
                    throw new ArgumentException($"unknown type {type.GetType().Name}", nameof(type));
            }
        }

        private void Composite(AstType[] parts, string separator)
        {
            // A single part is written with a leading separator, which is how such a node is parsed.
            if (parts.Length == 1)
                Text(separator.TrimStart());
            for (int i = 0; i < parts.Length; i++)
            {
                if (i > 0)
                    Text(separator);
                Type(parts[i]);
            }
        }

        private void TableType(TableType table)
        {
            if (table.IsArray && table.Indexer is not null && table.Props.Length == 0)
            {
                Byte((byte)'{');
                Access(table.Indexer.Access);
                Type(table.Indexer.ResultType);
                Byte((byte)'}');
                return;
            }

            if (table.Props.Length == 0 && table.Indexer is null)
            {
                Text("{}");
                return;
            }

            Text("{ ");
            bool first = true;
            foreach (AstTableProp prop in table.Props)
            {
                if (!first)
                    Text(", ");
                first = false;
                Access(prop.Access);
                if (IsIdentifier(prop.Name))
                {
                    Text(prop.Name);
                }
                else
                {
                    // Names of string-keyed properties hold one char per source byte.
                    Text("[\"");
                    Escaped(Encoding.Latin1.GetBytes(prop.Name), (byte)'"', interpolated: false);
                    Text("\"]");
                }
                Text(": ");
                Type(prop.Type);
            }
            if (table.Indexer is not null)
            {
                if (!first)
                    Text(", ");
                Access(table.Indexer.Access);
                Byte((byte)'[');
                int at = _length;
                Type(table.Indexer.IndexType);
                if (_length > at && _buffer[at] == '[')
                    InsertSpace(at);
                Text("]: ");
                Type(table.Indexer.ResultType);
            }
            Text(" }");
        }

        private void Access(TableAccess access)
        {
            if (access == TableAccess.Read)
                Text("read ");
            else if (access == TableAccess.Write)
                Text("write ");
        }

        private void TypeOrPackList(AstTypeOrPack[] list)
        {
            for (int i = 0; i < list.Length; i++)
            {
                if (i > 0)
                    Text(", ");
                if (list[i].Type is AstType type)
                    Type(type);
                else if (list[i].TypePack is AstTypePack pack)
                    Pack(pack);
            }
        }

        public void Pack(AstTypePack pack)
        {
            switch (pack)
            {
                case ExplicitTypePack explicitPack:
                    Byte((byte)'(');
                    TypeList(explicitPack.TypeList);
                    Byte((byte)')');
                    break;
                case VariadicTypePack variadic:
                    Text("...");
                    Type(variadic.VariadicType);
                    break;
                case GenericTypePack generic:
                    NameText(generic.GenericName);
                    Text("...");
                    break;
                default:
                    throw new ArgumentException($"unknown type pack {pack.GetType().Name}", nameof(pack));
            }
        }

        private void TypeList(AstTypeList list)
        {
            for (int i = 0; i < list.Types.Length; i++)
            {
                if (i > 0)
                    Text(", ");
                Type(list.Types[i]);
            }
            if (list.TailType is not null)
            {
                if (list.Types.Length > 0)
                    Text(", ");
                Pack(list.TailType);
            }
        }

        /// <summary>
        /// A return type after ':' or '->'. A single type is written bare (the parser reads "(T)" there as just T), so a
        /// single parenthesised type needs a second pair of parentheses.
        /// </summary>
        private void ReturnPack(AstTypePack pack)
        {
            if (pack is ExplicitTypePack { TypeList: { TailType: null, Types.Length: 1 } list })
            {
                AstType only = list.Types[0];
                bool wrap = only is GroupType;
                if (wrap)
                    Byte((byte)'(');
                Type(only);
                if (wrap)
                    Byte((byte)')');
                return;
            }
            Pack(pack);
        }
    }
}

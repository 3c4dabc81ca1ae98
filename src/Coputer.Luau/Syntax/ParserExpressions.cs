namespace Coputer.Luau.Syntax;

public sealed partial class Parser
{
    private const int UnaryPriority = 8;

    // Left and right binding powers by BinaryOp; a right power below the left makes the operator right-associative.
    private static readonly (byte Left, byte Right)[] s_binaryPriority =
    [
        (6, 6),  // +
        (6, 6),  // -
        (7, 7),  // *
        (7, 7),  // /
        (7, 7),  // //
        (7, 7),  // %
        (10, 9), // ^
        (5, 4),  // ..
        (3, 3),  // ~=
        (3, 3),  // ==
        (3, 3),  // <
        (3, 3),  // <=
        (3, 3),  // >
        (3, 3),  // >=
        (2, 2),  // and
        (1, 1),  // or
    ];

    private static BinaryOp? BinaryOpOf(TokenKind kind) => kind switch
    {
        (TokenKind)'+' => BinaryOp.Add,
        (TokenKind)'-' => BinaryOp.Sub,
        (TokenKind)'*' => BinaryOp.Mul,
        (TokenKind)'/' => BinaryOp.Div,
        TokenKind.FloorDiv => BinaryOp.FloorDiv,
        (TokenKind)'%' => BinaryOp.Mod,
        (TokenKind)'^' => BinaryOp.Pow,
        TokenKind.Dot2 => BinaryOp.Concat,
        TokenKind.NotEqual => BinaryOp.CompareNe,
        TokenKind.Equal => BinaryOp.CompareEq,
        (TokenKind)'<' => BinaryOp.CompareLt,
        TokenKind.LessEqual => BinaryOp.CompareLe,
        (TokenKind)'>' => BinaryOp.CompareGt,
        TokenKind.GreaterEqual => BinaryOp.CompareGe,
        TokenKind.ReservedAnd => BinaryOp.And,
        TokenKind.ReservedOr => BinaryOp.Or,
        _ => null,
    };

    private static UnaryOp? UnaryOpOf(TokenKind kind) => kind switch
    {
        TokenKind.ReservedNot => UnaryOp.Not,
        (TokenKind)'-' => UnaryOp.Minus,
        (TokenKind)'#' => UnaryOp.Len,
        _ => null,
    };

    /// <summary>'!' written for 'not': reported, then parsed as 'not'.</summary>
    private UnaryOp? CheckUnaryConfusable()
    {
        if (Kind != (TokenKind)'!')
            return null;
        Report(Current.Location, "Unexpected '!'; did you mean 'not'?");
        return UnaryOp.Not;
    }

    /// <summary>'&amp;&amp;', '||' and '!=' written for 'and', 'or' and '~=': reported, then parsed as those.</summary>
    private BinaryOp? CheckBinaryConfusable(int limit)
    {
        TokenKind kind = Kind;
        if (kind != (TokenKind)'&' && kind != (TokenKind)'|' && kind != (TokenKind)'!')
            return null;

        Location start = Current.Location;
        Token next = Lookahead();
        if (start.End != next.Location.Begin)
            return null;

        if (kind == (TokenKind)'&' && next.Kind == (TokenKind)'&' && s_binaryPriority[(int)BinaryOp.And].Left > limit)
        {
            Next();
            Report(new Location(start, next.Location), "Unexpected '&&'; did you mean 'and'?");
            return BinaryOp.And;
        }
        if (kind == (TokenKind)'|' && next.Kind == (TokenKind)'|' && s_binaryPriority[(int)BinaryOp.Or].Left > limit)
        {
            Next();
            Report(new Location(start, next.Location), "Unexpected '||'; did you mean 'or'?");
            return BinaryOp.Or;
        }
        if (kind == (TokenKind)'!' && next.Kind == (TokenKind)'=' && s_binaryPriority[(int)BinaryOp.CompareNe].Left > limit)
        {
            Next();
            Report(new Location(start, next.Location), "Unexpected '!='; did you mean '~='?");
            return BinaryOp.CompareNe;
        }
        return null;
    }

    /// <summary>An expression whose binary operators all bind tighter than <paramref name="limit"/>.</summary>
    private AstExpr ParseExpr(int limit = 0)
    {
        int saved = _recursion;
        IncrementRecursion("expression");

        Location start = Current.Location;
        AstExpr expr;

        UnaryOp? unary = UnaryOpOf(Kind) ?? CheckUnaryConfusable();
        if (unary is UnaryOp uop)
        {
            Next();
            AstExpr operand = ParseExpr(UnaryPriority);
            expr = new UnaryExpr(new Location(start, operand.Location), uop, operand);
        }
        else
        {
            expr = ParseAssertionExpr();
        }

        BinaryOp? op = BinaryOpOf(Kind) ?? CheckBinaryConfusable(limit);
        while (op is BinaryOp bop && s_binaryPriority[(int)bop].Left > limit)
        {
            Next();
            AstExpr right = ParseExpr(s_binaryPriority[(int)bop].Right);
            expr = new BinaryExpr(new Location(start, right.Location), bop, expr, right);

            op = BinaryOpOf(Kind) ?? CheckBinaryConfusable(limit);

            // Not recursive here, but the chain nests in the tree.
            IncrementRecursion("expression");
        }

        _recursion = saved;
        return expr;
    }

    private void ParseExprList()
    {
        _exprs.Push(ParseExpr());

        while (Kind == (TokenKind)',')
        {
            Next();
            if (Kind == (TokenKind)')')
            {
                Report(Current.Location, "Expected expression after ',' but got ')' instead");
                break;
            }
            _exprs.Push(ParseExpr());
        }
    }

    private AstExpr ParseNameExpr(string context)
    {
        if (ParseNameOpt(context) is not Name name)
            return new ErrorExpr(Current.Location, [], _errors.Count - 1);

        AstLocal? local = LookupLocal(name.Id);
        if (local is not null)
        {
            if (local.FunctionDepth < _typeFunctionDepth)
                return ReportExprError(Current.Location, [], $"Type function cannot reference outer local '{local.Name}'");

            return new LocalExpr(name.Location, local, local.FunctionDepth != _functionCount - 1);
        }

        return new GlobalExpr(name.Location, name.Value);
    }

    /// <summary>prefixexp ::= NAME | '(' expr ')'</summary>
    private AstExpr ParsePrefixExpr()
    {
        if (Kind != (TokenKind)'(')
            return ParseNameExpr("expression");

        Position start = Current.Location.Begin;
        MatchToken matchParen = MatchToken.Of(Current);
        Next();

        AstExpr expr = ParseExpr();

        Position end = Current.Location.End;
        if (Kind != (TokenKind)')')
        {
            string? suggestion = Kind == (TokenKind)'=' ? "; did you mean to use '{' when defining a table?" : null;
            ExpectMatchAndConsumeFail((TokenKind)')', matchParen, suggestion);
            end = _lexer.PreviousLocation.End;
        }
        else
        {
            Next();
        }

        return new GroupExpr(new Location(start, end), expr);
    }

    /// <summary>primaryexp ::= prefixexp { '.' NAME | '[' exp ']' | ':' NAME args | args | '&lt;&lt;' types '&gt;&gt;' }</summary>
    private AstExpr ParsePrimaryExpr(bool asStatement)
    {
        Position start = Current.Location.Begin;
        AstExpr expr = ParsePrefixExpr();

        int saved = _recursion;
        while (true)
        {
            TokenKind kind = Kind;
            if (kind == (TokenKind)'.')
            {
                Position dot = Current.Location.Begin;
                Next();
                Name index = ParseIndexName(null, dot);
                expr = new IndexNameExpr(new Location(start, index.Location.End), expr, index.Value, index.Location, '.');
            }
            else if (kind == (TokenKind)'[')
            {
                expr = ParseIndexExpr(start, expr);
            }
            else if (kind == (TokenKind)':')
            {
                expr = ParseMethodCall(start, expr);
            }
            else if (kind == (TokenKind)'(')
            {
                // Inside an expression, '(' on a new line would silently continue it as a call: stop and report.
                if (!asStatement && expr.Location.End.Line != Current.Location.Begin.Line)
                {
                    ReportAmbiguousCall();
                    break;
                }
                expr = ParseFunctionArgs(expr, self: false, []);
            }
            else if (kind == (TokenKind)'{' || kind == TokenKind.RawString || kind == TokenKind.QuotedString)
            {
                expr = ParseFunctionArgs(expr, self: false, []);
            }
            else if (kind == (TokenKind)'<' && PeekKind() == (TokenKind)'<')
            {
                AstTypeOrPack[] typeArguments = ParseTypeInstantiation(out Location end);
                expr = new InstantiateExpr(new Location(start, end.End), expr, typeArguments);
            }
            else
            {
                break;
            }

            // Not recursive here, but the chain nests in the tree.
            IncrementRecursion("expression");
        }
        _recursion = saved;

        return expr;
    }

    private IndexExpr ParseIndexExpr(Position start, AstExpr expr)
    {
        MatchToken matchBracket = MatchToken.Of(Current);
        Next(); // '['

        AstExpr index = ParseExpr();

        Position end = Current.Location.End;
        ExpectMatchAndConsume(']', matchBracket);

        return new IndexExpr(new Location(start, end), expr, index);
    }

    private AstExpr ParseMethodCall(Position start, AstExpr expr)
    {
        Position colon = Current.Location.Begin;
        Next(); // ':'

        Name method = ParseIndexName("method name", colon);
        var callee = new IndexNameExpr(new Location(start, method.Location.End), expr, method.Value, method.Location, ':');

        AstTypeOrPack[] typeArguments = [];
        if (Kind == (TokenKind)'<' && PeekKind() == (TokenKind)'<')
            typeArguments = ParseTypeInstantiation(out _);

        return ParseFunctionArgs(callee, self: true, typeArguments);
    }

    /// <summary>args ::= '(' [explist] ')' | tableconstructor | String</summary>
    private AstExpr ParseFunctionArgs(AstExpr function, bool self, AstTypeOrPack[] typeArguments)
    {
        if (Kind == (TokenKind)'(')
        {
            Position argStart = Current.Location.Begin;
            if (function.Location.End.Line != Current.Location.Begin.Line)
                ReportAmbiguousCall();

            MatchToken matchParen = MatchToken.Of(Current);
            Next();

            int mark = _exprs.Mark;
            if (Kind != (TokenKind)')')
                ParseExprList();
            AstExpr[] args = _exprs.PopToArray(mark);

            Location end = Current.Location;
            ExpectMatchAndConsume(')', matchParen);

            return new CallExpr(new Location(function.Location, end), function, args, self, new Location(argStart, end.End))
            {
                TypeArguments = typeArguments,
            };
        }

        if (Kind == (TokenKind)'{')
        {
            AstExpr table = ParseTableConstructor();
            return new CallExpr(new Location(function.Location, table.Location), function, [table], self, table.Location)
            {
                TypeArguments = typeArguments,
            };
        }

        if (Kind == TokenKind.RawString || Kind == TokenKind.QuotedString)
        {
            Location argLocation = Current.Location;
            AstExpr str = ParseString();
            return new CallExpr(new Location(function.Location, str.Location), function, [str], self, argLocation)
            {
                TypeArguments = typeArguments,
            };
        }

        if (self && Current.Location.Begin.Line != function.Location.End.Line)
            return ReportExprError(function.Location, [function], "Expected function call arguments after '('");

        return ReportExprError(new Location(function.Location.Begin, Current.Location.Begin), [function],
            $"Expected '(', '{{' or <string> when parsing function call, got {Describe(Current)}");
    }

    private void ReportAmbiguousCall()
    {
        Report(Current.Location,
            "Ambiguous syntax: this looks like an argument list for a function call, but could also be a start of new statement; use ';' to separate statements");
    }

    /// <summary>The argument list of a parameterised attribute, with the span of its contents.</summary>
    private (AstExpr[] Args, Location Location) ParseCallList()
    {
        if (Kind == (TokenKind)'(')
        {
            Position argStart = Current.Location.End;
            MatchToken matchParen = MatchToken.Of(Current);
            Next();

            int mark = _exprs.Mark;
            if (Kind != (TokenKind)')')
                ParseExprList();
            AstExpr[] args = _exprs.PopToArray(mark);

            Location end = Current.Location;
            ExpectMatchAndConsume(')', matchParen);
            return (args, new Location(argStart, end.End));
        }

        if (Kind == (TokenKind)'{')
        {
            Position argStart = Current.Location.End;
            AstExpr table = ParseTableConstructor();
            return ([table], new Location(argStart, _lexer.PreviousLocation.End));
        }

        Location argLocation = Current.Location;
        return ([ParseString()], argLocation);
    }

    /// <summary>asexp ::= simpleexp ['::' Type]</summary>
    private AstExpr ParseAssertionExpr()
    {
        Location start = Current.Location;
        AstExpr expr = ParseSimpleExpr();

        if (Kind != TokenKind.DoubleColon)
            return expr;

        Next();
        AstType annotation = ParseType();
        return new TypeAssertionExpr(new Location(start, annotation.Location), expr, annotation);
    }

    /// <summary>simpleexp ::= NUMBER | STRING | nil | true | false | ... | tableconstructor | [attributes] function body | if-expression | primaryexp</summary>
    private AstExpr ParseSimpleExpr()
    {
        Location start = Current.Location;

        switch (Kind)
        {
            case TokenKind.Attribute:
            case TokenKind.AttributeOpen:
                return ParseAttributedFunction(start);

            case TokenKind.ReservedNil:
                Next();
                return new NilExpr(start);

            case TokenKind.ReservedTrue:
                Next();
                return new BooleanExpr(start, true);

            case TokenKind.ReservedFalse:
                Next();
                return new BooleanExpr(start, false);

            case TokenKind.ReservedFunction:
                {
                    TokenKind matchKind = Current.Kind;
                    Next();
                    return ParseFunctionBody(false, matchKind, start, "", null, AttributeList.None, isConst: false).Function;
                }

            case TokenKind.Number:
                return ParseNumber();

            case TokenKind.RawString:
            case TokenKind.QuotedString:
            case TokenKind.InterpStringSimple:
                return ParseString();

            case TokenKind.InterpStringBegin:
                return ParseInterpString();

            case TokenKind.BrokenString:
                Next();
                return ReportExprError(start, [], "Malformed string; did you forget to finish it?");

            case TokenKind.BrokenInterpDoubleBrace:
                Next();
                return ReportExprError(start, [], "Double braces are not permitted within interpolated strings; did you mean '\\{'?");

            case TokenKind.Dot3:
                Next();
                if (CurrentFunction.Vararg)
                    return new VarargsExpr(start);
                return ReportExprError(start, [], "Cannot use '...' outside of a vararg function");

            case (TokenKind)'{':
                return ParseTableConstructor();

            case TokenKind.ReservedIf:
                return ParseIfElseExpr();

            default:
                return ParsePrimaryExpr(asStatement: false);
        }
    }

    private AstExpr ParseAttributedFunction(Location start)
    {
        AttributeList attributes = ParseAttributes();

        if (Kind != TokenKind.ReservedFunction)
            return ReportExprError(start, [], $"Expected 'function' declaration after attribute, but got {Describe(Current)} instead");

        TokenKind matchKind = Current.Kind;
        Location matchLocation = Current.Location;
        Next();
        return ParseFunctionBody(false, matchKind, matchLocation, "", null, attributes, isConst: false).Function;
    }

    /// <summary>
    /// funcbody ::= [generics] '(' [parlist] ')' [':' ReturnType] block 'end'. When <paramref name="localName"/> is
    /// given, the function's own local is declared before the body so that it can call itself.
    /// </summary>
    private (FunctionExpr Function, AstLocal? Local) ParseFunctionBody(
        bool hasSelf, TokenKind matchKind, Location matchLocation, string debugName, Name? localName, AttributeList attributes, bool isConst)
    {
        Location start = attributes.Start ?? matchLocation;

        var (generics, genericPacks) = ParseGenericTypeList(withDefaultValues: false);

        Token matchParen = Current;
        ExpectAndConsume('(', "function");

        // So that "function (t: { a: number ) end" still finds its ')'.
        _recoveryStop[')']++;

        int bindingMark = _bindings.Mark;
        bool vararg = false;
        Location varargLocation = default;
        AstTypePack? varargAnnotation = null;
        if (Kind != (TokenKind)')')
            (vararg, varargLocation, varargAnnotation) = ParseBindingList(allowVararg: true, isConst: false);

        Location? argumentLocation = null;
        if (matchParen.Kind == (TokenKind)'(' && Kind == (TokenKind)')')
            argumentLocation = new Location(matchParen.Location.Begin, Current.Location.End);

        ExpectMatchAndConsume(')', MatchToken.Of(matchParen), searchForMissing: true);
        _recoveryStop[')']--;

        AstTypePack? returnAnnotation = ParseOptionalReturnType();

        AstLocal? functionLocal = localName is Name n ? PushLocal(new Binding(n, null, isConst)) : null;

        int locals = SaveLocals();
        PushFunction(vararg);

        AstLocal? self = hasSelf ? PushLocal(new Binding(new Name("self", _selfNameId, start), null, false)) : null;
        AstLocal[] parameters = PushBindings(bindingMark);

        PendingBlock body = ParseBlock();

        PopFunction();
        RestoreLocals(locals);

        Location end = Current.Location;
        bool hasEnd = ExpectMatchEndAndConsume(TokenKind.ReservedEnd, new MatchToken(matchKind, matchLocation.Begin));

        var function = new FunctionExpr(
            new Location(start, end),
            attributes.Items,
            generics,
            genericPacks,
            self,
            parameters,
            vararg,
            varargLocation,
            varargAnnotation,
            returnAnnotation,
            body.Finish(hasEnd),
            _functionCount,
            debugName,
            argumentLocation);
        return (function, functionLocal);
    }

    private Binding ParseBinding(bool isConst)
    {
        Name name = ParseNameOpt("variable name") ?? ErrorNameAt(Current.Location);
        AstType? annotation = ParseOptionalType();
        return new Binding(name, annotation, isConst);
    }

    /// <summary>bindinglist ::= (binding | '...') [',' bindinglist]; pushes the bindings, returns the vararg part.</summary>
    private (bool Vararg, Location VarargLocation, AstTypePack? VarargAnnotation) ParseBindingList(bool allowVararg, bool isConst)
    {
        while (true)
        {
            if (Kind == TokenKind.Dot3 && allowVararg)
            {
                Location varargLocation = Current.Location;
                Next();

                AstTypePack? annotation = null;
                if (Kind == (TokenKind)':')
                {
                    Next();
                    annotation = ParseVariadicArgumentTypePack();
                }
                return (true, varargLocation, annotation);
            }

            _bindings.Push(ParseBinding(isConst));

            if (Kind != (TokenKind)',')
                break;
            Next();
        }
        return (false, default, null);
    }

    /// <summary>tableconstructor ::= '{' [field {fieldsep field} [fieldsep]] '}'</summary>
    private AstExpr ParseTableConstructor()
    {
        int mark = _tableItems.Mark;
        int runMark = _numberRun.Mark, linesMark = _numberRunLines.Mark;
        Location runStart = default, runEnd = default;
        Location start = Current.Location;
        MatchToken matchBrace = MatchToken.Of(Current);
        ExpectAndConsume('{', "table literal");

        while (Kind != (TokenKind)'}')
        {
            if (_options.PackNumberLists && TryPackNumber(runMark, linesMark, ref runStart, ref runEnd))
            {
                // Kept in the open run; the separator after it is handled below as for any item.
            }
            else if (Kind == (TokenKind)'[')
            {
                FlushNumberRun(runMark, linesMark, runStart, runEnd);
                MatchToken matchBracket = MatchToken.Of(Current);
                Next();
                AstExpr key = ParseExpr();
                ExpectMatchAndConsume(']', matchBracket);
                ExpectAndConsume('=', "table field");
                AstExpr value = ParseExpr();
                _tableItems.Push(new TableItem(TableItemKind.General, key, value));
            }
            else if (Kind == TokenKind.Name && PeekKind() == (TokenKind)'=')
            {
                FlushNumberRun(runMark, linesMark, runStart, runEnd);
                Name name = ParseName("table field");
                ExpectAndConsume('=', "table field");

                var key = new StringExpr(name.Location, NameBytes(name.Value), StringQuoteStyle.Quoted);
                AstExpr value = ParseExpr();

                // A function stored under a name is known by that name in tracebacks.
                if (value is FunctionExpr function)
                    function.DebugName = name.Value;

                _tableItems.Push(new TableItem(TableItemKind.Record, key, value));
            }
            else
            {
                FlushNumberRun(runMark, linesMark, runStart, runEnd);
                AstExpr value = ParseExpr();
                _tableItems.Push(new TableItem(TableItemKind.List, null, value));
            }

            if (Kind == (TokenKind)',' || Kind == (TokenKind)';')
                Next();
            else if (Kind == (TokenKind)'[' || Kind == TokenKind.Name)
                Report(Current.Location, "Expected ',' after table constructor element");
            else if (Kind != (TokenKind)'}')
                break;
        }

        FlushNumberRun(runMark, linesMark, runStart, runEnd);
        Location end = Current.Location;
        if (!ExpectMatchAndConsume('}', matchBrace))
            end = _lexer.PreviousLocation;

        return new TableExpr(new Location(start, end), _tableItems.PopToArray(mark));
    }

    /// <summary>
    /// With <see cref="ParseOptions.PackNumberLists"/>: when the current token is a plain number literal that forms a
    /// whole list item (a separator or '}' follows), adds it to the open run of packed numbers and moves past it.
    /// Anything else (underscores, an integer suffix, a malformed number, an operator after it) is left to the
    /// ordinary path, which reports what it must.
    /// </summary>
    private bool TryPackNumber(int runMark, int linesMark, ref Location runStart, ref Location runEnd)
    {
        if (Kind != TokenKind.Number)
            return false;
        TokenKind next = PeekKind();
        if (next != (TokenKind)',' && next != (TokenKind)';' && next != (TokenKind)'}')
            return false;
        ReadOnlySpan<byte> raw = Payload(Current);
        if (raw.Length == 0 || raw.IndexOf((byte)'_') >= 0 || (_options.IntegerLiterals && raw[^1] == 'i'))
            return false;
        if (LiteralDecoder.ParseNumber(raw, out double value) != NumberParseStatus.Ok)
            return false;

        // The depth and stack checks ParseExpr would make for this item, with the same error at the same place.
        int saved = _recursion;
        IncrementRecursion("expression");
        _recursion = saved;

        // Long runs are cut into pieces, so the scratch buffer stays small and each piece is copied once.
        if (_numberRun.Mark - runMark == MaxNumberRun)
            FlushNumberRun(runMark, linesMark, runStart, runEnd);

        Location location = Current.Location;
        int index = _numberRun.Mark - runMark;
        if (index == 0)
            runStart = location;
        if (index == 0 || _numberRunLines[_numberRunLines.Mark - 1] != location.Begin.Line)
        {
            _numberRunLines.Push(index);
            _numberRunLines.Push(location.Begin.Line);
        }
        _numberRun.Push(value);
        runEnd = location;
        Next();
        return true;
    }

    /// <summary>The most numbers one <see cref="NumberListExpr"/> holds; longer runs become several items.</summary>
    private const int MaxNumberRun = 1 << 16;

    /// <summary>Ends the open run of packed numbers, if any, as one list item.</summary>
    private void FlushNumberRun(int runMark, int linesMark, Location runStart, Location runEnd)
    {
        if (_numberRun.Mark == runMark)
            return;
        double[] values = _numberRun.PopToArray(runMark);
        int[] lines = _numberRunLines.PopToArray(linesMark);
        _tableItems.Push(new TableItem(TableItemKind.List, null, new NumberListExpr(new Location(runStart, runEnd), values, lines)));
        _hasNumberLists = true;
    }

    private static byte[] NameBytes(string name)
    {
        var bytes = new byte[name.Length];
        for (int i = 0; i < name.Length; i++)
            bytes[i] = (byte)name[i];
        return bytes;
    }

    /// <summary>if c then a {elseif c then a} else b</summary>
    private IfElseExpr ParseIfElseExpr()
    {
        Location start = Current.Location;
        Next(); // 'if' or 'elseif'

        AstExpr condition = ParseExpr();
        ExpectAndConsume(TokenKind.ReservedThen, "if then else expression");
        AstExpr trueExpr = ParseExpr();

        AstExpr falseExpr;
        if (Kind == TokenKind.ReservedElseif)
        {
            int saved = _recursion;
            IncrementRecursion("expression");
            falseExpr = ParseIfElseExpr();
            _recursion = saved;
        }
        else
        {
            ExpectAndConsume(TokenKind.ReservedElse, "if then else expression");
            falseExpr = ParseExpr();
        }

        return new IfElseExpr(new Location(start, falseExpr.Location), condition, trueExpr, falseExpr);
    }

    private AstExpr ParseNumber()
    {
        Location start = Current.Location;
        ReadOnlySpan<byte> raw = Payload(Current);

        // Underscores are separators only.
        byte[]? rented = null;
        if (raw.IndexOf((byte)'_') >= 0)
        {
            rented = new byte[raw.Length];
            int n = 0;
            foreach (byte b in raw)
            {
                if (b != '_')
                    rented[n++] = b;
            }
            raw = rented.AsSpan(0, n);
        }

        if (_options.IntegerLiterals && raw.Length > 0 && raw[^1] == 'i')
        {
            NumberParseStatus status = LiteralDecoder.ParseInteger(raw, out long integer);
            Next();
            return status switch
            {
                NumberParseStatus.Ok => new IntegerExpr(start, integer),
                NumberParseStatus.Overflow => ReportExprError(start, [], "Integer overflow"),
                _ => ReportExprError(start, [], "Malformed integer"),
            };
        }

        NumberParseStatus result = LiteralDecoder.ParseNumber(raw, out double value);
        Next();
        if (result != NumberParseStatus.Ok)
            return ReportExprError(start, [], "Malformed number");
        return new NumberExpr(start, value);
    }

    /// <summary>Decodes the current string token and moves past it; null when an escape is malformed.</summary>
    private byte[]? ReadStringValue()
    {
        byte[]? value;
        if (Kind == TokenKind.RawString)
            value = LiteralDecoder.DecodeLong(Payload(Current));
        else
            value = LiteralDecoder.TryDecodeQuoted(Payload(Current), out byte[] decoded) ? decoded : null;
        Next();
        return value;
    }

    private AstExpr ParseString()
    {
        Location location = Current.Location;
        StringQuoteStyle style = Kind switch
        {
            TokenKind.RawString => StringQuoteStyle.Raw,
            TokenKind.InterpStringSimple => StringQuoteStyle.Interpolated,
            _ => StringQuoteStyle.Quoted,
        };

        byte[]? value = ReadStringValue();
        if (value is null)
            return ReportExprError(location, [], "String literal contains malformed escape sequence");
        return new StringExpr(location, value, style);
    }

    /// <summary>A backtick string with holes: begin {expr} mid {expr} ... end.</summary>
    private AstExpr ParseInterpString()
    {
        int stringMark = _strings.Mark;
        int exprMark = _exprs.Mark;

        Location startLocation = Current.Location;
        Location endLocation;

        while (true)
        {
            Token section = Current;
            endLocation = section.Location;

            if (!LiteralDecoder.TryDecodeQuoted(Payload(section), out byte[] text))
            {
                Next();
                _strings.PopTo(stringMark);
                _exprs.PopTo(exprMark);
                return ReportExprError(new Location(startLocation, endLocation), [], "Interpolated string literal contains malformed escape sequence");
            }

            Next();
            _strings.Push(text);

            if (section.Kind == TokenKind.InterpStringEnd || section.Kind == TokenKind.InterpStringSimple)
                break;

            // A hole: one expression.
            if (Kind == TokenKind.InterpStringMid || Kind == TokenKind.InterpStringEnd)
            {
                Next();
                _exprs.Push(ReportExprError(endLocation, [], "Malformed interpolated string, expected expression inside '{}'"));
                break;
            }
            if (Kind == TokenKind.BrokenString)
            {
                Next();
                _exprs.Push(ReportExprError(endLocation, [], "Malformed interpolated string; did you forget to add a '`'?"));
                break;
            }
            _exprs.Push(ParseExpr());

            switch (Kind)
            {
                case TokenKind.InterpStringBegin:
                case TokenKind.InterpStringMid:
                case TokenKind.InterpStringEnd:
                    continue;

                case TokenKind.BrokenInterpDoubleBrace:
                    Next();
                    _strings.PopTo(stringMark);
                    _exprs.PopTo(exprMark);
                    return ReportExprError(endLocation, [], "Double braces are not permitted within interpolated strings; did you mean '\\{'?");

                case TokenKind.BrokenString:
                case TokenKind.Eof:
                    {
                        if (Kind == TokenKind.BrokenString)
                            Next();

                        // The string ends after a hole: close it with an empty section to keep one more string than holes.
                        _strings.Push([]);
                        var node = new InterpStringExpr(new Location(startLocation, _lexer.PreviousLocation), _strings.PopToArray(stringMark), _exprs.PopToArray(exprMark));
                        int top = _lexer.BraceStackTop;
                        if (top == 1)
                            Report(_lexer.PreviousLocation, "Malformed interpolated string; did you forget to add a '}'?");
                        else if (top == 0)
                            Report(_lexer.PreviousLocation, "Malformed interpolated string; did you forget to add a '`'?");
                        return node;
                    }

                default:
                    _strings.PopTo(stringMark);
                    _exprs.PopTo(exprMark);
                    return ReportExprError(endLocation, [], $"Malformed interpolated string, got {Describe(Current)}");
            }
        }

        // After an error inside a hole the last section is missing; keep one more string than expressions.
        while (_strings.Mark - stringMark <= _exprs.Mark - exprMark)
            _strings.Push([]);

        return new InterpStringExpr(new Location(startLocation, endLocation), _strings.PopToArray(stringMark), _exprs.PopToArray(exprMark));
    }

    /// <summary>'&lt;&lt;' types '&gt;&gt;' after an expression; <paramref name="end"/> is the location of the last '&gt;'.</summary>
    private AstTypeOrPack[] ParseTypeInstantiation(out Location end)
    {
        MatchToken begin = MatchToken.Of(Current);
        Next(); // the first '<'; the type list parser reads the second

        AstTypeOrPack[] arguments = ParseTypeParams();

        end = Current.Location;
        ExpectMatchAndConsume('>', begin);
        return arguments;
    }
}

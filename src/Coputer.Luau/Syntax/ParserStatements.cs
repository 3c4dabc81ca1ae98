namespace Coputer.Luau.Syntax;

public sealed partial class Parser
{
    /// <summary>The statements of a block before its closing keyword is known.</summary>
    private readonly record struct PendingBlock(AstStat[] Body, Location Location)
    {
        public BlockStat Finish(bool hasEnd) => new(Location, Body, hasEnd);
    }

    private static bool BlockFollows(TokenKind kind) =>
        kind is TokenKind.Eof or TokenKind.ReservedElse or TokenKind.ReservedElseif or TokenKind.ReservedEnd or TokenKind.ReservedUntil;

    private BlockStat ParseChunk()
    {
        PendingBlock block = ParseBlock();
        if (Kind != TokenKind.Eof)
            ExpectAndConsumeFail(TokenKind.Eof, null);
        return block.Finish(hasEnd: true);
    }

    /// <summary>A block in a scope of its own.</summary>
    private PendingBlock ParseBlock()
    {
        int locals = SaveLocals();
        PendingBlock block = ParseBlockNoScope();
        RestoreLocals(locals);
        return block;
    }

    private PendingBlock ParseBlockNoScope()
    {
        int mark = _stats.Mark;
        Position begin = _lexer.PreviousLocation.End;

        while (!BlockFollows(Kind))
        {
            int saved = _recursion;
            IncrementRecursion("block");
            AstStat stat = ParseStat();
            _recursion = saved;

            if (Kind == (TokenKind)';')
            {
                Next();
                stat.HasSemicolon = true;
                stat.Location = new Location(stat.Location.Begin, _lexer.PreviousLocation.End);
            }

            _stats.Push(stat);

            // Nothing may follow return, break or continue in a block.
            if (stat is BreakStat or ContinueStat or ReturnStat)
                break;
        }

        var location = new Location(begin, Current.Location.Begin);
        return new PendingBlock(_stats.PopToArray(mark), location);
    }

    private AstStat ParseStat()
    {
        switch (Kind)
        {
            case TokenKind.ReservedIf:
                return ParseIf();
            case TokenKind.ReservedWhile:
                return ParseWhile();
            case TokenKind.ReservedDo:
                return ParseDo();
            case TokenKind.ReservedFor:
                return ParseFor();
            case TokenKind.ReservedRepeat:
                return ParseRepeat();
            case TokenKind.ReservedFunction:
                return ParseFunctionStat(AttributeList.None);
            case TokenKind.ReservedLocal:
                {
                    Location start = Current.Location;
                    return ParseLocal(start, AttributeList.None, isConst: false);
                }
            case TokenKind.ReservedReturn:
                return ParseReturn();
            case TokenKind.ReservedBreak:
                return ParseBreak();
            case TokenKind.Attribute:
            case TokenKind.AttributeOpen:
                return ParseAttributeStat();
        }

        Location begin = Current.Location;

        // Assignments and calls both start with a primary expression; what follows it tells them apart.
        AstExpr expr = ParsePrimaryExpr(asStatement: true);

        if (expr is CallExpr)
            return new ExprStat(expr.Location, expr);

        if (Kind == (TokenKind)',' || Kind == (TokenKind)'=')
            return ParseAssignment(expr);

        if (CompoundOpOf(Kind) is BinaryOp op)
            return ParseCompoundAssignment(expr, op);

        // Otherwise the expression must be a contextual keyword.
        string? ident = expr switch
        {
            GlobalExpr g => g.Name,
            LocalExpr l => l.Local.Name,
            _ => null,
        };

        switch (ident)
        {
            case "type":
                return ParseTypeAlias(expr.Location, exported: false);
            case "export":
                if (AtName("type"))
                {
                    Next();
                    return ParseTypeAlias(expr.Location, exported: true);
                }
                break;
            case "continue":
                return ParseContinue(expr.Location);
            case "const":
                return ParseLocal(expr.Location, AttributeList.None, isConst: true);
        }

        // Skip the offending token if nothing was consumed, so the statement loop always advances.
        if (begin == Current.Location)
            Next();

        return ReportStatError(expr.Location, [expr], [], "Incomplete statement: expected assignment or a function call");
    }

    private IfStat ParseIf()
    {
        Location start = Current.Location;
        Next(); // 'if' or 'elseif'

        AstExpr condition = ParseExpr();

        Token matchThen = Current;
        Location? thenLocation = null;
        if (ExpectAndConsume(TokenKind.ReservedThen, "if statement"))
            thenLocation = matchThen.Location;

        PendingBlock thenBody = ParseBlock();
        bool thenHasEnd;
        AstStat? elseBody = null;
        Location? elseLocation = null;
        Location end;

        if (Kind == TokenKind.ReservedElseif)
        {
            thenHasEnd = true;
            int saved = _recursion;
            IncrementRecursion("elseif");
            elseLocation = Current.Location;
            elseBody = ParseIf();
            end = elseBody.Location;
            _recursion = saved;
        }
        else
        {
            MatchToken closes = MatchToken.Of(matchThen);
            PendingBlock? elseBlock = null;

            if (Kind == TokenKind.ReservedElse)
            {
                elseLocation = Current.Location;
                closes = MatchToken.Of(Current);
                Location elseKeyword = Current.Location;
                Next();
                PendingBlock block = ParseBlock();
                elseBlock = block with { Location = new Location(elseKeyword.End, block.Location.End) };
            }

            end = Current.Location;
            bool hasEnd = ExpectMatchEndAndConsume(TokenKind.ReservedEnd, closes);

            if (elseBlock is PendingBlock pending)
            {
                thenHasEnd = true;
                elseBody = pending.Finish(hasEnd);
            }
            else
            {
                thenHasEnd = hasEnd;
            }
        }

        return new IfStat(new Location(start, end), condition, thenBody.Finish(thenHasEnd), elseBody, thenLocation, elseLocation);
    }

    private WhileStat ParseWhile()
    {
        Location start = Current.Location;
        Next(); // 'while'

        AstExpr condition = ParseExpr();

        Token matchDo = Current;
        bool hasDo = ExpectAndConsume(TokenKind.ReservedDo, "while loop");

        CurrentFunction.LoopDepth++;
        PendingBlock body = ParseBlock();
        CurrentFunction.LoopDepth--;

        Location end = Current.Location;
        bool hasEnd = ExpectMatchEndAndConsume(TokenKind.ReservedEnd, MatchToken.Of(matchDo));

        return new WhileStat(new Location(start, end), condition, body.Finish(hasEnd), hasDo, matchDo.Location);
    }

    private RepeatStat ParseRepeat()
    {
        Location start = Current.Location;
        MatchToken matchRepeat = MatchToken.Of(Current);
        Next(); // 'repeat'

        // The condition is inside the body's scope: it can see the body's locals.
        int locals = SaveLocals();

        CurrentFunction.LoopDepth++;
        PendingBlock body = ParseBlockNoScope();
        CurrentFunction.LoopDepth--;

        bool hasUntil = ExpectMatchEndAndConsume(TokenKind.ReservedUntil, matchRepeat);
        AstExpr condition = ParseExpr();

        RestoreLocals(locals);

        return new RepeatStat(new Location(start, condition.Location), condition, body.Finish(hasUntil));
    }

    private BlockStat ParseDo()
    {
        Location start = Current.Location;
        MatchToken matchDo = MatchToken.Of(Current);
        Next(); // 'do'

        PendingBlock body = ParseBlock();

        Location endToken = Current.Location;
        bool hasEnd = ExpectMatchEndAndConsume(TokenKind.ReservedEnd, matchDo);
        var location = new Location(start.Begin, hasEnd ? endToken.End : body.Location.End);
        return new BlockStat(location, body.Body, hasEnd);
    }

    private AstStat ParseBreak()
    {
        Location start = Current.Location;
        Next(); // 'break'

        if (CurrentFunction.LoopDepth == 0)
            return ReportStatError(start, [], [new BreakStat(start)], "break statement must be inside a loop");

        return new BreakStat(start);
    }

    private AstStat ParseContinue(Location start)
    {
        // The 'continue' token was already read as an expression.
        if (CurrentFunction.LoopDepth == 0)
            return ReportStatError(start, [], [new ContinueStat(start)], "continue statement must be inside a loop");

        return new ContinueStat(start);
    }

    private AstStat ParseFor()
    {
        Location start = Current.Location;
        Next(); // 'for'

        Binding first = ParseBinding(isConst: false);

        if (Kind == (TokenKind)'=')
        {
            Next();

            AstExpr from = ParseExpr();
            ExpectAndConsume(',', "index range");
            AstExpr to = ParseExpr();

            AstExpr? step = null;
            if (Kind == (TokenKind)',')
            {
                Next();
                step = ParseExpr();
            }

            Token matchDo = Current;
            bool hasDo = ExpectAndConsume(TokenKind.ReservedDo, "for loop");

            int locals = SaveLocals();
            CurrentFunction.LoopDepth++;
            AstLocal variable = PushLocal(first);
            PendingBlock body = ParseBlock();
            CurrentFunction.LoopDepth--;
            RestoreLocals(locals);

            Location end = Current.Location;
            bool hasEnd = ExpectMatchEndAndConsume(TokenKind.ReservedEnd, MatchToken.Of(matchDo));

            return new ForStat(new Location(start, end), variable, from, to, step, body.Finish(hasEnd), hasDo, matchDo.Location);
        }
        else
        {
            int bindingMark = _bindings.Mark;
            _bindings.Push(first);
            if (Kind == (TokenKind)',')
            {
                Next();
                ParseBindingList(allowVararg: false, isConst: false);
            }

            Location inLocation = Current.Location;
            bool hasIn = ExpectAndConsume(TokenKind.ReservedIn, "for loop");

            int valueMark = _exprs.Mark;
            ParseExprList();
            AstExpr[] values = _exprs.PopToArray(valueMark);

            Token matchDo = Current;
            bool hasDo = ExpectAndConsume(TokenKind.ReservedDo, "for loop");

            int locals = SaveLocals();
            CurrentFunction.LoopDepth++;
            AstLocal[] variables = PushBindings(bindingMark);
            PendingBlock body = ParseBlock();
            CurrentFunction.LoopDepth--;
            RestoreLocals(locals);

            Location end = Current.Location;
            bool hasEnd = ExpectMatchEndAndConsume(TokenKind.ReservedEnd, MatchToken.Of(matchDo));

            return new ForInStat(new Location(start, end), variables, values, body.Finish(hasEnd), hasIn, inLocation, hasDo, matchDo.Location);
        }
    }

    /// <summary>Declares the bindings collected since <paramref name="bindingMark"/> and pops them.</summary>
    private AstLocal[] PushBindings(int bindingMark)
    {
        int count = _bindings.Mark - bindingMark;
        var result = count == 0 ? [] : new AstLocal[count];
        for (int i = 0; i < count; i++)
            result[i] = PushLocal(_bindings[bindingMark + i]);
        _bindings.PopTo(bindingMark);
        return result;
    }

    private static bool IsAssignable(AstExpr expr) => expr switch
    {
        LocalExpr l => !l.Local.IsConst,
        GlobalExpr or IndexExpr or IndexNameExpr => true,
        _ => false,
    };

    private ErrorExpr ReportAssignmentTargetError(AstExpr expr)
    {
        if (expr is LocalExpr { Local.IsConst: true } local)
            return ReportExprError(expr.Location, [expr], $"Variable '{local.Local.Name}' is constant and may not be reassigned");
        return ReportExprError(expr.Location, [expr], "Assigned expression must be a variable or a field");
    }

    private FunctionStat ParseFunctionStat(AttributeList attributes)
    {
        Location start = attributes.Start ?? Current.Location;

        Token matchFunction = Current;
        Next(); // 'function'

        // funcname ::= Name {'.' Name} [':' Name]; the debug name is the last part.
        string debugName = Kind == TokenKind.Name ? CurrentName : "";
        AstExpr name = ParseNameExpr("function name");

        int saved = _recursion;
        while (Kind == (TokenKind)'.')
        {
            Next();
            Name field = ParseName("field name");
            debugName = field.Value;
            name = new IndexNameExpr(new Location(name.Location, field.Location), name, field.Value, field.Location, '.');

            // Not recursive here, but the chain nests in the tree.
            IncrementRecursion("function name");
        }
        _recursion = saved;

        bool hasSelf = false;
        if (Kind == (TokenKind)':')
        {
            Next();
            Name method = ParseName("method name");
            debugName = method.Value;
            name = new IndexNameExpr(new Location(name.Location, method.Location), name, method.Value, method.Location, ':');
            hasSelf = true;
        }

        if (!IsAssignable(name))
            name = ReportAssignmentTargetError(name);

        _recoveryStop[(int)TokenKind.ReservedEnd]++;
        FunctionExpr body = ParseFunctionBody(hasSelf, matchFunction.Kind, matchFunction.Location, debugName, null, attributes, isConst: false).Function;
        _recoveryStop[(int)TokenKind.ReservedEnd]--;

        return new FunctionStat(new Location(start, body.Location), name, body);
    }

    private AstStat ParseAttributeStat()
    {
        Location startLocation = Current.Location;
        AttributeList attributes = ParseAttributes();
        Location start = attributes.Start ?? startLocation;

        switch (Kind)
        {
            case TokenKind.ReservedFunction:
                return ParseFunctionStat(attributes);
            case TokenKind.ReservedLocal:
                return ParseLocal(start, attributes, isConst: false);
            case TokenKind.Name when CurrentName == "const":
                Next();
                return ParseLocal(start, attributes, isConst: true);
            default:
                return ReportStatError(Current.Location, [], [],
                    $"Expected 'function', 'local function', 'const function', 'declare function' or a function type declaration after attribute, but got {Describe(Current)} instead");
        }
    }

    /// <summary>
    /// <c>local function</c>, <c>local names [= values]</c> and their <c>const</c> forms. For <c>local</c> the keyword is
    /// the current token; for <c>const</c> it has already been read.
    /// </summary>
    private AstStat ParseLocal(Location start, AttributeList attributes, bool isConst)
    {
        if (!isConst)
            Next(); // 'local'

        if (Kind == TokenKind.ReservedFunction)
        {
            TokenKind matchKind = Current.Kind;
            Location matchLocation = Current.Location;
            Next();

            // For "local function" on one line, pretend 'function' starts where 'local' does, so that a misplaced
            // 'end' is matched against the indentation of the whole statement.
            if (matchLocation.Begin.Line == start.Begin.Line)
                matchLocation = new Location(new Position(matchLocation.Begin.Line, start.Begin.Column), matchLocation.End);

            Name name = ParseName("variable name");

            _recoveryStop[(int)TokenKind.ReservedEnd]++;
            var (body, variable) = ParseFunctionBody(false, matchKind, matchLocation, name.Value, name, attributes, isConst);
            _recoveryStop[(int)TokenKind.ReservedEnd]--;

            return new LocalFunctionStat(new Location(start.Begin, body.Location.End), variable!, body);
        }

        if (attributes.Start is not null)
        {
            return ReportStatError(Current.Location, [], [],
                $"Expected 'function' after local declaration with attribute, but got {Describe(Current)} instead");
        }

        int bindingMark = _bindings.Mark;
        _recoveryStop['=']++;
        ParseBindingList(allowVararg: false, isConst);
        _recoveryStop['=']--;

        Location? equalsSign = null;
        int valueMark = _exprs.Mark;
        if (Kind == (TokenKind)'=')
        {
            equalsSign = Current.Location;
            Next();
            ParseExprList();
        }
        AstExpr[] values = _exprs.PopToArray(valueMark);

        // The new locals come into scope only after the values, which cannot see them.
        AstLocal[] variables = PushBindings(bindingMark);

        Location end = values.Length == 0 ? _lexer.PreviousLocation : values[^1].Location;
        var node = new LocalStat(new Location(start, end), variables, values, equalsSign);

        // A const that can only ever be nil is a mistake: "const x" or "const a, b = 1".
        if (isConst && !HasEnoughValues(values, variables.Length))
            Report(node.Location, "Missing initializer in const declaration");

        return node;
    }

    private static bool HasEnoughValues(AstExpr[] values, int expected)
    {
        if (values.Length > 0 && values[^1] is CallExpr or VarargsExpr)
            return true;
        return values.Length == expected;
    }

    private ReturnStat ParseReturn()
    {
        Location start = Current.Location;
        Next(); // 'return'

        int mark = _exprs.Mark;
        if (!BlockFollows(Kind) && Kind != (TokenKind)';')
            ParseExprList();
        AstExpr[] list = _exprs.PopToArray(mark);

        Location end = list.Length == 0 ? start : list[^1].Location;
        return new ReturnStat(new Location(start, end), list);
    }

    private AstStat ParseTypeAlias(Location start, bool exported)
    {
        if (Kind == TokenKind.ReservedFunction)
            return ParseTypeFunction(start, exported);

        Name name = ParseNameOpt("type name") ?? ErrorNameAt(Current.Location);

        var (generics, genericPacks) = ParseGenericTypeList(withDefaultValues: true);

        ExpectAndConsume('=', "type alias");
        AstType type = ParseType();

        return new TypeAliasStat(new Location(start, type.Location), name.Value, name.Location, generics, genericPacks, type, exported);
    }

    private TypeFunctionStat ParseTypeFunction(Location start, bool exported)
    {
        Token matchFunction = Current;
        Next(); // 'function'

        Name name = ParseNameOpt("type function name") ?? ErrorNameAt(Current.Location);

        _recoveryStop[(int)TokenKind.ReservedEnd]++;
        int savedDepth = _typeFunctionDepth;
        _typeFunctionDepth = _functionCount;

        FunctionExpr body = ParseFunctionBody(false, matchFunction.Kind, matchFunction.Location, name.Value, null, AttributeList.None, isConst: false).Function;

        _typeFunctionDepth = savedDepth;
        _recoveryStop[(int)TokenKind.ReservedEnd]--;

        return new TypeFunctionStat(new Location(start, body.Location), name.Value, name.Location, body, exported);
    }

    private AstStat ParseAssignment(AstExpr first)
    {
        if (!IsAssignable(first))
            first = ReportAssignmentTargetError(first);

        int varMark = _exprs.Mark;
        _exprs.Push(first);

        while (Kind == (TokenKind)',')
        {
            Next();
            AstExpr target = ParsePrimaryExpr(asStatement: true);
            if (!IsAssignable(target))
                target = ReportAssignmentTargetError(target);
            _exprs.Push(target);
        }

        ExpectAndConsume('=', "assignment");

        int valueMark = _exprs.Mark;
        ParseExprList();
        AstExpr[] values = _exprs.PopToArray(valueMark);
        AstExpr[] targets = _exprs.PopToArray(varMark);

        return new AssignStat(new Location(first.Location, values[^1].Location), targets, values);
    }

    private CompoundAssignStat ParseCompoundAssignment(AstExpr target, BinaryOp op)
    {
        if (!IsAssignable(target))
            target = ReportAssignmentTargetError(target);

        Next(); // the operator

        AstExpr value = ParseExpr();
        return new CompoundAssignStat(new Location(target.Location, value.Location), op, target, value);
    }

    private static BinaryOp? CompoundOpOf(TokenKind kind) => kind switch
    {
        TokenKind.AddAssign => BinaryOp.Add,
        TokenKind.SubAssign => BinaryOp.Sub,
        TokenKind.MulAssign => BinaryOp.Mul,
        TokenKind.DivAssign => BinaryOp.Div,
        TokenKind.FloorDivAssign => BinaryOp.FloorDiv,
        TokenKind.ModAssign => BinaryOp.Mod,
        TokenKind.PowAssign => BinaryOp.Pow,
        TokenKind.ConcatAssign => BinaryOp.Concat,
        _ => null,
    };

    // ----- Attributes -----

    /// <summary>
    /// The attributes before a function. <see cref="Start"/> is where the first one begins, also when it was invalid
    /// (invalid attributes are reported and left out of <see cref="Items"/>).
    /// </summary>
    private readonly record struct AttributeList(AstAttribute[] Items, Location? Start)
    {
        public static AttributeList None => new([], null);
    }

    private AttributeList ParseAttributes()
    {
        int mark = _attributes.Mark;
        Location? start = null;
        while (Kind == TokenKind.Attribute || Kind == TokenKind.AttributeOpen)
        {
            if (Kind == TokenKind.Attribute)
                ParseAttribute(mark, ref start);
            else
                ParseAttributeList(mark, ref start);
        }
        return new AttributeList(_attributes.PopToArray(mark), start);
    }

    /// <summary><c>@name</c></summary>
    private void ParseAttribute(int mark, ref Location? start)
    {
        Location location = Current.Location;
        start ??= location;
        string name = CurrentName;
        AttributeKind? kind = ValidateAttribute(location, name, mark, []);
        Next();

        // Unknown attributes are reported and left out of the tree.
        if (kind is AttributeKind k)
            _attributes.Push(new AstAttribute(location, k, name, []));
    }

    /// <summary><c>@[name, name(args), ...]</c></summary>
    private void ParseAttributeList(int mark, ref Location? start)
    {
        Token open = Current;
        Next(); // '@['

        if (Kind != (TokenKind)']')
        {
            while (true)
            {
                Name name = ParseName("attribute name");

                if (Kind is TokenKind.RawString or TokenKind.QuotedString or (TokenKind)'{' or (TokenKind)'(')
                {
                    var (args, argsLocation) = ParseCallList();
                    foreach (AstExpr arg in args)
                    {
                        if (!IsConstantLiteral(arg) && !IsLiteralTable(arg))
                            Report(argsLocation, "Only literals can be passed as arguments for attributes");
                    }

                    AttributeKind? kind = ValidateAttribute(name.Location, name.Value, mark, args);
                    var location = new Location(name.Location, argsLocation);
                    start ??= location;
                    if (kind is AttributeKind k)
                        _attributes.Push(new AstAttribute(location, k, name.Value, args));
                }
                else
                {
                    AttributeKind? kind = ValidateAttribute(name.Location, name.Value, mark, []);
                    start ??= name.Location;
                    if (kind is AttributeKind k)
                        _attributes.Push(new AstAttribute(name.Location, k, name.Value, []));
                }

                if (Kind != (TokenKind)',')
                    break;
                Next();
            }
        }
        else
        {
            var location = new Location(open.Location, Current.Location);
            start ??= location;
            Report(location, "Attribute list cannot be empty");
        }

        ExpectMatchAndConsume(']', MatchToken.Of(open));
    }

    private static bool IsConstantLiteral(AstExpr expr) => expr is NilExpr or BooleanExpr or NumberExpr or StringExpr or NumberListExpr;

    private static bool IsLiteralTable(AstExpr expr)
    {
        if (expr is not TableExpr table)
            return false;
        foreach (TableItem item in table.Items)
        {
            if (item.Kind == TableItemKind.General)
                return false;
            if (!IsConstantLiteral(item.Value) && !IsLiteralTable(item.Value))
                return false;
        }
        return true;
    }

    private AttributeKind? ValidateAttribute(Location location, string name, int mark, AstExpr[] args)
    {
        AttributeKind? kind = name switch
        {
            "checked" => AttributeKind.Checked,
            "native" => AttributeKind.Native,
            "deprecated" => AttributeKind.Deprecated,
            "debugnoinline" when _options.DebugNoinlineAttribute => AttributeKind.DebugNoinline,
            _ => null,
        };

        if (kind is null)
        {
            Report(location, name.Length == 0 ? "Attribute name is missing" : $"Invalid attribute '@{name}'");
            return null;
        }

        for (int i = mark; i < _attributes.Mark; i++)
        {
            if (_attributes[i].Kind == kind)
                Report(location, $"Cannot duplicate attribute '@{name}'");
        }

        if (kind == AttributeKind.Deprecated)
            ValidateDeprecatedArguments(location, args);

        return kind;
    }

    /// <summary>@deprecated takes nothing, or one table literal with string fields 'use' and 'reason'.</summary>
    private void ValidateDeprecatedArguments(Location location, AstExpr[] args)
    {
        if (args.Length == 0)
            return;
        if (args.Length > 1)
        {
            Report(location, "@deprecated can be parametrized only by 1 argument");
            return;
        }
        if (args[0] is not TableExpr table)
        {
            Report(args[0].Location, "Unknown argument type for @deprecated");
            return;
        }

        foreach (TableItem item in table.Items)
        {
            if (item.Kind == TableItemKind.Record && item.Key is StringExpr keyExpr)
            {
                string key = System.Text.Encoding.UTF8.GetString(keyExpr.Value);
                if (key != "use" && key != "reason")
                    Report(keyExpr.Location, $"Unknown argument '{key}' for @deprecated. Only string constants for 'use' and 'reason' are allowed");
                else if (item.Value is not StringExpr)
                    Report(item.Value.Location, $"Only constant string allowed as value for '{key}'");
            }
            else
            {
                Report(item.Value.Location, "Only constants keys 'use' and 'reason' are allowed for @deprecated attribute");
            }
        }
    }
}

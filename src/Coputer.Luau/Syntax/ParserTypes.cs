using System.Text;

namespace Coputer.Luau.Syntax;

public sealed partial class Parser
{
    private static bool IsTypeFollow(TokenKind kind) => kind == (TokenKind)'|' || kind == (TokenKind)'?' || kind == (TokenKind)'&';

    /// <summary>True at '...' or at 'Name...': the start of a variadic or generic type pack.</summary>
    private bool AtTypePack() =>
        Kind == TokenKind.Dot3 || (Kind == TokenKind.Name && PeekKind() == TokenKind.Dot3);

    private AstType? ParseOptionalType()
    {
        if (Kind != (TokenKind)':')
            return null;
        Next();
        return ParseType();
    }

    /// <summary>
    /// TypeList ::= Type [',' TypeList] | ...Type | Name... ; pushes the types (and, once one has a name, a name slot
    /// for each type) and returns the trailing pack if any.
    /// </summary>
    private AstTypePack? ParseTypeList(int typeMark, int nameMark)
    {
        while (true)
        {
            if (AtTypePack())
                return ParseTypePack();

            if (Kind == TokenKind.Name && PeekKind() == (TokenKind)':')
            {
                // The first named entry: earlier ones get empty name slots.
                while (_argNames.Mark - nameMark < _types.Mark - typeMark)
                    _argNames.Push(null);

                _argNames.Push(new AstArgumentName(CurrentName, Current.Location));
                Next();
                ExpectAndConsume(':', null);
            }
            else if (_argNames.Mark > nameMark)
            {
                _argNames.Push(null);
            }

            _types.Push(ParseType());

            if (Kind != (TokenKind)',')
                break;
            Next();

            if (Kind == (TokenKind)')')
            {
                Report(Current.Location, "Expected type after ',' but got ')' instead");
                break;
            }
        }
        return null;
    }

    /// <summary>One name slot per type, null where none was written.</summary>
    private AstArgumentName?[] PopArgumentNames(int nameMark, int typeCount)
    {
        int named = _argNames.Mark - nameMark;
        if (named == 0)
            return typeCount == 0 ? [] : new AstArgumentName?[typeCount];

        AstArgumentName?[] names = _argNames.PopToArray(nameMark);
        if (names.Length < typeCount)
            Array.Resize(ref names, typeCount);
        return names;
    }

    private AstTypePack? ParseOptionalReturnType()
    {
        if (Kind != (TokenKind)':' && Kind != TokenKind.SkinnyArrow)
            return null;

        if (Kind == TokenKind.SkinnyArrow)
            Report(Current.Location, "Function return type annotations are written after ':' instead of '->'");
        Next();

        int saved = _recursion;
        AstTypePack result = ParseReturnType();

        // "f(): A, B" is a likely attempt at multiple return types without parentheses.
        if (Kind == (TokenKind)',')
        {
            Report(Current.Location, "Expected a statement, got ','; did you forget to wrap the list of return types in parentheses?");
            Next();
        }

        _recursion = saved;
        return result;
    }

    /// <summary>ReturnType ::= Type | '(' TypeList ')' | a function type.</summary>
    private AstTypePack ParseReturnType()
    {
        IncrementRecursion("type annotation");

        Token begin = Current;

        if (Kind != (TokenKind)'(')
        {
            if (AtTypePack())
                return ParseTypePack();

            AstType type = ParseType();
            return new ExplicitTypePack(type.Location, new AstTypeList([type], null));
        }

        Next(); // '('

        _recoveryStop[(int)TokenKind.SkinnyArrow]++;

        int typeMark = _types.Mark;
        int nameMark = _argNames.Mark;
        AstTypePack? tail = null;
        if (Kind != (TokenKind)')')
            tail = ParseTypeList(typeMark, nameMark);

        var location = new Location(begin.Location, Current.Location);
        ExpectMatchAndConsume(')', MatchToken.Of(begin), searchForMissing: true);

        _recoveryStop[(int)TokenKind.SkinnyArrow]--;

        int typeCount = _types.Mark - typeMark;
        if (Kind != TokenKind.SkinnyArrow && _argNames.Mark == nameMark)
        {
            if (typeCount == 1)
            {
                // "(A)" may continue as a union or intersection; the parentheses then group A.
                AstType only = _types[typeMark];
                _types.PopTo(typeMark);

                AstType inner = tail is null && IsTypeFollow(Kind) ? new GroupType(location, only) : only;
                AstType returnType = ParseTypeSuffix(inner, begin.Location);
                return new ExplicitTypePack(location, new AstTypeList([returnType], tail));
            }

            return new ExplicitTypePack(location, new AstTypeList(_types.PopToArray(typeMark), tail));
        }

        AstType[] parameters = _types.PopToArray(typeMark);
        AstArgumentName?[] names = PopArgumentNames(nameMark, parameters.Length);
        AstType function = ParseFunctionTypeTail(begin.Location, [], [], [], parameters, names, tail);
        return new ExplicitTypePack(new Location(location, function.Location), new AstTypeList([function], null));
    }

    private AstType ParseFunctionTypeTail(
        Location begin, AstAttribute[] attributes, AstGenericType[] generics, AstGenericTypePack[] genericPacks,
        AstType[] parameters, AstArgumentName?[] names, AstTypePack? tail)
    {
        IncrementRecursion("type annotation");

        if (Kind == (TokenKind)':')
        {
            Report(Current.Location, "Return types in function type annotations are written after '->' instead of ':'");
            Next();
        }
        else if (Kind != TokenKind.SkinnyArrow && generics.Length == 0 && genericPacks.Length == 0 && parameters.Length == 0)
        {
            // "()" where a type was expected: probably meant nil.
            Report(new Location(begin, _lexer.PreviousLocation), "Expected '->' after '()' when parsing function type; did you mean 'nil'?");
            return new ReferenceType(begin, null, null, "nil", begin, [], false);
        }
        else
        {
            ExpectAndConsume(TokenKind.SkinnyArrow, "function type");
        }

        AstTypePack returnTypes = ParseReturnType();
        return new FunctionType(new Location(begin, returnTypes.Location), attributes, generics, genericPacks,
            new AstTypeList(parameters, tail), names, returnTypes);
    }

    /// <summary>
    /// Unions, intersections and optionals after a first part (<paramref name="type"/>, or null after a leading '|'
    /// or '&amp;'). <c>T?</c> becomes an <see cref="OptionalType"/> around its part.
    /// </summary>
    private AstType ParseTypeSuffix(AstType? type, Location begin)
    {
        int mark = _types.Mark;
        if (type is not null)
            _types.Push(type);

        IncrementRecursion("type annotation");

        bool isUnion = false;
        bool isIntersection = false;
        bool hasOptional = false;

        while (true)
        {
            TokenKind kind = Kind;
            if (kind == (TokenKind)'|')
            {
                Next();
                int saved = _recursion;
                _types.Push(ParseSimpleType(allowPack: false).Type!);
                _recursion = saved;
                isUnion = true;
            }
            else if (kind == (TokenKind)'?')
            {
                Location question = Current.Location;
                Next();
                int last = _types.Mark - 1;
                AstType part = _types[last];
                _types.PopTo(last);
                _types.Push(new OptionalType(new Location(part.Location, question), part));
                hasOptional = true;
            }
            else if (kind == (TokenKind)'&')
            {
                Next();
                int saved = _recursion;
                _types.Push(ParseSimpleType(allowPack: false).Type!);
                _recursion = saved;
                isIntersection = true;
            }
            else if (kind == TokenKind.Dot3)
            {
                Report(Current.Location, "Unexpected '...' after type annotation");
                Next();
            }
            else
            {
                break;
            }

            if (_types.Mark - mark > _options.TypeLengthLimit)
            {
                throw new FatalParseException(new ParseError(_types[_types.Mark - 1].Location,
                    "Exceeded allowed type length; simplify your type annotation to make the code compile"));
            }
        }

        int count = _types.Mark - mark;
        if (count == 1 && !isUnion && !isIntersection)
        {
            AstType single = _types[mark];
            _types.PopTo(mark);

            // A lone "T?" spans from where the type began, like a union would (this differs from T's own start
            // when T is the group of "X<(T)?>").
            if (hasOptional)
                single.Location = new Location(begin.Begin, single.Location.End);
            return single;
        }

        AstType[] parts = _types.PopToArray(mark);
        if ((isUnion || hasOptional) && isIntersection)
        {
            return ReportTypeError(new Location(begin, parts[^1].Location), parts,
                "Mixing union and intersection types is not allowed; consider wrapping in parentheses.");
        }

        var location = new Location(begin, parts[^1].Location);
        if (isUnion)
            return new UnionType(location, parts);
        return new IntersectionType(location, parts);
    }

    private (AstType? Type, AstTypePack? Pack) ParseSimpleTypeOrPack()
    {
        int saved = _recursion;
        Location begin = Current.Location;

        var (type, pack) = ParseSimpleType(allowPack: true);
        if (pack is not null)
            return (null, pack);

        _recursion = saved;
        return (ParseTypeSuffix(type, begin), null);
    }

    private AstType ParseType()
    {
        int saved = _recursion;
        Location begin = Current.Location;

        AstType? type = null;
        if (Kind != (TokenKind)'|' && Kind != (TokenKind)'&')
        {
            type = ParseSimpleType(allowPack: false).Type;
            _recursion = saved;
        }

        AstType result = ParseTypeSuffix(type, begin);
        _recursion = saved;
        return result;
    }

    /// <summary>
    /// A type without union or intersection suffixes. With <paramref name="allowPack"/>, a parenthesised list that is
    /// not followed by '->' is returned as a type pack instead.
    /// </summary>
    private (AstType? Type, AstTypePack? Pack) ParseSimpleType(bool allowPack)
    {
        IncrementRecursion("type annotation");

        Location start = Current.Location;

        switch (Kind)
        {
            case TokenKind.Attribute:
            case TokenKind.AttributeOpen:
                // Attributes on function types belong to declaration files only.
                return (ReportTypeError(start, [], "attributes are not allowed in declaration context"), null);

            case TokenKind.ReservedNil:
                Next();
                return (new ReferenceType(start, null, null, "nil", start, [], false), null);

            case TokenKind.ReservedTrue:
                Next();
                return (new SingletonBoolType(start, true), null);

            case TokenKind.ReservedFalse:
                Next();
                return (new SingletonBoolType(start, false), null);

            case TokenKind.RawString:
            case TokenKind.QuotedString:
                {
                    byte[]? value = ReadStringValue();
                    if (value is null)
                        return (ReportTypeError(start, [], "String literal contains malformed escape sequence"), null);
                    return (new SingletonStringType(start, value), null);
                }

            case TokenKind.InterpStringBegin:
            case TokenKind.InterpStringSimple:
                ParseInterpString();
                return (ReportTypeError(start, [], "Interpolated string literals cannot be used as types"), null);

            case TokenKind.BrokenString:
                Next();
                return (ReportTypeError(start, [], "Malformed string; did you forget to finish it?"), null);

            case TokenKind.Name:
                return (ParseTypeReference(start), null);

            case (TokenKind)'{':
                return (ParseTableType(), null);

            case (TokenKind)'(':
            case (TokenKind)'<':
                return ParseFunctionType(allowPack, []);

            case TokenKind.ReservedFunction:
                Next();
                return (ReportTypeError(start, [],
                    "Using 'function' as a type annotation is not supported, consider replacing with a function type annotation e.g. '(...any) -> ...any'"), null);

            default:
                {
                    // The tree's error node covers the gap before the offending token; the message points at the token.
                    Location gap = new(_lexer.PreviousLocation.End, start.Begin);
                    Location reported = new(_lexer.PreviousLocation.End, start.End);
                    Report(reported, $"Expected type, got {Describe(Current)}");
                    return (new ErrorType(gap, [], _errors.Count - 1), null);
                }
        }
    }

    /// <summary>Name ['.' Name] ['&lt;' params '&gt;'], or typeof(expr).</summary>
    private AstType ParseTypeReference(Location start)
    {
        string? prefix = null;
        Location? prefixLocation = null;
        Name name = ParseName("type name");

        if (Kind == (TokenKind)'.')
        {
            Position dot = Current.Location.Begin;
            Next();
            prefix = name.Value;
            prefixLocation = name.Location;
            name = ParseIndexName("field name", dot);
        }
        else if (Kind == TokenKind.Dot3)
        {
            Report(Current.Location, "Unexpected '...' after type name; type pack is not allowed in this context");
            Next();
        }
        else if (name.Value == "typeof")
        {
            MatchToken open = MatchToken.Of(Current);
            ExpectAndConsume('(', "typeof type");
            AstExpr expr = ParseExpr();
            Location end = Current.Location;
            ExpectMatchAndConsume(')', open);
            return new TypeofType(new Location(start, end), expr);
        }

        bool hasParameters = false;
        AstTypeOrPack[] parameters = [];
        if (Kind == (TokenKind)'<')
        {
            hasParameters = true;
            parameters = ParseTypeParams();
        }

        return new ReferenceType(new Location(start, _lexer.PreviousLocation), prefix, prefixLocation, name.Value, name.Location, parameters, hasParameters);
    }

    /// <summary>TableType ::= '{' [PropList] '}' where each entry is [read|write] Name ':' Type or [read|write] '[' Type ']' ':' Type.</summary>
    private AstType ParseTableType()
    {
        IncrementRecursion("type annotation");

        int mark = _tableProps.Mark;
        AstTableIndexer? indexer = null;
        bool isArray = false;

        Location start = Current.Location;
        MatchToken matchBrace = MatchToken.Of(Current);
        ExpectAndConsume('{', "table type");

        while (Kind != (TokenKind)'}')
        {
            TableAccess access = TableAccess.ReadWrite;
            Location? accessLocation = null;

            if (Kind == TokenKind.Name && PeekKind() != (TokenKind)':')
            {
                if (CurrentName == "read")
                {
                    accessLocation = Current.Location;
                    access = TableAccess.Read;
                    Next();
                }
                else if (CurrentName == "write")
                {
                    accessLocation = Current.Location;
                    access = TableAccess.Write;
                    Next();
                }
            }

            if (Kind == (TokenKind)'[')
            {
                Token begin = Current;
                Next();

                if ((Kind == TokenKind.RawString || Kind == TokenKind.QuotedString) && PeekKind() == (TokenKind)']')
                {
                    // ["name"]: T is a property with any string as its name.
                    byte[]? chars = ReadStringValue();
                    ExpectMatchAndConsume(']', MatchToken.Of(begin));
                    ExpectAndConsume(':', "table field");
                    AstType type = ParseType();

                    if (chars is not null && Array.IndexOf(chars, (byte)0) < 0)
                        _tableProps.Push(new AstTableProp(Encoding.Latin1.GetString(chars), begin.Location, type, access, accessLocation));
                    else
                        Report(begin.Location, "String literal contains malformed escape sequence or \\0");
                }
                else if (indexer is not null)
                {
                    AstTableIndexer extra = ParseTableIndexer(access, accessLocation, begin);
                    Report(extra.Location, "Cannot have more than one table indexer");
                }
                else
                {
                    indexer = ParseTableIndexer(access, accessLocation, begin);
                }
            }
            else if (_tableProps.Mark == mark && indexer is null && !(Kind == TokenKind.Name && PeekKind() == (TokenKind)':'))
            {
                // {T} is shorthand for {[number]: T}.
                AstType type = ParseType();
                isArray = true;
                var numberLocation = new Location(start.Begin, start.Begin);
                var index = new ReferenceType(numberLocation, null, null, "number", numberLocation, [], false);
                indexer = new AstTableIndexer(index, type, type.Location, access, accessLocation);
                break;
            }
            else
            {
                if (ParseNameOpt("table field") is not Name name)
                    break;

                ExpectAndConsume(':', "table field");
                AstType type = ParseType();
                _tableProps.Push(new AstTableProp(name.Value, name.Location, type, access, accessLocation));
            }

            if (Kind == (TokenKind)',' || Kind == (TokenKind)';')
                Next();
            else if (Kind != (TokenKind)'}')
                break;
        }

        Location end = Current.Location;
        if (!ExpectMatchAndConsume('}', matchBrace, searchForMissing: true))
            end = _lexer.PreviousLocation;

        return new TableType(new Location(start, end), _tableProps.PopToArray(mark), indexer, isArray);
    }

    private AstTableIndexer ParseTableIndexer(TableAccess access, Location? accessLocation, in Token begin)
    {
        AstType index = ParseType();
        ExpectMatchAndConsume(']', MatchToken.Of(begin));
        ExpectAndConsume(':', "table field");
        AstType result = ParseType();
        return new AstTableIndexer(index, result, new Location(begin.Location, result.Location), access, accessLocation);
    }

    /// <summary>
    /// FunctionType ::= ['&lt;' generics '&gt;'] '(' [TypeList] ')' '->' ReturnType. A parenthesised type or pack that
    /// turns out not to be a function is returned as a group or a pack.
    /// </summary>
    private (AstType? Type, AstTypePack? Pack) ParseFunctionType(bool allowPack, AstAttribute[] attributes)
    {
        IncrementRecursion("type annotation");

        bool forceFunction = Kind == (TokenKind)'<';
        Location begin = Current.Location;

        var (generics, genericPacks) = ParseGenericTypeList(withDefaultValues: false);

        Token parameterStart = Current;
        ExpectAndConsume('(', "function parameters");

        _recoveryStop[(int)TokenKind.SkinnyArrow]++;

        int typeMark = _types.Mark;
        int nameMark = _argNames.Mark;
        AstTypePack? tail = null;
        if (Kind != (TokenKind)')')
            tail = ParseTypeList(typeMark, nameMark);

        Location closeLocation = Current.Location;
        ExpectMatchAndConsume(')', MatchToken.Of(parameterStart), searchForMissing: true);

        _recoveryStop[(int)TokenKind.SkinnyArrow]--;

        AstType[] parameters = _types.PopToArray(typeMark);
        bool named = _argNames.Mark > nameMark;
        AstArgumentName?[] names = PopArgumentNames(nameMark, parameters.Length);

        if (named)
            forceFunction = true;

        bool returnFollows = Kind == TokenKind.SkinnyArrow || Kind == (TokenKind)':';

        if (parameters.Length == 1 && tail is null && !forceFunction && !returnFollows)
        {
            if (allowPack)
                return (null, new ExplicitTypePack(begin, new AstTypeList(parameters, null)));
            return (new GroupType(new Location(parameterStart.Location, closeLocation), parameters[0]), null);
        }

        if (!forceFunction && !returnFollows && allowPack)
            return (null, new ExplicitTypePack(begin, new AstTypeList(parameters, tail)));

        return (ParseFunctionTypeTail(begin, attributes, generics, genericPacks, parameters, names, tail), null);
    }

    /// <summary>After ':' on '...': a generic pack 'T...' or the variadic element type.</summary>
    private AstTypePack ParseVariadicArgumentTypePack()
    {
        if (Kind == TokenKind.Name && PeekKind() == TokenKind.Dot3)
            return ParseGenericTypePackName();

        AstType type = ParseType();
        return new VariadicTypePack(type.Location, type);
    }

    /// <summary>'...' Type or Name '...'; only called where <see cref="AtTypePack"/> holds.</summary>
    private AstTypePack ParseTypePack()
    {
        if (Kind == TokenKind.Dot3)
        {
            Location start = Current.Location;
            Next();
            AstType type = ParseType();
            return new VariadicTypePack(new Location(start, type.Location), type);
        }
        return ParseGenericTypePackName();
    }

    private GenericTypePack ParseGenericTypePackName()
    {
        Name name = ParseName("generic name");
        Location end = Current.Location;
        ExpectAndConsume(TokenKind.Dot3, "generic type pack annotation");
        return new GenericTypePack(new Location(name.Location, end), name.Value);
    }

    /// <summary>'&lt;' T, U = Default, V..., W... = Pack '&gt;' (defaults only where <paramref name="withDefaultValues"/>).</summary>
    private (AstGenericType[] Generics, AstGenericTypePack[] Packs) ParseGenericTypeList(bool withDefaultValues)
    {
        if (Kind != (TokenKind)'<')
            return ([], []);

        int typeMark = _generics.Mark;
        int packMark = _genericPacks.Mark;

        MatchToken begin = MatchToken.Of(Current);
        Next();

        bool seenPack = false;
        bool seenDefault = false;

        while (true)
        {
            Location nameLocation = Current.Location;
            string name = ParseName(null).Value;

            if (Kind == TokenKind.Dot3 || seenPack)
            {
                seenPack = true;

                if (Kind != TokenKind.Dot3)
                    Report(Current.Location, "Generic types come before generic type packs");
                else
                    Next();

                if (withDefaultValues && Kind == (TokenKind)'=')
                {
                    seenDefault = true;
                    Next();

                    AstTypePack? pack;
                    if (AtTypePack())
                    {
                        pack = ParseTypePack();
                    }
                    else
                    {
                        (AstType? type, pack) = ParseSimpleTypeOrPack();
                        if (type is not null)
                            Report(type.Location, "Expected type pack after '=', got type");
                    }
                    _genericPacks.Push(new AstGenericTypePack(nameLocation, name, pack));
                }
                else
                {
                    if (seenDefault)
                        Report(Current.Location, "Expected default type pack after type pack name");
                    _genericPacks.Push(new AstGenericTypePack(nameLocation, name, null));
                }
            }
            else
            {
                if (withDefaultValues && Kind == (TokenKind)'=')
                {
                    seenDefault = true;
                    Next();
                    _generics.Push(new AstGenericType(nameLocation, name, ParseType()));
                }
                else
                {
                    if (seenDefault)
                        Report(Current.Location, "Expected default type after type name");
                    _generics.Push(new AstGenericType(nameLocation, name, null));
                }
            }

            if (Kind != (TokenKind)',')
                break;
            Next();
            if (Kind == (TokenKind)'>')
            {
                Report(Current.Location, "Expected type after ',' but got '>' instead");
                break;
            }
        }

        ExpectMatchAndConsume('>', begin);

        return (_generics.PopToArray(typeMark), _genericPacks.PopToArray(packMark));
    }

    /// <summary>'&lt;' (Type | TypePack) {',' ...} '&gt;': the arguments of a generic type or an explicit instantiation.</summary>
    private AstTypeOrPack[] ParseTypeParams()
    {
        if (Kind != (TokenKind)'<')
            return [];

        int mark = _typeArgs.Mark;
        MatchToken begin = MatchToken.Of(Current);
        Next();

        while (true)
        {
            if (AtTypePack())
            {
                _typeArgs.Push(new AstTypeOrPack(null, ParseTypePack()));
            }
            else if (Kind == (TokenKind)'(')
            {
                Location partBegin = Current.Location;
                var (type, pack) = ParseSimpleType(allowPack: true);

                if (pack is not null)
                {
                    // "(T)" is a one-element pack unless a union, intersection or '?' follows: then it was a group.
                    if (pack is ExplicitTypePack { TypeList: { TailType: null, Types.Length: 1 } list } && IsTypeFollow(Kind))
                    {
                        AstType inner = list.Types[0];
                        var group = new GroupType(inner.Location, inner);
                        _typeArgs.Push(new AstTypeOrPack(ParseTypeSuffix(group, partBegin), null));
                    }
                    else
                    {
                        _typeArgs.Push(new AstTypeOrPack(null, pack));
                    }
                }
                else
                {
                    _typeArgs.Push(new AstTypeOrPack(ParseTypeSuffix(type, partBegin), null));
                }
            }
            else if (Kind == (TokenKind)'>' && _typeArgs.Mark == mark)
            {
                break;
            }
            else
            {
                _typeArgs.Push(new AstTypeOrPack(ParseType(), null));
            }

            if (Kind != (TokenKind)',')
                break;
            Next();
        }

        ExpectMatchAndConsume('>', begin);
        return _typeArgs.PopToArray(mark);
    }
}

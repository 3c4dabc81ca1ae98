using System.Runtime.CompilerServices;
using Coputer.Luau.Syntax;

namespace Coputer.Tooling.Formatting;

internal sealed partial class DocBuilder
{
    private Doc Type(AstType type)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        Doc leading = Inline(type.Location.Begin);
        Doc doc = TypeCore(type);
        return leading == Doc.Empty ? doc : D.Concat(leading, doc);
    }

    private Doc TypeCore(AstType type)
    {
        switch (type)
        {
            case ReferenceType reference:
                {
                    var parts = new List<Doc>();
                    if (reference.PrefixLocation is { } prefix)
                        parts.Add(D.Concat(Source(prefix), Text(".")));
                    parts.Add(Source(reference.NameLocation));
                    if (reference.HasParameterList || reference.Parameters.Length > 0)
                        parts.Add(D.Concat(Text("<"), TypeOrPackList(reference.Parameters), Inline(BracketBefore(reference.Location.End)), Text(">")));
                    return D.Concat(parts);
                }
            case TableType table:
                return TableType(table);
            case FunctionType function:
                return FunctionType(function);
            case TypeofType typeOf:
                return D.Concat(Text("typeof("), Expr(typeOf.Expr), Inline(BracketBefore(typeOf.Location.End)), Text(")"));
            case OptionalType optional:
                return D.Concat(Type(optional.Type), Text("?"));
            case UnionType union:
                return Composite(union.Types, "|");
            case IntersectionType intersection:
                return Composite(intersection.Types, "&");
            case SingletonBoolType boolean:
                return Text(boolean.Value ? "true" : "false");
            case SingletonStringType:
                return TextDoc.Of(StringQuotes.Requote(_src.Slice(type.Location), _options.QuoteStyle));
            case GroupType group:
                return D.Concat(Text("("), Type(group.Type), Inline(BracketBefore(group.Location.End)), Text(")"));
            default:
                throw new InvalidOperationException($"cannot format a {type.GetType().Name}");
        }
    }

    /// <summary><c>A | B | C</c>, breaking before each operator when too long. A single part keeps its leading operator.</summary>
    private Doc Composite(AstType[] parts, string op)
    {
        if (parts.Length == 1)
            return D.Concat(Text(op + " "), Type(parts[0]));
        var rest = new List<Doc>();
        Doc first = Type(parts[0]);
        for (int i = 1; i < parts.Length; i++)
            rest.Add(D.Concat(Trailing(parts[i - 1].Location.End.Line, parts[i].Location.Begin), LineDoc.Space, Text(op + " "), Type(parts[i])));
        return D.Group(D.Concat(first, D.Indent(D.Concat(rest))));
    }

    private Doc TypeOrPackList(AstTypeOrPack[] list)
    {
        var items = new List<Doc>(list.Length);
        foreach (AstTypeOrPack item in list)
            items.Add(item.Type is { } t ? Type(t) : Pack(item.TypePack!));
        return D.Join(Text(", "), items);
    }

    private Doc TypeArguments(AstTypeOrPack[] arguments, Position before)
    {
        // Never broken: a call's '(' must be on the line where its callee (without the type arguments) ends.
        Doc list = TypeOrPackList(arguments);
        return new FlatDoc(D.Concat(Text("<<"), list, Inline(before), Text(">>")));
    }

    private Doc TableType(TableType table)
    {
        Position closer = BracketBefore(table.Location.End);
        if (table.IsArray && table.Indexer is { } array && table.Props.Length == 0)
            return D.Concat(Text("{ "), Access(array.Access), Type(array.ResultType), Inline(closer), Text(" }"));

        var entries = new List<object>(table.Props);
        if (table.Indexer is not null)
            entries.Add(table.Indexer);
        // Entries in source order (an indexer may come before properties).
        entries.Sort((a, b) => EntryLocation(a).Begin.CompareTo(EntryLocation(b).Begin));
        return Bracketed("{", entries, TableEntry, EntryLocation, "}", closer, spaces: true, trailingComma: true);
    }

    private static Location EntryLocation(object entry) => entry switch
    {
        AstTableProp p => new Location(p.AccessLocation?.Begin ?? p.Location.Begin, p.Type.Location.End),
        AstTableIndexer i => new Location(i.AccessLocation?.Begin ?? i.Location.Begin, i.ResultType.Location.End),
        _ => default,
    };

    private Doc TableEntry(object entry)
    {
        if (entry is AstTableIndexer indexer)
        {
            Position open = TokenBefore(indexer.IndexType.Location.Begin).Location.Begin;
            return D.Concat(
                Access(indexer.Access), Inline(open), Text("["), Type(indexer.IndexType), Text("]: "), Type(indexer.ResultType));
        }
        var prop = (AstTableProp)entry;
        // The key as written: a name, or ["string"]; everything from after the access keyword up to the ':'.
        Position keyStart = prop.AccessLocation is { } access ? TokenAtOrAfter(access.End) is int k ? _tokens[k].Location.Begin : prop.Location.Begin : prop.Location.Begin;
        Position colon = TokenBefore(prop.Type.Location.Begin).Location.Begin;
        return D.Concat(Access(prop.Access), TokensAsWritten(keyStart, colon), Text(": "), Type(prop.Type));
    }

    private static Doc Access(TableAccess access) => access switch
    {
        TableAccess.Read => D.Text("read "),
        TableAccess.Write => D.Text("write "),
        _ => Doc.Empty,
    };

    private Doc FunctionType(FunctionType function)
    {
        var parts = new List<Doc>();
        if (function.Attributes.Length > 0)
            parts.Add(D.Concat(AttributesAsWritten(function.Attributes), Text(" ")));
        parts.Add(Generics(function.Generics, function.GenericPacks));

        var args = new List<int>();
        for (int i = 0; i < function.ArgTypes.Types.Length; i++)
            args.Add(i);
        if (function.ArgTypes.TailType is not null)
            args.Add(-1);
        Position arrow = TokenBefore(function.ReturnTypes.Location.Begin).Location.Begin;
        Position close = TokenBefore(arrow).Location.Begin;
        parts.Add(Bracketed("(", args, i => FunctionTypeArgument(function, i), i => FunctionTypeArgumentSpan(function, i), ")", close));
        parts.Add(Text(" -> "));
        parts.Add(ReturnPack(function.ReturnTypes));
        return D.Concat(parts);
    }

    private Doc FunctionTypeArgument(FunctionType function, int i)
    {
        if (i < 0)
            return Pack(function.ArgTypes.TailType!);
        Doc type = Type(function.ArgTypes.Types[i]);
        if (i < function.ArgNames.Length && function.ArgNames[i] is AstArgumentName name)
            return D.Concat(Inline(name.Location.Begin), Source(name.Location), Text(": "), type);
        return type;
    }

    private static Location FunctionTypeArgumentSpan(FunctionType function, int i)
    {
        if (i < 0)
            return function.ArgTypes.TailType!.Location;
        Location type = function.ArgTypes.Types[i].Location;
        return i < function.ArgNames.Length && function.ArgNames[i] is AstArgumentName name ? new Location(name.Location.Begin, type.End) : type;
    }

    private Doc Pack(AstTypePack pack)
    {
        Doc leading = Inline(pack.Location.Begin);
        Doc doc = pack switch
        {
            ExplicitTypePack explicitPack => ExplicitPack(explicitPack),
            VariadicTypePack variadic => D.Concat(Text("..."), Type(variadic.VariadicType)),
            GenericTypePack generic => Text(generic.GenericName + "..."),
            _ => throw new InvalidOperationException($"cannot format a {pack.GetType().Name}"),
        };
        return leading == Doc.Empty ? doc : D.Concat(leading, doc);
    }

    private Doc ExplicitPack(ExplicitTypePack pack)
    {
        var items = new List<object>(pack.TypeList.Types);
        if (pack.TypeList.TailType is not null)
            items.Add(pack.TypeList.TailType);
        return Bracketed(
            "(", items, o => o is AstType t ? Type(t) : Pack((AstTypePack)o), o => ((AstNode)o).Location, ")", BracketBefore(pack.Location.End));
    }

    /// <summary>A return type after <c>:</c> or <c>-&gt;</c>: a single type is written bare when it was written bare.</summary>
    private Doc ReturnPack(AstTypePack pack)
    {
        if (pack is ExplicitTypePack { TypeList: { TailType: null, Types.Length: 1 } list } && !SourceStartsWith(pack.Location.Begin, (byte)'('))
            return Type(list.Types[0]);
        return Pack(pack);
    }
}

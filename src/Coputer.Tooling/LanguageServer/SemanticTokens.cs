using System.Text.Json.Nodes;
using Coputer.Luau.Syntax;

namespace Coputer.Tooling.LanguageServer;

/// <summary>Semantic highlighting: each token's kind from the parse, so locals, parameters, globals, library names and types are told apart.</summary>
internal static class SemanticTokens
{
    public static readonly string[] TokenTypes =
        ["keyword", "variable", "parameter", "function", "property", "string", "number", "comment", "type", "namespace", "decorator", "method"];

    public static readonly string[] TokenModifiers = ["declaration", "readonly", "defaultLibrary"];

    private const int Keyword = 0, Variable = 1, Parameter = 2, Function = 3, Property = 4, StringType = 5, Number = 6,
        CommentType = 7, TypeName = 8, Namespace = 9, Decorator = 10, Method = 11;

    private const int Declaration = 1, Readonly = 2, DefaultLibrary = 4;

    private static readonly HashSet<string> s_contextualKeywords = new(StringComparer.Ordinal) { "type", "export", "continue" };

    /// <summary>The relative five-integer encoding the protocol uses, for the whole document.</summary>
    public static JsonObject Full(DocumentAnalysis a)
    {
        var names = new Dictionary<Position, Occurrence>();
        foreach (var o in a.Index.Occurrences)
            names.TryAdd(o.Location.Begin, o);
        var keywordSpans = new List<(Position From, Position To)>();
        CollectContextualKeywordSpans(a.Parse.Root, keywordSpans);

        var spans = new List<(Location Location, int Type, int Modifiers)>();
        foreach (var t in a.Parse.Tokens)
        {
            switch (t.Kind)
            {
                case SyntaxTokenKind.Keyword:
                    spans.Add((t.Location, Keyword, 0));
                    break;
                case SyntaxTokenKind.Number:
                    spans.Add((t.Location, Number, 0));
                    break;
                case SyntaxTokenKind.String or SyntaxTokenKind.InterpolatedString:
                    spans.Add((t.Location, StringType, 0));
                    break;
                case SyntaxTokenKind.Attribute:
                    spans.Add((t.Location, Decorator, 0));
                    break;
                case SyntaxTokenKind.Name when names.TryGetValue(t.Location.Begin, out var o):
                    if (Classify(a, o) is { } c)
                        spans.Add((t.Location, c.Type, c.Modifiers));
                    break;
                case SyntaxTokenKind.Name when keywordSpans.Any(k => k.From <= t.Location.Begin && t.Location.Begin < k.To) && s_contextualKeywords.Contains(a.TextOf(t.Location)):
                    spans.Add((t.Location, Keyword, 0));
                    break;
            }
        }
        foreach (var c in a.Parse.Comments)
            spans.Add((c.Location, CommentType, 0));
        spans.Sort((x, y) => x.Location.Begin.CompareTo(y.Location.Begin));

        var data = new JsonArray();
        int previousLine = 0, previousCharacter = 0;
        foreach (var (location, type, modifiers) in spans)
        {
            // Tokens may not span lines: a long string or comment becomes one token per line.
            for (int line = location.Begin.Line; line <= location.End.Line; line++)
            {
                var from = line == location.Begin.Line ? location.Begin : new Position(line, 0);
                var to = line == location.End.Line ? location.End : new Position(line, a.Source.Line(line).Length);
                var start = a.ToLsp(from);
                int length = a.ToLsp(to).Character - start.Character;
                if (length <= 0)
                    continue;
                data.Add(start.Line - previousLine);
                data.Add(start.Line == previousLine ? start.Character - previousCharacter : start.Character);
                data.Add(length);
                data.Add(type);
                data.Add(modifiers);
                previousLine = start.Line;
                previousCharacter = start.Character;
            }
        }
        return new JsonObject { ["data"] = data };
    }

    private static (int Type, int Modifiers)? Classify(DocumentAnalysis a, Occurrence o)
    {
        switch (o.Kind)
        {
            case OccurrenceKind.LocalDeclaration or OccurrenceKind.LocalUse:
                var local = o.Local!;
                int modifiers = (o.Kind == OccurrenceKind.LocalDeclaration ? Declaration : 0) | (local.IsConst ? Readonly : 0);
                if (a.Index.Parameters.Contains(local))
                    return (Parameter, modifiers);
                return (a.Index.Functions.ContainsKey(local) ? Function : Variable, modifiers);
            case OccurrenceKind.Global:
                if (LibraryCatalog.Globals.TryGetValue(o.Name, out var kind))
                {
                    return kind switch
                    {
                        LibraryCatalog.GlobalKind.Library => (Namespace, DefaultLibrary),
                        LibraryCatalog.GlobalKind.Function => (Function, DefaultLibrary),
                        _ => (Variable, DefaultLibrary),
                    };
                }
                return (Variable, 0);
            case OccurrenceKind.Property:
                if (o.IsMethod)
                    return (Method, 0);
                if (o.Receiver is not null && LibraryCatalog.Members.TryGetValue(o.Receiver, out var members) && members.TryGetValue(o.Name, out bool isFunction))
                    return (isFunction ? Function : Property, DefaultLibrary);
                return (Property, 0);
            case OccurrenceKind.TypeName:
                return (TypeName, 0);
            default:
                return null;
        }
    }

    /// <summary>
    /// The spans where <c>type</c>, <c>export</c> and <c>continue</c> are keywords: from a statement's start to its
    /// name (elsewhere they are ordinary names).
    /// </summary>
    private static void CollectContextualKeywordSpans(BlockStat root, List<(Position From, Position To)> into)
    {
        var walker = new StatementWalker(into);
        try
        {
            root.Accept(walker);
        }
        catch (InsufficientExecutionStackException)
        {
        }
    }

    private sealed class StatementWalker(List<(Position From, Position To)> into) : AstVisitor
    {
        public override bool VisitNode(AstNode node)
        {
            System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
            return true;
        }

        public override bool Visit(ContinueStat node)
        {
            into.Add((node.Location.Begin, node.Location.End));
            return true;
        }

        public override bool Visit(TypeAliasStat node)
        {
            into.Add((node.Location.Begin, node.NameLocation.Begin));
            return true;
        }

        public override bool Visit(TypeFunctionStat node)
        {
            into.Add((node.Location.Begin, node.NameLocation.Begin));
            return true;
        }
    }
}

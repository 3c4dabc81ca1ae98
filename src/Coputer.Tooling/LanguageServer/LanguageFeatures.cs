using System.Text;
using System.Text.Json.Nodes;
using Coputer.Luau.Library;
using Coputer.Luau.Syntax;
using Coputer.Tooling.Formatting;

namespace Coputer.Tooling.LanguageServer;

/// <summary>The answers to editor requests, computed from a document's analysis, as protocol JSON.</summary>
internal static class LanguageFeatures
{
    private static readonly string[] s_keywords =
    [
        "and", "break", "continue", "do", "else", "elseif", "end", "export", "false", "for", "function", "if", "in",
        "local", "nil", "not", "or", "repeat", "return", "then", "true", "type", "until", "while",
    ];

    public static JsonObject Position(LspPosition p) => new() { ["line"] = p.Line, ["character"] = p.Character };

    public static JsonObject Range(DocumentAnalysis a, Location l) => new()
    {
        ["start"] = Position(a.ToLsp(l.Begin)),
        ["end"] = Position(a.ToLsp(l.End)),
    };

    public static JsonObject LocationOf(string uri, DocumentAnalysis a, Location l) => new() { ["uri"] = uri, ["range"] = Range(a, l) };

    public static JsonArray Diagnostics(DocumentAnalysis a)
    {
        var list = new JsonArray();
        foreach (var d in a.Diagnostics)
        {
            // The JsonNode overload: the generic Add<T> is not safe to trim (the browser build is trimmed).
            list.Add((JsonNode)new JsonObject
            {
                ["range"] = Range(a, d.Location),
                ["severity"] = 1,
                ["source"] = "coputer",
                ["message"] = d.Message,
            });
        }
        return list;
    }

    // ---- formatting ----

    /// <summary>The options for a document: its StyLua configuration when it has one, otherwise the editor's indentation.</summary>
    public static FormatOptions FormatOptionsFor(string? filePath, JsonNode? editorOptions)
    {
        if (filePath is not null && StyluaConfig.Find(Path.GetDirectoryName(filePath) ?? ".") is { } config)
            return StyluaConfig.Load(config);
        bool spaces = editorOptions?["insertSpaces"]?.GetValue<bool>() ?? false;
        int tabSize = editorOptions?["tabSize"]?.GetValue<int>() ?? 4;
        return FormatOptions.Default with { IndentType = spaces ? IndentType.Spaces : IndentType.Tabs, IndentWidth = Math.Clamp(tabSize, 1, 16) };
    }

    /// <summary>
    /// Edits that turn the document into its formatted form, line by line (so the editor keeps cursors and folds where
    /// lines did not change); with <paramref name="range"/>, only the changes touching those lines. Null when the
    /// document has syntax errors (nothing is formatted then).
    /// </summary>
    public static JsonArray? Format(LspDocument doc, FormatOptions options, (int FirstLine, int LastLine)? range)
    {
        var a = doc.Analysis;
        var result = LuauFormatter.Format(a.Bytes, options);
        if (result.Output is null)
        {
            if (result.Failure is not null)
                throw new LspRequestException(LspErrorCodes.RequestFailed, result.Failure);
            return null;
        }
        string formatted = Encoding.UTF8.GetString(result.Output);
        string[] before = SplitLines(a.Text);
        string[] after = SplitLines(formatted);
        var lines = TextLines.Of(a.Text);
        var edits = new JsonArray();
        foreach (var (oldStart, oldEnd, newStart, newEnd) in SplitEvenHunks(LineDiff.Hunks(before, after)))
        {
            if (range is { } r && (oldEnd <= r.FirstLine && !(oldStart == oldEnd && oldStart == r.FirstLine) || oldStart > r.LastLine))
                continue;
            int from = oldStart < lines.Count ? lines.Start(oldStart) : a.Text.Length;
            int to = oldEnd < lines.Count ? lines.Start(oldEnd) : a.Text.Length;
            edits.Add(new JsonObject
            {
                ["range"] = new JsonObject { ["start"] = Position(IndexToLsp(a, lines, from)), ["end"] = Position(IndexToLsp(a, lines, to)) },
                ["newText"] = string.Concat(after[newStart..newEnd]),
            });
        }
        return edits;
    }

    /// <summary>
    /// A hunk that replaces n lines with n lines becomes n one-line hunks (formatting often rewrites lines in place),
    /// so range formatting can take just the lines asked for.
    /// </summary>
    private static IEnumerable<(int OldStart, int OldEnd, int NewStart, int NewEnd)> SplitEvenHunks(List<(int OldStart, int OldEnd, int NewStart, int NewEnd)> hunks)
    {
        foreach (var h in hunks)
        {
            if (h.OldEnd - h.OldStart == h.NewEnd - h.NewStart)
            {
                for (int i = 0; i < h.OldEnd - h.OldStart; i++)
                    yield return (h.OldStart + i, h.OldStart + i + 1, h.NewStart + i, h.NewStart + i + 1);
            }
            else
            {
                yield return h;
            }
        }
    }

    /// <summary>Lines with their line breaks, so joining them gives the text back.</summary>
    private static string[] SplitLines(string text)
    {
        var lines = new List<string>();
        int start = 0;
        for (int i = text.IndexOf('\n', StringComparison.Ordinal); i >= 0; i = text.IndexOf('\n', start))
        {
            lines.Add(text[start..(i + 1)]);
            start = i + 1;
        }
        if (start < text.Length)
            lines.Add(text[start..]);
        return [.. lines];
    }

    private static LspPosition IndexToLsp(DocumentAnalysis a, TextLines lines, int index)
    {
        int line = 0, lo = 0, hi = lines.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            if (lines.Start(mid) <= index)
            {
                line = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        int start = lines.Start(line);
        int character = a.Encoding == PositionEncoding.Utf16 ? index - start : Encoding.UTF8.GetByteCount(a.Text.AsSpan(start, index - start));
        return new LspPosition(line, character);
    }

    // ---- symbols ----

    public static JsonArray DocumentSymbols(DocumentAnalysis a)
    {
        var list = new JsonArray();
        try
        {
            CollectSymbols(a, a.Parse.Root, list);
        }
        catch (InsufficientExecutionStackException)
        {
            // Too deep to walk: the outline shows what was found.
        }
        return list;
    }

    private static void CollectSymbols(DocumentAnalysis a, BlockStat block, JsonArray into)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        foreach (var stat in block.Body)
        {
            switch (stat)
            {
                case LocalFunctionStat f:
                    into.Add(Symbol(a, f.Name.Name, 12, stat.Location, f.Name.Location, FunctionDetail(a, f.Function), f.Function.Body));
                    break;
                case FunctionStat f:
                    into.Add(Symbol(a, a.TextOf(f.Name.Location), f.Name is IndexNameExpr { Op: ':' } ? 6 : 12, stat.Location, f.Name.Location, FunctionDetail(a, f.Function), f.Function.Body));
                    break;
                case LocalStat l:
                    for (int i = 0; i < l.Vars.Length; i++)
                    {
                        var v = l.Vars[i];
                        var value = i < l.Values.Length ? l.Values[i] : null;
                        if (value is FunctionExpr fe)
                            into.Add(Symbol(a, v.Name, 12, stat.Location, v.Location, FunctionDetail(a, fe), fe.Body));
                        else
                            into.Add(Symbol(a, v.Name, v.IsConst ? 14 : 13, stat.Location, v.Location, v.Annotation is null ? "" : a.TextOf(v.Annotation.Location), null));
                    }
                    break;
                case AssignStat assign:
                    for (int i = 0; i < assign.Vars.Length && i < assign.Values.Length; i++)
                    {
                        if (assign.Values[i] is FunctionExpr fe && assign.Vars[i] is IndexNameExpr or GlobalExpr)
                            into.Add(Symbol(a, a.TextOf(assign.Vars[i].Location), 12, stat.Location, assign.Vars[i].Location, FunctionDetail(a, fe), fe.Body));
                    }
                    break;
                case TypeAliasStat t:
                    into.Add(Symbol(a, t.Name, 26, stat.Location, t.NameLocation, t.Exported ? "export type" : "type", null));
                    break;
                case TypeFunctionStat t:
                    into.Add(Symbol(a, t.Name, 12, stat.Location, t.NameLocation, "type function", null));
                    break;
                case IfStat i:
                    CollectSymbols(a, i.ThenBody, into);
                    for (var e = i.ElseBody; e is not null;)
                    {
                        if (e is IfStat elseIf)
                        {
                            CollectSymbols(a, elseIf.ThenBody, into);
                            e = elseIf.ElseBody;
                        }
                        else
                        {
                            if (e is BlockStat b)
                                CollectSymbols(a, b, into);
                            e = null;
                        }
                    }
                    break;
                case WhileStat w:
                    CollectSymbols(a, w.Body, into);
                    break;
                case RepeatStat r:
                    CollectSymbols(a, r.Body, into);
                    break;
                case ForStat f:
                    CollectSymbols(a, f.Body, into);
                    break;
                case ForInStat f:
                    CollectSymbols(a, f.Body, into);
                    break;
                case BlockStat b:
                    CollectSymbols(a, b, into);
                    break;
            }
        }
    }

    private static string FunctionDetail(DocumentAnalysis a, FunctionExpr f) =>
        f.ArgumentLocation is { } args ? "function" + a.TextOf(args) : "function()";

    private static JsonObject Symbol(DocumentAnalysis a, string name, int kind, Location range, Location selection, string detail, BlockStat? body)
    {
        if (!(range.Begin <= selection.Begin && selection.End <= range.End))
            range = new Location(selection, selection);
        var symbol = new JsonObject
        {
            ["name"] = name.Length == 0 ? "?" : name,
            ["detail"] = detail,
            ["kind"] = kind,
            ["range"] = Range(a, range),
            ["selectionRange"] = Range(a, selection),
        };
        if (body is not null)
        {
            var children = new JsonArray();
            CollectSymbols(a, body, children);
            if (children.Count > 0)
                symbol["children"] = children;
        }
        return symbol;
    }

    // ---- navigation ----

    /// <summary>Where the name at <paramref name="p"/> is declared: a local's declaration, a global's first definition, or a required module's file.</summary>
    public static JsonNode? Definition(LspDocument doc, Position p, Func<string, string, string?> resolveModule)
    {
        var a = doc.Analysis;
        foreach (var site in a.Index.Requires)
        {
            if (site.Location.Contains(p) && doc.FilePath is { } file && resolveModule(file, site.Path) is { } module)
                return FileStart(module);
        }
        if (a.Index.At(p) is not { } o)
            return null;
        if (o.Local is { } local)
        {
            if (o.Kind == OccurrenceKind.LocalDeclaration && a.Index.RequiredModules.TryGetValue(local, out string? path)
                && doc.FilePath is { } file && resolveModule(file, path) is { } module)
            {
                return FileStart(module);
            }
            return LocationOf(doc.Uri, a, local.Location);
        }
        if (o.Kind == OccurrenceKind.Global && a.Index.GlobalDefinitions.TryGetValue(o.Name, out var definition))
            return LocationOf(doc.Uri, a, definition);
        return null;
    }

    private static JsonObject FileStart(string path) => new()
    {
        ["uri"] = DocumentUris.FromFilePath(path),
        ["range"] = new JsonObject { ["start"] = Position(new LspPosition(0, 0)), ["end"] = Position(new LspPosition(0, 0)) },
    };

    public static JsonArray References(LspDocument doc, Position p, bool includeDeclaration)
    {
        var a = doc.Analysis;
        var list = new JsonArray();
        if (a.Index.At(p) is not { } o)
            return list;
        if (o.Local is { } local)
        {
            if (includeDeclaration)
                list.Add(LocationOf(doc.Uri, a, local.Location));
            if (a.Index.Uses.TryGetValue(local, out var uses))
            {
                foreach (var use in uses)
                    list.Add(LocationOf(doc.Uri, a, use));
            }
        }
        else if (o.Kind == OccurrenceKind.Global)
        {
            foreach (var other in a.Index.Occurrences)
            {
                if (other.Kind == OccurrenceKind.Global && other.Name == o.Name)
                    list.Add(LocationOf(doc.Uri, a, other.Location));
            }
        }
        return list;
    }

    // ---- hover ----

    public static JsonObject? Hover(LspDocument doc, Position p, Func<string, string, string?> resolveModule)
    {
        var a = doc.Analysis;
        foreach (var site in a.Index.Requires)
        {
            if (site.Location.Contains(p))
            {
                string? module = doc.FilePath is { } file ? resolveModule(file, site.Path) : null;
                return HoverText(a, site.Location, module is null ? $"module `{site.Path}` (not found from this file)" : $"module `{site.Path}`\n\n{module}");
            }
        }
        if (a.Index.At(p) is not { } o)
            return null;
        if (o.Local is { } local)
        {
            string role = a.Index.Parameters.Contains(local) ? "parameter" : o.IsUpvalue ? "upvalue" : "local";
            var text = new StringBuilder();
            text.Append("```luau\n").Append(a.LineText(local.Location.Begin.Line).Trim()).Append("\n```\n\n");
            text.Append('(').Append(role).Append(") `").Append(local.Name).Append('`');
            if (local.Annotation is not null)
                text.Append(": `").Append(a.TextOf(local.Annotation.Location)).Append('`');
            if (local.IsConst)
                text.Append(" (const)");
            text.Append(", declared on line ").Append(local.Location.Begin.Line + 1);
            return HoverText(a, o.Location, text.ToString());
        }
        string? qualified = o.Kind switch
        {
            OccurrenceKind.Global => o.Name,
            OccurrenceKind.Property when o.Receiver is not null => o.Receiver + "." + o.Name,
            OccurrenceKind.Property when o.IsMethod => "string." + o.Name,
            _ => null,
        };
        if (qualified is not null && LibraryCatalog.Signature(qualified) is { } signature)
            return HoverText(a, o.Location, $"```luau\n{signature.Label}\n```\n\n{signature.Summary}");
        if (o.Kind == OccurrenceKind.Global)
        {
            if (a.Index.GlobalDefinitions.TryGetValue(o.Name, out var definition))
                return HoverText(a, o.Location, $"```luau\n{a.LineText(definition.Begin.Line).Trim()}\n```\n\n(global) `{o.Name}`, defined on line {definition.Begin.Line + 1}");
            if (LibraryCatalog.Globals.TryGetValue(o.Name, out var kind))
                return HoverText(a, o.Location, kind == LibraryCatalog.GlobalKind.Library ? $"(library) `{o.Name}`" : $"(global) `{o.Name}`");
            return HoverText(a, o.Location, $"(global) `{o.Name}`: not defined in this file or the standard library");
        }
        return null;
    }

    private static JsonObject HoverText(DocumentAnalysis a, Location l, string markdown) => new()
    {
        ["contents"] = new JsonObject { ["kind"] = "markdown", ["value"] = markdown },
        ["range"] = Range(a, l),
    };

    // ---- completion ----

    public static JsonObject Completion(DocumentAnalysis a, Position p)
    {
        var items = new JsonArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string label, int kind, string? detail = null, string? documentation = null)
        {
            if (!seen.Add(label))
                return;
            var item = new JsonObject { ["label"] = label, ["kind"] = kind };
            if (detail is not null)
                item["detail"] = detail;
            if (documentation is not null)
                item["documentation"] = documentation;
            items.Add(item);
        }

        if (InStringOrComment(a, p))
            return new JsonObject { ["isIncomplete"] = false, ["items"] = items };

        string line = Encoding.UTF8.GetString(a.Source.Line(p.Line)[..Math.Min(p.Column, a.Source.Line(p.Line).Length)]);
        int i = line.Length;
        while (i > 0 && IsNameChar(line[i - 1]))
            i--;
        char trigger = i > 0 ? line[i - 1] : ' ';
        if (trigger is '.' or ':' && !(i > 1 && line[i - 2] == '.'))
        {
            int end = i - 1, start = end;
            while (start > 0 && IsNameChar(line[start - 1]))
                start--;
            string receiver = line[start..end];
            if (trigger == ':')
            {
                foreach (string name in LibraryCatalog.StringMethods)
                    Add(name, 2, LibraryCatalog.Signature("string." + name)?.Label, LibraryCatalog.Signature("string." + name)?.Summary);
            }
            else
            {
                bool isLocal = a.Index.LocalsInScope(p).Any(l => l.Name == receiver);
                if (!isLocal && LibraryCatalog.Members.TryGetValue(receiver, out var members))
                {
                    foreach (var (name, isFunction) in members)
                    {
                        var signature = LibraryCatalog.Signature(receiver + "." + name);
                        Add(name, isFunction ? 3 : 21, signature?.Label, signature?.Summary);
                    }
                }
                if (a.Index.FieldsByReceiver.TryGetValue(receiver, out var fields))
                {
                    foreach (string field in fields)
                        Add(field, 5);
                }
            }
            return new JsonObject { ["isIncomplete"] = false, ["items"] = items };
        }

        foreach (var local in a.Index.LocalsInScope(p))
        {
            bool isFunction = a.Index.Functions.ContainsKey(local);
            Add(local.Name, isFunction ? 3 : 6, a.LineText(local.Location.Begin.Line).Trim());
        }
        foreach (var (name, kind) in LibraryCatalog.Globals)
        {
            var signature = LibraryCatalog.Signature(name);
            Add(name, kind switch { LibraryCatalog.GlobalKind.Function => 3, LibraryCatalog.GlobalKind.Library => 9, _ => 6 }, signature?.Label, signature?.Summary);
        }
        foreach (string name in a.Index.GlobalDefinitions.Keys)
            Add(name, 6, "global");
        foreach (string keyword in s_keywords)
            Add(keyword, 14);
        return new JsonObject { ["isIncomplete"] = false, ["items"] = items };
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static bool InStringOrComment(DocumentAnalysis a, Position p)
    {
        foreach (var c in a.Parse.Comments)
        {
            if (c.Location.Begin < p && (p < c.Location.End || c.Kind != CommentKind.Block && p.Line == c.Location.End.Line))
                return true;
        }
        foreach (var t in a.Parse.Tokens)
        {
            if (t.Kind is SyntaxTokenKind.String && t.Location.Begin < p && p < t.Location.End)
                return true;
        }
        return false;
    }

    // ---- signature help ----

    public static JsonObject? SignatureHelp(DocumentAnalysis a, Position p)
    {
        var tokens = a.Parse.Tokens;
        int last = -1;
        for (int i = 0; i < tokens.Count && tokens[i].Location.Begin < p; i++)
            last = i;
        int depth = 0, commas = 0;
        for (int i = last; i >= 0; i--)
        {
            if (tokens[i].Kind != SyntaxTokenKind.Symbol)
                continue;
            string t = a.TextOf(tokens[i].Location);
            if (t is ")" or "}" or "]")
            {
                depth++;
            }
            else if (t is "{" or "[")
            {
                if (depth == 0)
                    return null;
                depth--;
            }
            else if (t == "(")
            {
                if (depth > 0)
                {
                    depth--;
                    continue;
                }
                return CallSignature(a, i, commas);
            }
            else if (t == "," && depth == 0)
            {
                commas++;
            }
        }
        return null;
    }

    private static JsonObject? CallSignature(DocumentAnalysis a, int open, int activeParameter)
    {
        var tokens = a.Parse.Tokens;
        if (open == 0 || tokens[open - 1].Kind != SyntaxTokenKind.Name)
            return null;
        string name = a.TextOf(tokens[open - 1].Location);
        string? separator = open >= 3 && tokens[open - 3].Kind == SyntaxTokenKind.Name ? a.TextOf(tokens[open - 2].Location) : null;
        string? receiver = separator is "." or ":" ? a.TextOf(tokens[open - 3].Location) : null;

        string label;
        string[] parameters;
        string? documentation = null;
        if (separator == ":" && LibraryCatalog.Signature("string." + name) is { } method)
        {
            // s:sub(i, j): the string itself is the first argument.
            parameters = method.Parameters.Skip(1).ToArray();
            label = $"string:{name}({string.Join(", ", parameters)}){(method.Returns.Length > 0 ? ": " + method.Returns : "")}";
            documentation = method.Summary;
        }
        else if (LibraryCatalog.Signature(receiver is null ? name : receiver + "." + name) is { } signature && separator is null or ".")
        {
            parameters = signature.Parameters;
            label = signature.Label;
            documentation = signature.Summary;
        }
        else if (receiver is null && a.Index.At(tokens[open - 1].Location.Begin) is { Local: { } local } && a.Index.Functions.TryGetValue(local, out var function))
        {
            parameters = [.. function.Parameters.Select(p => p.Annotation is null ? p.Name : $"{p.Name}: {a.TextOf(p.Annotation.Location)}")];
            if (function.IsVararg)
                parameters = [.. parameters, "..."];
            label = $"{name}({string.Join(", ", parameters)})";
        }
        else
        {
            return null;
        }

        var parameterList = new JsonArray();
        foreach (string parameter in parameters)
            parameterList.Add(new JsonObject { ["label"] = parameter });
        var info = new JsonObject { ["label"] = label, ["parameters"] = parameterList };
        if (documentation is not null)
            info["documentation"] = documentation;
        int active = parameters.Length == 0 ? 0 : Math.Min(activeParameter, parameters.Length - 1);
        return new JsonObject { ["signatures"] = new JsonArray(info), ["activeSignature"] = 0, ["activeParameter"] = active };
    }

    // ---- folding ----

    public static JsonArray FoldingRanges(DocumentAnalysis a)
    {
        var collector = new FoldingCollector();
        try
        {
            a.Parse.Root.Accept(collector);
        }
        catch (InsufficientExecutionStackException)
        {
        }
        var list = new JsonArray();
        foreach (var (start, end) in collector.Ranges)
            list.Add(new JsonObject { ["startLine"] = start, ["endLine"] = end });
        var regions = new Stack<int>();
        foreach (var c in a.Parse.Comments)
        {
            string text = a.TextOf(c.Location);
            if (c.Kind != CommentKind.Line && c.Location.End.Line > c.Location.Begin.Line)
                list.Add(new JsonObject { ["startLine"] = c.Location.Begin.Line, ["endLine"] = c.Location.End.Line, ["kind"] = "comment" });
            else if (text.StartsWith("--#region", StringComparison.Ordinal))
                regions.Push(c.Location.Begin.Line);
            else if (text.StartsWith("--#endregion", StringComparison.Ordinal) && regions.Count > 0)
                list.Add(new JsonObject { ["startLine"] = regions.Pop(), ["endLine"] = c.Location.Begin.Line, ["kind"] = "region" });
        }
        return list;
    }

    private sealed class FoldingCollector : AstVisitor
    {
        public List<(int Start, int End)> Ranges { get; } = [];

        // The last line (the one with end, until or a closing bracket) stays visible.
        private void Fold(Position begin, Position end)
        {
            if (end.Line - 1 > begin.Line)
                Ranges.Add((begin.Line, end.Line - 1));
        }

        public override bool VisitNode(AstNode node)
        {
            System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
            return true;
        }

        public override bool Visit(FunctionExpr node)
        {
            Fold(node.Location.Begin, node.Location.End);
            return true;
        }

        public override bool Visit(IfStat node)
        {
            Fold(node.Location.Begin, node.ElseLocation?.Begin ?? node.Location.End);
            if (node.ElseLocation is { } e && node.ElseBody is BlockStat)
                Fold(e.Begin, node.Location.End);
            return true;
        }

        public override bool Visit(WhileStat node)
        {
            Fold(node.Location.Begin, node.Location.End);
            return true;
        }

        public override bool Visit(RepeatStat node)
        {
            Fold(node.Location.Begin, node.Location.End);
            return true;
        }

        public override bool Visit(ForStat node)
        {
            Fold(node.Location.Begin, node.Location.End);
            return true;
        }

        public override bool Visit(ForInStat node)
        {
            Fold(node.Location.Begin, node.Location.End);
            return true;
        }

        public override bool Visit(BlockStat node)
        {
            // do ... end blocks; the bodies of functions and loops are folded with their statements.
            foreach (var stat in node.Body)
            {
                if (stat is BlockStat block)
                    Fold(block.Location.Begin, block.Location.End);
            }
            return true;
        }

        public override bool Visit(TableExpr node)
        {
            Fold(node.Location.Begin, node.Location.End);
            return true;
        }

        public override bool Visit(TableType node)
        {
            Fold(node.Location.Begin, node.Location.End);
            return true;
        }

        public override bool Visit(CallExpr node)
        {
            Fold(node.ArgumentLocation.Begin, node.ArgumentLocation.End);
            return true;
        }
    }

    // ---- module resolution ----

    /// <summary>
    /// The file <c>require(path)</c> in <paramref name="requirerPath"/> loads: as <c>coputer run</c> resolves it (relative
    /// paths, <c>.luaurc</c> aliases, <c>init.luau</c>), or else as the node does inside a bundle (<c>X/main.luau</c>).
    /// </summary>
    public static string? ResolveModule(string requirerPath, string path)
    {
        var resolution = new FileSystemModuleResolver().Resolve("@" + requirerPath.Replace('\\', '/'), path);
        if (resolution.Error is null)
            return resolution.CacheKey;
        if (path.StartsWith("./", StringComparison.Ordinal) || path.StartsWith("../", StringComparison.Ordinal))
        {
            string candidate = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(requirerPath) ?? ".", path, "main.luau"));
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Coputer.Luau.Library;
using Coputer.Luau.VM;
using Coputer.Tooling.Formatting;
using Coputer.Tooling.LanguageServer;

namespace Coputer.Tooling.Tests.LanguageServer;

public sealed class FeatureTests
{
    private static LspDocument Open(string text, PositionEncoding encoding = PositionEncoding.Utf16, string uri = "file:///tmp/doc.luau") =>
        new(uri, text, 1, encoding);

    [Fact]
    public void Positions_after_non_ascii_text_count_utf16_units_or_utf8_bytes_as_negotiated()
    {
        // "é" is 2 UTF-8 bytes and 1 UTF-16 unit; "😀" is 4 bytes and 2 units.
        const string text = "local s = \"é😀\" .. \n";
        var utf16 = Open(text).Analysis;
        var error = Assert.Single(utf16.Diagnostics);
        Assert.Equal(new LspPosition(1, 0), utf16.ToLsp(error.Location.Begin));
        var s = utf16.Index.Occurrences.First(o => o.Name == "s");
        Assert.Equal(new LspPosition(0, 6), utf16.ToLsp(s.Location.Begin));
        var stringEnd = new Luau.Syntax.Position(0, 10 + 1 + 2 + 4 + 1);
        Assert.Equal(new LspPosition(0, 15), utf16.ToLsp(stringEnd));
        Assert.Equal(stringEnd, utf16.FromLsp(new LspPosition(0, 15)));
        var utf8 = Open(text, PositionEncoding.Utf8).Analysis;
        Assert.Equal(new LspPosition(0, 18), utf8.ToLsp(stringEnd));
    }

    [Fact]
    public void Incremental_edits_apply_at_utf16_positions_and_clamp_outside_the_text()
    {
        var doc = Open("local a = \"é\"\nprint(a)\n");
        doc.Edit(new LspPosition(0, 12), new LspPosition(0, 12), "x");
        Assert.Equal("local a = \"éx\"\nprint(a)\n", doc.Text);
        doc.Edit(new LspPosition(1, 6), new LspPosition(1, 7), "a, a");
        Assert.Equal("local a = \"éx\"\nprint(a, a)\n", doc.Text);
        doc.Edit(new LspPosition(9, 0), new LspPosition(99, 5), "-- end\n");
        Assert.Equal("local a = \"éx\"\nprint(a, a)\n-- end\n", doc.Text);
        var utf8 = Open("\"é\"x", PositionEncoding.Utf8);
        utf8.Edit(new LspPosition(0, 4), new LspPosition(0, 5), "y");
        Assert.Equal("\"é\"y", utf8.Text);
    }

    [Fact]
    public void Compile_errors_are_diagnostics_too_with_the_compilers_words()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 201; i++)
            text.Append("local v").Append(i).Append(" = {}\n");
        var analysis = Open(text.ToString()).Analysis;
        var error = Assert.Single(analysis.Diagnostics);
        Assert.Contains("Out of local registers", error.Message, StringComparison.Ordinal);
        Assert.Empty(analysis.Parse.Errors);
    }

    [Fact]
    public void Upvalues_resolve_to_the_enclosing_local_and_shadowing_is_respected()
    {
        const string text = "local x = 1\nlocal function f()\n\treturn x\nend\nlocal x = 2\nprint(x)\n";
        var doc = Open(text);
        var upvalue = doc.Analysis.Index.At(new Luau.Syntax.Position(2, 8))!.Value;
        Assert.True(upvalue.IsUpvalue);
        var definition = LanguageFeatures.Definition(doc, new Luau.Syntax.Position(2, 8), (_, _) => null)!;
        ProtocolSessionTests.AssertRange(definition["range"]!, (0, 6), (0, 7));
        var second = LanguageFeatures.Definition(doc, new Luau.Syntax.Position(5, 6), (_, _) => null)!;
        ProtocolSessionTests.AssertRange(second["range"]!, (4, 6), (4, 7));
        var references = LanguageFeatures.References(doc, new Luau.Syntax.Position(0, 6), includeDeclaration: false);
        ProtocolSessionTests.AssertRange(Assert.Single(references)!["range"]!, (2, 8), (2, 9));
        Assert.Contains("(upvalue)", LanguageFeatures.Hover(doc, new Luau.Syntax.Position(2, 8), (_, _) => null)!["contents"]!["value"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Required_modules_resolve_like_coputer_run_with_luaurc_aliases_and_folders()
    {
        string root = Directory.CreateTempSubdirectory("coputer-lsp-require-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "lib", "util"));
            File.WriteAllText(Path.Combine(root, "lib", "util", "init.luau"), "return {}");
            File.WriteAllText(Path.Combine(root, "shared.luau"), "return {}");
            File.WriteAllText(Path.Combine(root, ".luaurc"), "{\"aliases\": {\"lib\": \"./lib\"}}");
            string main = Path.Combine(root, "main.luau");
            const string text = "local util = require(\"@lib/util\")\nlocal shared = require(\"./shared\")\nlocal missing = require(\"./nope\")\n";
            File.WriteAllText(main, text);
            var doc = Open(text, uri: new Uri(main).AbsoluteUri);
            var toUtil = LanguageFeatures.Definition(doc, new Luau.Syntax.Position(0, 25), LanguageFeatures.ResolveModule)!;
            Assert.Equal(new Uri(Path.Combine(root, "lib", "util", "init.luau")).AbsoluteUri, toUtil["uri"]!.GetValue<string>());
            var fromLocal = LanguageFeatures.Definition(doc, new Luau.Syntax.Position(1, 7), LanguageFeatures.ResolveModule)!;
            Assert.Equal(new Uri(Path.Combine(root, "shared.luau")).AbsoluteUri, fromLocal["uri"]!.GetValue<string>());
            Assert.Null(LanguageFeatures.Definition(doc, new Luau.Syntax.Position(2, 27), LanguageFeatures.ResolveModule));
            string hover = LanguageFeatures.Hover(doc, new Luau.Syntax.Position(2, 27), LanguageFeatures.ResolveModule)!["contents"]!["value"]!.GetValue<string>();
            Assert.Contains("not found", hover, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void A_require_in_a_file_not_on_disk_resolves_to_nothing_and_definition_stays_on_the_local()
    {
        var doc = Open("local shared = require(\"./shared\")\n", uri: "file:///no/such/folder/main.luau");
        Assert.Null(LanguageFeatures.Definition(doc, new Luau.Syntax.Position(0, 26), LanguageFeatures.ResolveModule));
        var local = LanguageFeatures.Definition(doc, new Luau.Syntax.Position(0, 7), LanguageFeatures.ResolveModule)!;
        Assert.Equal("file:///no/such/folder/main.luau", local["uri"]!.GetValue<string>());
    }

    [Fact]
    public void Range_formatting_changes_only_the_lines_asked_for()
    {
        const string text = "local a   =  1\nlocal b   =  2\nlocal c   =  3\n";
        var doc = Open(text);
        var edits = LanguageFeatures.Format(doc, FormatOptions.Default, (1, 1))!;
        Assert.Equal("local a   =  1\nlocal b = 2\nlocal c   =  3\n", TextEdits.Apply(text, edits));
        var all = LanguageFeatures.Format(doc, FormatOptions.Default, null)!;
        Assert.Equal("local a = 1\nlocal b = 2\nlocal c = 3\n", TextEdits.Apply(text, all));
        Assert.Null(LanguageFeatures.Format(Open("local = 1"), FormatOptions.Default, null));
    }

    [Fact]
    public void Line_diff_hunks_rebuild_the_new_text_for_seeded_random_inputs()
    {
        var random = new Random(42);
        for (int round = 0; round < 500; round++)
        {
            string[] a = [.. Enumerable.Range(0, random.Next(0, 30)).Select(_ => ((char)('a' + random.Next(4))).ToString())];
            string[] b = [.. Enumerable.Range(0, random.Next(0, 30)).Select(_ => ((char)('a' + random.Next(4))).ToString())];
            var rebuilt = new List<string>();
            int next = 0;
            foreach (var (oldStart, oldEnd, newStart, newEnd) in LineDiff.Hunks(a, b))
            {
                Assert.True(oldStart >= next && oldEnd >= oldStart);
                rebuilt.AddRange(a[next..oldStart]);
                rebuilt.AddRange(b[newStart..newEnd]);
                next = oldEnd;
            }
            rebuilt.AddRange(a[next..]);
            Assert.Equal(b, rebuilt);
        }
    }

    [Fact]
    public void Symbols_nest_functions_and_folding_covers_blocks_tables_comments_and_regions()
    {
        const string text = "--#region setup\nlocal M = {}\nfunction M.run(x)\n\tlocal inner = function()\n\t\treturn 1\n\tend\n\treturn inner\nend\n--[[\nlong\n]]\nlocal t = {\n\t1,\n\t2,\n}\n--#endregion\nreturn M\n";
        var analysis = Open(text).Analysis;
        var symbols = LanguageFeatures.DocumentSymbols(analysis);
        Assert.Equal(["M", "M.run", "t"], symbols.Select(s => s!["name"]!.GetValue<string>()));
        Assert.Equal("inner", symbols[1]!["children"]![0]!["name"]!.GetValue<string>());
        var folds = LanguageFeatures.FoldingRanges(analysis).Select(f => (f!["startLine"]!.GetValue<int>(), f["endLine"]!.GetValue<int>(), f["kind"]?.GetValue<string>())).ToList();
        Assert.Contains((2, 6, null), folds);
        Assert.Contains((3, 4, null), folds);
        Assert.Contains((11, 13, null), folds);
        Assert.Contains((8, 10, "comment"), folds);
        Assert.Contains((0, 15, "region"), folds);
    }

    [Fact]
    public void Semantic_tokens_tell_parameters_globals_libraries_types_and_comments_apart()
    {
        const string text = "-- c\nlocal function f(p: number)\n\treturn math.floor(p), print\nend\n";
        var analysis = Open(text).Analysis;
        var data = SemanticTokens.Full(analysis)["data"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray();
        var decoded = new List<(int Line, int Character, int Length, string Type)>();
        int line = 0, character = 0;
        for (int i = 0; i < data.Length; i += 5)
        {
            line += data[i];
            character = data[i] == 0 ? character + data[i + 1] : data[i + 1];
            decoded.Add((line, character, data[i + 2], SemanticTokens.TokenTypes[data[i + 3]]));
        }
        Assert.Contains((0, 0, 4, "comment"), decoded);
        Assert.Contains((1, 15, 1, "function"), decoded);
        Assert.Contains((1, 17, 1, "parameter"), decoded);
        Assert.Contains((1, 20, 6, "type"), decoded);
        Assert.Contains((2, 8, 4, "namespace"), decoded);
        Assert.Contains((2, 13, 5, "function"), decoded);
        Assert.Contains((2, 19, 1, "parameter"), decoded);
        Assert.Contains((2, 23, 5, "function"), decoded);
    }

    [Fact]
    public void Completion_offers_string_methods_after_a_colon_and_nothing_inside_strings()
    {
        var analysis = Open("local s = \"x\"\nlocal u = s:\nlocal q = \"abc\"\n").Analysis;
        var methods = ProtocolSessionTests.Labels(LanguageFeatures.Completion(analysis, new Luau.Syntax.Position(1, 12)));
        Assert.Contains("upper", methods);
        Assert.Contains("split", methods);
        Assert.DoesNotContain("s", methods);
        Assert.Empty(LanguageFeatures.Completion(analysis, new Luau.Syntax.Position(2, 12))["items"]!.AsArray());
    }

    [Fact]
    public void Signature_help_works_for_local_functions_and_counts_commas_at_the_call_level_only()
    {
        var analysis = Open("local function area(w: number, h: number) return w * h end\nlocal a = area({1, 2}, \n").Analysis;
        var help = LanguageFeatures.SignatureHelp(analysis, new Luau.Syntax.Position(1, 23))!;
        Assert.Equal("area(w: number, h: number)", help["signatures"]![0]!["label"]!.GetValue<string>());
        Assert.Equal(1, help["activeParameter"]!.GetValue<int>());
        Assert.Null(LanguageFeatures.SignatureHelp(analysis, new Luau.Syntax.Position(0, 3)));
    }

    [Fact]
    public void Every_written_signature_names_a_function_the_engine_has()
    {
        var state = new LuauState();
        StandardLibrary.Open(state, LuauLibraries.All, LuauPlatform.Deterministic());
        foreach (string name in LibraryCatalog.SignatureNames)
        {
            if (name == "require")
                continue; // provided by the runners
            string[] parts = name.Split('.');
            var value = state.Globals[parts[0]];
            if (parts.Length == 2)
                value = value.AsTable![parts[1]];
            Assert.True(value.IsFunction, $"{name} is in the catalogue but not a function of the engine");
        }
        Assert.True(LibraryCatalog.Members["string"].ContainsKey("format"));
        Assert.Equal(LibraryCatalog.GlobalKind.Library, LibraryCatalog.Globals["math"]);
    }

    [Fact]
    public void Deeply_nested_input_does_not_crash_any_feature()
    {
        string text = "local x = " + new string('(', 3000) + "1" + new string(')', 3000) + "\n" + string.Concat(Enumerable.Repeat("do ", 500)) + string.Concat(Enumerable.Repeat("end ", 500));
        var doc = Open(text);
        var analysis = doc.Analysis;
        Assert.NotEmpty(analysis.Diagnostics);
        _ = LanguageFeatures.DocumentSymbols(analysis);
        _ = LanguageFeatures.FoldingRanges(analysis);
        _ = SemanticTokens.Full(analysis);
        _ = LanguageFeatures.Completion(analysis, new Luau.Syntax.Position(1, 10));
        Assert.IsType<JsonObject>(LanguageFeatures.Completion(analysis, new Luau.Syntax.Position(0, 0)));
    }
}

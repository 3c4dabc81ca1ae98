using System.Text;
using Coputer.Luau.Syntax;

namespace Coputer.Luau.Tests.Syntax;

/// <summary>
/// No input makes the front end throw, hang or overflow the stack: random bytes and tokens, mutated programs, very
/// deep nesting and very large files.
/// </summary>
public class RobustnessTests
{
    private const string RecursionMessage = "Exceeded allowed recursion depth; simplify your {0} to make the code compile";

    /// <summary>Parses, and prints whatever tree came out, which must not throw either.</summary>
    private static ParseResult ParseAndPrint(byte[] source, ParseOptions? options = null)
    {
        ParseResult result = Parser.Parse(source, options);
        Assert.NotNull(result.Root);
        foreach (ParseError error in result.Errors)
            Assert.True(error.Location.Begin <= error.Location.End, $"inverted error location {error}");
        AstPrinter.PrintUtf8(result.Root);
        return result;
    }

    private static string Repeat(string s, int count) => new StringBuilder(s.Length * count).Insert(0, s, count).ToString();

    // ----- Deep nesting -----

    public static TheoryData<string, string> DeepSources()
    {
        const int n = 100_000;
        return new TheoryData<string, string>
        {
            { "x = " + Repeat("(", n) + "1" + Repeat(")", n), "expression" },
            { "x = " + Repeat("{", n) + Repeat("}", n), "expression" },
            { "x = " + Repeat("{a=", n) + "1" + Repeat("}", n), "expression" },
            { "x = " + Repeat("function() return ", n) + "1" + Repeat(" end", n), "block" },
            { Repeat("do ", n) + Repeat("end ", n), "block" },
            { Repeat("while true do ", n) + Repeat("end ", n), "expression" }, // the condition crosses the limit first
            { Repeat("if x then ", n) + Repeat("end ", n), "expression" },
            { "if x then " + Repeat("elseif x then ", n) + "end", "expression" },
            { "x = a" + Repeat(".b", n), "expression" },
            { "x = a" + Repeat("[1]", n), "expression" },
            { "x = f" + Repeat("()", n), "expression" },
            { "x = " + Repeat("f(", n) + Repeat(")", n), "expression" },
            { "x = " + Repeat("- ", n) + "1", "expression" },
            { "x = " + Repeat("not ", n) + "1", "expression" },
            { "x = " + Repeat("#", n) + "t", "expression" },
            { "x = a" + Repeat(" .. a", n), "expression" },
            { "x = a" + Repeat(" ^ a", n), "expression" },
            { "x = a" + Repeat(" + a", n), "expression" },
            { "x = a" + Repeat(" and a", n), "expression" },
            { "x = " + Repeat("if a then b else ", n) + "c", "expression" },
            { "x = " + Repeat("`{", n) + Repeat("}`", n), "expression" },
            { "function a" + Repeat(".b", n) + "() end", "function name" },
            { "local x: " + Repeat("{", n) + Repeat("}", n), "type annotation" },
            { "local x: " + Repeat("(", n) + "T" + Repeat(")", n), "type annotation" },
            { "local x: " + Repeat("() -> ", n) + "()", "type annotation" },
            { "local x: " + Repeat("T<", n) + Repeat(">", n), "type annotation" },
            { "local x: " + Repeat("{{", n / 2) + Repeat("}}", n / 2), "type annotation" },
            { "local x: " + Repeat("typeof(", n) + "x" + Repeat(")", n), "expression" }, // typeof(...) holds an expression
        };
    }

    [Theory]
    [MemberData(nameof(DeepSources))]
    public void DeepNestingReportsRecursionDepth(string source, string context)
    {
        ParseResult result = ParseAndPrint(Encoding.UTF8.GetBytes(source));
        Assert.Equal(string.Format(RecursionMessage, context), result.Errors[^1].Message);
    }

    [Fact]
    public void NestingBelowTheLimitParses()
    {
        const int n = 300;
        string source =
            "local a = " + Repeat("(", n) + "1" + Repeat(")", n) + "\n" +
            "local b = " + Repeat("{", n) + Repeat("}", n) + "\n" +
            Repeat("do ", n) + Repeat("end ", n) + "\n" +
            "local c = 2" + Repeat(" ^ 2", n) + "\n" +
            "local d: " + Repeat("{", n) + "number" + Repeat("}", n);
        PrinterTests.RoundTrip(Encoding.UTF8.GetBytes(source));
    }

    [Fact]
    public void RecursionLimitIsAnOption()
    {
        var options = new ParseOptions { RecursionLimit = 10 };
        ParseResult result = Parser.Parse("x = ((((((((((((1))))))))))))", options);
        Assert.Equal(string.Format(RecursionMessage, "expression"), Assert.Single(result.Errors).Message);
        Assert.Empty(Parser.Parse("x = ((((1))))", options).Errors);
    }

    [Fact]
    public void StackGuardStopsDeepNestingOnASmallStack()
    {
        // With the depth limit out of the way, only the stack check stands between deep input and a crash. A thread
        // with a 256 KiB stack must still end with the recursion error rather than a stack overflow.
        var options = new ParseOptions { RecursionLimit = int.MaxValue };
        string[] sources =
        [
            "x = " + Repeat("(", 200_000) + Repeat(")", 200_000),
            Repeat("do ", 200_000),
            "local x: " + Repeat("{", 200_000),
            "x = " + Repeat("- ", 200_000) + "1",
        ];

        var messages = new string?[sources.Length];
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                for (int i = 0; i < sources.Length; i++)
                    messages[i] = Parser.Parse(sources[i], options).Errors[^1].Message;
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();

        Assert.Null(failure);
        Assert.All(messages, m => Assert.StartsWith("Exceeded allowed recursion depth", m));
    }

    [Fact]
    public void LongTypesAreLimited()
    {
        ParseResult result = Parser.Parse("type T = A" + Repeat(" | A", 1500));
        Assert.Equal("Exceeded allowed type length; simplify your type annotation to make the code compile", result.Errors[^1].Message);
        Assert.Empty(Parser.Parse("type T = A" + Repeat(" | A", 900)).Errors);
    }

    [Fact]
    public void ErrorLimit()
    {
        ParseResult result = Parser.Parse(Repeat("x\n", 150));
        Assert.Equal(101, result.Errors.Count);
        Assert.Equal("Reached error limit (100)", result.Errors[^1].Message);
        Assert.Equal(new Position(99, 0), result.Errors[^1].Location.Begin);

        ParseResult limited = Parser.Parse(Repeat("x\n", 150), new ParseOptions { ErrorLimit = 5 });
        Assert.Equal(6, limited.Errors.Count);
        Assert.Equal("Reached error limit (5)", limited.Errors[^1].Message);
    }

    // ----- Fuzzing -----

    private static readonly string[] s_vocabulary =
    [
        "local", "function", "end", "if", "then", "elseif", "else", "while", "do", "for", "in", "repeat", "until", "return",
        "break", "continue", "and", "or", "not", "nil", "true", "false", "type", "export", "typeof", "const", "read", "write",
        "x", "y", "self", "T", "U...", "...", "..", ".", ":", "::", ",", ";", "=", "==", "~=", "<", ">", "<=", ">=", "+", "-", "*",
        "/", "//", "%", "^", "#", "(", ")", "{", "}", "[", "]", "->", "?", "|", "&", "!", "+=", "..=", "@native", "@[", "@",
        "1", "0x1F", "1e5", "12i", "0b2", "'s'", "\"s", "[[long]]", "[=[", "`a{", "}b`", "`c`", "{{", "--c\n", "--[[x]]", "--[[",
        "\n", " ", "\\", "\u201C", "\u00FF",
    ];

    [Fact]
    public void RandomBytes()
    {
        var random = new Random(20240601);
        byte[] interesting = "()[]{}<>=~+-*/%^#.,:;'\"`\\@!?|&\n\t azAZ09_"u8.ToArray();
        for (int i = 0; i < 3000; i++)
        {
            var source = new byte[random.Next(0, 200)];
            for (int j = 0; j < source.Length; j++)
                source[j] = random.Next(3) == 0 ? (byte)random.Next(256) : interesting[random.Next(interesting.Length)];
            ParseAndPrint(source);
        }
    }

    [Fact]
    public void RandomTokens()
    {
        var random = new Random(7);
        var sb = new StringBuilder();
        for (int i = 0; i < 4000; i++)
        {
            sb.Clear();
            int count = random.Next(1, 50);
            for (int j = 0; j < count; j++)
                sb.Append(s_vocabulary[random.Next(s_vocabulary.Length)]).Append(random.Next(4) == 0 ? "" : " ");
            ParseAndPrint(Encoding.UTF8.GetBytes(sb.ToString()));
        }
    }

    [Fact]
    public void MutatedPrograms()
    {
        // Cut, duplicate and splice tokens of real programs. Whatever still parses must also round-trip.
        string[] corpus = SharedCorpus.ConformanceFiles().Where(f => !CorpusTests.NeedsClassSyntax(f)).Select(File.ReadAllText).ToArray();
        var random = new Random(99);
        int roundTrips = 0;
        for (int i = 0; i < 600; i++)
        {
            string file = corpus[random.Next(corpus.Length)];
            string[] lines = file.Split('\n');
            int start = random.Next(lines.Length);
            List<string> words = string.Join("\n", lines.Skip(start).Take(random.Next(1, 25))).Split(' ').ToList();
            for (int m = random.Next(1, 4); m > 0 && words.Count > 0; m--)
            {
                int at = random.Next(words.Count);
                switch (random.Next(3))
                {
                    case 0:
                        words.RemoveAt(at);
                        break;
                    case 1:
                        words.Insert(at, s_vocabulary[random.Next(s_vocabulary.Length)]);
                        break;
                    default:
                        words.Insert(at, words[random.Next(words.Count)]);
                        break;
                }
            }

            byte[] source = Encoding.UTF8.GetBytes(string.Join(" ", words));
            if (ParseAndPrint(source).Errors.Count == 0)
            {
                PrinterTests.RoundTrip(source);
                roundTrips++;
            }
        }
        Assert.True(roundTrips > 20, $"only {roundTrips} mutated programs were valid");
    }

    // ----- Size -----

    [Fact]
    public void LargeFile()
    {
        const string unit = """
            local function fib(n: number): number
                if n < 2 then return n end
                return fib(n - 1) + fib(n - 2)
            end
            type Point = { x: number, y: number, label: string? }
            local points: {Point} = {}
            for i = 1, 100 do
                points[#points + 1] = { x = i * 0.5, y = i // 3, label = `point {i}` }
            end
            local s = "escapes \t\n\x41\u{48}" .. [[long
            string]] -- trailing comment

            """;
        int copies = 16 * 1024 * 1024 / unit.Length;
        var sb = new StringBuilder(unit.Length * copies);
        for (int i = 0; i < copies; i++)
            sb.Append(unit);
        byte[] source = Encoding.UTF8.GetBytes(sb.ToString());

        ParseResult result = Parser.Parse(source);
        Assert.Empty(result.Errors);
        Assert.Equal(copies * 5, result.Root.Body.Length);
        Assert.Equal(copies * unit.Count(c => c == '\n'), result.Lines);
    }

    [Fact]
    public void HugeTokens()
    {
        const int size = 8 * 1024 * 1024;
        string filler = new('a', size);

        Assert.Empty(Parser.Parse("local s = '" + filler + "'").Errors);
        Assert.Empty(Parser.Parse("local s = [[" + filler + "]]").Errors);
        Assert.Empty(Parser.Parse("--[[" + filler + "]]").Errors);
        Assert.Empty(Parser.Parse("local " + filler + " = 1").Errors);
        Assert.Empty(Parser.Parse(new string(' ', size) + "x = 1").Errors);
        Assert.Empty(Parser.Parse("x = 1" + new string('0', size)).Errors);
        Assert.Equal("Malformed string; did you forget to finish it?", Assert.Single(Parser.Parse("local s = '" + filler).Errors).Message);
        Assert.Equal(size + 1, Parser.Parse(Repeat("\n", size) + "x = 1").Lines);
    }
}

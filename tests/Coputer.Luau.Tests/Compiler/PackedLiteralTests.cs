using System.Globalization;
using System.Text;
using Coputer.Luau.Compiler;
using Coputer.Luau.Syntax;

namespace Coputer.Luau.Tests.Compiler;

/// <summary>
/// The compiler's own parse keeps runs of number literals in table constructors packed (one node per run, not per
/// element). These tests hold it to producing exactly the bytes the ordinary tree (a node per literal) gives, at every
/// optimisation, debug and coverage level, and the same errors and positions.
/// </summary>
public class PackedLiteralTests
{
    private static readonly ParseOptions s_packed = new() { PackNumberLists = true };

    /// <summary>Compiles from the packed and from the ordinary tree and asserts the same outcome, byte for byte.</summary>
    private static void AssertSameBytecode(byte[] source, string what)
    {
        var packedParse = Parser.Parse(source, s_packed);
        var plainParse = Parser.Parse(source);
        Assert.Equal(plainParse.Errors, packedParse.Errors);
        for (int o = 0; o <= 2; o++)
        {
            for (int d = 0; d <= 2; d++)
            {
                for (int c = 0; c <= 2; c += 2)
                {
                    var options = new CompileOptions { OptimizationLevel = o, DebugLevel = d, CoverageLevel = c };
                    var plain = LuauCompiler.Compile(plainParse, options);
                    var packed = LuauCompiler.Compile(packedParse, options);
                    Assert.True(plain.Success == packed.Success, $"{what} O{o} g{d} c{c}: success differs");
                    if (plain.Success)
                        Assert.True(plain.Bytecode!.AsSpan().SequenceEqual(packed.Bytecode), $"{what} O{o} g{d} c{c}: bytecode differs");

                    // The public entry point (packed parse, ordinary tree on failure) gives the ordinary result.
                    if (o == 1 && d == 1 && c == 0)
                    {
                        var viaSource = LuauCompiler.Compile(source, options);
                        Assert.Equal(plain.Bytecode, viaSource.Bytecode);
                        Assert.Equal(plain.Errors, viaSource.Errors);
                    }
                }
            }
        }
    }

    private static void AssertSameBytecode(string source) => AssertSameBytecode(Encoding.UTF8.GetBytes(source), source.Length > 80 ? source[..80] : source);

    [Theory]
    [InlineData("return {1, 2, 3}")]
    [InlineData("return {1; 2; 3;}")]
    [InlineData("local t = {0.5, -1, 2, 1e300, 0x10, -0, 0, 32767, 32768, -32768, -32769, 1/0, 3.25}\nreturn t")]
    [InlineData("return {1, 2, x = 3, 4, [5] = 6, 7, f(), 8}")]
    [InlineData("return {1, 2, ...}")]
    [InlineData("return {1, 2, f()}")]
    [InlineData("return {f(), 1, 2}")]
    [InlineData("return {1 + 2, 3, 4 .. 5, 6 :: number, 7}")]
    [InlineData("return {1_000, 2, 3i, 4, 0b101, 5}")]
    [InlineData("return {{1, 2}, {3, {4, 5}}, 6}")]
    [InlineData("return {\n1,\n2, -- two\n3\n,4 --[[ four ]] , 5\n}")]
    [InlineData("local t = {1, 2, 3}\nreturn t[1] + t.x")]
    [InlineData("local function f() return {1, 2, 3} end\nreturn f()[2]")]
    [InlineData("for i = 1, 3 do local t = {i, 1, 2} print(t) end")]
    [InlineData("@native local function f() return {1, 2, 3, 4} end return f")]
    [InlineData("return {1, 2, 3 4}")]
    [InlineData("return {1, 2,, 3}")]
    [InlineData("return {1, 2 x = 1}")]
    [InlineData("return {1, 2, 3")]
    [InlineData("return {1.2.3, 4}")]
    [InlineData("return {0x, 1}")]
    public void SmallConstructorsCompileTheSame(string source) => AssertSameBytecode(source);

    [Fact]
    public void LongRunsAcrossBatchesLinesAndWideConstantsCompileTheSame()
    {
        var random = new Random(7);
        var text = new StringBuilder("local a, b = ...\nlocal t = {");
        // 140,000 items: runs longer than one packed piece, SETLIST batches, more than 32,767 distinct constants
        // (LOADKX), repeats, line changes, a keyed item and calls in between.
        for (int i = 0; i < 140_000; i++)
        {
            text.Append(i % 997 == 0 ? "\n" : " ");
            text.Append(i switch
            {
                20_000 => "x = 1",
                30_000 => "a",
                40_000 => "f(b)",
                _ when i % 5 == 0 => random.Next(40).ToString(CultureInfo.InvariantCulture),
                _ when i % 7 == 0 => (random.NextDouble() * 1e6).ToString("R", CultureInfo.InvariantCulture),
                _ => random.Next(100_000).ToString(CultureInfo.InvariantCulture),
            });
            text.Append(i % 3 == 0 ? ";" : ",");
        }
        text.Append("}\nreturn t\n");
        AssertSameBytecode(text.ToString());
    }

    [Fact]
    public void EveryCorpusFileCompilesTheSame()
    {
        int files = 0;
        foreach (var path in SharedCorpus.ConformanceFiles().Concat(SharedCorpus.BenchFiles()))
        {
            AssertSameBytecode(File.ReadAllBytes(path), Path.GetFileName(path));
            files++;
        }
        Assert.True(files > 50, $"only {files} corpus files");
    }

    [Fact]
    public void CompileErrorsKeepTheirPositions()
    {
        // An error inside a function that also builds a packed table: the entry point falls back to the ordinary
        // tree, so message and line are the ordinary ones.
        string source = "local t = {1, 2, 3}\nlocal function f()\n  return {4, 5, 6, g(" + string.Join(", ", Enumerable.Repeat("7", 300)) + ")}\nend\n";
        var result = LuauCompiler.Compile(Encoding.UTF8.GetBytes(source));
        var error = Assert.Single(result.Errors);
        Assert.Equal(3, error.Line);
        Assert.StartsWith("Out of registers", error.Message, StringComparison.Ordinal);
        AssertSameBytecode(source);
    }

    [Fact]
    public void DeepNestingFailsAtTheSameDepth()
    {
        // The recursion limit counts a packed literal as ParseExpr would.
        for (int depth = 990; depth <= 1002; depth++)
        {
            string source = "return " + new string('{', depth) + "1" + new string('}', depth);
            var plain = Parser.Parse(source);
            var packed = Parser.Parse(source, s_packed);
            Assert.Equal(plain.Errors, packed.Errors);
        }
    }

    [Fact]
    public void TheCompilersParsePacksAMillionLiteralsIntoOneNode()
    {
        var text = new StringBuilder("return {");
        for (int i = 0; i < 1_000_000; i++)
            text.Append(i % 1000).Append(',');
        text.Append('}');
        var parse = Parser.Parse(text.ToString(), s_packed);
        var table = Assert.IsType<TableExpr>(Assert.IsType<ReturnStat>(Assert.Single(parse.Root.Body)).List[0]);
        // Pieces of at most 65,536 numbers, one list item each, holding every number in order.
        var runs = table.Items.Select(item => Assert.IsType<NumberListExpr>(item.Value)).ToArray();
        Assert.Equal(16, runs.Length);
        Assert.All(runs, run => Assert.InRange(run.Values.Length, 1, 1 << 16));
        var values = runs.SelectMany(run => run.Values).ToArray();
        Assert.Equal(1_000_000, values.Length);
        Assert.Equal(Enumerable.Range(0, 1_000_000).Select(i => (double)(i % 1000)), values);
        Assert.True(parse.HasNumberLists);
    }
}

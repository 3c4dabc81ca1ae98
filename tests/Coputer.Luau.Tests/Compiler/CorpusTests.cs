using Coputer.Luau.Bytecode;
using Coputer.Luau.Compiler;

namespace Coputer.Luau.Tests.Compiler;

/// <summary>
/// Every file of the shared conformance suite and benchmarks compiles at every optimisation level, and the result
/// reads back, verifies and disassembles.
/// </summary>
public class CorpusTests
{
    /// <summary>
    /// Files written in the flagged user-defined class syntax, which the parser (like the reference's, flags off)
    /// rejects: classes.luau in the conformance suite and the "-classes" benchmark variants.
    /// </summary>
    private static bool UsesClassSyntax(string path) => Path.GetFileNameWithoutExtension(path).EndsWith("classes", StringComparison.Ordinal);

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in SharedCorpus.ConformanceFiles().Concat(SharedCorpus.BenchFiles()))
        {
            if (!UsesClassSyntax(f))
                data.Add(Path.GetRelativePath(SharedCorpus.Root, f));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void CompilesVerifiesAndDisassembles(string relativePath)
    {
        var source = File.ReadAllBytes(Path.Combine(SharedCorpus.Root, relativePath));
        for (int level = 0; level <= 2; level++)
        {
            var result = LuauCompiler.Compile(source, new CompileOptions { OptimizationLevel = level });
            Assert.True(result.Success, $"O{level}: {(result.Errors.Count > 0 ? result.Errors[0].ToString() : "")}");

            var module = BytecodeReader.Read(result.Bytecode!);
            BytecodeVerifier.Verify(module);
            Assert.Equal(BytecodeFormat.VersionTarget, module.Version);
            var text = BytecodeDisassembler.Disassemble(module);
            Assert.Contains("RETURN", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CoverageAndDebugLevelsCompileTheCoverageTest()
    {
        var source = File.ReadAllBytes(Path.Combine(SharedCorpus.ConformanceDirectory, "coverage.luau"));
        for (int debug = 0; debug <= 2; debug++)
        {
            var result = LuauCompiler.Compile(source, new CompileOptions { CoverageLevel = 2, DebugLevel = debug });
            Assert.True(result.Success);
            var module = BytecodeReader.Read(result.Bytecode!);
            BytecodeVerifier.Verify(module);
            Assert.Contains(module.Protos, p => p.Code.Any(insn => Instruction.Op(insn) == OpCode.Coverage));
            // Line information exists exactly when the debug level asks for it.
            Assert.All(module.Protos, p => Assert.Equal(debug > 0, p.LineInfo is not null));
        }
    }

    [Fact]
    public void ClassSyntaxIsASyntaxError()
    {
        var source = File.ReadAllBytes(Path.Combine(SharedCorpus.ConformanceDirectory, "classes.luau"));
        var result = LuauCompiler.Compile(source);
        Assert.False(result.Success);
        Assert.NotEmpty(result.Errors);
    }

    [Fact]
    public void WholeCorpusCompilesWithoutBlowUp()
    {
        var sources = SharedCorpus.ConformanceFiles().Concat(SharedCorpus.BenchFiles())
            .Where(f => !UsesClassSyntax(f)).Select(File.ReadAllBytes).ToArray();
        // Warm up the JIT, then time one pass at the default level.
        foreach (var s in sources.Take(3))
            LuauCompiler.Compile(s);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        foreach (var s in sources)
            Assert.True(LuauCompiler.Compile(s).Success);
        watch.Stop();
        // Typically ~0.3 s; the bound only catches a pathological (superlinear) compile, not a slow machine. Compiler
        // speed is measured in bench/ (parse benchmark).
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"compiling the corpus took {watch.Elapsed}");
    }
}

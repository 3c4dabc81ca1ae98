using System.Collections.Immutable;
using Coputer.Luau.Interop;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Coputer.Luau.Generators.Tests;

/// <summary>
/// The generator run on source text by <see cref="CSharpGeneratorDriver"/>: what it writes compiles against the
/// engine, and the shapes it cannot export get a diagnostic instead of broken code.
/// </summary>
public class LuauExportGeneratorTests
{
    private static readonly ImmutableArray<MetadataReference> s_references =
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Select(p => MetadataReference.CreateFromFile(p)),
        MetadataReference.CreateFromFile(typeof(LuauExportAttribute).Assembly.Location),
    ];

    /// <summary>Runs the generator on <paramref name="source"/>; returns its diagnostics, the output compilation's errors and the generated text.</summary>
    private static (ImmutableArray<Diagnostic> Generator, Diagnostic[] Compile, string Generated) Run(string source)
    {
        var compilation = CSharpCompilation.Create("Sample",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            s_references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new LuauExportGenerator());
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var run = driver.GetRunResult();
        string generated = string.Join("\n", run.GeneratedTrees.Select(t => t.GetText().ToString()));
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        return (diagnostics, errors, generated);
    }

    [Fact]
    public void ABindingCompilesAgainstTheEngine()
    {
        var (generator, compile, generated) = Run("""
            using Coputer.Luau.Interop;
            namespace Demo;
            public enum Mode { Slow, Fast }
            [LuauExport("Thing")]
            public partial class Thing
            {
                public int Add(int a, int b = 2) => a + b;
                public double Add(double a, double b) => a + b;
                public Mode Mode { get; set; }
                public string Name { get; } = "";
                public event System.Action<int>? Changed;
                public System.Threading.Tasks.Task<string> LoadAsync(string key, System.Threading.CancellationToken ct) => System.Threading.Tasks.Task.FromResult(key);
                public void Fire() => Changed?.Invoke(1);
            }
            """);
        Assert.Empty(generator);
        Assert.Empty(compile);
        Assert.Contains("base(\"Thing\"", generated);
        Assert.Contains("partial class Thing : global::Coputer.Luau.Interop.ILuauExported", generated);
        // The generated code calls members directly: nothing is looked up by name at run time.
        Assert.DoesNotContain("System.Reflection", generated);
        Assert.DoesNotContain("GetMethod", generated);
    }

    [Fact]
    public void AClassThatIsNotPartialIsAnError()
    {
        var (generator, _, generated) = Run("""
            using Coputer.Luau.Interop;
            [LuauExport] public class Plain { public int X { get; set; } }
            """);
        var d = Assert.Single(generator);
        Assert.Equal("LUAU001", d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal("", generated);
    }

    [Fact]
    public void GenericAndNestedClassesAreErrors()
    {
        var (generic, _, _) = Run("""
            using Coputer.Luau.Interop;
            [LuauExport] public partial class Box<T> { public T? Value { get; set; } }
            """);
        Assert.Equal("LUAU002", Assert.Single(generic).Id);
        var (nested, _, _) = Run("""
            using Coputer.Luau.Interop;
            public partial class Outer { [LuauExport] public partial class Inner { } }
            """);
        Assert.Equal("LUAU002", Assert.Single(nested).Id);
    }

    [Fact]
    public void AMemberWithoutAConversionIsReportedAndLeftOut()
    {
        var (generator, compile, generated) = Run("""
            using Coputer.Luau.Interop;
            using System.Threading.Tasks;
            public class Unknown { }
            [LuauExport] public partial class Host
            {
                public int Ok() => 1;
                public Unknown Make() => new();
                public T Same<T>(T x) => x;
                public Task Later(out int x) { x = 1; return Task.CompletedTask; }
                public (int, Unknown) Pair() => (1, new());
                [LuauHidden] public Unknown Quiet() => new();
            }
            """);
        Assert.Equal(["LUAU003", "LUAU003", "LUAU003", "LUAU003"], generator.Select(d => d.Id));
        Assert.Contains(generator, d => d.GetMessage().Contains("'Make'", StringComparison.Ordinal));
        Assert.Contains(generator, d => d.GetMessage().Contains("'Same'", StringComparison.Ordinal) && d.GetMessage().Contains("no type arguments", StringComparison.Ordinal));
        Assert.Contains(generator, d => d.GetMessage().Contains("'Later'", StringComparison.Ordinal) && d.GetMessage().Contains("by reference", StringComparison.Ordinal));
        Assert.Contains(generator, d => d.GetMessage().Contains("'Pair'", StringComparison.Ordinal) && d.GetMessage().Contains("tuple", StringComparison.Ordinal));
        Assert.Empty(compile);
        Assert.Contains("\"Ok\"", generated);
        Assert.DoesNotContain("\"Make\"", generated);
        Assert.DoesNotContain("\"Quiet\"", generated);
    }

    [Fact]
    public void OutAndRefParametersAndTuplesBecomeResults()
    {
        var (generator, compile, generated) = Run("""
            using Coputer.Luau.Interop;
            using System.Threading.Tasks;
            [LuauExport] public partial class Host
            {
                public bool TryHalf(int n, out int half) { half = n / 2; return n % 2 == 0; }
                public void Swap(ref string a, ref string b) => (a, b) = (b, a);
                public (int Min, int Max, string Name, double A, double B) Stats() => (1, 2, "x", 3, 4);
                public Task<(int, string)> LaterAsync() => Task.FromResult((1, "one"));
            }
            """);
        Assert.Empty(generator);
        Assert.Empty(compile);
        foreach (string name in new[] { "TryHalf", "Swap", "Stats", "LaterAsync" })
            Assert.Contains($"\"{name}\"", generated);
    }
}

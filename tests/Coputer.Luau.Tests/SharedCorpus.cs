namespace Coputer.Luau.Tests;

/// <summary>
/// Locates the shared reference material (<c>../shared/</c> beside the repository root): Luau's conformance suite
/// and benchmark scripts. Tests enumerate these folders, so new files are covered without code changes.
/// </summary>
public static class SharedCorpus
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>The <c>shared</c> folder.</summary>
    public static string Root => s_root.Value;

    public static string ConformanceDirectory => Path.Combine(Root, "luau-conformance");

    public static string BenchDirectory => Path.Combine(Root, "luau-bench");

    /// <summary>Every <c>.luau</c> file of the conformance suite, sorted by name.</summary>
    public static IEnumerable<string> ConformanceFiles() =>
        Directory.EnumerateFiles(ConformanceDirectory, "*.luau").Order(StringComparer.Ordinal);

    /// <summary>Every <c>.lua</c> file under the benchmark folder, sorted by path.</summary>
    public static IEnumerable<string> BenchFiles() =>
        Directory.EnumerateFiles(BenchDirectory, "*.lua", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    /// <summary>xunit member data: one row per conformance file name (for example <c>"basic.luau"</c>).</summary>
    public static TheoryData<string> ConformanceFileNames()
    {
        var data = new TheoryData<string>();
        foreach (var f in ConformanceFiles())
            data.Add(Path.GetFileName(f));
        return data;
    }

    /// <summary>
    /// Files written in the experimental class syntax, which the reference only accepts behind a debug flag: the
    /// conformance suite's classes.luau, and benchmarks whose "--bench-args" line turns that flag on.
    /// </summary>
    public static bool NeedsClassSyntax(string path)
    {
        if (Path.GetFileName(path) == "classes.luau")
            return true;
        string firstLine = File.ReadLines(path).FirstOrDefault() ?? "";
        return firstLine.StartsWith("-- --bench-args:", StringComparison.Ordinal) && firstLine.Contains("DebugLuauUserDefinedClasses", StringComparison.Ordinal);
    }

    private static string FindRoot()
    {
        // Walk up from the test binary until a folder has a sibling "shared" with the conformance suite in it.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "luau-conformance")))
                return candidate;
        }
        throw new DirectoryNotFoundException($"no 'shared' folder with luau-conformance above {AppContext.BaseDirectory}");
    }
}

using Coputer.Luau.Syntax;

namespace Coputer.Luau.Tests.Syntax;

/// <summary>
/// Every file of the shared conformance suite and benchmark scripts parses without errors, and printing it gives
/// source that parses to the same tree. Files are enumerated from the folders, so new ones are covered too.
/// </summary>
public class CorpusTests
{
    internal static bool NeedsClassSyntax(string path) => SharedCorpus.NeedsClassSyntax(path);

    public static TheoryData<string> ConformanceFiles()
    {
        var data = new TheoryData<string>();
        foreach (string file in SharedCorpus.ConformanceFiles())
        {
            if (!NeedsClassSyntax(file))
                data.Add(Path.GetFileName(file));
        }
        return data;
    }

    public static TheoryData<string> BenchFiles()
    {
        var data = new TheoryData<string>();
        foreach (string file in SharedCorpus.BenchFiles())
        {
            if (!NeedsClassSyntax(file))
                data.Add(Path.GetRelativePath(SharedCorpus.BenchDirectory, file));
        }
        return data;
    }

    private static void ParsesCleanly(string path)
    {
        ParseResult result = Parser.Parse(File.ReadAllBytes(path));
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors.Select(e => $"{Path.GetFileName(path)}:{e}")));
        Assert.NotEmpty(result.Root.Body);
    }

    [Theory]
    [MemberData(nameof(ConformanceFiles))]
    public void ConformanceFileParses(string name) => ParsesCleanly(Path.Combine(SharedCorpus.ConformanceDirectory, name));

    [Theory]
    [MemberData(nameof(BenchFiles))]
    public void BenchFileParses(string name) => ParsesCleanly(Path.Combine(SharedCorpus.BenchDirectory, name));

    [Theory]
    [MemberData(nameof(ConformanceFiles))]
    public void ConformanceFileRoundTrips(string name) =>
        PrinterTests.RoundTrip(File.ReadAllBytes(Path.Combine(SharedCorpus.ConformanceDirectory, name)));

    [Theory]
    [MemberData(nameof(BenchFiles))]
    public void BenchFileRoundTrips(string name) =>
        PrinterTests.RoundTrip(File.ReadAllBytes(Path.Combine(SharedCorpus.BenchDirectory, name)));

    [Fact]
    public void ClassSyntaxFilesAreTheOnlyOnesLeftOut()
    {
        string[] excluded = SharedCorpus.ConformanceFiles().Concat(SharedCorpus.BenchFiles()).Where(NeedsClassSyntax).Select(Path.GetFileName).ToArray()!;
        Assert.Contains("classes.luau", excluded);
        Assert.All(excluded, name => Assert.Contains("class", name, StringComparison.Ordinal));
    }
}

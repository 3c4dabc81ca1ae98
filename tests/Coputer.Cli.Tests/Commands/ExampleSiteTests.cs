using Coputer.Cli.Commands;

namespace Coputer.Cli.Tests.Commands;

/// <summary>The example site in <c>examples/site</c> passes its own tests, as <c>coputer test examples/site</c> runs them.</summary>
public class ExampleSiteTests
{
    /// <summary>The repository's <c>examples/site</c>, found by walking up from the test's folder to the solution.</summary>
    internal static string SiteDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Coputer.slnx")))
                    return Path.Combine(dir.FullName, "examples", "site");
            }
            throw new DirectoryNotFoundException("the repository root (Coputer.slnx) is not above " + AppContext.BaseDirectory);
        }
    }

    [Fact]
    public void TheExampleSitePassesItsTests()
    {
        var output = new StringWriter();
        int code = TestCommand.Run(SiteDirectory, output, output);
        Assert.True(code == 0, output.ToString());
        Assert.EndsWith("10 passed, 0 failed" + Environment.NewLine, output.ToString());
    }

    [Fact]
    public void TheExampleSiteIsFormattedAndChecks()
    {
        var output = new StringWriter();
        Assert.True(CheckCommand.Run([SiteDirectory], output, output) == 0, output.ToString());
    }
}

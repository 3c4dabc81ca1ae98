using Coputer.Cli.Commands;

namespace Coputer.Cli.Tests.Commands;

/// <summary><c>coputer fmt --check</c> passes on the repository's own Luau files (bench, tests, templates).</summary>
public sealed class ProjectFormattingTests
{
    // Build output, dependencies, and the grammar test fixtures (laid out to test highlighting, not formatting).
    private static readonly string[] s_skippedFolders = ["bin", "obj", "node_modules", ".git", "editors"];

    [Fact]
    public void Every_Luau_file_in_the_repository_is_formatted()
    {
        string root = RepositoryRoot();
        var files = new List<string>();
        Collect(root, files);
        // bench/micro, the platform's test programs, the CLI's templates: a vacuous pass would hide a broken search.
        Assert.True(files.Count >= 20, $"found only {files.Count} Luau files under {root}");

        var output = new StringWriter();
        var error = new StringWriter();
        int status = FmtCommand.Run(files, check: true, configPath: null, output, error);
        Assert.True(status == 0, $"coputer fmt --check would change files (run coputer fmt on them):\n{output}{error}");
    }

    private static void Collect(string folder, List<string> files)
    {
        foreach (string file in Directory.EnumerateFiles(folder))
        {
            if (file.EndsWith(".d.luau", StringComparison.OrdinalIgnoreCase))
                continue; // type definition files (declare statements) are not programs
            if (file.EndsWith(".luau", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".lua", StringComparison.OrdinalIgnoreCase))
                files.Add(file);
        }
        foreach (string sub in Directory.EnumerateDirectories(folder))
        {
            if (!s_skippedFolders.Contains(Path.GetFileName(sub)))
                Collect(sub, files);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Coputer.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException("the repository root (with Coputer.slnx) is not above " + AppContext.BaseDirectory);
    }
}

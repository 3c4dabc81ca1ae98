namespace Coputer.Cli.Tests;

/// <summary>A base for tests that write files into a fresh folder of their own, removed after each test.</summary>
public abstract class ScratchFolderTests : IDisposable
{
    protected ScratchFolderTests(string prefix)
    {
        Root = Path.Combine(Path.GetTempPath(), $"coputer-{prefix}-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    /// <summary>The test's folder.</summary>
    protected string Root { get; }

    /// <summary>Writes <paramref name="contents"/> at <paramref name="relativePath"/> below the folder, making folders on the way; returns the full path.</summary>
    protected string Write(string relativePath, string contents)
    {
        string path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, contents);
        return path;
    }

    public void Dispose()
    {
        Directory.Delete(Root, recursive: true);
        GC.SuppressFinalize(this);
    }
}

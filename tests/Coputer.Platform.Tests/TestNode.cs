using Coputer.Platform.Bundles;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;
using Coputer.Platform.Runtime;
using Coputer.Platform.Store;

namespace Coputer.Platform.Tests;

/// <summary>An execution service over a temporary directory, and a publisher to publish with.</summary>
internal sealed class TestNode : IDisposable
{
    public TestNode(Func<ExecutionOptions, ExecutionOptions>? configure = null)
    {
        Directory = TempDirectory.Create();
        var options = new ExecutionOptions { DataDirectory = Directory.Path, Workers = 2 };
        Service = ExecutionService.Open(configure is null ? options : configure(options));
    }

    public TempDirectory Directory { get; }

    public ExecutionService Service { get; }

    public Publisher Publisher { get; } = Publisher.Generate();

    private readonly Dictionary<string, long> _sequences = [];

    /// <summary>Publishes <paramref name="bundle"/> as <paramref name="name"/> with the next sequence number.</summary>
    public PublishResult Publish(string name, Bundle bundle)
    {
        long sequence = _sequences.GetValueOrDefault(name) + 1;
        _sequences[name] = sequence;
        var record = new PublicationRecord(Publisher.Key, name, bundle.Hash, sequence).Sign(Publisher);
        var result = Service.Publish(record.Encode(), bundle.Encode());
        Assert.True(result.Succeeded, result.Message);
        return result;
    }

    public Task<RunResult> Run(string name, string method = "GET", string target = "/", RunOptions? options = null) =>
        Service.RunAsync(ProgramRef.ByName(Publisher.Key, name), WebRequest.Create(method, target), options);

    public void Dispose()
    {
        Service.Dispose();
        Publisher.Dispose();
        Directory.Dispose();
    }
}

/// <summary>A directory removed at the end of a test.</summary>
internal sealed class TempDirectory : IDisposable
{
    private TempDirectory(string path) => Path = path;

    public string Path { get; }

    public static TempDirectory Create()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "coputer-test-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(path);
        return new TempDirectory(path);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

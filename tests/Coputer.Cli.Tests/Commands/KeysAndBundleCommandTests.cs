using Coputer.Cli.Commands;
using Coputer.Platform.Bundles;
using Coputer.Platform.Identity;

namespace Coputer.Cli.Tests.Commands;

public sealed class KeysAndBundleCommandTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "coputer-cli-" + Guid.NewGuid().ToString("N")[..12]);

    public KeysAndBundleCommandTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void KeysNewWritesAPrivateKeyThatShowReadsBack()
    {
        string path = Path.Combine(_directory, "sub", "publisher.key");
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, KeysCommand.New(path, force: false, output, error));
        using var written = KeyFile.Read(path);
        Assert.Contains($"id:   {written.Key.Id}", output.ToString());
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        var shown = new StringWriter();
        Assert.Equal(0, KeysCommand.Show(path, shown, error));
        Assert.Contains($"key:  {written.Key}", shown.ToString());
        Assert.DoesNotContain("cosec:", shown.ToString());

        // An existing key is never replaced by accident.
        var refused = new StringWriter();
        Assert.Equal(1, KeysCommand.New(path, force: false, new StringWriter(), refused));
        Assert.Contains("already there", refused.ToString());
        using var still = KeyFile.Read(path);
        Assert.Equal(written.Key.Id, still.Key.Id);
    }

    [Fact]
    public void KeysShowWithoutAKeySaysHowToMakeOne()
    {
        var error = new StringWriter();
        Assert.Equal(1, KeysCommand.Show(Path.Combine(_directory, "none.key"), new StringWriter(), error));
        Assert.Contains("coputer keys new", error.ToString());
    }

    [Fact]
    public void BundleWritesTheBundleAndPrintsItsHash()
    {
        string site = Path.Combine(_directory, "site");
        Directory.CreateDirectory(site);
        File.WriteAllText(Path.Combine(site, "main.luau"), "return { body = buffer.fromstring('hi') }");
        string file = Path.Combine(_directory, "site.bundle");
        var output = new StringWriter();
        Assert.Equal(0, BundleCommand.Run(site, file, output, new StringWriter()));
        var expected = Bundle.FromDirectory(site).Hash;
        Assert.Equal(expected.ToString(), output.ToString().Trim());
        Assert.Equal(Bundle.FromDirectory(site).Encode(), File.ReadAllBytes(file));
    }

    [Fact]
    public void BundleOfAFolderWithoutMainSaysWhy()
    {
        var error = new StringWriter();
        Assert.Equal(1, BundleCommand.Run(_directory, null, new StringWriter(), error));
        Assert.StartsWith(_directory + ": ", error.ToString());
    }

    [Fact]
    public async Task NodeServesItsHealthAndStopsWhenCancelled()
    {
        using var stop = new CancellationTokenSource();
        var output = new StringWriter();
        var run = NodeCommand.RunAsync(Path.Combine(_directory, "node"), "localhost", 0, TextWriter.Synchronized(output), new StringWriter(), stop.Token);
        // The node prints its address once it listens; read the port from there.
        string? url = null;
        for (int i = 0; i < 600 && url is null && !run.IsCompleted; i++)
        {
            await Task.Delay(50);
            url = output.ToString().Split(' ').FirstOrDefault(w => w.StartsWith("http://", StringComparison.Ordinal));
        }
        Assert.NotNull(url);
        using var client = new HttpClient();
        string health = await client.GetStringAsync(new Uri(url).GetLeftPart(UriPartial.Authority) + "/health");
        Assert.Contains("\"status\":\"ok\"", health);
        stop.Cancel();
        Assert.Equal(0, await run);
        // The first start wrote the configuration file with every default, for the operator to edit.
        Assert.Equal(Coputer.Platform.Policy.NodeConfigFile.DefaultText, File.ReadAllText(Path.Combine(_directory, "node", "node.json")));
    }

    [Fact]
    public async Task NodeWithABadConfigurationFileSaysWhereAndDoesNotStart()
    {
        var config = Path.Combine(_directory, "bad.json");
        File.WriteAllText(config, "{\n  \"quotas\": { \"runsPerMinutePerPublisher\": \"many\" }\n}\n");
        var error = new StringWriter();
        Assert.Equal(1, await NodeCommand.RunAsync(Path.Combine(_directory, "node2"), "localhost", 0, new StringWriter(), error, CancellationToken.None, configFile: config));
        Assert.Equal($"{config}: quotas.runsPerMinutePerPublisher is a whole number, not the string \"many\"", error.ToString().Trim());
        Assert.False(Directory.Exists(Path.Combine(_directory, "node2")));

        File.WriteAllText(config, "{ \"quotas\": { ");
        error = new StringWriter();
        Assert.Equal(1, await NodeCommand.RunAsync(Path.Combine(_directory, "node2"), "localhost", 0, new StringWriter(), error, CancellationToken.None, configFile: config));
        Assert.StartsWith($"{config}:1:", error.ToString());
    }
}

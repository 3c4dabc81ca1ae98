using System.Text;
using Coputer.Platform.Identity;
using Coputer.Platform.Store;
using Coputer.Platform.Tests.Runtime;

namespace Coputer.Platform.Tests.Execution;

/// <summary>Tests that need a second node process: determinism across processes and crash safety.</summary>
public class ProcessTests
{
    /// <summary>Programs whose outcomes must match byte for byte between processes.</summary>
    private static string Suite()
    {
        var sb = new StringBuilder();
        void Add(string name, long instructions, string method, string target, string source) =>
            sb.Append($"=== {name} {instructions} {method} {target}\n{source}\n");
        foreach (var program in new[] { "web1", "web2", "web3" })
        {
            string source = File.ReadAllText(Path.Combine(TestPrograms.Directory(program), "main.luau"));
            foreach (var target in new[] { "/", "/hello", "/error", "/?a=b&a=c&=x" })
            {
                Add($"{program}{target}", 1_000_000, "GET", target, source);
                Add($"{program}-post{target}", 1_000_000, "POST", target, source);
            }
        }
        for (int i = 0; i < HostilePrograms.All.Length; i++)
        {
            var (_, source, _) = HostilePrograms.All[i];
            Add("hostile" + i, HostilePrograms.Limits.Instructions, "GET", "/", source);
        }
        Add("tables", 1_000_000, "GET", "/", """
            local t = { b = 1, a = 2, [3] = 'x', [1.5] = 'y', z = {} }
            local keys = {}
            for k in pairs(t) do table.insert(keys, tostring(k)) end
            local s = {}
            for i = 1, 200 do s[tostring(i * 7919 % 1000)] = i end
            for k, v in pairs(s) do table.insert(keys, k .. '=' .. v) end
            return { body = buffer.fromstring(table.concat(keys, ',') .. tostring(math.random()) .. tostring({}):sub(1, 6)) }
            """);
        Add("math", 1_000_000, "GET", "/", """
            local out = {}
            for _, x in { 0, 0.5, 1, 3.141592653589793, 1e-310, 1e300, -2.5, 710, 1e22 } do
                table.insert(out, string.format('%.17g %.17g %.17g %.17g %.17g %.17g', math.sin(x), math.cos(x), math.exp(x), math.log(math.abs(x) + 1), math.tan(x), x ^ 0.37))
            end
            return { body = buffer.fromstring(table.concat(out, '\n')) }
            """);
        return sb.ToString();
    }

    [Fact]
    public void TwoProcessesGiveIdenticalOutcomesAndInstructionCounts()
    {
        using var dir = TempDirectory.Create();
        string suite = Path.Combine(dir.Path, "suite.txt");
        File.WriteAllText(suite, Suite());
        string a = Path.Combine(dir.Path, "a.txt"), b = Path.Combine(dir.Path, "b.txt");
        ProcessHost.RunToEnd("run-suite", suite, a);
        ProcessHost.RunToEnd("run-suite", suite, b);
        var first = File.ReadAllBytes(a);
        Assert.Equal(first, File.ReadAllBytes(b));
        var lines = Encoding.UTF8.GetString(first).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Suite().Split("=== ").Length - 1, lines.Length);
        Assert.Contains(lines, l => l.Contains("\tLimitExceeded\tInstructions\t"));
        Assert.Contains(lines, l => l.Contains("\tLimitExceeded\tMemory\t"));
        Assert.Contains(lines, l => l.StartsWith("web3/?a=b&a=c&=x\tOk\t", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AcknowledgedPublicationsSurviveSigkill()
    {
        using var dir = TempDirectory.Create();
        string data = Path.Combine(dir.Path, "node");
        string keyFile = Path.Combine(dir.Path, "cosec");
        using var publisher = Publisher.Generate();
        KeyFile.Write(keyFile, publisher);
        var acked = new Dictionary<int, Hash256>();
        var random = new Random(8);
        int kills = 0, starts = 0;
        while (acked.Count < 100 && starts++ < 40)
        {
            int from = acked.Count == 0 ? 0 : acked.Keys.Max() + 1;
            using var host = ProcessHost.Start("publish", data, keyFile, from.ToString(), "100");
            // The host waits for a line before each publication, so the kill lands after a chosen number of
            // acknowledgements however fast the machine is; the last run is left to finish unpaced.
            bool last = starts >= 8;
            int killAfter = random.Next(1, 25);
            var killPoint = new ManualResetEventSlim();
            int seen = 0;
            if (last)
                host.StandardInput.Close();
            else
                host.StandardInput.WriteLine("next");
            var reader = Task.Run(() =>
            {
                string? line;
                while ((line = host.StandardOutput.ReadLine()) is not null)
                {
                    var parts = line.Split(' ');
                    if (parts is ["ack", var n, var hash])
                    {
                        lock (acked)
                            acked[int.Parse(n)] = Hash256.Parse(hash);
                        if (last)
                            continue;
                        // Let one more publication start after the kill point, so the kill falls inside it.
                        if (++seen <= killAfter)
                            TryWrite(host, "next");
                        if (seen >= killAfter)
                            killPoint.Set();
                    }
                }
                killPoint.Set();
            });
            killPoint.Wait(TimeSpan.FromSeconds(60));
            if (!last && !host.HasExited)
            {
                // A short random pause puts the kill anywhere inside the next publication.
                Thread.SpinWait(random.Next(0, 200_000));
                host.Kill();
                kills++;
            }
            await host.WaitForExitAsync();
            await reader;
            Verify(data, publisher.Key, acked);
        }
        Assert.Equal(100, acked.Count);
        Assert.True(kills >= 3, $"only {kills} kills");
    }

    private static void TryWrite(System.Diagnostics.Process host, string line)
    {
        try
        {
            host.StandardInput.WriteLine(line);
            host.StandardInput.Flush();
        }
        catch (IOException)
        {
            // The host has already exited (or been killed): nothing more to pace.
        }
    }

    private static void Verify(string data, PublisherKey key, Dictionary<int, Hash256> acked)
    {
        using var store = NodeStore.Open(data);
        foreach (var (i, hash) in acked)
        {
            var version = store.Resolve(key, $"p{i}");
            Assert.True(version is not null, $"acknowledged p{i} is missing");
            Assert.Equal(hash, version.Program);
            Assert.True(version.Record.VerifySignature());
        }
        // Nothing half-stored: every stored name has its record and a bundle that reads back to its hash.
        foreach (var version in store.ListPrograms(key))
        {
            var bundle = store.GetBundle(version.Program);
            Assert.NotNull(bundle);
            Assert.Equal(version.Program, bundle.Hash);
        }
    }
}

using System.Text;
using Coputer.Platform.Identity;
using Coputer.Platform.Policy;

namespace Coputer.Platform.Tests.Policy;

public class NodeConfigFileTests
{
    private static NodePolicy Parse(string text) => NodeConfigFile.Parse(Encoding.UTF8.GetBytes(text), "node.json");

    private static string Error(string text) => Assert.Throws<NodeConfigException>(() => Parse(text)).Message;

    [Fact]
    public void TheDefaultFileParsesToTheDefaultPolicy()
    {
        var policy = Parse(NodeConfigFile.DefaultText);
        Assert.Equal(NodePolicy.Default.StorageBytesPerPublisher, policy.StorageBytesPerPublisher);
        Assert.Equal(NodePolicy.Default.RunsPerMinutePerPublisher, policy.RunsPerMinutePerPublisher);
        Assert.Equal(NodePolicy.Default.ConnectionsPerPeer, policy.ConnectionsPerPeer);
        Assert.Null(policy.AllowedPublishers);
        Assert.Empty(policy.DeniedPublishers);
        Assert.Empty(policy.DeniedPrograms);
        Assert.False(policy.RestrictsPublishers);
    }

    [Fact]
    public void EverySettingIsRead()
    {
        using var a = Publisher.Generate();
        using var b = Publisher.Generate();
        var hash = Hash256.Of("program"u8);
        var policy = Parse($$"""
            // a comment, and a trailing comma below
            {
              "publishers": { "allow": ["{{a.Key.Id}}"], "deny": ["{{b.Key.Id}}",] },
              "programs": { "deny": ["{{hash}}"] },
              "quotas": { "storageMegabytesPerPublisher": 10, "runsPerMinutePerPublisher": 600 },
              "peers": { "maxConnections": 2 }
            }
            """);
        Assert.Equal([a.Key.Id], policy.AllowedPublishers!);
        Assert.Equal([b.Key.Id], policy.DeniedPublishers);
        Assert.Equal([hash], policy.DeniedPrograms);
        Assert.Equal(10L << 20, policy.StorageBytesPerPublisher);
        Assert.Equal(600, policy.RunsPerMinutePerPublisher);
        Assert.Equal(2, policy.ConnectionsPerPeer);
        Assert.NotNull(policy.RefusePublisher(b.Key.Id));
        Assert.Null(policy.RefusePublisher(a.Key.Id));
        Assert.NotNull(policy.RefuseProgram(hash));
        // An empty file section keeps the defaults; a byte-order mark is fine.
        Assert.Equal(NodePolicy.Default.StorageBytesPerPublisher, NodeConfigFile.Parse([0xEF, 0xBB, 0xBF, .. "{ \"quotas\": {} }"u8], "x").StorageBytesPerPublisher);
    }

    [Theory]
    [InlineData("{ \"quota\": {} }", "unknown setting 'quota'")]
    [InlineData("{ \"quotas\": { \"runsPerMinute\": 5 } }", "unknown setting 'quotas.runsPerMinute'")]
    [InlineData("{ \"quotas\": { \"runsPerMinutePerPublisher\": -1 } }", "quotas.runsPerMinutePerPublisher is -1")]
    [InlineData("{ \"quotas\": { \"runsPerMinutePerPublisher\": 1.5 } }", "is a whole number, not the number 1.5")]
    [InlineData("{ \"quotas\": { \"storageMegabytesPerPublisher\": \"10\" } }", "is a whole number, not the string \"10\"")]
    [InlineData("{ \"publishers\": { \"deny\": [\"abc\"] } }", "publishers.deny[0]: 'abc' is not a publisher id")]
    [InlineData("{ \"publishers\": { \"deny\": \"abc\" } }", "publishers.deny is a list")]
    [InlineData("{ \"programs\": { \"deny\": [7] } }", "programs.deny[0] is a string, not the number 7")]
    [InlineData("{ \"programs\": { \"deny\": [\"00ff\"] } }", "is not a program hash")]
    [InlineData("{ \"peers\": { \"maxConnections\": 0 } }", "at least 1")]
    [InlineData("[]", "is a JSON object")]
    [InlineData("{ \"peers\": [] }", "peers is an object")]
    public void BadSettingsAreRefusedByName(string text, string expected)
    {
        var message = Error(text);
        Assert.StartsWith("node.json: ", message);
        Assert.Contains(expected, message);
    }

    [Fact]
    public void SyntaxErrorsGiveTheLineAndColumn()
    {
        var message = Error("{\n  \"quotas\": {\n    \"runsPerMinutePerPublisher\": 5 5\n  }\n}");
        Assert.StartsWith("node.json:3:", message);
        Assert.Contains("not valid JSON", message);
        Assert.DoesNotContain("LineNumber", message);
        Assert.StartsWith("node.json", Error(""));
        Assert.StartsWith("node.json", Error(new string('[', 100)));
    }

    [Fact]
    public void MutatedFilesAreRefusedCleanlyOrParsed()
    {
        var random = new Random(7);
        var original = Encoding.UTF8.GetBytes(NodeConfigFile.DefaultText);
        for (int i = 0; i < 3000; i++)
        {
            var bytes = (byte[])original.Clone();
            for (int flips = random.Next(1, 6); flips > 0; flips--)
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            try
            {
                NodeConfigFile.Parse(bytes, "fuzz");
            }
            catch (NodeConfigException e)
            {
                Assert.StartsWith("fuzz", e.Message);
            }
        }
    }

    [Fact]
    public void LoadOrCreateWritesTheDefaultsOnceAndKeepsTheOperatorsEdits()
    {
        using var dir = TempDirectory.Create();
        var path = Path.Combine(dir.Path, "sub", NodeConfigFile.FileName);
        Assert.Equal(NodePolicy.Default.ConnectionsPerPeer, NodeConfigFile.LoadOrCreate(path).ConnectionsPerPeer);
        Assert.Equal(NodeConfigFile.DefaultText, File.ReadAllText(path));
        File.WriteAllText(path, "{ \"peers\": { \"maxConnections\": 9 } }");
        Assert.Equal(9, NodeConfigFile.LoadOrCreate(path).ConnectionsPerPeer);
        File.WriteAllBytes(path, new byte[NodeConfigFile.MaxBytes + 1]);
        Assert.Contains("too large", Assert.Throws<NodeConfigException>(() => NodeConfigFile.Load(path)).Message);
        Assert.Contains("cannot read", Assert.Throws<NodeConfigException>(() => NodeConfigFile.Load(Path.Combine(dir.Path, "missing.json"))).Message);
    }
}

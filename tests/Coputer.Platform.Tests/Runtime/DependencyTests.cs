using System.Text;
using Coputer.Platform.Bundles;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;
using Coputer.Platform.Runtime;

namespace Coputer.Platform.Tests.Runtime;

/// <summary>Programs calling programs: <c>require("@alias/module")</c> through a <c>coputer.json</c> pinned to hashes.</summary>
public class DependencyTests
{
    private static readonly PublisherId s_someone = Publisher.Generate().Key.Id;

    private static string Manifest(params (string Alias, Bundle Bundle)[] dependencies) =>
        "{ \"dependencies\": { " + string.Join(", ", dependencies.Select(d => $"\"{d.Alias}\": {{ \"program\": \"{d.Alias}-{s_someone}\", \"hash\": \"{d.Bundle.Hash}\" }}")) + " } }";

    private static Bundle WithManifest(string main, string manifest, params (string Path, string Source)[] others) =>
        TestPrograms.FromSource(main, [(BundleManifest.FileName, manifest), .. others]);

    private static RunResult Run(Bundle bundle, params Bundle[] available)
    {
        var programs = available.ToDictionary(b => b.Hash, b => new CompiledProgram(b));
        return ProgramRuntime.Run(new CompiledProgram(bundle), WebRequest.Create("GET", "/"), dependencies: h => programs.GetValueOrDefault(h));
    }

    private const string Answer = "return { body = buffer.fromstring(text) }";

    [Fact]
    public void AModuleOfAPinnedProgramLoadsWithItsOwnRelativeRequiresAndDependencies()
    {
        var colours = TestPrograms.FromSource("return {}", ("palette.luau", "return { accent = 'teal' }"));
        var ui = WithManifest("return {}", Manifest(("colours", colours)),
            ("button.luau", "local style = require('./style') local palette = require('@colours/palette') return function(t) return style.wrap(t) .. ':' .. palette.accent end"),
            ("style.luau", "return { wrap = function(t) return '[' .. t .. ']' end }"));
        // The program has a style.luau of its own: the dependency's is another module.
        var site = WithManifest("local button = require('@ui/button') local style = require('./style') local text = button('ok') .. ' ' .. style.name " + Answer,
            Manifest(("ui", ui)), ("style.luau", "return { name = 'site style' }"));
        var result = Run(site, ui, colours);
        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.Equal("[ok]:teal site style", result.Response!.BodyText);
    }

    [Fact]
    public void AMissingDependencyIsNotFoundAndNotTheProgramsErrorEvenWhenCaught()
    {
        var ui = TestPrograms.FromSource("return {}", ("button.luau", "return {}"));
        var site = WithManifest("local ok = pcall(require, '@ui/button') local text = tostring(ok) " + Answer, Manifest(("ui", ui)));
        var result = Run(site);
        Assert.Equal(RunStatus.NotFound, result.Status);
        Assert.False(result.IsDeterministic);
        Assert.Contains(ui.Hash.ToString(), result.Error);
        Assert.Equal(RunStatus.Ok, Run(site, ui).Status);
    }

    [Theory]
    [InlineData("require('@nope/x')", "no dependency 'nope' in coputer.json")]
    [InlineData("require('@ui')", "name a module of the dependency")]
    [InlineData("require('@ui/missing')", "error finding file in dependency 'ui'")]
    [InlineData("require('@ui/../../x')", "outside the program in dependency 'ui'")]
    [InlineData("require('@ui/button.luau')", "consider removing the file extension")]
    public void BadDependencyRequiresAreTheProgramsErrors(string call, string expected)
    {
        var ui = TestPrograms.FromSource("return {}", ("button.luau", "return {}"));
        var result = Run(WithManifest(call + " return {}", Manifest(("ui", ui))), ui);
        Assert.Equal(RunStatus.ProgramError, result.Status);
        Assert.Contains(expected, result.Error);
    }

    [Fact]
    public void ProgramsRequiringEachOtherInACircleAreACycle()
    {
        // b's module requires a's through the (pinned) hash of a, which must exist before b can pin it, so the
        // circle here goes through one program's own modules: x -> @b/y -> @b/z -> @b/y.
        var b = TestPrograms.FromSource("return {}", ("y.luau", "return require('./z')"), ("z.luau", "return require('./y')"));
        var result = Run(WithManifest("return require('@b/y')", Manifest(("b", b))), b);
        Assert.Equal(RunStatus.ProgramError, result.Status);
        Assert.Contains("cyclic module dependency", result.Error);
    }

    [Fact]
    public void WithoutACoputerJsonAnAtRequireSaysSo()
    {
        var result = TestPrograms.Run("return require('@ui/button')");
        Assert.Equal(RunStatus.ProgramError, result.Status);
        Assert.Contains("no dependency 'ui' in coputer.json", result.Error);
    }

    [Theory]
    [InlineData("[]", "the manifest is a JSON object")]
    [InlineData("{ \"deps\": {} }", "unknown key 'deps'")]
    [InlineData("{ \"dependencies\": [] }", "dependencies is an object")]
    [InlineData("{ \"dependencies\": { \"Bad\": {} } }", "alias 'Bad' must be")]
    [InlineData("{ \"dependencies\": { \"ui\": { \"program\": \"ui\", \"hash\": \"00\" } } }", "dependencies.ui.program must be a program address")]
    [InlineData("{ \"dependencies\": { \"ui\": { \"program\": 3 } } }", "dependencies.ui.program is a string")]
    [InlineData("{ \"dependencies\": { \"ui\": { \"extra\": \"x\" } } }", "unknown key 'extra'")]
    [InlineData("{ \"dependencies\": ", "coputer.json:1: not valid JSON")]
    public void BadManifestsNameTheKey(string manifest, string expected)
    {
        var message = Assert.Throws<BundleException>(() => BundleManifest.Parse(Encoding.UTF8.GetBytes(manifest))).Message;
        Assert.StartsWith("coputer.json", message);
        Assert.Contains(expected, message);
        // In a program, the same problem is the program's error when it first requires through the manifest.
        var result = TestPrograms.Run(WithManifest("return require('@ui/x')", manifest), "GET", "/");
        Assert.Equal(RunStatus.ProgramError, result.Status);
        Assert.Contains(expected, result.Error);
    }

    [Fact]
    public void ManifestLimitsAndMutationsAreRefusedCleanly()
    {
        var ui = TestPrograms.FromSource("return {}");
        var many = "{ \"dependencies\": { " + string.Join(", ", Enumerable.Range(0, BundleManifest.MaxDependencies + 1).Select(i => $"\"d{i}\": {{ \"program\": \"d-{s_someone}\", \"hash\": \"{ui.Hash}\" }}")) + " } }";
        Assert.Contains("more than", Assert.Throws<BundleException>(() => BundleManifest.Parse(Encoding.UTF8.GetBytes(many))).Message);
        var good = Encoding.UTF8.GetBytes(Manifest(("ui", ui), ("other", ui)));
        Assert.Equal(2, BundleManifest.Parse(good).Dependencies.Count);
        var random = new Random(11);
        for (int i = 0; i < 3000; i++)
        {
            var bytes = (byte[])good.Clone();
            for (int n = random.Next(1, 5); n > 0; n--)
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            try
            {
                BundleManifest.Parse(bytes);
            }
            catch (BundleException e)
            {
                Assert.StartsWith("coputer.json", e.Message);
            }
        }
    }

    [Fact]
    public async Task TheNodeFetchesAMissingDependencyByHashChecksItAndRuns()
    {
        var ui = TestPrograms.FromSource("return {}", ("button.luau", "return { label = 'fetched button' }"));
        var site = WithManifest("local text = require('@ui/button').label " + Answer, Manifest(("ui", ui)));
        using var node = new TestNode();
        node.Publish("site", site);
        var asked = new List<Hash256>();
        // First a peer that answers with the wrong bytes: the node keeps nothing and the run is not found (not cached).
        node.Service.FetchBundle = (hash, _) =>
        {
            asked.Add(hash);
            return Task.FromResult<byte[]?>(TestPrograms.FromSource("return 'impostor'").Encode());
        };
        var refused = await node.Run("site");
        Assert.Equal(RunStatus.NotFound, refused.Status);
        Assert.False(node.Service.Store.HasProgram(ui.Hash));
        Assert.Equal([ui.Hash], asked);

        node.Service.FetchBundle = (hash, _) => Task.FromResult<byte[]?>(hash == ui.Hash ? ui.Encode() : null);
        var result = await node.Run("site");
        Assert.True(result.Status == RunStatus.Ok, result.Error);
        Assert.Equal("fetched button", result.Response!.BodyText);
        Assert.True(node.Service.Store.HasProgram(ui.Hash));
    }
}

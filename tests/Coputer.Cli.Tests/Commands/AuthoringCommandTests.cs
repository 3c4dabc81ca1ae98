using System.Text;
using Coputer.Cli.Commands;

namespace Coputer.Cli.Tests.Commands;

/// <summary><c>coputer new</c>, <c>request</c> and <c>test</c>: what an author runs on a program folder.</summary>
public sealed class AuthoringCommandTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "coputer-author-" + Guid.NewGuid().ToString("N")[..12]);

    public AuthoringCommandTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Site(string main, params (string Path, string Content)[] others)
    {
        string site = Path.Combine(_directory, "site" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(site);
        File.WriteAllText(Path.Combine(site, "main.luau"), main);
        foreach (var (path, content) in others)
        {
            string full = Path.Combine(site, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
        return site;
    }

    private static (int Code, string Output, string Error) Request(string site, string target, string? method = null, string? data = null, params string[] headers)
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        int code = RequestCommand.Run(site, target, method, headers, data, stdout, stderr);
        return (code, Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString());
    }

    private static (int Code, string Output) Test(string site)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TestCommand.Run(site, output, error);
        return (code, output.ToString() + error.ToString());
    }

    [Fact]
    public void NewMakesASiteThatServesChecksAndPassesItsOwnTests()
    {
        string site = Path.Combine(_directory, "fresh");
        var output = new StringWriter();
        Assert.Equal(0, NewCommand.Run(site, output, new StringWriter()));
        foreach (string file in new[] { "main.luau", "layout.luau", "public/style.css", "main.test.luau", "types/args.d.luau" })
            Assert.True(File.Exists(Path.Combine(site, file)), file);
        Assert.Contains("coputer dev", output.ToString());

        var (code, page, error) = Request(site, "/?name=Ada");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.StartsWith("HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\n", page);
        Assert.Contains("<h1>Hello, Ada!</h1>", page);
        Assert.Contains("<link rel=\"stylesheet\" href=\"/public/style.css\">", page);

        var (testCode, tests) = Test(site);
        Assert.Equal(0, testCode);
        Assert.EndsWith("4 passed, 0 failed" + Environment.NewLine, tests);

        var checkOutput = new StringWriter();
        Assert.Equal(0, CheckCommand.Run([site], checkOutput, checkOutput));
    }

    [Fact]
    public void NewRefusesAFolderThatIsNotEmpty()
    {
        string site = Site("return {}");
        var error = new StringWriter();
        Assert.Equal(1, NewCommand.Run(site, new StringWriter(), error));
        Assert.Contains("not empty", error.ToString());
        Assert.Equal("return {}", File.ReadAllText(Path.Combine(site, "main.luau")));
    }

    [Fact]
    public void RequestPrintsTheResponseAsCurlDoes()
    {
        string site = Site("""
            local r = args.web()
            print("handling", r.method, r.url.path)
            return {
                statuscode = 201,
                headers = { ["content-type"] = "text/plain", ["x-seen"] = r.headers["x-token"] or "none" },
                body = buffer.fromstring(r.method .. " " .. r.url.rawpath .. " " .. buffer.tostring(r.body)),
            }
            """);
        var (code, output, error) = Request(site, "/form?a=1", data: "name=Ada", headers: "X-Token: abc");
        Assert.Equal(0, code);
        Assert.Equal("handling\tPOST\t/form\n", error);
        string[] parts = output.Split("\r\n\r\n", 2);
        Assert.Equal("POST /form?a=1 name=Ada", parts[1]);
        var head = parts[0].Split("\r\n");
        Assert.Equal("HTTP/1.1 201 Created", head[0]);
        Assert.Contains("content-type: text/plain", head);
        Assert.Contains("x-seen: abc", head);
        Assert.Contains("content-length: 23", head);
        Assert.Contains(head, h => h.StartsWith("etag: W/\"", StringComparison.Ordinal));

        var (headCode, headOutput, _) = Request(site, "/", method: "HEAD");
        Assert.Equal(0, headCode);
        Assert.EndsWith("\r\n\r\n", headOutput);
    }

    [Fact]
    public void RequestServesAssetsByPath()
    {
        string site = Site("return { body = buffer.fromstring('program') }", ("public/style.css", "body { color: red }"));
        var (code, output, _) = Request(site, "/public/style.css");
        Assert.Equal(0, code);
        Assert.StartsWith("HTTP/1.1 200 OK\r\ncontent-type: text/css", output);
        Assert.EndsWith("\r\n\r\nbody { color: red }", output);
        Assert.EndsWith("program", Request(site, "/public/missing.css").Output);
    }

    [Fact]
    public void AFailedRunExits1WithTheErrorAndTraceback()
    {
        string site = Site("""
            local layout = require("./layout")
            return { body = buffer.fromstring(layout.title()) }
            """, ("layout.luau", """
            local layout = {}
            function layout.title()
                local page = nil
                return page.title
            end
            return layout
            """));
        var (code, output, error) = Request(site, "/");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        var lines = error.Split('\n');
        Assert.Equal("layout.luau:4: attempt to index nil with 'title'", lines[0]);
        Assert.Equal("traceback:", lines[1]);
        Assert.Contains("main.luau:2", error);
    }

    [Fact]
    public void AResponseThatIsNotValidHttpIsAFailure()
    {
        string site = Site("return { headers = { ['x-bad'] = 'a\\r\\nset-cookie: stolen=1' }, body = buffer.fromstring('x') }");
        var (code, output, error) = Request(site, "/");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("x-bad", error);
        Assert.DoesNotContain("stolen", output);
    }

    [Theory]
    [InlineData("/", null, "Bad-Header")]
    [InlineData("/", "get", null)]
    [InlineData("no-slash", null, null)]
    public void BadArgumentsAreOneLineErrors(string target, string? method, string? header)
    {
        string site = Site("return {}");
        var (code, output, error) = Request(site, target, method, null, header is null ? [] : [header]);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void RequestOnAFolderThatIsNotAProgramSaysWhy()
    {
        var (code, _, error) = Request(_directory, "/");
        Assert.Equal(1, code);
        Assert.Contains("main.luau", error);
    }

    [Fact]
    public void TestReportsEachTestAndFailsWhenOneFails()
    {
        string site = Site("""
            local r = args.web()
            if r.url.path == "/broken" then
                error("the page is broken")
            end
            if r.method == "POST" then
                return { statuscode = 303, headers = { location = "/thanks" } }
            end
            return { headers = { ["content-type"] = "application/json" }, body = buffer.fromstring('{"ok":true}') }
            """, ("util.luau", "return { double = function(n) return n * 2 end }"), ("tests/api.test.luau", """
            test("json", function()
                local r = get("/")
                expect.equal(r.status, 200)
                expect.equal(r.headers["content-type"], "application/json")
                expect.same({ r.body }, { '{"ok":true}' })
            end)
            test("post redirects", function()
                local r = post("/form", "a=1", { ["content-type"] = "application/x-www-form-urlencoded" })
                expect.equal(r.status, 303)
                expect.equal(r.headers.location, "/thanks")
            end)
            test("modules load", function()
                expect.equal(require("../util").double(21), 42)
            end)
            test("a wrong expectation", function()
                print("printed by the test")
                expect.equal(get("/").status, 404)
            end)
            test("a broken page", function()
                expect.fails(function() get("/broken") end, "the page is broken")
                get("/broken")
            end)
            """));
        var (code, output) = Test(site);
        Assert.Equal(1, code);
        Assert.Contains("PASS tests/api.test.luau: json", output);
        Assert.Contains("PASS tests/api.test.luau: post redirects", output);
        Assert.Contains("PASS tests/api.test.luau: modules load", output);
        Assert.Contains("FAIL tests/api.test.luau: a wrong expectation\n     tests/api.test.luau:17: expected 404, got 200".Replace("\n", Environment.NewLine), output);
        Assert.Contains("printed by the test", output);
        Assert.Contains("FAIL tests/api.test.luau: a broken page", output);
        Assert.Contains("tests/api.test.luau:21: GET /broken failed: main.luau:3: the page is broken", output);
        Assert.EndsWith("3 passed, 2 failed" + Environment.NewLine, output);
    }

    [Fact]
    public void ATestFileThatDoesNotLoadIsOneFailure()
    {
        string site = Site("return {}", ("a.test.luau", "test('x', function() end)\nlocal = 1"));
        var (code, output) = Test(site);
        Assert.Equal(1, code);
        Assert.Contains("FAIL a.test.luau: (file)", output);
        Assert.Contains("a.test.luau:2:", output);
    }

    [Fact]
    public void ATestThatNeverEndsIsStoppedByItsBudget()
    {
        string site = Site("return {}", ("a.test.luau", "test('forever', function() while true do end end)\ntest('after', function() end)"));
        var outcomes = new List<Coputer.Gateway.Development.TestOutcome>();
        Coputer.Gateway.Development.ProgramTests.RunFile(Coputer.Gateway.Development.LocalProgram.Load(site), "a.test.luau", outcomes.Add, instructionBudget: 100_000);
        Assert.Equal(2, outcomes.Count);
        Assert.False(outcomes[0].Passed);
        Assert.Contains("more than 100000 instructions", outcomes[0].Error);
        // Each test has a budget of its own: the next one still runs.
        Assert.True(outcomes[1].Passed);
    }

    [Fact]
    public void AFolderWithoutTestsSaysSo()
    {
        var (code, output) = Test(Site("return {}"));
        Assert.Equal(1, code);
        Assert.Contains("no test files", output);
    }

    [Fact]
    public async Task DevServesTheFolderPrintsEachRequestAndStopsWhenCancelled()
    {
        string site = Site("print('rendering') return { body = buffer.fromstring('dev page') }");
        using var stop = new CancellationTokenSource();
        var started = new TaskCompletionSource<Coputer.Gateway.Development.DevelopmentServer>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new StringWriter();
        var run = DevCommand.RunAsync(site, 0, null, output, new StringWriter(), stop.Token, started.SetResult);
        var server = await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        Assert.Equal("dev page", await client.GetStringAsync($"http://127.0.0.1:{server.Node.Port}/"));
        stop.Cancel();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(60)));
        string text = output.ToString();
        Assert.Contains($"at {server.Url}", text);
        Assert.Contains($"at {server.SubdomainUrl}", text);
        Assert.Contains("GET / -> 200", text);
        Assert.Contains("    | rendering", text);
    }

    [Fact]
    public async Task DevPollsWhenAskedAndRefusesANonsensePollInterval()
    {
        string site = Site("return { body = buffer.fromstring('polled page') }");
        var error = new StringWriter();
        Assert.Equal(1, await DevCommand.RunAsync(site, 0, null, new StringWriter(), error, CancellationToken.None, pollSeconds: 0));
        Assert.Contains("--poll 0: give seconds between 0.05 and 3600", error.ToString());

        using var stop = new CancellationTokenSource();
        var started = new TaskCompletionSource<Coputer.Gateway.Development.DevelopmentServer>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new StringWriter();
        var run = DevCommand.RunAsync(site, 0, null, output, new StringWriter(), stop.Token, started.SetResult, pollSeconds: 0.5);
        var server = await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(TimeSpan.FromSeconds(0.5), server.PollInterval);
        stop.Cancel();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("checking for changes every 0.5 s; Ctrl-C stops", output.ToString());
    }

    [Fact]
    public void TestResultsAreColouredOnATerminalAndPlainElsewhere()
    {
        string site = Site("return { body = buffer.fromstring('x') }", ("site.test.luau", """
            test("passes", function() expect.equal(1, 1) end)
            test("fails <here>", function() expect.equal(1, 2) end)
            """));
        // Plain: what a pipe or a file gets, no escape sequences.
        var (plainCode, plain) = Test(site);
        Assert.Equal(1, plainCode);
        Assert.DoesNotContain("\u001b[", plain);
        Assert.Contains("PASS site.test.luau: passes", plain);
        Assert.Contains("FAIL site.test.luau: fails <here>", plain);

        // A terminal: the same words, with colour (markup characters in names are escaped, not interpreted).
        var screen = new StringWriter();
        var terminal = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Ansi = Spectre.Console.AnsiSupport.Yes,
            ColorSystem = Spectre.Console.ColorSystemSupport.Standard,
            Interactive = Spectre.Console.InteractionSupport.No,
            Out = new Spectre.Console.AnsiConsoleOutput(screen),
        });
        Assert.Equal(1, TestCommand.Run(site, new StringWriter(), new StringWriter(), styled: terminal));
        string coloured = screen.ToString();
        Assert.Contains("\u001b[", coloured);
        Assert.Contains("PASS", coloured);
        Assert.Contains("site.test.luau: fails <here>", coloured);
        Assert.Contains("1 passed", coloured);
        Assert.Contains("1 failed", coloured);
    }
}


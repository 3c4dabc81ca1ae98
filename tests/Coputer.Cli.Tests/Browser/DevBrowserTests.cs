using System.Buffers.Binary;
using Coputer.Cli.Commands;
using Coputer.Cli.Tests.Commands;
using Coputer.Gateway.Development;
using Microsoft.Playwright;

namespace Coputer.Cli.Tests.Browser;

/// <summary>
/// <c>coputer dev</c> in a real browser: Debian's Chromium driven by Playwright (launched by path; Playwright never
/// downloads a browser here). The timeouts are hang guards, not speed targets.
/// </summary>
public sealed class DevBrowserTests : IAsyncLifetime, IDisposable
{
    /// <summary>Where Debian's chromium package puts the browser (.ci/run installs it).</summary>
    private const string Chromium = "/usr/bin/chromium";

    private const float Guard = 60_000;

    private static readonly PageWaitForURLOptions Committed = new() { WaitUntil = WaitUntilState.Commit };

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "coputer-browser-" + Guid.NewGuid().ToString("N")[..12]);
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium (.ci/run does)");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Timeout = Guard });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Runs <c>coputer dev</c> on <paramref name="site"/> until <paramref name="body"/> is done.</summary>
    private async Task WithDevServer(string site, Func<DevelopmentServer, IPage, Task> body)
    {
        using var stop = new CancellationTokenSource();
        var started = new TaskCompletionSource<DevelopmentServer>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = TextWriter.Synchronized(new StringWriter());
        var run = DevCommand.RunAsync(site, 0, null, output, output, stop.Token, started.SetResult);
        var server = await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1000, Height = 700 } });
        context.SetDefaultTimeout(Guard);
        var page = await context.NewPageAsync();
        try
        {
            await body(server, page);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            // Say where the browser was and what the server printed, so a timeout here can be diagnosed.
            throw new InvalidOperationException($"{e.GetType().Name}: {e.Message}\nat {page.Url}\ndev server output:\n{output}", e);
        }
        finally
        {
            await context.DisposeAsync();
            stop.Cancel();
            Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(60)));
        }
    }

    [Fact]
    public async Task ANewSiteShowsItsPageAtTheRootAndAtItsSubdomain()
    {
        string site = Path.Combine(_directory, "site");
        Assert.Equal(0, NewCommand.Run(site, new StringWriter(), new StringWriter()));
        await WithDevServer(site, async (server, page) =>
        {
            await page.GotoAsync(server.Url);
            Assert.Equal("Hello, world!", await page.InnerTextAsync("h1"));
            Assert.Equal("Hello", await page.TitleAsync());

            // Chromium resolves *.localhost to this machine: the subdomain form a node uses works too.
            await page.GotoAsync(server.SubdomainUrl + "?name=Ada");
            Assert.Equal("Hello, Ada!", await page.InnerTextAsync("h1"));
        });
    }

    [Fact]
    public async Task TheExampleSiteFollowsLinksSubmitsItsFormReloadsOnEditsAndShowsErrors()
    {
        string site = Path.Combine(_directory, "example");
        CopyDirectory(ExampleSiteTests.SiteDirectory, site);
        await WithDevServer(site, async (server, page) =>
        {
            await page.GotoAsync(server.Url);
            Assert.Equal("Welcome, visitor!", await page.InnerTextAsync("h1"));
            // The stylesheet and the image are assets of the bundle, and both arrived.
            Assert.Equal("672px", await page.EvaluateAsync<string>("getComputedStyle(document.querySelector('main')).maxWidth"));
            Assert.True(await page.EvaluateAsync<bool>("document.querySelector('header img').complete && document.querySelector('header img').naturalWidth > 0"));

            // Each navigation waits for its document to commit and then for its heading, not for the load event:
            // under a loaded machine Playwright once missed a load event and waited out its whole timeout.
            await page.ClickAsync("nav >> text=About");
            await page.WaitForURLAsync(server.Url + "about", Committed);
            await page.WaitForSelectorAsync("h1:text-is('About')");

            await page.ClickAsync("nav >> text=Guestbook");
            await page.WaitForURLAsync(server.Url + "guestbook", Committed);
            await page.WaitForSelectorAsync("h1:text-is('Guestbook')");
            await page.FillAsync("input[name=name]", "Ada <Lovelace>");
            await page.FillAsync("textarea[name=message]", "<b>not bold</b> & more");
            await page.ClickAsync("button[type=submit]");
            await page.WaitForSelectorAsync("blockquote");
            Assert.Equal("Thank you, Ada <Lovelace>!", await page.InnerTextAsync("h1"));
            Assert.Equal("<b>not bold</b> & more", await page.InnerTextAsync("blockquote"));
            Assert.Equal(0, await page.Locator("blockquote b").CountAsync());

            var screenshot = await page.ScreenshotAsync(new PageScreenshotOptions { Type = ScreenshotType.Png });
            Assert.Equal((1000, 700), PngSize(screenshot));
            Assert.True(screenshot.Length > 2_000, $"a rendered page is more than a blank image ({screenshot.Length} bytes)");

            // An edit reloads the open page by itself.
            await page.GotoAsync(server.Url);
            string home = Path.Combine(site, "pages", "home.luau");
            File.WriteAllText(home, File.ReadAllText(home).Replace("Welcome, ", "Hello again, ", StringComparison.Ordinal));
            await page.WaitForFunctionAsync("document.querySelector('h1') && document.querySelector('h1').textContent === 'Hello again, visitor!'");

            // A broken module: the page reloads into the error page, at the right file and line.
            string about = Path.Combine(site, "pages", "about.luau");
            var lines = File.ReadAllLines(about);
            lines[2] = "return function(_request) = nil";
            File.WriteAllLines(about, lines);
            await page.WaitForFunctionAsync("document.querySelector('h1') && document.querySelector('h1').textContent === 'The program failed'");
            Assert.Contains("pages/about.luau:3", await page.InnerTextAsync("pre.error"));
            Assert.Equal("pages/about.luau:3", await page.InnerTextAsync("h2"));
            Assert.Equal("3", await page.InnerTextAsync(".source .at .n"));
            Assert.Contains("return function(_request) = nil", await page.InnerTextAsync(".source .at"));
        });
    }

    /// <summary>The width and height in a PNG's header.</summary>
    private static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.True(png.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), "not a PNG");
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (string dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}

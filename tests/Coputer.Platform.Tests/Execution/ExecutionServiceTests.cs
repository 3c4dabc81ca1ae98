using Coputer.Platform.Execution;
using Coputer.Platform.Runtime;
using Coputer.Platform.Tests.Runtime;
using Coputer.Tests.Shared;

namespace Coputer.Platform.Tests.Execution;

public class ExecutionServiceTests
{
    [Theory]
    [MemberData(nameof(SpecWebVectors.All), MemberType = typeof(SpecWebVectors))]
    public async Task WebVectorsPassThroughTheService(string program, string method, string target, int status, string? contentType, string body)
    {
        using var node = new TestNode();
        node.Publish(program, TestPrograms.Load(program));
        var result = await node.Run(program, method, target);
        Assert.True(result.Status == RunStatus.Ok, result.ToString());
        Assert.Equal(status, result.Response!.StatusCode);
        Assert.Equal(contentType, result.Response.GetHeader("content-type"));
        Assert.Equal(body, result.Response.BodyText);
    }

    [Fact]
    public async Task HtmlSiteServesPagesByPathAndA404()
    {
        using var node = new TestNode();
        node.Publish("site", TestPrograms.Load("site"));
        var home = await node.Service.RunAsync(ProgramRef.ByName(node.Publisher.Key, "site"),
            WebRequest.Create("GET", "/", [new("User-Agent", "test <agent>")]));
        Assert.Equal(RunStatus.Ok, home.Status);
        Assert.Equal(200, home.Response!.StatusCode);
        Assert.Equal("text/html; charset=utf-8", home.Response.GetHeader("Content-Type"));
        string html = home.Response.BodyText;
        Assert.StartsWith("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Home</title>", html);
        Assert.Contains("<nav><a href=\"/\">Home</a> | <a href=\"/about\">About</a></nav>", html);
        Assert.Contains("<li>user-agent: test &lt;agent&gt;</li>", html);
        Assert.Contains("&lt;Tags&gt; in text are escaped.", html);

        var about = await node.Run("site", target: "/about");
        Assert.Contains("<p>Built from a layout module and \"HTML helpers\".</p>", about.Response!.BodyText);

        var missing = await node.Run("site", target: "/nope");
        Assert.Equal(404, missing.Response!.StatusCode);
        Assert.Contains("<main>Page not found: /nope</main>", missing.Response.BodyText);

        var css = node.Service.GetFile(ProgramRef.ByName(node.Publisher.Key, "site"), "public/style.css");
        Assert.NotNull(css);
        Assert.False(css.IsModule);
    }
}

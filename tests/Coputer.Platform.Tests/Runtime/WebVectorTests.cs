using Coputer.Platform.Runtime;
using Coputer.Tests.Shared;

namespace Coputer.Platform.Tests.Runtime;

/// <summary>The web vectors of the spec's section 9 (the last row is ours: a percent-escaped path), run by programs written from its description.</summary>
public class WebVectorTests
{
    [Theory]
    [MemberData(nameof(SpecWebVectors.All), MemberType = typeof(SpecWebVectors))]
    public void Vector(string program, string method, string target, int status, string? contentType, string body)
    {
        var result = TestPrograms.Run(TestPrograms.Load(program), method, target);
        Assert.True(result.Status == RunStatus.Ok, result.ToString());
        var response = result.Response!;
        Assert.Equal(status, response.StatusCode);
        if (contentType is null)
            Assert.Empty(response.Headers);
        else
            Assert.Equal([new("content-type", contentType)], response.Headers);
        Assert.Equal(body, response.BodyText);
    }
}

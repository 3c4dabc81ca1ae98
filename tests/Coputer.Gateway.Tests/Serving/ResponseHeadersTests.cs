using Coputer.Gateway.Serving;

namespace Coputer.Gateway.Tests.Serving;

public class ResponseHeadersTests
{
    [Theory]
    [InlineData("x-evil", "a\r\nset-cookie: stolen=1")]
    [InlineData("x-evil", "a\nb")]
    [InlineData("x-evil", "a\rb")]
    [InlineData("x-evil", "nul\0")]
    [InlineData("x evil", "a")]
    [InlineData("x-evil\r\n", "a")]
    [InlineData("", "a")]
    public void LineBreaksAndBadNamesAreRefused(string name, string value)
    {
        var kept = new List<KeyValuePair<string, string>>();
        Assert.NotNull(ResponseHeaders.Filter([new(name, value)], kept));
    }

    [Fact]
    public void ConnectionHeadersAreDroppedAndTheRestKept()
    {
        var kept = new List<KeyValuePair<string, string>>();
        Assert.Null(ResponseHeaders.Filter([
            new("connection", "close"), new("transfer-encoding", "chunked"), new("keep-alive", "timeout=5"), new("upgrade", "h2c"),
            new("content-length", "999"), new("te", "trailers"), new("trailer", "x"), new("proxy-connection", "keep-alive"),
            new("content-type", "text/plain"), new("x-custom", "tab\tok"),
        ], kept));
        Assert.Equal(["content-type", "x-custom"], kept.Select(h => h.Key));
    }

    [Theory]
    [InlineData("id=1; Domain=example.org; Path=/", "id=1; Path=/")]
    [InlineData("id=1;domain=.example.org", "id=1")]
    [InlineData("id=1; Path=/; HttpOnly", "id=1; Path=/; HttpOnly")]
    [InlineData("domain=1; Secure", "domain=1; Secure")]
    public void CookiesStayOnTheProgramsHost(string value, string expected) => Assert.Equal(expected, ResponseHeaders.WithoutDomain(value));

    [Theory]
    [InlineData(null, ContentCoding.Identity)]
    [InlineData("", ContentCoding.Identity)]
    [InlineData("gzip", ContentCoding.Gzip)]
    [InlineData("gzip, deflate, br", ContentCoding.Brotli)]
    [InlineData("br;q=0, gzip", ContentCoding.Gzip)]
    [InlineData("br;q=0.5, gzip;q=0.8", ContentCoding.Gzip)]
    [InlineData("*", ContentCoding.Brotli)]
    [InlineData("*;q=0", ContentCoding.Identity)]
    [InlineData("identity", ContentCoding.Identity)]
    [InlineData("gzip;q=bogus", ContentCoding.Identity)]
    public void ContentCodingFollowsAcceptEncoding(string? header, ContentCoding expected) => Assert.Equal(expected, Compression.Choose(header));

    [Theory]
    [InlineData("W/\"abc\"", "W/\"abc\"", true)]
    [InlineData("\"abc\"", "W/\"abc\"", true)]
    [InlineData("\"x\", W/\"abc\"", "W/\"abc\"", true)]
    [InlineData("*", "W/\"abc\"", true)]
    [InlineData("\"abd\"", "W/\"abc\"", false)]
    [InlineData(null, "W/\"abc\"", false)]
    public void IfNoneMatchUsesWeakComparison(string? header, string etag, bool matches) => Assert.Equal(matches, PreparedResponse.Matches(header, etag));

    [Fact]
    public void TheSameOutputHasTheSameTag()
    {
        var a = PreparedResponse.Create(200, [new("content-type", "text/plain")], "hello"u8.ToArray(), 512);
        var b = PreparedResponse.Create(200, [new("content-type", "text/plain")], "hello"u8.ToArray(), 512);
        var c = PreparedResponse.Create(200, [new("content-type", "text/plain")], "hellO"u8.ToArray(), 512);
        var d = PreparedResponse.Create(201, [new("content-type", "text/plain")], "hello"u8.ToArray(), 512);
        Assert.Equal(a.ETag, b.ETag);
        Assert.NotEqual(a.ETag, c.ETag);
        Assert.NotEqual(a.ETag, d.ETag);
    }

    [Fact]
    public void InformationalStatusesCannotEndAResponse() =>
        Assert.NotNull(PreparedResponse.Create(101, [], default, 512).Error);
}

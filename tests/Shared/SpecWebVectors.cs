namespace Coputer.Tests.Shared;

/// <summary>
/// The web vectors of the spec's section 9 (the last row is ours: a percent-escaped path): program, method, target,
/// status, content type (null where the program sets no headers) and body. The runtime's tests run them in process and
/// the gateway's tests over HTTP, from this one table (linked into both test projects).
/// </summary>
internal static class SpecWebVectors
{
    public const string Text = "text/plain; charset=utf-8";
    public const string Html = "text/html; charset=utf-8";

    public static TheoryData<string, string, string, int, string?, string> All => new()
    {
        { "web1", "GET", "/", 200, Text, "hello GET / world! /" },
        { "web1", "POST", "/submit?", 200, Text, "hello POST /submit world! /submit?" },
        { "web2", "POST", "/", 405, Text, "Method Not Allowed" },
        { "web2", "GET", "/", 200, Html, "<h1>WELCOME TO MY WEBSITE</h1>" },
        { "web2", "GET", "/hello", 200, Html, "<p>hello page</p>" },
        { "web2", "GET", "/error", 454, Text, "Error 454" },
        { "web3", "GET", "/error", 404, Text, "Not Found" },
        { "web3", "GET", "/", 200, null, "Raw query: " },
        { "web3", "GET", "/?a=", 200, null, "a =\n- \nRaw query: a=" },
        { "web3", "GET", "/?a=b&c=b", 200, null, "a =\n- b\nc =\n- b\nRaw query: a=b&c=b" },
        { "web3", "GET", "/?c=b&a=b", 200, null, "a =\n- b\nc =\n- b\nRaw query: c=b&a=b" },
        { "web3", "GET", "/?a=b&a=b", 200, null, "a =\n- b\n- b\nRaw query: a=b&a=b" },
        { "web3", "GET", "/?a=c&a=b", 200, null, "a =\n- c\n- b\nRaw query: a=c&a=b" },
        { "web3", "GET", "/?=b&a=c", 200, null, " =\n- b\na =\n- c\nRaw query: =b&a=c" },
        { "web3", "GET", "/?=b&=c", 200, null, " =\n- b\n- c\nRaw query: =b&=c" },
        { "web1", "GET", "/a%20b?x", 200, Text, "hello GET /a b world! /a%20b?x" },
    };
}

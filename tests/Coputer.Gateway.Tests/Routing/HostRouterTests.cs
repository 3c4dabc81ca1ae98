using Coputer.Gateway.Routing;
using Coputer.Platform;
using Coputer.Platform.Identity;

namespace Coputer.Gateway.Tests.Routing;

public class HostRouterTests
{
    private static readonly Publisher s_publisher = Publisher.FromSeed(new byte[32]);
    private static string Id => s_publisher.Key.Id.ToString();

    [Theory]
    [InlineData("coputer.example")]
    [InlineData("coputer.example:8080")]
    [InlineData("COPUTER.example")]
    [InlineData("coputer.example.")]
    [InlineData("127.0.0.1:2517")]
    [InlineData("[::1]:2517")]
    public void TheGatewaysOwnHostIsHome(string host) => Assert.Equal(HostKind.Home, HostRouter.Route(host, "coputer.example").Kind);

    [Theory]
    [InlineData("evilcoputer.example")]
    [InlineData("coputer.example.evil.org")]
    [InlineData("example")]
    [InlineData("other.org")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("[::1")]
    public void HostsThatAreNotOursAreForeign(string? host) => Assert.Equal(HostKind.Foreign, HostRouter.Route(host, "coputer.example").Kind);

    [Fact]
    public void ASuffixTrickWithAValidLabelIsStillForeign()
    {
        Assert.Equal(HostKind.Foreign, HostRouter.Route($"site-{Id}.evilcoputer.example", "coputer.example").Kind);
        Assert.Equal(HostKind.Foreign, HostRouter.Route($"site-{Id}coputer.example", "coputer.example").Kind);
        // Two labels in front: never ours, even when the first is a program label.
        Assert.Equal(HostKind.Foreign, HostRouter.Route($"x.site-{Id}.coputer.example", "coputer.example").Kind);
    }

    [Fact]
    public void OneLabelNamesAProgramAProfileOrAVersion()
    {
        var program = HostRouter.Route($"site-{Id}.coputer.example:80", "coputer.example");
        Assert.Equal(HostKind.Program, program.Kind);
        Assert.Equal("site", program.Program.Name);
        Assert.Equal(s_publisher.Key.Id, program.Program.Publisher);

        var upper = HostRouter.Route($"SITE-{Id.ToUpperInvariant()}.coputer.example", "coputer.example");
        Assert.Equal(program.Program, upper.Program);

        var profile = HostRouter.Route($"{Id}.coputer.example", "coputer.example");
        Assert.Equal(HostKind.Profile, profile.Kind);
        Assert.Equal(s_publisher.Key.Id, profile.Publisher);

        var hash = Hash256.Of("x"u8);
        var preview = HostRouter.Route($"{hash.ToBase36()}.coputer.example", "coputer.example");
        Assert.Equal(HostKind.Program, preview.Kind);
        Assert.True(preview.Program.IsHash);
        Assert.Equal(hash, preview.Program.Hash);
    }

    [Theory]
    [InlineData("nothing")]
    [InlineData("a--b")]
    [InlineData("xn--abc")]
    public void OtherLabelsNameNothing(string label) => Assert.Equal(HostKind.Unknown, HostRouter.Route($"{label}.coputer.example", "coputer.example").Kind);

    [Fact]
    public void ABadProgramNameBeforeAValidIdNamesNothing() =>
        Assert.Equal(HostKind.Unknown, HostRouter.Route($"Bad_Name-{Id}.coputer.example", "coputer.example").Kind);

    [Fact]
    public void PathFormNamesProgramsProfilesAndVersions()
    {
        Assert.True(PathRoute.TryParse($"/p/{Id}/site/about?x", out var program));
        Assert.Equal(HostKind.Program, program.Kind);
        Assert.Equal($"/p/{Id}/site", program.Prefix);
        Assert.Equal("/about?x", program.Rest);

        Assert.True(PathRoute.TryParse($"/p/{Id}/site", out var bare));
        Assert.True(bare.NeedsSlash);

        Assert.True(PathRoute.TryParse($"/p/{Id}/", out var profile));
        Assert.Equal(HostKind.Profile, profile.Kind);

        var hash = Hash256.Of("x"u8);
        Assert.True(PathRoute.TryParse($"/p/{hash}/style.css", out var version));
        Assert.True(version.Program.IsHash);
        Assert.Equal("/style.css", version.Rest);

        Assert.False(PathRoute.TryParse($"/p/{Id}/Bad_Name/", out _));
        Assert.False(PathRoute.TryParse("/p/nothing/", out _));
    }
}

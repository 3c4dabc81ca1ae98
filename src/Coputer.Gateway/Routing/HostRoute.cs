using System.Net;
using Coputer.Platform;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;

namespace Coputer.Gateway.Routing;

/// <summary>What a request's host names.</summary>
public enum HostKind
{
    /// <summary>The gateway's own host (or an IP address): the home page, the node's endpoints and the path form.</summary>
    Home,

    /// <summary><c>{id}.{host}</c>: a publisher's profile.</summary>
    Profile,

    /// <summary><c>{name}-{id}.{host}</c> or <c>{hash}.{host}</c>: a program.</summary>
    Program,

    /// <summary>A single label under our host that names nothing (answered 404).</summary>
    Unknown,

    /// <summary>Not our host at all, including a host that merely ends with ours (answered 421).</summary>
    Foreign,
}

/// <summary>The route a host name gives.</summary>
public readonly record struct HostRoute(HostKind Kind, PublisherId Publisher = default, ProgramRef Program = default)
{
    public override string ToString() => Kind switch
    {
        HostKind.Profile => $"profile {Publisher}",
        HostKind.Program => $"program {Program}",
        _ => Kind.ToString(),
    };
}

/// <summary>
/// Routing by exact host name. The host header's port and a trailing dot are dropped and letters are compared
/// without case. The gateway's host itself (and any IP address) is the home; exactly one label in front of it
/// names a program or a profile; anything else is foreign. A host that ends with ours without a dot before it
/// (<c>evillocalhost</c>), or with more labels in front (<c>a.b.localhost</c>), is never ours.
/// </summary>
public static class HostRouter
{
    /// <summary>Routes <paramref name="hostHeader"/> (as sent, perhaps with a port) for a gateway whose host is <paramref name="host"/>.</summary>
    public static HostRoute Route(string? hostHeader, string host)
    {
        string name = HostName(hostHeader);
        if (name.Length == 0)
            return new HostRoute(HostKind.Foreign);
        if (name.Equals(host, StringComparison.OrdinalIgnoreCase) || IsIpAddress(name))
            return new HostRoute(HostKind.Home);
        if (name.Length <= host.Length + 1 || name[^(host.Length + 1)] != '.' || !name.EndsWith(host, StringComparison.OrdinalIgnoreCase))
            return new HostRoute(HostKind.Foreign);
        string label = name[..^(host.Length + 1)];
        if (label.Contains('.'))
            return new HostRoute(HostKind.Foreign);
        return RouteLabel(label.ToLowerInvariant());
    }

    /// <summary>What one label names: a publisher id, a program label or a program hash (base 36).</summary>
    public static HostRoute RouteLabel(string label)
    {
        if (label.Length == PublisherId.TextLength && PublisherId.TryParse(label, out var id))
            return new HostRoute(HostKind.Profile, id);
        if (ProgramLabel.TryParse(label, out var program))
            return new HostRoute(HostKind.Program, program.Publisher, ProgramRef.ByName(program.Publisher, program.Name));
        if (label.Length == Hash256.Base36Length && Hash256.TryParse(label, out var hash))
            return new HostRoute(HostKind.Program, default, ProgramRef.ByHash(hash));
        return new HostRoute(HostKind.Unknown);
    }

    /// <summary>The host name without port or trailing dot; empty when the header is missing or malformed.</summary>
    public static string HostName(string? hostHeader)
    {
        if (string.IsNullOrEmpty(hostHeader))
            return "";
        string h = hostHeader;
        if (h.StartsWith('['))
        {
            int close = h.IndexOf(']');
            return close < 0 ? "" : h[..(close + 1)];
        }
        int colon = h.LastIndexOf(':');
        if (colon >= 0)
            h = h[..colon];
        if (h.EndsWith('.'))
            h = h[..^1];
        return h;
    }

    private static bool IsIpAddress(string name) =>
        (name.StartsWith('[') || char.IsAsciiDigit(name[^1])) && IPAddress.TryParse(name.Trim('[', ']'), out _);
}

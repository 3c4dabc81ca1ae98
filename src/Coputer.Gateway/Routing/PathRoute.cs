using Coputer.Platform;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;

namespace Coputer.Gateway.Routing;

/// <summary>
/// The path form, for machines without wildcard DNS: <c>/p/{id}/{name}/...</c> serves a program,
/// <c>/p/{hash}/...</c> a version by its hash and <c>/p/{id}/</c> a profile, all on the gateway's own host. Every
/// program reached this way shares that one origin (cookies, storage, scripts), so it is for trying things out,
/// not for programs that keep secrets in the browser.
/// </summary>
public readonly record struct PathRoute(HostKind Kind, ProgramRef Program, PublisherId Publisher, string Prefix, string Rest)
{
    /// <summary>The path prefix of the form.</summary>
    public const string Start = "/p/";

    /// <summary>Whether the request lacks the slash after the program's prefix (it is redirected, so relative links work).</summary>
    public bool NeedsSlash => Rest.Length == 0;

    /// <summary>Parses a request path that starts with <c>/p/</c>; false when it names nothing.</summary>
    public static bool TryParse(string path, out PathRoute route)
    {
        route = default;
        if (!path.StartsWith(Start, StringComparison.Ordinal))
            return false;
        int first = path.IndexOf('/', Start.Length);
        string a = first < 0 ? path[Start.Length..] : path[Start.Length..first];
        if (a.Length == PublisherId.TextLength && PublisherId.TryParse(a, out var id))
        {
            // /p/{id}/ is the profile, /p/{id}/{name}/... a program.
            if (first < 0 || first == path.Length - 1)
            {
                route = new PathRoute(HostKind.Profile, default, id, Start + a, first < 0 ? "" : "/");
                return true;
            }
            int second = path.IndexOf('/', first + 1);
            string name = second < 0 ? path[(first + 1)..] : path[(first + 1)..second];
            if (ProgramName.Validate(name) is not null)
                return false;
            string prefix = $"{Start}{a}/{name}";
            route = new PathRoute(HostKind.Program, ProgramRef.ByName(id, name), id, prefix, second < 0 ? "" : path[second..]);
            return true;
        }
        if (Hash256.TryParse(a, out var hash))
        {
            route = new PathRoute(HostKind.Program, ProgramRef.ByHash(hash), default, Start + a, first < 0 ? "" : path[first..]);
            return true;
        }
        return false;
    }
}

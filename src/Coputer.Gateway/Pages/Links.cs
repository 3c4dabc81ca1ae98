using Coputer.Platform;
using Coputer.Platform.Identity;

namespace Coputer.Gateway.Pages;

/// <summary>The public addresses of a node's things, built from the scheme and port a request arrived on.</summary>
public sealed class Links(string scheme, string host, int? port)
{
    private readonly string _suffix = port is null || (scheme == "http" && port == 80) || (scheme == "https" && port == 443) ? "" : $":{port}";

    /// <summary>The gateway's host name.</summary>
    public string Host => host;

    /// <summary>The home page.</summary>
    public string Home => $"{scheme}://{host}{_suffix}/";

    /// <summary>A program's address, <c>{name}-{id}.{host}</c>.</summary>
    public string Program(string label) => $"{scheme}://{label}.{host}{_suffix}/";

    /// <summary>A version's preview address, <c>{hash in base 36}.{host}</c>.</summary>
    public string Preview(Hash256 hash) => $"{scheme}://{hash.ToBase36()}.{host}{_suffix}/";

    /// <summary>A publisher's profile, <c>{id}.{host}</c>.</summary>
    public string Profile(PublisherId id) => $"{scheme}://{id}.{host}{_suffix}/";

    /// <summary>A program in the path form, <c>/p/{id}/{name}/</c>, on the gateway's own host.</summary>
    public string PathForm(PublisherId id, string name) => $"{scheme}://{host}{_suffix}/p/{id}/{name}/";
}

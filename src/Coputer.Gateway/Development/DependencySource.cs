using System.Collections.Concurrent;
using System.Net;
using Coputer.Platform;
using Coputer.Platform.Bundles;

namespace Coputer.Gateway.Development;

/// <summary>A pinned dependency that could not be had; the message says which one, from where, and why.</summary>
public sealed class DependencyException(string message) : Exception(message);

/// <summary>
/// Where the local commands (<c>coputer dev</c>, <c>request</c>, <c>test</c>) get the programs a folder's
/// <c>coputer.json</c> pins: a node's <c>GET /api/bundles/{hash}</c>. The node is not trusted: every bundle is read
/// under the bundle limits and used only if its hash is the pinned one. Bundles already fetched are kept in memory.
/// </summary>
public sealed class DependencySource : IDisposable
{
    /// <summary>The most programs one folder's dependencies (and theirs) may add up to.</summary>
    public const int MaxPrograms = 256;

    private readonly HttpClient _http;
    private readonly BundleLimits _limits;
    private readonly ConcurrentDictionary<Hash256, Bundle> _fetched = new();

    /// <param name="node">The node's address, for example <c>http://localhost:8080</c>.</param>
    /// <param name="handler">The HTTP handler (tests give their own); a new one when null.</param>
    /// <param name="limits">The caps a fetched bundle is read under (a node's defaults when null).</param>
    /// <param name="timeout">How long one fetch may take (30 s when null).</param>
    /// <exception cref="ArgumentException"><paramref name="node"/> is not an http:// or https:// address.</exception>
    public DependencySource(string node, HttpMessageHandler? handler = null, BundleLimits? limits = null, TimeSpan? timeout = null)
    {
        if (!Uri.TryCreate(node, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new ArgumentException($"{node}: a node is an http:// or https:// address, for example http://localhost:8080", nameof(node));
        Node = new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
        _limits = limits ?? BundleLimits.Default;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = Node,
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
            MaxResponseContentBufferSize = Math.Min(int.MaxValue, _limits.MaxBundleBytes),
        };
    }

    /// <summary>The node asked.</summary>
    public Uri Node { get; }

    /// <summary>
    /// Every program <paramref name="root"/> pins, and every program those pin, by hash: fetched from the node and
    /// checked. An invalid manifest gives nothing (the run reports it, as on a node).
    /// </summary>
    /// <exception cref="DependencyException">A pinned program is not on the node, the node cannot be reached, or it sent something else.</exception>
    public async Task<IReadOnlyDictionary<Hash256, Bundle>> ResolveAsync(Bundle root, CancellationToken cancellation = default)
    {
        var found = new Dictionary<Hash256, Bundle>();
        var queue = new Queue<Bundle>([root]);
        while (queue.Count > 0)
        {
            foreach (var dependency in ManifestOf(queue.Dequeue()))
            {
                if (dependency.Program == root.Hash || found.ContainsKey(dependency.Program))
                    continue;
                if (found.Count == MaxPrograms)
                    throw new DependencyException($"the dependencies add up to more than {MaxPrograms} programs");
                var bundle = await FetchAsync(dependency, cancellation).ConfigureAwait(false);
                found[dependency.Program] = bundle;
                queue.Enqueue(bundle);
            }
        }
        return found;
    }

    /// <summary>The bundle <paramref name="dependency"/> pins, from the node, checked against its hash.</summary>
    /// <exception cref="DependencyException">It is not on the node, the node cannot be reached, or it sent something else.</exception>
    public async Task<Bundle> FetchAsync(BundleDependency dependency, CancellationToken cancellation = default)
    {
        if (_fetched.TryGetValue(dependency.Program, out var known))
            return known;
        string what = $"dependency '{dependency.Alias}' ({dependency.Label}, pinned to {dependency.Program})";
        var bytes = await FetchBytesAsync(dependency.Program, what, cancellation).ConfigureAwait(false);
        Bundle bundle;
        try
        {
            bundle = BundleFormat.Read(bytes, _limits);
        }
        catch (BundleException e)
        {
            throw new DependencyException($"{what}: the node at {Node} sent something that is not a bundle ({e.Message})");
        }
        if (bundle.Hash != dependency.Program)
            throw new DependencyException($"{what}: the node at {Node} sent another program ({bundle.Hash}); not used");
        _fetched[dependency.Program] = bundle;
        return bundle;
    }

    /// <summary>
    /// A bundle's bytes by hash, for a node that stores them itself after its own check (<c>coputer dev</c>'s node);
    /// null when the node has none. <paramref name="failed"/> hears why.
    /// </summary>
    public async Task<byte[]?> TryFetchBytesAsync(Hash256 program, Action<string>? failed, CancellationToken cancellation = default)
    {
        if (_fetched.TryGetValue(program, out var known))
            return known.Encode();
        try
        {
            return await FetchBytesAsync(program, $"bundle {program}", cancellation).ConfigureAwait(false);
        }
        catch (DependencyException e)
        {
            failed?.Invoke(e.Message);
            return null;
        }
    }

    private async Task<byte[]> FetchBytesAsync(Hash256 program, string what, CancellationToken cancellation)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync($"api/bundles/{program}", cancellation).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new DependencyException($"{what}: cannot reach the node at {Node} to fetch it: {e.Message} (is `coputer node` running? --node names another)");
        }
        catch (TaskCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new DependencyException($"{what}: the node at {Node} did not send it in time");
        }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
                throw new DependencyException($"{what}: the node at {Node} does not have it (publish that version there, or name another node with --node)");
            if (!response.IsSuccessStatusCode)
                throw new DependencyException($"{what}: the node at {Node} answered {(int)response.StatusCode}");
            if (response.Content.Headers.ContentLength > _limits.MaxBundleBytes)
                throw new DependencyException($"{what}: the node at {Node} sent {response.Content.Headers.ContentLength} bytes (a bundle is at most {_limits.MaxBundleBytes})");
            try
            {
                return await response.Content.ReadAsByteArrayAsync(cancellation).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new DependencyException($"{what}: reading it from the node at {Node} failed: {e.Message}");
            }
            catch (TaskCanceledException) when (!cancellation.IsCancellationRequested)
            {
                throw new DependencyException($"{what}: the node at {Node} did not send it in time");
            }
        }
    }

    /// <summary>The dependencies <paramref name="bundle"/>'s manifest names; none when it has no valid manifest.</summary>
    public static IReadOnlyList<BundleDependency> ManifestOf(Bundle bundle)
    {
        try
        {
            return BundleManifest.Of(bundle).Dependencies;
        }
        catch (BundleException)
        {
            return [];
        }
    }

    public void Dispose() => _http.Dispose();
}

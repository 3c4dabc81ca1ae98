using System.Collections.Concurrent;
using System.Globalization;
using Coputer.Gateway.Serving;
using Coputer.Platform;
using Coputer.Platform.Bundles;
using Coputer.Platform.Runtime;

namespace Coputer.Gateway.Development;

/// <summary>
/// What a node would send for one request to a local program: the status, headers and body, or the program's
/// failure. <see cref="Log"/> is what the program printed.
/// </summary>
/// <param name="Status">The status code sent (for a failure, the 500 a node sends).</param>
/// <param name="Headers">The headers as sent: checked, connection headers dropped, the gateway's own added.</param>
/// <param name="Body">The body (empty for statuses that have none).</param>
/// <param name="Error">Why the program failed (<c>file:line: message</c> where there is one), or null.</param>
/// <param name="Traceback">Where it failed, for a runtime error.</param>
/// <param name="Log">What the program printed.</param>
/// <param name="Run">The run behind the answer; null for an asset.</param>
public sealed record LocalAnswer(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, ReadOnlyMemory<byte> Body, string? Error, string? Traceback, string Log, RunResult? Run)
{
    /// <summary>Whether the program answered (an asset, or a run that returned a valid response).</summary>
    public bool Succeeded => Error is null;
}

/// <summary>
/// A program folder on the author's machine, answered the way a node answers it: the same bundle rules, assets
/// under <c>public/</c> served by path, the same runtime and limits, and the same checks on what goes back to the
/// client. <c>coputer request</c> and <c>coputer test</c> use this; <c>coputer dev</c> runs a whole node instead.
/// </summary>
public sealed class LocalProgram
{
    private readonly IReadOnlyDictionary<Hash256, Bundle> _dependencies;
    private readonly ConcurrentDictionary<Hash256, CompiledProgram> _compiledDependencies = new();

    private LocalProgram(Bundle bundle, RunLimits limits, IReadOnlyDictionary<Hash256, Bundle>? dependencies)
    {
        Bundle = bundle;
        Program = new CompiledProgram(bundle);
        Limits = limits;
        _dependencies = dependencies ?? new Dictionary<Hash256, Bundle>();
    }

    /// <summary>The folder's files as a bundle.</summary>
    public Bundle Bundle { get; }

    /// <summary>The program, compiled on first use of each module.</summary>
    public CompiledProgram Program { get; }

    /// <summary>The limits each run gets (a node's, unless the caller chose others).</summary>
    public RunLimits Limits { get; }

    /// <summary>Reads <paramref name="directory"/> as a node would read its bundle.</summary>
    /// <exception cref="BundleException">The folder is not a program; the message says why.</exception>
    public static LocalProgram Load(string directory, RunLimits? limits = null) => new(Bundle.FromDirectory(directory), limits ?? RunLimits.Default, null);

    /// <summary>A program made of these files.</summary>
    public static LocalProgram FromBundle(Bundle bundle, RunLimits? limits = null) => new(bundle, limits ?? RunLimits.Default, null);

    /// <summary>
    /// A program made of these files, whose <c>require("@alias/...")</c> finds the programs its manifest pins in
    /// <paramref name="dependencies"/> (by hash; <see cref="DependencySource.ResolveAsync"/> fetches and checks them).
    /// </summary>
    public static LocalProgram WithDependencies(Bundle bundle, IReadOnlyDictionary<Hash256, Bundle> dependencies, RunLimits? limits = null) =>
        new(bundle, limits ?? RunLimits.Default, dependencies);

    /// <summary>The pinned programs this one can load modules from.</summary>
    public IReadOnlyCollection<Hash256> Dependencies => [.. _dependencies.Keys];

    private CompiledProgram? FindDependency(Hash256 program) =>
        _dependencies.TryGetValue(program, out var bundle) ? _compiledDependencies.GetOrAdd(program, _ => new CompiledProgram(bundle)) : null;

    /// <summary>Answers one request as a node's gateway would.</summary>
    public LocalAnswer Answer(WebRequest request, CancellationToken cancellation = default)
    {
        bool head = request.Method == "HEAD";
        if ((head || request.Method == "GET") && request.Path.StartsWith("/public/", StringComparison.Ordinal) && Bundle.Find(request.Path[1..]) is { } file)
        {
            var asset = AssetResponse.For(file, int.MaxValue);
            return new LocalAnswer(200,
            [
                new("content-type", asset.ContentType),
                new("cache-control", "public, max-age=300"),
                new("etag", asset.ETag),
                new("content-length", file.Content.Length.ToString(CultureInfo.InvariantCulture)),
            ], head ? default : file.Content, null, null, "", null);
        }
        if (head)
            request = WebRequest.FromParts("GET", request.RawPath, request.Path, request.RawQuery, request.Query, request.Headers, request.Body);
        var result = ProgramRuntime.Run(Program, request, Limits, cancellation, FindDependency);
        string log = result.Info.Log;
        if (result.Status != RunStatus.Ok)
            return new LocalAnswer(500, [], default, result.Error ?? result.Status.ToString(), result.Traceback, log, result);
        var prepared = PreparedResponse.Create(result.Response!.StatusCode, result.Response.Headers, result.Response.Body, int.MaxValue);
        if (prepared.Error is not null)
            return new LocalAnswer(500, [], default, "the program's response is not valid HTTP: " + prepared.Error, null, log, result);
        var headers = new List<KeyValuePair<string, string>>(prepared.Headers);
        if (!prepared.HasCacheControl)
            headers.Add(new("cache-control", "no-cache"));
        headers.Add(new("etag", prepared.ETag));
        var body = prepared.CanHaveBody ? prepared.Body : default;
        if (prepared.CanHaveBody)
            headers.Add(new("content-length", body.Length.ToString(CultureInfo.InvariantCulture)));
        return new LocalAnswer(prepared.StatusCode, headers, head ? default : body, null, null, log, result);
    }
}

using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using Coputer.Gateway;
using Coputer.Gateway.Api;
using Coputer.Platform.Bundles;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;

namespace Coputer.Cli.Commands;

/// <summary>
/// The node's API as <c>coputer publish</c> and <c>coputer logs</c> use it. Each failure becomes one line for the
/// user (<see cref="NodeClientException"/>), never a stack trace.
/// </summary>
internal sealed class NodeClient(string nodeUrl) : IDisposable
{
    /// <summary>Where commands find a node unless told otherwise.</summary>
    public static string DefaultUrl => $"http://localhost:{Gateway.Hosting.CoputerNode.DefaultPort}";

    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
    {
        BaseAddress = ParseUrl(nodeUrl),
        Timeout = TimeSpan.FromSeconds(60),
    };

    private static Uri ParseUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new NodeClientException($"--node {url}: a node is an http:// or https:// address, for example {DefaultUrl}");
        return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
    }

    /// <summary>The program's current sequence number and hash on the node, or (0, null) when it has none.</summary>
    public async Task<(long Sequence, string? Program)> CurrentAsync(string label, CancellationToken cancellation)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"api/programs/{label}"), cancellation);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return (0, null);
        var info = await ReadAsync<ProgramInfo>(response, cancellation);
        return (info.Sequence, info.Program);
    }

    /// <summary>Sends a signed record and its bundle; returns the node's answer (a refusal too).</summary>
    public async Task<(HttpStatusCode Status, PublishResponse Answer)> PublishAsync(SignedRecord record, Bundle bundle, CancellationToken cancellation)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/publish") { Content = new ByteArrayContent(bundle.Encode()) };
        request.Content.Headers.ContentType = new("application/octet-stream");
        request.Headers.Add(Gateway.Gateway.RecordHeader, Base64Url.EncodeToString(record.Encode()));
        using var response = await SendAsync(request, cancellation);
        return (response.StatusCode, await ReadAsync<PublishResponse>(response, cancellation, acceptErrors: true));
    }

    /// <summary>The program's recent runs, newest first, asked for with a request signed by <paramref name="publisher"/>.</summary>
    public async Task<IReadOnlyList<RunRecord>> RunsAsync(string label, Publisher publisher, DateTimeOffset? since, CancellationToken cancellation)
    {
        string query = since is { } s ? $"?since={s.ToUnixTimeMilliseconds()}" : "";
        var request = new HttpRequestMessage(HttpMethod.Get, $"api/programs/{label}/runs{query}");
        request.Headers.TryAddWithoutValidation("Authorization", SignedRequest.Create(publisher, label, DateTimeOffset.UtcNow));
        using var response = await SendAsync(request, cancellation);
        return await ReadAsync<List<RunRecord>>(response, cancellation);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellation)
    {
        try
        {
            return await _http.SendAsync(request, cancellation);
        }
        catch (HttpRequestException e)
        {
            throw new NodeClientException($"cannot reach the node at {_http.BaseAddress}: {e.Message} (is `coputer node` running?)");
        }
        catch (TaskCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new NodeClientException($"the node at {_http.BaseAddress} did not answer in time");
        }
    }

    private async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellation, bool acceptErrors = false)
    {
        bool json = response.Content.Headers.ContentType?.MediaType == "application/json";
        if (!json)
            throw new NodeClientException($"the node at {_http.BaseAddress} answered {(int)response.StatusCode} without JSON (is this a Coputer node?)");
        try
        {
            if (!response.IsSuccessStatusCode && !acceptErrors)
            {
                var error = await response.Content.ReadFromJsonAsync<ApiError>(Gateway.Gateway.JsonOptions, cancellation);
                throw new NodeClientException($"the node refused ({(int)response.StatusCode}): {error?.Error}");
            }
            return await response.Content.ReadFromJsonAsync<T>(Gateway.Gateway.JsonOptions, cancellation)
                ?? throw new NodeClientException("the node sent an empty answer");
        }
        catch (System.Text.Json.JsonException)
        {
            throw new NodeClientException($"the node at {_http.BaseAddress} sent JSON this command does not understand");
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A failure talking to a node, as one line for the user.</summary>
internal sealed class NodeClientException(string message) : Exception(message);

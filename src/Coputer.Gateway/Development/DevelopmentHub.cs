using System.Text;
using Microsoft.AspNetCore.Http;

namespace Coputer.Gateway.Development;

/// <summary>A program that could not even be bundled, shown in place of every page until it is fixed.</summary>
public sealed record BuildFailure(string Message, string? Path, int? Line);

/// <summary>
/// Development mode's link between the file watcher and open pages: a version number that goes up on every
/// change, the current build error if there is one, and a server-sent event stream (<c>/_coputer/events</c>)
/// that tells each open page to reload. Pages learn the version they were built from, so a change that happened
/// before their stream connected still reloads them.
/// </summary>
public sealed class DevelopmentHub
{
    private TaskCompletionSource _changed = NewSignal();
    private long _version = 1;
    private volatile BuildFailure? _failure;

    /// <summary>The current version (starts at 1).</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Why the program could not be built, or null when the last build worked.</summary>
    public BuildFailure? Failure => _failure;

    /// <summary>Records a new version (or a failed build) and tells every open page to reload.</summary>
    public void Changed(BuildFailure? failure = null)
    {
        _failure = failure;
        Interlocked.Increment(ref _version);
        Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
    }

    /// <summary>The script injected into HTML pages: it reloads the page when the program changes.</summary>
    public string ReloadScript(string method) => $$"""
        <script>
        (() => {
          const built = {{Version}};
          const events = new EventSource("/_coputer/events");
          const reload = () => { events.close(); if ({{(method == "GET" ? "true" : "false")}}) location.reload(); else location.href = location.href; };
          events.addEventListener("hello", e => { if (Number(e.data) !== built) reload(); });
          events.addEventListener("reload", reload);
        })();
        </script>
        """;

    /// <summary>Inserts <paramref name="script"/> before the last <c>&lt;/body&gt;</c> of an HTML page, or at its end.</summary>
    public static byte[] Inject(ReadOnlySpan<byte> html, string script)
    {
        var bytes = Encoding.UTF8.GetBytes(script);
        int at = LastIndexOfIgnoreCase(html, "</body"u8);
        if (at < 0)
            at = html.Length;
        var result = new byte[html.Length + bytes.Length];
        html[..at].CopyTo(result);
        bytes.CopyTo(result.AsSpan(at));
        html[at..].CopyTo(result.AsSpan(at + bytes.Length));
        return result;
    }

    private static int LastIndexOfIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerNeedle)
    {
        for (int i = text.Length - lowerNeedle.Length; i >= 0; i--)
        {
            int j = 0;
            while (j < lowerNeedle.Length && (text[i + j] | 0x20) == lowerNeedle[j])
                j++;
            if (j == lowerNeedle.Length)
                return i;
        }
        return -1;
    }

    /// <summary>Serves the event stream until the client leaves or <paramref name="stopping"/> fires.</summary>
    public async Task ServeEventsAsync(HttpContext context, CancellationToken stopping)
    {
        var response = context.Response;
        response.Headers.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        using var both = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            var signal = Volatile.Read(ref _changed);
            await WriteAsync(response, "hello", Version, both.Token);
            while (true)
            {
                try
                {
                    await signal.Task.WaitAsync(TimeSpan.FromSeconds(15), both.Token);
                }
                catch (TimeoutException)
                {
                    // A comment keeps proxies and the browser from closing an idle stream.
                    await response.WriteAsync(": keep-alive\n\n", both.Token);
                    await response.Body.FlushAsync(both.Token);
                    continue;
                }
                signal = Volatile.Read(ref _changed);
                await WriteAsync(response, "reload", Version, both.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task WriteAsync(HttpResponse response, string name, long version, CancellationToken cancellation)
    {
        await response.WriteAsync($"event: {name}\ndata: {version}\n\n", cancellation);
        await response.Body.FlushAsync(cancellation);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

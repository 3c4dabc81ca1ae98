using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Coputer.Luau.Tests.VM;

/// <summary>
/// A small HTTP/1.1 server on the loopback interface for tests of async host functions (the engine knows nothing
/// of HTTP). <c>GET /echo/X</c> answers <c>reply X</c>, after an optional random pause of up to
/// <see cref="MaxPauseMilliseconds"/>; <c>GET /hang/X</c> never answers, until the client gives up and closes the
/// connection. Connections are kept alive.
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly ConcurrentBag<Task> _connections = [];
    private int _hangingReceived;
    private int _hangingClosed;
    private int _echoed;

    public LoopbackHttpServer(int maxPauseMilliseconds = 0)
    {
        MaxPauseMilliseconds = maxPauseMilliseconds;
        _listener.Start(512);
        _acceptLoop = AcceptLoop();
    }

    public int MaxPauseMilliseconds { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Hang requests received so far.</summary>
    public int HangingReceived => Volatile.Read(ref _hangingReceived);

    /// <summary>Hang requests whose client closed the connection.</summary>
    public int HangingClosed => Volatile.Read(ref _hangingClosed);

    /// <summary>Echo requests answered.</summary>
    public int Echoed => Volatile.Read(ref _echoed);

    private readonly SemaphoreSlim _hangSignal = new(0);

    /// <summary>Completes once <paramref name="count"/> hang requests have been received.</summary>
    public async Task WaitForHangingAsync(int count, CancellationToken cancellationToken)
    {
        while (HangingReceived < count)
            await _hangSignal.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _connections.Add(Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var buffer = new byte[4096];
        var pending = new StringBuilder();
        try
        {
            while (true)
            {
                int end;
                while ((end = pending.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal)) < 0)
                {
                    int n = await stream.ReadAsync(buffer, _stop.Token).ConfigureAwait(false);
                    if (n == 0)
                        return;
                    pending.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }
                string head = pending.ToString(0, end);
                pending.Remove(0, end + 4);
                string path = head.Split("\r\n")[0].Split(' ')[1];
                if (path.StartsWith("/hang/", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _hangingReceived);
                    _hangSignal.Release();
                    // Never answer: wait for the client to close the connection.
                    try
                    {
                        while (await stream.ReadAsync(buffer, _stop.Token).ConfigureAwait(false) > 0)
                        {
                        }
                    }
                    catch (IOException)
                    {
                        // A reset is a close too.
                    }
                    Interlocked.Increment(ref _hangingClosed);
                    return;
                }
                if (MaxPauseMilliseconds > 0)
                    await Task.Delay(Random.Shared.Next(MaxPauseMilliseconds + 1), _stop.Token).ConfigureAwait(false);
                string body = path.StartsWith("/echo/", StringComparison.Ordinal) ? "reply " + path[6..] : "unknown " + path;
                int status = path.StartsWith("/echo/", StringComparison.Ordinal) ? 200 : 404;
                byte[] bytes = Encoding.UTF8.GetBytes(body);
                string response = $"HTTP/1.1 {status} X\r\nContent-Length: {bytes.Length}\r\nContent-Type: text/plain\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(response), _stop.Token).ConfigureAwait(false);
                await stream.WriteAsync(bytes, _stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _echoed);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client went away or the server is stopping.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_connections).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Connections end with whatever their client did; the tests check what they need before this.
        }
        _stop.Dispose();
    }
}

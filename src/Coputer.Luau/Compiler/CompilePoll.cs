using System.Runtime.CompilerServices;

namespace Coputer.Luau.Compiler;

/// <summary>
/// Lets a long compilation (a huge literal, a generated file) be cancelled: the parser and every compiler pass tick
/// once per node they visit, and every <see cref="Interval"/> ticks the token of the compilation on this thread is
/// checked and the poll callback (an engine's limits, when a running script calls <c>loadstring</c>) runs. Thread
/// static, since a compilation runs on one thread and the passes have no shared context to carry it.
/// </summary>
internal static class CompilePoll
{
    public const int Interval = 1024;

    [ThreadStatic]
    private static int t_countdown;

    [ThreadStatic]
    private static Action? t_poll;

    [ThreadStatic]
    private static CancellationToken t_token;

    [ThreadStatic]
    private static bool t_active;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tick()
    {
        if (--t_countdown < 0)
            Poll();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Poll()
    {
        t_countdown = Interval;
        if (!t_active)
            return;
        t_token.ThrowIfCancellationRequested();
        t_poll?.Invoke();
    }

    /// <summary>Installs the token and callback for the compilation that runs on this thread until disposed.</summary>
    public static Scope Begin(CancellationToken token, Action? poll)
    {
        var saved = new Scope(t_active, t_token, t_poll);
        t_active = token.CanBeCanceled || poll is not null || saved.Active;
        if (token.CanBeCanceled || !saved.Active)
            t_token = token;
        t_poll = poll ?? saved.Poll;
        t_countdown = Interval;
        return saved;
    }

    internal readonly struct Scope(bool active, CancellationToken token, Action? poll) : IDisposable
    {
        public bool Active { get; } = active;

        public CancellationToken Token { get; } = token;

        public Action? Poll { get; } = poll;

        public void Dispose()
        {
            t_active = Active;
            t_token = Token;
            t_poll = Poll;
        }
    }
}

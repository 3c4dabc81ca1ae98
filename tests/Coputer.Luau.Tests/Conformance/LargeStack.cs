namespace Coputer.Luau.Tests.Conformance;

/// <summary>
/// Runs test code on a thread with a large stack. The conformance files recurse to the reference's limits (200
/// nested host-level calls); a process's main thread has room for that, the test runner's pool threads may not.
/// </summary>
internal static class LargeStack
{
    public static T Run<T>(Func<T> body, int stackBytes = 64 << 20)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = body();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, stackBytes);
        thread.Start();
        thread.Join();
        if (failure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        return result;
    }
}

namespace Coputer.Luau.VM;

/// <summary>The status of a thread as <c>coroutine.status</c> reports it.</summary>
public enum CoroutineStatus
{
    /// <summary>Created and not started, or yielded.</summary>
    Suspended,

    /// <summary>Currently running.</summary>
    Running,

    /// <summary>Resumed another coroutine and waits for it.</summary>
    Normal,

    /// <summary>Finished, or stopped by an error.</summary>
    Dead,
}

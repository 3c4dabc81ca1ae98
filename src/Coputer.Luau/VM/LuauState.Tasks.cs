namespace Coputer.Luau.VM;

public sealed partial class LuauState
{
    private LuauTaskScheduler? _tasks;

    /// <summary>
    /// The scheduler that runs this state's tasks (<c>task.spawn</c>, <c>task.wait</c>, async host functions). Its
    /// clock is virtual unless the task library was opened with a real time source.
    /// </summary>
    public LuauTaskScheduler Tasks => _tasks ??= new LuauTaskScheduler(this, null);

    internal LuauTaskScheduler? TaskSchedulerIfCreated => _tasks;

    /// <summary>Makes the scheduler use <paramref name="time"/> (real time) or the virtual clock (null); only before it is first used.</summary>
    internal LuauTaskScheduler CreateTaskScheduler(TimeProvider? time)
    {
        if (_tasks is not null)
            throw new InvalidOperationException("The task scheduler already exists.");
        return _tasks = new LuauTaskScheduler(this, time);
    }
}

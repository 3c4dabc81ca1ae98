using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>The standard libraries a state can have; combine them, or use <see cref="All"/>.</summary>
[Flags]
public enum LuauLibraries
{
    /// <summary>No library.</summary>
    None = 0,
    /// <summary>The base functions (<c>print</c>, <c>pcall</c>, <c>type</c>, ...).</summary>
    Base = 1 << 0,
    /// <summary>The <c>coroutine</c> library.</summary>
    Coroutine = 1 << 1,
    /// <summary>The <c>table</c> library.</summary>
    Table = 1 << 2,
    /// <summary>The <c>string</c> library (and string methods).</summary>
    String = 1 << 3,
    /// <summary>The <c>math</c> library.</summary>
    Math = 1 << 4,
    /// <summary>The <c>bit32</c> library.</summary>
    Bit32 = 1 << 5,
    /// <summary>The <c>utf8</c> library.</summary>
    Utf8 = 1 << 6,
    /// <summary>The <c>buffer</c> library.</summary>
    Buffer = 1 << 7,
    /// <summary>The <c>vector</c> library.</summary>
    Vector = 1 << 8,
    /// <summary>The <c>os</c> library (clock, time and date only; clocks come from the platform).</summary>
    Os = 1 << 9,
    /// <summary>The <c>debug</c> library (<c>traceback</c>, <c>info</c>).</summary>
    Debug = 1 << 10,

    /// <summary>The <c>task</c> library: tasks, futures, waits and timers (Roblox's and Lune's names, coop.nvim's semantics).</summary>
    Task = 1 << 11,

    /// <summary>
    /// The <c>integer</c> library and the 64-bit <c>buffer.readinteger</c>/<c>writeinteger</c> (the reference's
    /// LuauIntegerLibrary flag, which its command line turns on). Integer literals (<c>1i</c>) work without it.
    /// </summary>
    Integer = 1 << 12,

    /// <summary>
    /// Everything the reference's luaL_openlibs opens with its command line's flags, and <c>task</c> (none of them
    /// reach outside the script).
    /// </summary>
    All = Base | Coroutine | Table | String | Math | Bit32 | Utf8 | Buffer | Vector | Os | Debug | Integer | Task,
}

/// <summary>Opens standard libraries into a state's globals.</summary>
public static class StandardLibrary
{
    /// <summary>Opens <paramref name="libraries"/> in <paramref name="state"/>, with clocks, time zone and random seed from <paramref name="platform"/>.</summary>
    public static void Open(LuauState state, LuauLibraries libraries, LuauPlatform platform)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(platform);
        if (!LibraryTemplate.TryOpen(state, libraries, platform))
            OpenEach(state, libraries, platform);
    }

    /// <summary>Opens the libraries one by one (what a <see cref="LibraryTemplate"/> copy is identical to).</summary>
    internal static void OpenEach(LuauState state, LuauLibraries libraries, LuauPlatform platform)
    {
        state.DeterministicMath = platform.DeterministicMath;
        if ((libraries & LuauLibraries.Base) != 0)
            BaseLibrary.Open(state);
        if ((libraries & LuauLibraries.Coroutine) != 0)
            CoroutineLibrary.Open(state);
        if ((libraries & LuauLibraries.Table) != 0)
            TableLibrary.Open(state);
        if ((libraries & LuauLibraries.Os) != 0)
            OsLibrary.Open(state, platform);
        if ((libraries & LuauLibraries.String) != 0)
            StringLibrary.Open(state);
        if ((libraries & LuauLibraries.Math) != 0)
            MathLibrary.Open(state, platform);
        if ((libraries & LuauLibraries.Debug) != 0)
            DebugLibrary.Open(state);
        if ((libraries & LuauLibraries.Utf8) != 0)
            Utf8Library.Open(state);
        if ((libraries & LuauLibraries.Bit32) != 0)
            Bit32Library.Open(state);
        if ((libraries & LuauLibraries.Buffer) != 0)
            BufferLibrary.Open(state, (libraries & LuauLibraries.Integer) != 0);
        if ((libraries & LuauLibraries.Vector) != 0)
            VectorLibrary.Open(state);
        if ((libraries & LuauLibraries.Integer) != 0)
            IntegerLibrary.Open(state);
        if ((libraries & LuauLibraries.Task) != 0)
            TaskLibrary.Open(state, platform.TaskTime);
    }

    /// <summary>
    /// The reference command line's <c>collectgarbage</c>: only "collect" (the default) and "count" (kilobytes in
    /// use) are allowed.
    /// </summary>
    public static HostFunction CollectGarbageLimited { get; } = new("collectgarbage", CollectGarbage) { KeyId = LibraryTemplate.CollectGarbageKeyId };

    private static int CollectGarbage(LuauCallContext c)
    {
        var option = c.OptString(1, null)?.ToString() ?? "collect";
        switch (option)
        {
            case "collect":
                c.State.CollectGarbage(c.Thread);
                return 0;
            case "count":
                return c.Return(c.State.MemoryInUse / 1024.0);
            default:
                throw new LuauError("collectgarbage must be called with 'count' or 'collect'");
        }
    }
}

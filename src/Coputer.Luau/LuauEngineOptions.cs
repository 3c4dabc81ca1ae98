using Coputer.Luau.Compiler;
using Coputer.Luau.Library;
using Coputer.Luau.VM;

namespace Coputer.Luau;

/// <summary>How a <see cref="LuauEngine"/> is set up. The defaults suit untrusted code: sandboxed, deterministic.</summary>
public sealed class LuauEngineOptions
{
    /// <summary>The standard libraries scripts get (default: all of Luau's, none of which reach outside the script).</summary>
    public LuauLibraries Libraries { get; init; } = LuauLibraries.All;

    /// <summary>Clocks, time zone and random seed (default: fixed values, so runs are reproducible).</summary>
    public LuauPlatform Platform { get; init; } = LuauPlatform.Deterministic();

    /// <summary>How source is compiled (optimisation and debug levels, ...).</summary>
    public CompileOptions CompileOptions { get; init; } = new();

    /// <summary>
    /// Freeze the libraries and the shared globals, so that builtins run on their fast paths and scripts cannot
    /// change what other scripts see (the reference's luaL_sandbox). Scripts write to their own globals.
    /// </summary>
    public bool Sandbox { get; init; } = true;

    /// <summary>Where <c>print</c> writes (default: nowhere).</summary>
    public Stream? Output { get; init; }

    /// <summary>Bytes the heap may use, or 0 for no limit.</summary>
    public long MemoryLimit { get; init; }

    /// <summary>
    /// The limits of each run through the engine (<see cref="LuauEngine.DoString(string, string)"/>,
    /// <see cref="LuauEngine.Call(LuauValue, ReadOnlySpan{LuauValue})"/>, <see cref="LuauEngine.Start"/> and
    /// <see cref="LuauEngine.Resume"/>): instructions, timeout, cancellation. Every run gets the whole allowance.
    /// </summary>
    public LuauRunLimits RunLimits { get; init; } = LuauRunLimits.None;

    /// <summary>When set, scripts get <c>require</c>, resolving modules with this.</summary>
    public ILuauModuleResolver? ModuleResolver { get; init; }

    /// <summary>Give scripts <c>loadstring</c>, as the reference command line does (off by default: it defeats static checks).</summary>
    public bool EnableLoadstring { get; init; }

    /// <summary>Give scripts the reference command line's <c>collectgarbage</c> ("collect" and "count" only).</summary>
    public bool EnableCollectGarbage { get; init; }

    /// <summary>
    /// Compile functions that run hot to IL (see <see cref="VM.LuauState.IlTierEnabled"/>): the same results, errors
    /// and instruction counts as the interpreter, faster. Compilation happens on a background thread, so a first
    /// run is not delayed by it.
    /// </summary>
    public bool EnableIlTier { get; init; }

    /// <summary>Calls plus loop iterations of a function before the IL tier compiles it (0: at its first call; see <see cref="VM.LuauState.IlTierThreshold"/>).</summary>
    public int IlTierThreshold { get; init; } = VM.LuauState.DefaultIlTierThreshold;
}

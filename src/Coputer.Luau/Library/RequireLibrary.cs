using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>
/// The global <c>require</c> of Luau's require-by-string: resolves the path with an <see cref="ILuauModuleResolver"/>
/// relative to the calling module, runs each module once in a thread of its own with sandboxed globals, and
/// caches its single result by the resolved module.
/// </summary>
internal static class RequireLibrary
{
    /// <summary>Compiles module source to bytecode (the state's compile options); throws <see cref="LuauLoadException"/> on errors.</summary>
    public delegate byte[] Compile(ReadOnlySpan<byte> source, string chunkName);

    public static void Open(LuauState state, ILuauModuleResolver resolver, Compile compile)
    {
        var cache = state.CreateTable();
        state.Registry["_MODULES"] = cache;
        LibraryUtil.SetField(state, state.Globals, "require", new HostFunction("require", c => Require(c, resolver, compile, cache)));
    }

    private static int Require(LuauCallContext c, ILuauModuleResolver resolver, Compile compile, LuauTable cache)
    {
        var path = c.CheckString(1).ToString();
        var thread = c.Thread;
        // The requiring module is the nearest Luau function below require (host functions such as pcall are skipped).
        string requirer = "";
        for (int i = thread.FrameIndex - 1; i > 0; i--)
        {
            if (thread.Frames[i].Closure is { } caller)
            {
                requirer = caller.Proto.Source.ToString();
                break;
            }
        }
        var resolved = resolver.Resolve(requirer, path);
        // Resolution errors carry no position, as the reference raises them (a pushed string, not luaL_error).
        if (resolved.Error is not null)
            throw new PlainError(resolved.Error);

        var state = c.State;
        var key = state.Intern(resolved.CacheKey);
        var cached = cache.GetStr(key);
        if (!cached.IsNil)
            return c.Return(cached);

        var source = resolved.ReadSource!() ?? throw new LuauError($"could not read file '{resolved.CacheKey}'");
        var globals = state.CreateSandboxedGlobals();
        LuauFunction module;
        try
        {
            module = state.Load(compile(source, resolved.ChunkName), resolved.ChunkName, globals);
        }
        catch (LuauLoadException e)
        {
            throw new LuauError(e.Message);
        }
        var moduleThread = state.CreateThread(module, globals);
        var result = Interpreter.Resume(moduleThread, thread, 0, out int n);
        switch (result)
        {
            case Interpreter.ResumeStatus.Yielded:
                throw new LuauError("module can not yield");
            case Interpreter.ResumeStatus.Error:
                {
                    var error = moduleThread.Stack[moduleThread.Top - 1];
                    if (error.Type is not (LuauType.String or LuauType.Number))
                        throw new LuauError("unknown error while running module");
                    var text = error.Type == LuauType.String ? error.AsString! : Interpreter.NumberToString(error.Number);
                    throw new LuauError(TruncateLikeReference($"error while running module: {text}"));
                }
        }
        if (n != 1)
            throw new LuauError("module must return a single value");
        var value = moduleThread.Stack[moduleThread.Top - 1];
        cache.SetStr(key) = value;
        return c.Return(value);
    }

    /// <summary>
    /// The reference formats luaL_error messages into a 512-byte buffer, so a message longer than 511 bytes (a chain
    /// of nested module errors, say) is cut there; the position prefix is added after the cut.
    /// </summary>
    private static string TruncateLikeReference(string message)
    {
        const int limit = 511;
        if (System.Text.Encoding.UTF8.GetByteCount(message) <= limit)
            return message;
        var bytes = System.Text.Encoding.UTF8.GetBytes(message);
        int cut = limit;
        // Cut on a character boundary (never inside a UTF-8 sequence).
        while (cut > 0 && (bytes[cut] & 0xC0) == 0x80)
            cut--;
        return System.Text.Encoding.UTF8.GetString(bytes, 0, cut);
    }
}

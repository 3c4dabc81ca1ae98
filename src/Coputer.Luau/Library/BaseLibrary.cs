using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>The base library: the global functions (<c>assert</c>, <c>error</c>, <c>pcall</c>, <c>tostring</c>, ...).</summary>
internal static class BaseLibrary
{
    public static void Open(LuauState state)
    {
        var g = state.Globals;
        LibraryUtil.SetField(state, g, "_G", g);
        LibraryUtil.SetField(state, g, "_VERSION", "Luau");
        LibraryUtil.Register(state, g,
            ("assert", Assert),
            ("error", Error),
            ("gcinfo", GcInfo),
            ("getfenv", GetFenv),
            ("getmetatable", GetMetatable),
            ("newproxy", NewProxy),
            ("print", Print),
            ("rawequal", RawEqual),
            ("rawget", RawGet),
            ("rawset", RawSet),
            ("rawlen", RawLen),
            ("select", Select),
            ("setfenv", SetFenv),
            ("setmetatable", SetMetatable),
            ("tonumber", ToNumber),
            ("tostring", ToString),
            ("type", Type),
            ("typeof", TypeOf));

        var next = new HostFunction("next", Next);
        LibraryUtil.SetField(state, g, "next", next);
        // pairs and ipairs hand out these generators; the compiler's in-place loops assume exactly these.
        LibraryUtil.SetField(state, g, "pairs", new HostFunction("pairs", c =>
        {
            c.CheckTable(1);
            return c.Return(next, c[1], LuauValue.Nil);
        }));
        BindIpairs(state, g);
        LibraryUtil.SetField(state, g, "pcall", new HostFunction("pcall", PCall) { Special = SpecialFunction.Pcall });
        LibraryUtil.SetField(state, g, "xpcall", new HostFunction("xpcall", XPCall) { Special = SpecialFunction.Xpcall });
    }

    /// <summary>
    /// Sets <c>ipairs</c> with its own generator, which no table holds (so a template cannot share it: each state
    /// gets one, as when the library is opened in it).
    /// </summary>
    internal static void BindIpairs(LuauState state, LuauTable g)
    {
        var inext = new HostFunction("inext", INext);
        LibraryUtil.SetField(state, g, "ipairs", new HostFunction("ipairs", c =>
        {
            c.CheckTable(1);
            return c.Return(inext, c[1], 0);
        }));
    }

    private static int Assert(LuauCallContext c)
    {
        var v = c.CheckAny(1);
        if (v.IsFalsy)
            throw new LuauError(c.OptString(2, null)?.ToString() ?? "assertion failed!");
        return c.ArgumentCount;
    }

    private static int Error(LuauCallContext c)
    {
        int level = c.OptInteger(2, 1);
        var v = c[1];
        if (v.Type is LuauType.String or LuauType.Number && level > 0)
        {
            string where = Interpreter.Where(c.Thread, level);
            if (where.Length > 0 || v.Type == LuauType.Number)
            {
                var text = v.Type == LuauType.String ? v.AsString! : Interpreter.NumberToString(v.Number);
                using var b = new ByteBuilder(where.Length + text.Length);
                b.AppendAscii(where);
                b.Append(text.Span);
                v = LuauString.From(b.AsSpan());
            }
        }
        throw new LuauRuntimeException(v);
    }

    private static int GcInfo(LuauCallContext c) => c.Return((int)(c.State.MemoryInUse / 1024));

    private static int GetMetatable(LuauCallContext c)
    {
        var v = c.CheckAny(1);
        var mt = Interpreter.GetMetatable(c.State, in v);
        if (mt is null)
            return c.Return(LuauValue.Nil);
        var protectedValue = mt.GetStr(c.State.TagMethodNames[(int)TagMethod.Metatable]);
        return c.Return(protectedValue.IsNil ? new LuauValue(mt) : protectedValue);
    }

    private static int SetMetatable(LuauCallContext c)
    {
        var t = c.CheckTable(1);
        var mt = c[2];
        if (mt.Type is not (LuauType.Nil or LuauType.Table))
            throw c.TypeError(2, "nil or table");
        if (t.Metatable is not null && !t.Metatable.GetStr(c.State.TagMethodNames[(int)TagMethod.Metatable]).IsNil)
            throw new LuauError("cannot change a protected metatable");
        if (t.IsReadOnly)
            throw new LuauError("attempt to modify a readonly table");
        t.Metatable = mt.AsTable;
        return c.Return(t);
    }

    /// <summary>The function <c>getfenv</c>/<c>setfenv</c> mean: a function argument, or the function at a call level.</summary>
    private static LuauValue FunctionAtLevel(LuauCallContext c, bool optional)
    {
        if (c[1].Type == LuauType.Function)
            return c[1];
        int level = optional ? c.OptInteger(1, 1) : c.CheckInteger(1);
        if (level < 0)
            throw c.ArgumentError(1, "level must be non-negative");
        var thread = c.Thread;
        int index = thread.FrameIndex - level;
        if (index <= 0)
            throw c.ArgumentError(1, "invalid level");
        ref var f = ref thread.Frames[index];
        return f.Closure is not null ? new LuauValue(f.Closure) : new LuauValue(f.Host!);
    }

    private static int GetFenv(LuauCallContext c)
    {
        var f = FunctionAtLevel(c, optional: true);
        var env = f.AsFunction is LuauClosure cl ? cl.Env : c.Thread.Globals;
        // Code that holds its environment can change it behind the compiler's back: no more fast imports.
        env.SafeEnv = false;
        return c.Return(env);
    }

    private static int SetFenv(LuauCallContext c)
    {
        var env = c.CheckTable(2);
        env.SafeEnv = false;
        if (c[1].Type == LuauType.Number && c[1].Number == 0)
        {
            c.Thread.Globals = env;
            return 0;
        }
        var f = FunctionAtLevel(c, optional: false);
        if (f.AsFunction is not LuauClosure cl)
            throw new LuauError("'setfenv' cannot change environment of given object");
        cl.Env = env;
        return c.Return(f);
    }

    private static int NewProxy(LuauCallContext c)
    {
        var t = c[1].Type;
        if (t is not (LuauType.Nil or LuauType.Boolean))
            throw c.TypeError(1, "nil or boolean");
        var u = new LuauUserdata(null, 0, c[1].IsTruthy ? c.State.CreateTable() : null) { IsProxy = true };
        // The userdata, and the metatable newproxy(true) gives it.
        c.State.ChargeMemory(MemoryCost.Userdata + (c[1].IsTruthy ? MemoryCost.Table : 0));
        return c.Return(new LuauValue(u));
    }

    private static int Print(LuauCallContext c)
    {
        using var b = new ByteBuilder(c.State, 256);
        for (int i = 1; i <= c.ArgumentCount; i++)
        {
            if (i > 1)
                b.Append((byte)'\t');
            b.Append(LibraryUtil.ToDisplayString(c.Thread, c[i]).Span);
        }
        b.Append((byte)'\n');
        c.State.Output.Write(b.AsSpan());
        return 0;
    }

    private static int RawEqual(LuauCallContext c)
    {
        var a = c.CheckAny(1);
        var b = c.CheckAny(2);
        return c.Return(LuauValue.RawEquals(in a, in b));
    }

    private static int RawGet(LuauCallContext c)
    {
        var t = c.CheckTable(1);
        var k = c.CheckAny(2);
        return c.Return(t[k]);
    }

    private static int RawSet(LuauCallContext c)
    {
        var t = c.CheckTable(1);
        var k = c.CheckAny(2);
        var v = c.CheckAny(3);
        if (t.IsReadOnly)
            throw new LuauError("attempt to modify a readonly table");
        t.Set(in k) = v;
        return c.Return(t);
    }

    private static int RawLen(LuauCallContext c)
    {
        var v = c[1];
        return v.Type switch
        {
            LuauType.Table => c.Return(v.AsTable!.Length()),
            LuauType.String => c.Return(v.AsString!.Length),
            _ => throw c.ArgumentError(1, "table or string expected"),
        };
    }

    private static int Select(LuauCallContext c)
    {
        int n = c.ArgumentCount;
        var first = c[1];
        if (first.Type == LuauType.String && first.AsString!.Length > 0 && first.AsString.Span[0] == '#')
            return c.Return(n - 1);
        int i = c.CheckInteger(1);
        if (i < 0)
            i = n + i;
        else if (i > n)
            i = n;
        if (i < 1)
            throw c.ArgumentError(1, "index out of range");
        // The results are the last n - i arguments, which are already on top of the stack.
        return n - i;
    }

    private static int ToNumber(LuauCallContext c)
    {
        int radix = c.OptInteger(2, 10);
        var v = c[1];
        if (radix == 10)
        {
            if (Interpreter.ToNumber(in v, out double d))
                return c.Return(d);
            c.CheckAny(1);
            return c.Return(LuauValue.Nil);
        }
        var s = c.CheckString(1);
        if (radix < 2 || radix > 36)
            throw c.ArgumentError(2, "base out of range");
        return NumberParser.TryParseInBase(s.Span, radix, out double r) ? c.Return(r) : c.Return(LuauValue.Nil);
    }

    private static int ToString(LuauCallContext c)
    {
        var v = c.CheckAny(1);
        var s = LibraryUtil.ToDisplayString(c.Thread, v);
        // A number, a table's address and so on become a new string (a string argument comes back as it is).
        if (v.Type != LuauType.String)
            c.State.ChargeMemory(MemoryCost.String(s.Length));
        return c.Return(s);
    }

    private static int Type(LuauCallContext c)
    {
        var v = c.CheckAny(1);
        return c.Return(c.State.TypeNameStrings[(int)v.Type]);
    }

    private static int TypeOf(LuauCallContext c)
    {
        var v = c.CheckAny(1);
        return c.Return(Interpreter.ObjectTypeName(c.State, in v));
    }

    private static int Next(LuauCallContext c)
    {
        var t = c.CheckTable(1);
        return t.Next(c[2], out var k, out var v) ? c.Return(k, v) : c.Return(LuauValue.Nil);
    }

    private static int INext(LuauCallContext c)
    {
        int i = c.CheckInteger(2);
        var t = c.CheckTable(1);
        i++;
        var v = t.GetNum(i);
        return v.IsNil ? 0 : c.Return(i, v);
    }

    /// <summary>pcall when called other than by the interpreter's CALL (for example through the host API): nested, so not yieldable.</summary>
    private static int PCall(LuauCallContext c)
    {
        c.CheckAny(1);
        var thread = c.Thread;
        int func = c.Base;
        int savedFrame = thread.FrameIndex;
        LuauRuntimeException error;
        try
        {
            thread.Top = func + c.ArgumentCount;
            Interpreter.Call(thread, func, -1);
            int n = thread.Top - func;
            thread.EnsureStack(thread.Top + 1);
            Array.Copy(thread.Stack, func, thread.Stack, func + 1, n);
            thread.Stack[func] = LuauValue.True;
            thread.Top = func + n + 1;
            return n + 1;
        }
        catch (Exception e) when (e is not LuauTerminatedException)
        {
            error = Interpreter.Normalize(thread, e);
        }
        Interpreter.UnwindTo(thread, savedFrame, func);
        return c.Return(false, error.Value);
    }

    private static int XPCall(LuauCallContext c)
    {
        c.CheckType(2, LuauType.Function);
        var thread = c.Thread;
        int func = c.Base;
        var handler = c[2];
        int savedFrame = thread.FrameIndex;
        // Move the function next to its arguments: [handler, f, args...].
        (thread.Stack[func], thread.Stack[func + 1]) = (thread.Stack[func + 1], thread.Stack[func]);
        LuauRuntimeException error;
        try
        {
            thread.Top = func + c.ArgumentCount;
            Interpreter.Call(thread, func + 1, -1);
            int n = thread.Top - func - 1;
            thread.Stack[func] = LuauValue.True;
            return n + 1;
        }
        catch (Exception e) when (e is not LuauTerminatedException)
        {
            error = Interpreter.Normalize(thread, e);
        }
        // Outside the catch block, so the handler does not run on top of the throwing frames.
        var value = Interpreter.CallHandlerAtErrorPoint(thread, handler, error);
        Interpreter.UnwindTo(thread, savedFrame, func);
        return c.Return(false, value);
    }
}

using System.Runtime.CompilerServices;

namespace Coputer.Luau.VM;

/// <summary>
/// What a host function sees of its call: the arguments, the thread and a place to put results. Argument
/// numbers are 1-based, as in Luau's error messages ("invalid argument #1 to 'f'"). Results are pushed with the
/// <c>Return</c> methods, whose value the function returns.
/// </summary>
public readonly ref struct LuauCallContext
{
    private readonly LuauThread _thread;
    private readonly int _base;
    private readonly int _count;

    internal LuauCallContext(LuauThread thread, int argBase, int count)
    {
        _thread = thread;
        _base = argBase;
        _count = count;
    }

    /// <summary>The thread running the call.</summary>
    public LuauThread Thread => _thread;

    /// <summary>The state running the call.</summary>
    public LuauState State => _thread.State;

    /// <summary>How many arguments were passed.</summary>
    public int ArgumentCount => _count;

    /// <summary>Argument <paramref name="n"/> (1-based), or nil past the last one.</summary>
    public LuauValue this[int n]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (uint)(n - 1) < (uint)_count ? _thread.Stack[_base + n - 1] : default;
    }

    /// <summary>The stack index of argument 1, for library code working on the stack directly.</summary>
    internal int Base => _base;

    /// <summary>
    /// The name of the running host function for error messages (the method name for a <c>__namecall</c> function),
    /// or null for a function created without a name: messages then leave the name out, as the reference's do.
    /// </summary>
    internal string? FunctionName
    {
        get
        {
            ref var frame = ref _thread.Frames[_thread.FrameIndex];
            string? name = frame.Host?.Name;
            if (name == "__namecall")
                return _thread.NameCall?.ToString();
            return string.IsNullOrEmpty(name) ? null : name;
        }
    }

    /// <summary>" to 'name'" for argument errors, or nothing for an unnamed function.</summary>
    private string ToFunction => FunctionName is { } name ? $" to '{name}'" : "";

    // ---- results ----

    /// <summary>Returns no results.</summary>
    public int Return() => 0;

    /// <summary>Returns one result.</summary>
    public int Return(LuauValue value)
    {
        _thread.Push(in value);
        return 1;
    }

    /// <summary>Returns two results.</summary>
    public int Return(LuauValue first, LuauValue second)
    {
        _thread.Push(in first);
        _thread.Push(in second);
        return 2;
    }

    /// <summary>Returns three results.</summary>
    public int Return(LuauValue first, LuauValue second, LuauValue third)
    {
        _thread.Push(in first);
        _thread.Push(in second);
        _thread.Push(in third);
        return 3;
    }

    /// <summary>Returns any number of results.</summary>
    public int Return(ReadOnlySpan<LuauValue> values)
    {
        _thread.EnsureStack(_thread.Top + values.Length);
        foreach (var v in values)
            _thread.Stack[_thread.Top++] = v;
        return values.Length;
    }

    /// <summary>Pushes one more result; return the count pushed when done.</summary>
    public void Push(LuauValue value) => _thread.Push(in value);

    /// <summary>
    /// Suspends the running coroutine, passing the last <paramref name="count"/> pushed values to <c>resume</c>.
    /// Return its value from the host function. Fails if the coroutine cannot yield here.
    /// </summary>
    public int Yield(int count)
    {
        Interpreter.RequestYield(_thread, count);
        return Interpreter.YieldSignal;
    }

    /// <summary>
    /// Makes room to push <paramref name="count"/> more values, as the reference's lua_checkstack: false when a host
    /// function would use more than 8000 slots or the thread's stack cannot grow.
    /// </summary>
    public bool CheckStack(int count)
    {
        if (count < 0 || count > LuauThread.MaxHostStack || _thread.Top - _base + count > LuauThread.MaxHostStack)
            return false;
        return _thread.TryEnsureStack(_thread.Top + count);
    }

    /// <summary>Like <see cref="CheckStack(int)"/>, failing with "stack overflow (<paramref name="what"/>)".</summary>
    public void CheckStack(int count, string what)
    {
        if (!CheckStack(count))
            throw new LuauError($"stack overflow ({what})");
    }

    // ---- the frame as a stack (the reference's C API, for host functions that continue after yields) ----

    /// <summary>How many values the frame holds: the arguments and whatever was pushed since (the reference's lua_gettop).</summary>
    public int Top => _thread.Top - _base;

    /// <summary>Value <paramref name="index"/> of the frame: 1-based from the bottom, or negative from the top (-1 is the top). Nil outside.</summary>
    public LuauValue Get(int index)
    {
        int i = index > 0 ? _base + index - 1 : _thread.Top + index;
        return i >= _base && i < _thread.Top ? _thread.Stack[i] : default;
    }

    /// <summary>Sets value <paramref name="index"/> of the frame (1-based, or negative from the top).</summary>
    public void Set(int index, LuauValue value)
    {
        int i = index > 0 ? _base + index - 1 : _thread.Top + index;
        if (i < _base || i >= _thread.Top)
            throw new ArgumentOutOfRangeException(nameof(index));
        _thread.Stack[i] = value;
    }

    /// <summary>Grows (with nils) or shrinks the frame to <paramref name="count"/> values.</summary>
    public void SetTop(int count)
    {
        int top = _base + count;
        _thread.EnsureStack(top);
        for (int i = _thread.Top; i < top; i++)
            _thread.Stack[i] = default;
        _thread.Top = top;
    }

    /// <summary>Pops the top value into <paramref name="index"/>.</summary>
    public void Replace(int index)
    {
        var v = Get(-1);
        _thread.Top--;
        Set(index, v);
    }

    /// <summary>Moves the top value down to <paramref name="index"/>, shifting the values above it up.</summary>
    public void Insert(int index)
    {
        int i = index > 0 ? _base + index - 1 : _thread.Top + index;
        var v = _thread.Stack[_thread.Top - 1];
        Array.Copy(_thread.Stack, i, _thread.Stack, i + 1, _thread.Top - 1 - i);
        _thread.Stack[i] = v;
    }

    /// <summary>
    /// Calls the function below the top <paramref name="argumentCount"/> values with them, as a call the running
    /// coroutine may yield inside. Return its value from the host function: when the call returns, the function's
    /// continuation runs with <paramref name="resultCount"/> results (or all, for -1) in place of the function and
    /// its arguments.
    /// </summary>
    public int CallYieldable(int argumentCount, int resultCount)
    {
        _thread.PendingCallArgs = argumentCount;
        _thread.PendingCallResults = resultCount;
        _thread.PendingCallProtected = false;
        return Interpreter.CallSignal;
    }

    /// <summary>
    /// Like <see cref="CallYieldable"/>, but an error in the call does not propagate: the continuation runs with
    /// <see cref="LuauCallStatus.Error"/> and the error value on top.
    /// </summary>
    public int PCallYieldable(int argumentCount, int resultCount)
    {
        _thread.PendingCallArgs = argumentCount;
        _thread.PendingCallResults = resultCount;
        _thread.PendingCallProtected = true;
        return Interpreter.CallSignal;
    }

    /// <summary>
    /// Resumes the suspended coroutine <paramref name="thread"/> from this function by raising <paramref name="error"/>
    /// where it yielded (see <see cref="LuauState.ResumeError(LuauThread, LuauValue)"/>).
    /// </summary>
    public LuauResumeResult ResumeError(LuauThread thread, LuauValue error) => _thread.State.ResumeError(thread, error, _thread);

    /// <summary>For a <c>__namecall</c> host function: the name of the method being called (<c>obj:name()</c>).</summary>
    public LuauString? NameCallMethod => _thread.NameCall;

    /// <summary>Whether the running code may yield here (the reference's lua_isyieldable).</summary>
    public bool IsYieldable => _thread.YieldableDepth > 0 && _thread.HostCallDepth <= _thread.YieldableDepth;

    // ---- calling back into Luau ----

    /// <summary>Calls <paramref name="function"/> with <paramref name="args"/> and returns all its results.</summary>
    public LuauValue[] Call(LuauValue function, params ReadOnlySpan<LuauValue> args) => Interpreter.CallValue(_thread, function, args, -1);

    /// <summary>Calls <paramref name="function"/> and returns its first result (nil if none).</summary>
    public LuauValue Call1(LuauValue function, params ReadOnlySpan<LuauValue> args)
    {
        var r = Interpreter.CallValue(_thread, function, args, 1);
        return r[0];
    }

    // ---- argument checks (error messages as the reference's luaL_check*) ----

    /// <summary>Fails with the reference's "invalid argument #n to 'f' (message)".</summary>
    public LuauError ArgumentError(int n, string message) =>
        new($"invalid argument #{n}{ToFunction} ({message})");

    /// <summary>Fails with the reference's type mismatch message for argument <paramref name="n"/>.</summary>
    public LuauError TypeError(int n, string expected)
    {
        if (n > _count)
            return new LuauError($"missing argument #{n}{ToFunction} ({expected} expected)");
        return new LuauError($"invalid argument #{n}{ToFunction} ({expected} expected, got {Interpreter.ObjectTypeName(_thread.State, this[n])})");
    }

    /// <summary>Argument <paramref name="n"/>, which must be present (any value, even nil).</summary>
    public LuauValue CheckAny(int n)
    {
        if (n > _count)
            throw new LuauError($"missing argument #{n}");
        return this[n];
    }

    /// <summary>Argument <paramref name="n"/> as a table, or the reference's argument error.</summary>
    public LuauTable CheckTable(int n)
    {
        var v = this[n];
        return v.Type == LuauType.Table ? v.UnsafeTable : throw TypeError(n, "table");
    }

    /// <summary>Argument <paramref name="n"/> as a function, or the reference's argument error.</summary>
    public LuauFunction CheckFunction(int n)
    {
        var v = this[n];
        return v.Type == LuauType.Function ? v.UnsafeFunction : throw TypeError(n, "function");
    }

    /// <summary>A number argument; strings convertible to numbers are accepted, as in the reference.</summary>
    public double CheckNumber(int n)
    {
        var v = this[n];
        if (v.Type == LuauType.Number)
            return v.N;
        if (v.Type == LuauType.String && Interpreter.TryStringToNumber(v.UnsafeString, out double d))
            return d;
        throw TypeError(n, "number");
    }

    /// <summary>Argument <paramref name="n"/> as a number, <paramref name="defaultValue"/> when it is nil or absent.</summary>
    public double OptNumber(int n, double defaultValue) => this[n].IsNil ? defaultValue : CheckNumber(n);

    /// <summary>A number argument truncated to a 32-bit integer, as the reference's luaL_checkinteger.</summary>
    public int CheckInteger(int n) => Interpreter.DoubleToInt(CheckNumber(n));

    /// <summary>Argument <paramref name="n"/> as an integer, <paramref name="defaultValue"/> when it is nil or absent.</summary>
    public int OptInteger(int n, int defaultValue) => this[n].IsNil ? defaultValue : CheckInteger(n);

    /// <summary>A 64-bit integer argument (the integer type only: numbers are not converted), as the reference's luaL_checkinteger64.</summary>
    public long CheckInteger64(int n)
    {
        var v = this[n];
        return v.Type == LuauType.Integer ? v.Integer : throw TypeError(n, "integer");
    }

    /// <summary>A string argument; numbers are converted (and the argument replaced by the string), as in the reference.</summary>
    public LuauString CheckString(int n)
    {
        var v = this[n];
        if (v.Type == LuauType.String)
            return v.UnsafeString;
        if (v.Type == LuauType.Number)
        {
            var s = Interpreter.NumberToString(v.N);
            _thread.Stack[_base + n - 1] = s;
            return s;
        }
        throw TypeError(n, "string");
    }

    /// <summary>Argument <paramref name="n"/> as a string (numbers convert), <paramref name="defaultValue"/> when it is nil or absent.</summary>
    public LuauString? OptString(int n, LuauString? defaultValue) => this[n].IsNil ? defaultValue : CheckString(n);

    /// <summary>Argument <paramref name="n"/>'s truth, <paramref name="defaultValue"/> when it is nil or absent.</summary>
    public bool OptBoolean(int n, bool defaultValue) => this[n].IsNil ? defaultValue : this[n].IsTruthy;

    /// <summary>Argument <paramref name="n"/> as a buffer, or the reference's argument error.</summary>
    public LuauBuffer CheckBuffer(int n)
    {
        var v = this[n];
        return v.Type == LuauType.Buffer ? (LuauBuffer)v.O! : throw TypeError(n, "buffer");
    }

    /// <summary>Argument <paramref name="n"/> as a coroutine, or the reference's argument error.</summary>
    public LuauThread CheckThread(int n)
    {
        var v = this[n];
        return v.Type == LuauType.Thread ? (LuauThread)v.O! : throw TypeError(n, "thread");
    }

    /// <summary>The components of a vector argument.</summary>
    public (float X, float Y, float Z) CheckVector(int n)
    {
        var v = this[n];
        return v.Type == LuauType.Vector ? v.Vector : throw TypeError(n, "vector");
    }

    /// <summary>Fails unless argument <paramref name="n"/> has type <paramref name="type"/>.</summary>
    public void CheckType(int n, LuauType type)
    {
        if (this[n].Type != type || n > _count)
            throw TypeError(n, TypeNames.Of(type));
    }
}

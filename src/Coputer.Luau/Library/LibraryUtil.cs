using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>Helpers shared by the standard library modules.</summary>
internal static class LibraryUtil
{
    /// <summary>Adds host functions to <paramref name="table"/>, naming each as the reference names them in messages.</summary>
    public static void Register(LuauState state, LuauTable table, params ReadOnlySpan<(string Name, LuauCallback Callback)> functions)
    {
        foreach (var (name, callback) in functions)
            table.SetStr(state.InternName(name)) = new LuauValue(new HostFunction(name, callback));
    }

    /// <summary>A library table under <paramref name="name"/> in the globals, with its functions.</summary>
    public static LuauTable CreateLibrary(LuauState state, string name, params ReadOnlySpan<(string Name, LuauCallback Callback)> functions)
    {
        var table = state.CreateTable(0, functions.Length);
        Register(state, table, functions);
        state.Globals.SetStr(state.InternName(name)) = new LuauValue(table);
        return table;
    }

    public static void SetField(LuauState state, LuauTable table, string name, LuauValue value) =>
        table.SetStr(state.InternName(name)) = value;

    /// <summary>
    /// A value as <c>tostring</c> shows it (the reference's luaL_tolstring): the <c>__tostring</c> metamethod if any
    /// (which must return a string), else the value's own text; tables, functions and other objects show their type
    /// and a stable identifier in place of an address.
    /// </summary>
    public static LuauString ToDisplayString(LuauThread thread, LuauValue v)
    {
        var state = thread.State;
        var tm = Interpreter.GetMetafield(state, in v, state.TostringName);
        if (tm.Type != LuauType.Nil)
        {
            var r = Interpreter.CallValue(thread, tm, [v], 1)[0];
            if (r.Type == LuauType.String)
                return r.AsString!;
            if (r.Type == LuauType.Number)
                return Interpreter.NumberToString(r.Number);
            throw new LuauError("'__tostring' must return a string");
        }
        switch (v.Type)
        {
            case LuauType.Nil:
                return state.Intern("nil");
            case LuauType.Boolean:
                return state.Intern(v.Boolean ? "true" : "false");
            case LuauType.Number:
                return Interpreter.NumberToString(v.Number);
            case LuauType.Integer:
                return IntegerToString(v.Integer);
            case LuauType.String:
                return v.AsString!;
            case LuauType.Vector:
                {
                    var (x, y, z) = v.Vector;
                    using var b = new ByteBuilder(64);
                    NumberFormatter.Append(b, x);
                    b.AppendAscii(", ");
                    NumberFormatter.Append(b, y);
                    b.AppendAscii(", ");
                    NumberFormatter.Append(b, z);
                    return LuauString.From(b.AsSpan());
                }
            default:
                return LuauString.FromUtf8($"{Interpreter.ObjectTypeName(state, in v)}: 0x{PseudoAddress(state, v):x16}");
        }
    }

    /// <summary>An integer in decimal, as <c>tostring</c> prints it (<c>-9223372036854775808</c> for the smallest).</summary>
    public static LuauString IntegerToString(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out int written, default, System.Globalization.CultureInfo.InvariantCulture);
        return LuauString.From(digits[..written]);
    }

    /// <summary>
    /// A number that stands for an object's address in <c>tostring</c>: unique per object within a state and the same
    /// in every run (addresses are neither, and would leak information).
    /// </summary>
    public static ulong PseudoAddress(LuauState state, LuauValue v)
    {
        if (v.Type == LuauType.LightUserdata)
            return (ulong)v.LightUserdataPayload;
        var o = (LuauObject)v.O!;
        if (o.KeyId == 0)
            o.KeyId = state.NextKeyId();
        return 0x0000_0100_0000_0000UL + ((ulong)o.KeyId << 6);
    }

}

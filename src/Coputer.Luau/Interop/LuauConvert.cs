using System.ComponentModel;
using System.Globalization;
using System.Runtime.CompilerServices;
using Coputer.Luau.VM;

namespace Coputer.Luau.Interop;

/// <summary>
/// Conversions between Luau values and .NET values, used by generated bindings (and usable by hand-written host
/// functions). <c>To*</c> methods convert one value and throw <see cref="LuauConversionException"/>;
/// <c>Arg*</c> methods convert a method argument (number <c>arg</c>, 1-based, read from <c>context[arg + 1]</c>
/// after the object itself) and throw the reference's argument errors:
/// <c>invalid argument #1 to 'Add' (number expected, got string)</c>, <c>missing argument #2 to 'Add' (number expected)</c>.
/// </summary>
/// <remarks>
/// Numbers: every numeric type converts from a Luau number (or a 64-bit integer, or a numeric string as
/// <c>luaL_checknumber</c> accepts); integer types need an integral value in range. Enums convert from their
/// member name or number and to their member name. Tables become lists, arrays and dictionaries (copied);
/// buffers become <c>byte[]</c> (copied), or <c>ReadOnlySpan&lt;byte&gt;</c>/<c>Memory&lt;byte&gt;</c> over the
/// buffer's own bytes (not copied).
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class LuauConvert
{
    // ---- errors ----

    /// <summary>The name of a value's type for messages: an exported object's type name, otherwise the Luau type.</summary>
    public static string TypeNameOf(LuauValue value)
    {
        if (value.Type == LuauType.Userdata && value.AsUserdata!.Payload is ILuauExported e)
            return e.LuauBinding.TypeName;
        return TypeNames.Of(value.Type);
    }

    /// <summary>"<paramref name="expected"/> expected, got <i>type</i>".</summary>
    public static LuauConversionException Mismatch(string expected, LuauValue got) => new($"{expected} expected, got {TypeNameOf(got)}");

    /// <summary>The reference's "invalid argument #n to 'f' (message)" for method argument <paramref name="arg"/>.</summary>
    public static LuauError InvalidArgument(LuauCallContext context, int arg, string message) =>
        new($"invalid argument #{arg}{To(context)} ({message})");

    /// <summary>The reference's "missing argument #n to 'f' (expected expected)".</summary>
    public static LuauError MissingArgument(LuauCallContext context, int arg, string expected) =>
        new($"missing argument #{arg}{To(context)} ({expected} expected)");

    /// <summary>No overload of the running method takes the arguments given.</summary>
    public static LuauError NoOverload(LuauCallContext context)
    {
        var types = new string[Math.Max(0, context.ArgumentCount - 1)];
        for (int i = 0; i < types.Length; i++)
            types[i] = TypeNameOf(context[i + 2]);
        return new LuauError($"invalid arguments{To(context)} (no overload takes ({string.Join(", ", types)}))");
    }

    private static string To(LuauCallContext context) => context.FunctionName is { } name ? $" to '{name}'" : "";

    /// <summary>Whether method argument <paramref name="arg"/> is absent or nil (an optional parameter then takes its default).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsAbsent(LuauCallContext context, int arg) => arg >= context.ArgumentCount || context[arg + 1].IsNil;

    /// <summary>Method argument <paramref name="arg"/> converted by <paramref name="convert"/>, with its errors as argument errors.</summary>
    public static T Arg<T>(LuauCallContext context, int arg, Func<LuauValue, T> convert, string expected)
    {
        if (arg >= context.ArgumentCount)
            throw MissingArgument(context, arg, expected);
        try
        {
            return convert(context[arg + 1]);
        }
        catch (LuauConversionException e)
        {
            throw InvalidArgument(context, arg, e.Message);
        }
    }

    /// <summary>The arguments from <paramref name="firstArg"/> on, for a <c>params</c> array.</summary>
    public static T[] Params<T>(LuauCallContext context, int firstArg, Func<LuauValue, T> convert)
    {
        int count = Math.Max(0, context.ArgumentCount - firstArg);
        var items = new T[count];
        for (int i = 0; i < count; i++)
        {
            try
            {
                items[i] = convert(context[firstArg + 1 + i]);
            }
            catch (LuauConversionException e)
            {
                throw InvalidArgument(context, firstArg + i, e.Message);
            }
        }
        return items;
    }

    // ---- numbers ----

    private static double Number(LuauValue v)
    {
        if (v.Type == LuauType.Number)
            return v.Number;
        if (v.Type == LuauType.Integer)
            return v.Integer;
        if (v.Type == LuauType.String && Interpreter.TryStringToNumber(v.AsString!, out double d))
            return d;
        throw Mismatch("number", v);
    }

    private static double Integral(LuauValue v)
    {
        double d = Number(v);
        if (Math.Floor(d) != d)
            throw new LuauConversionException("number has no integer representation");
        return d;
    }

    private static LuauConversionException OutOfRange(string type, double d) =>
        new($"number {d.ToString("R", CultureInfo.InvariantCulture)} is out of range for {type}");

    private static long Signed(LuauValue v, long min, long max, string type)
    {
        if (v.Type == LuauType.Integer)
        {
            long l = v.Integer;
            return l >= min && l <= max ? l : throw OutOfRange(type, l);
        }
        double d = Integral(v);
        // 2^63 is the first double past long.MaxValue.
        if (d < min || d >= 9223372036854775808.0 || d > max)
            throw OutOfRange(type, d);
        return (long)d;
    }

    /// <summary>A number as a <see cref="double"/>.</summary>
    public static double ToDouble(LuauValue v) => v.Type == LuauType.Number ? v.Number : Number(v);

    /// <summary>A number as a <see cref="float"/> (finite numbers must fit).</summary>
    public static float ToSingle(LuauValue v)
    {
        double d = ToDouble(v);
        if (double.IsFinite(d) && Math.Abs(d) > float.MaxValue)
            throw OutOfRange("float", d);
        return (float)d;
    }

    /// <summary>A number as a <see cref="decimal"/>.</summary>
    public static decimal ToDecimal(LuauValue v)
    {
        double d = ToDouble(v);
        if (!double.IsFinite(d) || Math.Abs(d) >= 7.9228162514264338e28)
            throw OutOfRange("decimal", d);
        return (decimal)d;
    }

    /// <summary>An integral number as an <see cref="int"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ToInt32(LuauValue v)
    {
        if (v.Type == LuauType.Number)
        {
            double d = v.Number;
            int i = (int)d;
            if (i == d)
                return i;
        }
        return (int)Signed(v, int.MinValue, int.MaxValue, "int");
    }

    /// <summary>An integral number as a <see cref="long"/> (Luau's integer type converts exactly).</summary>
    public static long ToInt64(LuauValue v) => Signed(v, long.MinValue, long.MaxValue, "long");

    /// <summary>An integral number as a <see cref="short"/>.</summary>
    public static short ToInt16(LuauValue v) => (short)Signed(v, short.MinValue, short.MaxValue, "short");

    /// <summary>An integral number as an <see cref="sbyte"/>.</summary>
    public static sbyte ToSByte(LuauValue v) => (sbyte)Signed(v, sbyte.MinValue, sbyte.MaxValue, "sbyte");

    /// <summary>An integral number as a <see cref="byte"/>.</summary>
    public static byte ToByte(LuauValue v) => (byte)Signed(v, byte.MinValue, byte.MaxValue, "byte");

    /// <summary>An integral number as a <see cref="ushort"/>.</summary>
    public static ushort ToUInt16(LuauValue v) => (ushort)Signed(v, ushort.MinValue, ushort.MaxValue, "ushort");

    /// <summary>An integral number as a <see cref="uint"/>.</summary>
    public static uint ToUInt32(LuauValue v) => (uint)Signed(v, uint.MinValue, uint.MaxValue, "uint");

    /// <summary>An integral number as a <see cref="ulong"/>.</summary>
    public static ulong ToUInt64(LuauValue v)
    {
        if (v.Type == LuauType.Integer)
        {
            long l = v.Integer;
            return l >= 0 ? (ulong)l : throw OutOfRange("ulong", l);
        }
        double d = Integral(v);
        // 2^64 is the first double past ulong.MaxValue.
        if (d < 0 || d >= 18446744073709551616.0)
            throw OutOfRange("ulong", d);
        return (ulong)d;
    }

    /// <summary>Method argument <paramref name="arg"/> as an <see cref="int"/> (the fast path of generated bindings).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ArgInt32(LuauCallContext context, int arg)
    {
        var v = context[arg + 1];
        if (v.Type == LuauType.Number)
        {
            double d = v.Number;
            int i = (int)d;
            if (i == d)
                return i;
        }
        return Arg(context, arg, s_toInt32, "number");
    }

    /// <summary>Method argument <paramref name="arg"/> as a <see cref="double"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ArgDouble(LuauCallContext context, int arg)
    {
        var v = context[arg + 1];
        return v.Type == LuauType.Number ? v.Number : Arg(context, arg, s_toDouble, "number");
    }

    /// <summary>Method argument <paramref name="arg"/> as a <see cref="string"/> (numbers convert, as in <c>luaL_checkstring</c>).</summary>
    public static string ArgString(LuauCallContext context, int arg) => Arg(context, arg, s_toString, "string");

    /// <summary>Method argument <paramref name="arg"/> as a <see cref="bool"/> (a boolean only).</summary>
    public static bool ArgBoolean(LuauCallContext context, int arg)
    {
        var v = context[arg + 1];
        return v.Type == LuauType.Boolean ? v.Boolean : Arg(context, arg, s_toBoolean, "boolean");
    }

    private static readonly Func<LuauValue, int> s_toInt32 = ToInt32;
    private static readonly Func<LuauValue, double> s_toDouble = ToDouble;
    private static readonly Func<LuauValue, string> s_toString = ToString;
    private static readonly Func<LuauValue, bool> s_toBoolean = ToBoolean;

    // ---- other scalars ----

    /// <summary>A string (numbers convert to their Luau text).</summary>
    public static string ToString(LuauValue v) => v.Type switch
    {
        LuauType.String => v.AsString!.ToString(),
        LuauType.Number => v.ToString(),
        _ => throw Mismatch("string", v),
    };

    /// <summary>A boolean (nothing else converts).</summary>
    public static bool ToBoolean(LuauValue v) => v.Type == LuauType.Boolean ? v.Boolean : throw Mismatch("boolean", v);

    /// <summary>A table.</summary>
    public static LuauTable ToTable(LuauValue v) => v.AsTable ?? throw Mismatch("table", v);

    /// <summary>A function.</summary>
    public static LuauFunction ToFunction(LuauValue v) => v.AsFunction ?? throw Mismatch("function", v);

    /// <summary>A buffer itself.</summary>
    public static LuauBuffer ToBuffer(LuauValue v) => v.AsBuffer ?? throw Mismatch("buffer", v);

    /// <summary>A copy of a buffer's bytes.</summary>
    public static byte[] ToBytes(LuauValue v) => (byte[])ToBuffer(v).Data.Clone();

    /// <summary>A buffer's own bytes, not copied: writes are seen by Luau.</summary>
    public static Memory<byte> ToMemory(LuauValue v) => ToBuffer(v).Data;

    /// <summary>Method argument <paramref name="arg"/> as the bytes of a buffer, not copied (valid while the buffer lives).</summary>
    public static ReadOnlySpan<byte> ArgSpan(LuauCallContext context, int arg) => Arg(context, arg, s_toBuffer, "buffer").Data;

    private static readonly Func<LuauValue, LuauBuffer> s_toBuffer = ToBuffer;

    /// <summary>An exported object of type <typeparamref name="T"/> (<paramref name="expected"/> is its Luau name).</summary>
    public static T ToObject<T>(LuauValue v, string expected) where T : class =>
        v.AsUserdata?.Payload as T ?? throw Mismatch(expected, v);

    /// <summary>Whether <paramref name="v"/> is an exported object of type <typeparamref name="T"/> (for overload resolution).</summary>
    public static bool IsObject<T>(LuauValue v) where T : class => v.AsUserdata?.Payload is T;

    /// <summary>Whether <paramref name="v"/> converts to an integer type (an integral number): used to prefer integer overloads.</summary>
    public static bool IsIntegral(LuauValue v) =>
        v.Type == LuauType.Integer || (v.Type == LuauType.Number && Math.Floor(v.Number) == v.Number);

    /// <summary>An enum member by name, for generated enum conversions.</summary>
    public static LuauConversionException BadEnumName(string enumName, LuauValue v) =>
        new($"'{v}' is not a member of {enumName}");

    /// <summary>An enum member by number that is not defined.</summary>
    public static LuauConversionException BadEnumNumber(string enumName, long n) =>
        new($"{n} is not a value of {enumName}");

    /// <summary>
    /// A value as a .NET object: nil is null, booleans, numbers (as <see cref="double"/>), strings and exported
    /// objects are themselves, anything else stays a <see cref="LuauValue"/>.
    /// </summary>
    public static object? ToObject(LuauValue v) => v.Type switch
    {
        LuauType.Nil => null,
        LuauType.Boolean => v.Boolean,
        LuauType.Number => v.Number,
        LuauType.Integer => v.Integer,
        LuauType.String => v.AsString!.ToString(),
        LuauType.Userdata when v.AsUserdata!.Payload is ILuauExported e => e,
        _ => v,
    };

    /// <summary>
    /// A .NET object as a value: null is nil; strings, booleans, numeric types, enums (by name), <c>byte[]</c>, Luau
    /// values and exported objects convert as usual; anything else becomes its <c>ToString()</c> text.
    /// </summary>
    public static LuauValue FromObject(LuauState state, object? o) => o switch
    {
        null => LuauValue.Nil,
        LuauValue v => v,
        string s => s,
        bool b => b,
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        short sh => sh,
        sbyte sb => sb,
        byte by => by,
        ushort us => us,
        uint ui => ui,
        ulong ul => ul,
        decimal m => (double)m,
        Enum e => e.ToString(),
        byte[] bytes => FromBytes(state, bytes),
        ILuauExported e => LuauInterop.ToValue(state, e),
        LuauTable t => t,
        LuauFunction f => f,
        LuauBuffer buf => new LuauValue(buf),
        _ => o.ToString(),
    };

    // ---- tables ----

    /// <summary>The array part of a table (elements 1..#t) as a list.</summary>
    public static List<T> ToList<T>(LuauValue v, Func<LuauValue, T> element)
    {
        var t = ToTable(v);
        int n = t.Length();
        var list = new List<T>(n);
        for (int i = 1; i <= n; i++)
        {
            try
            {
                list.Add(element(t[i]));
            }
            catch (LuauConversionException e)
            {
                throw new LuauConversionException($"element [{i}]: {e.Message}");
            }
        }
        return list;
    }

    /// <summary>The array part of a table (elements 1..#t) as an array.</summary>
    public static T[] ToArray<T>(LuauValue v, Func<LuauValue, T> element) => [.. ToList(v, element)];

    /// <summary>Every key and value of a table as a dictionary.</summary>
    public static Dictionary<TKey, TValue> ToDictionary<TKey, TValue>(LuauValue v, Func<LuauValue, TKey> key, Func<LuauValue, TValue> value)
        where TKey : notnull
    {
        var t = ToTable(v);
        var d = new Dictionary<TKey, TValue>();
        var k = LuauValue.Nil;
        while (t.Next(k, out k, out var item))
        {
            TKey dk;
            try
            {
                dk = key(k);
            }
            catch (LuauConversionException e)
            {
                throw new LuauConversionException($"key {k}: {e.Message}");
            }
            try
            {
                d[dk] = value(item);
            }
            catch (LuauConversionException e)
            {
                throw new LuauConversionException($"field [{k}]: {e.Message}");
            }
        }
        return d;
    }

    // ---- .NET to Luau ----

    /// <summary>A string, or nil for null.</summary>
    public static LuauValue FromString(string? s) => s;

    /// <summary>A new buffer holding a copy of <paramref name="bytes"/>.</summary>
    public static LuauValue FromBytes(LuauState state, ReadOnlySpan<byte> bytes)
    {
        state.ChargeMemory(bytes.Length);
        return new LuauValue(new LuauBuffer(bytes.ToArray()));
    }

    /// <summary>A new buffer holding a copy of <paramref name="bytes"/>, or nil for null.</summary>
    public static LuauValue FromBytes(LuauState state, byte[]? bytes) => bytes is null ? LuauValue.Nil : FromBytes(state, bytes.AsSpan());

    /// <summary>A new table whose elements 1..n are <paramref name="items"/>, or nil for null.</summary>
    public static LuauValue FromList<T>(LuauState state, IEnumerable<T>? items, Func<LuauState, T, LuauValue> element)
    {
        if (items is null)
            return LuauValue.Nil;
        var t = state.CreateTable(items is ICollection<T> c ? c.Count : 0);
        int i = 0;
        foreach (var item in items)
            t[++i] = element(state, item);
        return t;
    }

    /// <summary>A new table with <paramref name="items"/>' keys and values, or nil for null.</summary>
    public static LuauValue FromDictionary<TKey, TValue>(LuauState state, IEnumerable<KeyValuePair<TKey, TValue>>? items,
        Func<LuauState, TKey, LuauValue> key, Func<LuauState, TValue, LuauValue> value)
    {
        if (items is null)
            return LuauValue.Nil;
        var t = state.CreateTable();
        foreach (var (k, v) in items)
            t[key(state, k)] = value(state, v);
        return t;
    }
}

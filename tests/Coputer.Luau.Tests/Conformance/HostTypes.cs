using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.Conformance;

/// <summary>
/// Host-defined types the conformance files use: the <c>int64</c> userdata of userdata.luau (a mutable 64-bit
/// integer with every arithmetic and comparison metamethod) and the vector metatable of vector.luau.
/// </summary>
internal static class HostTypes
{
    private const int Int64Tag = 1;

    /// <summary>The payload of an int64 userdata (mutable through <c>.value</c>).</summary>
    private sealed class Int64Box(long value)
    {
        public long Value = value;
    }

    public static void RegisterInt64(LuauState state)
    {
        var meta = state.CreateTable();
        meta["__type"] = "int64";
        meta["__index"] = new HostFunction("", c =>
        {
            var box = CheckInt64(c, 1);
            var name = c.CheckString(2).ToString();
            if (name == "value")
                return c.Return((double)box.Value);
            throw new LuauError($"unknown field {name}");
        });
        meta["__newindex"] = new HostFunction("", c =>
        {
            var box = CheckInt64(c, 1);
            var name = c.CheckString(2).ToString();
            if (name != "value")
                throw new LuauError($"unknown field {name}");
            box.Value = (long)c.CheckNumber(3);
            return 0;
        });
        meta["__eq"] = Compare((a, b) => a == b);
        meta["__lt"] = Compare((a, b) => a < b);
        meta["__le"] = Compare((a, b) => a <= b);
        meta["__add"] = Arithmetic(meta, (a, b) => a + b);
        meta["__sub"] = Arithmetic(meta, (a, b) => a - b);
        meta["__mul"] = Arithmetic(meta, (a, b) => a * b);
        // As in the reference's test type, / truncates and // rounds down (through doubles).
        meta["__div"] = Arithmetic(meta, (a, b) => a / b);
        meta["__idiv"] = Arithmetic(meta, (a, b) => (long)Math.Floor((double)a / b));
        meta["__mod"] = Arithmetic(meta, (a, b) => a % b);
        meta["__pow"] = Arithmetic(meta, (a, b) => (long)Math.Pow(a, b));
        meta["__unm"] = new HostFunction("", c => c.Return(New(meta, -ToInt64(c, 1))));
        meta["__tostring"] = new HostFunction("", c => c.Return(ToInt64(c, 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        state.Globals["int64"] = new HostFunction("int64", c => c.Return(New(meta, (long)c.CheckNumber(1))));
    }

    private static LuauValue New(LuauTable meta, long value) => new(new LuauUserdata(new Int64Box(value), Int64Tag, meta));

    private static Int64Box CheckInt64(LuauCallContext c, int n) =>
        c[n].AsUserdata is { Tag: Int64Tag, Payload: Int64Box box } ? box : throw c.TypeError(n, "int64");

    /// <summary>An int64 or a number (truncated, as lua_tointeger does).</summary>
    private static long ToInt64(LuauCallContext c, int n)
    {
        if (c[n].AsUserdata is { Tag: Int64Tag, Payload: Int64Box box })
            return box.Value;
        if (c[n].IsNumber)
            return (int)c[n].Number;
        throw c.TypeError(1, "int64");
    }

    private static HostFunction Compare(Func<long, long, bool> op) =>
        new("", c => c.Return(op(ToInt64(c, 1), ToInt64(c, 2))));

    private static HostFunction Arithmetic(LuauTable meta, Func<long, long, long> op) =>
        new("", c => c.Return(New(meta, op(ToInt64(c, 1), ToInt64(c, 2)))));

    /// <summary>The metatable the reference's vector test gives the vector type: Magnitude, Unit, Dot and Cross.</summary>
    public static void RegisterVectorMetatable(LuauState state)
    {
        var dot = new HostFunction("Dot", Dot);
        var meta = state.CreateTable();
        meta["__index"] = new HostFunction("", c =>
        {
            var (x, y, z) = c.CheckVector(1);
            var name = c.CheckString(2).ToString();
            switch (name)
            {
                case "Magnitude":
                    return c.Return(MathF.Sqrt(x * x + y * y + z * z));
                case "Unit":
                    float inverse = 1.0f / MathF.Sqrt(x * x + y * y + z * z);
                    return c.Return(LuauValue.FromVector(x * inverse, y * inverse, z * inverse));
                case "Dot":
                    return c.Return(dot);
                default:
                    throw new LuauError($"{name} is not a valid member of vector");
            }
        });
        meta["__namecall"] = new HostFunction("", c =>
        {
            switch (c.NameCallMethod?.ToString())
            {
                case "Dot":
                    return Dot(c);
                case "Cross":
                    var (ax, ay, az) = c.CheckVector(1);
                    var (bx, by, bz) = c.CheckVector(2);
                    return c.Return(LuauValue.FromVector(ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx));
                default:
                    throw new LuauError($"{c.CheckString(1)} is not a valid method of vector");
            }
        });
        meta.Freeze();
        state.SetTypeMetatable(LuauType.Vector, meta);
    }

    private static int Dot(LuauCallContext c)
    {
        var (ax, ay, az) = c.CheckVector(1);
        var (bx, by, bz) = c.CheckVector(2);
        return c.Return(ax * bx + ay * by + az * bz);
    }

    /// <summary>The reference's native-code probes: no code here is native, and the "if supported" form says yes.</summary>
    public static void RegisterNativeHelpers(LuauState state)
    {
        state.Globals["is_native"] = new HostFunction("is_native", c => c.Return(false));
        state.Globals["is_native_if_supported"] = new HostFunction("is_native_if_supported", c => c.Return(true));
    }
}

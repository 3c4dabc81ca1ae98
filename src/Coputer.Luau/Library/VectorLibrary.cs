using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>
/// The <c>vector</c> library and the shared vector metatable. Vectors have three float components and every
/// operation rounds to float as it goes, as in the reference.
/// </summary>
internal static class VectorLibrary
{
    public static void Open(LuauState state)
    {
        var lib = LibraryUtil.CreateLibrary(state, "vector",
            ("create", Create),
            ("magnitude", c =>
            {
                var (x, y, z) = c.CheckVector(1);
                return c.Return(MathF.Sqrt(x * x + y * y + z * z));
            }
        ),
            ("normalize", c =>
            {
                var (x, y, z) = c.CheckVector(1);
                float inv = 1.0f / MathF.Sqrt(x * x + y * y + z * z);
                return c.Return(LuauValue.FromVector(x * inv, y * inv, z * inv));
            }
        ),
            ("cross", c =>
            {
                var (ax, ay, az) = c.CheckVector(1);
                var (bx, by, bz) = c.CheckVector(2);
                return c.Return(LuauValue.FromVector(ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx));
            }
        ),
            ("dot", c =>
            {
                var (ax, ay, az) = c.CheckVector(1);
                var (bx, by, bz) = c.CheckVector(2);
                return c.Return(ax * bx + ay * by + az * bz);
            }
        ),
            ("angle", Angle),
            ("floor", c => Map(c, MathF.Floor)),
            ("ceil", c => Map(c, MathF.Ceiling)),
            ("abs", c => Map(c, MathF.Abs)),
            ("sign", c => Map(c, static v => v > 0 ? 1f : v < 0 ? -1f : 0f)),
            ("clamp", Clamp),
            ("max", c => Fold(c, static (r, b) => b > r ? b : r)),
            ("min", c => Fold(c, static (r, b) => b < r ? b : r)),
            ("lerp", c =>
            {
                var (ax, ay, az) = c.CheckVector(1);
                var (bx, by, bz) = c.CheckVector(2);
                float t = (float)c.CheckNumber(3);
                return c.Return(LuauValue.FromVector(Lerp(ax, bx, t), Lerp(ay, by, t), Lerp(az, bz, t)));
            }
        ));
        LibraryUtil.SetField(state, lib, "zero", LuauValue.FromVector(0, 0, 0));
        LibraryUtil.SetField(state, lib, "one", LuauValue.FromVector(1, 1, 1));

        var meta = state.CreateTable(0, 1);
        // Unnamed, as in the reference: a traceback shows the frame as a bare "[C]".
        LibraryUtil.SetField(state, meta, "__index", new HostFunction("", Index));
        meta.IsReadOnly = true;
        state.SetTypeMetatable(LuauType.Vector, meta);
    }

    private static float Lerp(float a, float b, float t) => t == 1.0f ? b : a + (b - a) * t;

    private static int Create(LuauCallContext c)
    {
        int count = c.ArgumentCount;
        double x = c.CheckNumber(1);
        double y = c.CheckNumber(2);
        double z = count >= 3 ? c.CheckNumber(3) : 0.0;
        return c.Return(LuauValue.FromVector((float)x, (float)y, (float)z));
    }

    private static int Map(LuauCallContext c, Func<float, float> f)
    {
        var (x, y, z) = c.CheckVector(1);
        return c.Return(LuauValue.FromVector(f(x), f(y), f(z)));
    }

    private static int Fold(LuauCallContext c, Func<float, float, float> pick)
    {
        var (x, y, z) = c.CheckVector(1);
        for (int i = 2; i <= c.ArgumentCount; i++)
        {
            var (bx, by, bz) = c.CheckVector(i);
            x = pick(x, bx);
            y = pick(y, by);
            z = pick(z, bz);
        }
        return c.Return(LuauValue.FromVector(x, y, z));
    }

    private static float Clamp1(float v, float min, float max)
    {
        float r = v < min ? min : v;
        return r > max ? max : r;
    }

    private static int Clamp(LuauCallContext c)
    {
        var (x, y, z) = c.CheckVector(1);
        var (minX, minY, minZ) = c.CheckVector(2);
        var (maxX, maxY, maxZ) = c.CheckVector(3);
        if (!(minX <= maxX))
            throw c.ArgumentError(3, "max.x must be greater than or equal to min.x");
        if (!(minY <= maxY))
            throw c.ArgumentError(3, "max.y must be greater than or equal to min.y");
        if (!(minZ <= maxZ))
            throw c.ArgumentError(3, "max.z must be greater than or equal to min.z");
        return c.Return(LuauValue.FromVector(Clamp1(x, minX, maxX), Clamp1(y, minY, maxY), Clamp1(z, minZ, maxZ)));
    }

    private static int Angle(LuauCallContext c)
    {
        var (ax, ay, az) = c.CheckVector(1);
        var (bx, by, bz) = c.CheckVector(2);
        float cx = ay * bz - az * by, cy = az * bx - ax * bz, cz = ax * by - ay * bx;
        // The reference takes this square root in single precision (sqrt of a float), so do we.
        double sinA = MathF.Sqrt(cx * cx + cy * cy + cz * cz);
        double cosA = ax * bx + ay * by + az * bz;
        double angle = LuauMath.Atan2(c.State.DeterministicMath, sinA, cosA);
        if (!c[3].IsNil)
        {
            var (axisX, axisY, axisZ) = c.CheckVector(3);
            if (cx * axisX + cy * axisY + cz * axisZ < 0.0f)
                angle = -angle;
        }
        return c.Return(angle);
    }

    /// <summary>Component access <c>v.x</c>, <c>v.Y</c>, ... (one letter, either case).</summary>
    private static int Index(LuauCallContext c)
    {
        var (x, y, z) = c.CheckVector(1);
        var name = c.CheckString(2);
        if (TryComponent(name, x, y, z, out float value))
            return c.Return(value);
        throw new LuauError($"attempt to index vector with '{name}'");
    }

    internal static bool TryComponent(LuauString name, float x, float y, float z, out float value)
    {
        value = 0;
        if (name.Length != 1)
            return false;
        switch (name.Span[0] | ' ')
        {
            case 'x': value = x; return true;
            case 'y': value = y; return true;
            case 'z': value = z; return true;
            default: return false;
        }
    }
}

using System.Buffers.Binary;
using System.Numerics;
using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>The <c>bit32</c> library: 32-bit unsigned operations on numbers (truncated to an integer, then reduced mod 2^32).</summary>
internal static class Bit32Library
{
    public static void Open(LuauState state)
    {
        LibraryUtil.CreateLibrary(state, "bit32",
            ("arshift", ArShift),
            ("band", c => c.Return(And(c))),
            ("bnot", c => c.Return(~Unsigned(c, 1))),
            ("bor", c => c.Return(Fold(c, 0, static (r, u) => r | u))),
            ("bxor", c => c.Return(Fold(c, 0, static (r, u) => r ^ u))),
            ("btest", c => c.Return(And(c) != 0)),
            ("extract", Extract),
            ("lrotate", c => c.Return(BitOperations.RotateLeft(Unsigned(c, 1), c.CheckInteger(2) & 31))),
            ("lshift", c => c.Return(Shift(Unsigned(c, 1), c.CheckInteger(2)))),
            ("replace", Replace),
            ("rrotate", c => c.Return(BitOperations.RotateRight(Unsigned(c, 1), c.CheckInteger(2) & 31))),
            ("rshift", c => c.Return(Shift(Unsigned(c, 1), -(long)c.CheckInteger(2)))),
            ("countlz", c => c.Return(BitOperations.LeadingZeroCount(Unsigned(c, 1)))),
            ("countrz", c =>
            {
                uint v = Unsigned(c, 1);
                return c.Return(v == 0 ? 32 : BitOperations.TrailingZeroCount(v));
            }
        ),
            ("byteswap", c => c.Return(BinaryPrimitives.ReverseEndianness(Unsigned(c, 1)))));
    }

    private static uint Unsigned(LuauCallContext c, int n) => Builtins.ToUInt32(c.CheckNumber(n));

    private static uint Fold(LuauCallContext c, uint seed, Func<uint, uint, uint> op)
    {
        uint r = seed;
        for (int i = 1; i <= c.ArgumentCount; i++)
            r = op(r, Unsigned(c, i));
        return r;
    }

    private static uint And(LuauCallContext c)
    {
        uint r = uint.MaxValue;
        for (int i = 1; i <= c.ArgumentCount; i++)
            r &= Unsigned(c, i);
        return r;
    }

    /// <summary>Shifts left for positive <paramref name="i"/>, right for negative; 32 or more places gives 0.</summary>
    private static uint Shift(uint r, long i)
    {
        if (i < 0)
            return -i >= 32 ? 0 : r >> (int)-i;
        return i >= 32 ? 0 : r << (int)i;
    }

    private static int ArShift(LuauCallContext c)
    {
        uint r = Unsigned(c, 1);
        int i = c.CheckInteger(2);
        if (i < 0 || (r & 0x80000000u) == 0)
            return c.Return(Shift(r, -(long)i));
        return c.Return(i >= 32 ? uint.MaxValue : (uint)((int)r >> i));
    }

    private static int FieldArgs(LuauCallContext c, int farg, out int width)
    {
        int f = c.CheckInteger(farg);
        int w = c.OptInteger(farg + 1, 1);
        if (f < 0)
            throw c.ArgumentError(farg, "field cannot be negative");
        if (w <= 0)
            throw c.ArgumentError(farg + 1, "width must be positive");
        if (f + w > 32)
            throw new LuauError("trying to access non-existent bits");
        width = w;
        return f;
    }

    private static uint Mask(int w) => w >= 32 ? uint.MaxValue : (1u << w) - 1;

    private static int Extract(LuauCallContext c)
    {
        uint r = Unsigned(c, 1);
        int f = FieldArgs(c, 2, out int w);
        return c.Return((r >> f) & Mask(w));
    }

    private static int Replace(LuauCallContext c)
    {
        uint r = Unsigned(c, 1);
        uint v = Unsigned(c, 2);
        int f = FieldArgs(c, 3, out int w);
        uint m = Mask(w);
        v &= m;
        return c.Return((r & ~(m << f)) | (v << f));
    }
}

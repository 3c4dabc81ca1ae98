using Coputer.Luau.Bytecode;
using Coputer.Luau.Library;

namespace Coputer.Luau.Compiler;

/// <summary>
/// Evaluates calls to pure builtins with constant arguments at compile time (O2 only: once folded, a call cannot fall
/// back to a replaced global). The results must equal what the library computes at run time. Transcendental
/// functions fold with <see cref="DeterministicMath"/>, so that bytecode depends only on the source and the
/// compiler, never on the C library of the machine that compiled it.
/// </summary>
internal static class BuiltinFolding
{
    private const int StringCharFoldLimit = 128;
    private const double RadiansPerDegree = Math.PI / 180.0;

    /// <summary>Constants of the <c>math</c> library, or unknown for any other name.</summary>
    public static Constant MathConstant(string name) => name switch
    {
        "pi" => Constant.FromNumber(Math.PI),
        "huge" => Constant.FromNumber(double.PositiveInfinity),
        "nan" => Constant.FromNumber(double.NaN),
        "e" => Constant.FromNumber(Math.E),
        "phi" => Constant.FromNumber(1.61803398874989484820),
        "sqrt2" => Constant.FromNumber(1.41421356237309504880),
        "tau" => Constant.FromNumber(Math.Tau),
        _ => Constant.Unknown,
    };

    /// <summary>Folds builtin <paramref name="id"/> applied to <c>args[start .. start + count]</c>; unknown if it cannot.</summary>
    public static Constant Fold(BuiltinFunction id, List<Constant> args, int start, int count)
    {
        bool Num(int i) => i < count && args[start + i].Type == ConstantType.Number;
        double N(int i) => args[start + i].Number;
        bool AllNumbers()
        {
            for (int i = 0; i < count; i++)
            {
                if (!Num(i))
                    return false;
            }
            return true;
        }

        switch (id)
        {
            case BuiltinFunction.MathAbs when count == 1 && Num(0): return Number(Math.Abs(N(0)));
            case BuiltinFunction.MathAcos when count == 1 && Num(0): return Number(DeterministicMath.Acos(N(0)));
            case BuiltinFunction.MathAsin when count == 1 && Num(0): return Number(DeterministicMath.Asin(N(0)));
            case BuiltinFunction.MathAtan2 when count == 2 && Num(0) && Num(1): return Number(DeterministicMath.Atan2(N(0), N(1)));
            case BuiltinFunction.MathAtan when count == 1 && Num(0): return Number(DeterministicMath.Atan(N(0)));
            case BuiltinFunction.MathCeil when count == 1 && Num(0): return Number(Math.Ceiling(N(0)));
            case BuiltinFunction.MathCosh when count == 1 && Num(0): return Number(DeterministicMath.Cosh(N(0)));
            case BuiltinFunction.MathCos when count == 1 && Num(0): return Number(DeterministicMath.Cos(N(0)));
            case BuiltinFunction.MathDeg when count == 1 && Num(0): return Number(N(0) / RadiansPerDegree);
            case BuiltinFunction.MathExp when count == 1 && Num(0): return Number(DeterministicMath.Exp(N(0)));
            case BuiltinFunction.MathFloor when count == 1 && Num(0): return Number(Math.Floor(N(0)));
            case BuiltinFunction.MathFmod when count == 2 && Num(0) && Num(1): return Number(DeterministicMath.Fmod(N(0), N(1)));
            case BuiltinFunction.MathLdexp when count == 2 && Num(0) && Num(1): return Number(DeterministicMath.Ldexp(N(0), CInt(N(1))));
            case BuiltinFunction.MathLog10 when count == 1 && Num(0): return Number(DeterministicMath.Log10(N(0)));
            case BuiltinFunction.MathLog when count == 1 && Num(0): return Number(DeterministicMath.Log(N(0)));
            case BuiltinFunction.MathLog when count == 2 && Num(0) && Num(1):
                return Number(LuauMath.Log(deterministic: true, N(0), N(1)));
            case BuiltinFunction.MathMax when count >= 1 && AllNumbers():
                {
                    double r = N(0);
                    for (int i = 1; i < count; i++)
                        r = N(i) > r ? N(i) : r;
                    return Number(r);
                }
            case BuiltinFunction.MathMin when count >= 1 && AllNumbers():
                {
                    double r = N(0);
                    for (int i = 1; i < count; i++)
                        r = N(i) < r ? N(i) : r;
                    return Number(r);
                }
            case BuiltinFunction.MathPow when count == 2 && Num(0) && Num(1): return Number(NumberMath.Pow(N(0), N(1)));
            case BuiltinFunction.MathRad when count == 1 && Num(0): return Number(N(0) * RadiansPerDegree);
            case BuiltinFunction.MathSinh when count == 1 && Num(0): return Number(DeterministicMath.Sinh(N(0)));
            case BuiltinFunction.MathSin when count == 1 && Num(0): return Number(DeterministicMath.Sin(N(0)));
            case BuiltinFunction.MathSqrt when count == 1 && Num(0): return Number(Math.Sqrt(N(0)));
            case BuiltinFunction.MathTanh when count == 1 && Num(0): return Number(DeterministicMath.Tanh(N(0)));
            case BuiltinFunction.MathTan when count == 1 && Num(0): return Number(DeterministicMath.Tan(N(0)));

            case BuiltinFunction.Bit32Arshift when count == 2 && Num(0) && Num(1):
                {
                    uint u = Bit32(N(0));
                    int s = CInt(N(1));
                    return (uint)s < 32 ? Number((uint)((int)u >> s)) : Constant.Unknown;
                }
            case BuiltinFunction.Bit32Band when count >= 1 && AllNumbers():
            case BuiltinFunction.Bit32Bor when count >= 1 && AllNumbers():
            case BuiltinFunction.Bit32Bxor when count >= 1 && AllNumbers():
            case BuiltinFunction.Bit32Btest when count >= 1 && AllNumbers():
                {
                    uint r = Bit32(N(0));
                    for (int i = 1; i < count; i++)
                    {
                        uint v = Bit32(N(i));
                        r = id switch { BuiltinFunction.Bit32Bor => r | v, BuiltinFunction.Bit32Bxor => r ^ v, _ => r & v };
                    }
                    return id == BuiltinFunction.Bit32Btest ? Constant.FromBoolean(r != 0) : Number(r);
                }
            case BuiltinFunction.Bit32Bnot when count == 1 && Num(0): return Number(~Bit32(N(0)));
            case BuiltinFunction.Bit32Extract when count is 2 or 3 && AllNumbers():
                {
                    uint u = Bit32(N(0));
                    int f = CInt(N(1));
                    int w = count == 2 ? 1 : CInt(N(2));
                    if (f < 0 || w <= 0 || (long)f + w > 32)
                        return Constant.Unknown;
                    uint mask = ~(0xFFFFFFFEu << (w - 1));
                    return Number((u >> f) & mask);
                }
            case BuiltinFunction.Bit32Lrotate when count == 2 && Num(0) && Num(1):
                {
                    uint u = Bit32(N(0));
                    int s = CInt(N(1));
                    return Number((u << (s & 31)) | (u >> ((32 - s) & 31)));
                }
            case BuiltinFunction.Bit32Lshift when count == 2 && Num(0) && Num(1):
                {
                    uint u = Bit32(N(0));
                    int s = CInt(N(1));
                    return (uint)s < 32 ? Number(u << s) : Constant.Unknown;
                }
            case BuiltinFunction.Bit32Replace when count is 3 or 4 && AllNumbers():
                {
                    uint n = Bit32(N(0));
                    uint v = Bit32(N(1));
                    int f = CInt(N(2));
                    int w = count == 3 ? 1 : CInt(N(3));
                    if (f < 0 || w <= 0 || (long)f + w > 32)
                        return Constant.Unknown;
                    uint mask = ~(0xFFFFFFFEu << (w - 1));
                    return Number((n & ~(mask << f)) | ((v & mask) << f));
                }
            case BuiltinFunction.Bit32Rrotate when count == 2 && Num(0) && Num(1):
                {
                    uint u = Bit32(N(0));
                    int s = CInt(N(1));
                    return Number((u >> (s & 31)) | (u << ((32 - s) & 31)));
                }
            case BuiltinFunction.Bit32Rshift when count == 2 && Num(0) && Num(1):
                {
                    uint u = Bit32(N(0));
                    int s = CInt(N(1));
                    return (uint)s < 32 ? Number(u >> s) : Constant.Unknown;
                }

            case BuiltinFunction.Type when count == 1:
                return TypeName(args[start], isTypeOf: false);
            case BuiltinFunction.TypeOf when count == 1:
                return TypeName(args[start], isTypeOf: true);

            case BuiltinFunction.StringByte when count == 1 && args[start].Type == ConstantType.String:
                {
                    var s = args[start].String!;
                    return s.Length > 0 ? Number(s[0]) : Constant.Unknown;
                }
            case BuiltinFunction.StringByte when count == 2 && args[start].Type == ConstantType.String && Num(1):
                {
                    var s = args[start].String!;
                    int i = CInt(N(1));
                    return i > 0 && i <= s.Length ? Number(s[i - 1]) : Constant.Unknown;
                }
            case BuiltinFunction.StringChar when count < StringCharFoldLimit:
                {
                    var bytes = new byte[count];
                    for (int i = 0; i < count; i++)
                    {
                        if (!Num(i))
                            return Constant.Unknown;
                        int ch = CInt(N(i));
                        if ((uint)ch > 255)
                            return Constant.Unknown;
                        bytes[i] = (byte)ch;
                    }
                    return Constant.FromString(bytes);
                }
            case BuiltinFunction.StringLen when count == 1 && args[start].Type == ConstantType.String:
                return Number(args[start].String!.Length);
            case BuiltinFunction.StringSub when count >= 2 && args[start].Type == ConstantType.String && Num(1):
                {
                    if (count >= 3 && !Num(2))
                        return Constant.Unknown;
                    var s = args[start].String!;
                    int len = s.Length;
                    int from = CInt(N(1));
                    int to = count >= 3 ? CInt(N(2)) : len;
                    // Negative positions count back from the end.
                    if (from < 0)
                        from += len + 1;
                    if (to < 0)
                        to += len + 1;
                    if (to < 1)
                        return Constant.FromString([]);
                    from = Math.Max(from, 1);
                    to = Math.Min(to, len);
                    return from <= to ? Constant.FromString(s.AsSpan(from - 1, to - from + 1).ToArray()) : Constant.FromString([]);
                }

            case BuiltinFunction.MathClamp when count == 3 && AllNumbers():
                {
                    double min = N(1), max = N(2);
                    if (!(min <= max))
                        return Constant.Unknown;
                    double v = N(0);
                    v = v < min ? min : v;
                    v = v > max ? max : v;
                    return Number(v);
                }
            case BuiltinFunction.MathSign when count == 1 && Num(0):
                return Number(N(0) > 0 ? 1.0 : N(0) < 0 ? -1.0 : 0.0);
            case BuiltinFunction.MathRound when count == 1 && Num(0):
                return Number(Math.Round(N(0), MidpointRounding.AwayFromZero));

            case BuiltinFunction.Vector when count >= 2 && Num(0) && Num(1):
                if (count == 2)
                    return Constant.FromVector((float)N(0), (float)N(1), 0, 0);
                if (count == 3 && Num(2))
                    return Constant.FromVector((float)N(0), (float)N(1), (float)N(2), 0);
                if (count == 4 && Num(2) && Num(3))
                    return Constant.FromVector((float)N(0), (float)N(1), (float)N(2), (float)N(3));
                return Constant.Unknown;

            case BuiltinFunction.MathLerp when count == 3 && AllNumbers():
                return Number(N(2) == 1.0 ? N(1) : N(0) + (N(1) - N(0)) * N(2));
            case BuiltinFunction.MathIsNan when count == 1 && Num(0): return Constant.FromBoolean(double.IsNaN(N(0)));
            case BuiltinFunction.MathIsInf when count == 1 && Num(0): return Constant.FromBoolean(double.IsInfinity(N(0)));
            case BuiltinFunction.MathIsFinite when count == 1 && Num(0): return Constant.FromBoolean(double.IsFinite(N(0)));

            default:
                return Constant.Unknown;
        }
    }

    private static Constant Number(double value) => Constant.FromNumber(value);

    private static Constant TypeName(Constant c, bool isTypeOf) => c.Type switch
    {
        ConstantType.Nil => Text("nil"),
        ConstantType.Boolean => Text("boolean"),
        ConstantType.Number => Text("number"),
        ConstantType.Integer => Text("integer"),
        ConstantType.String => Text("string"),
        // typeof of a vector may be renamed by the host at run time.
        ConstantType.Vector => isTypeOf ? Constant.Unknown : Text("vector"),
        _ => Constant.Unknown,
    };

    private static Constant Text(string s) => Constant.FromString(System.Text.Encoding.ASCII.GetBytes(s));

    /// <summary>A double truncated to int the way x86 does it in C: NaN and out-of-range values become int.MinValue.</summary>
    internal static int CInt(double v) => v > -2147483649.0 && v < 2147483648.0 ? (int)v : int.MinValue;

    /// <summary>bit32's argument conversion: through a signed 64-bit integer (x86 semantics), keeping the low 32 bits.</summary>
    internal static uint Bit32(double v) => v > -9223372036854775809.0 && v < 9223372036854775808.0 ? (uint)(long)v : 0u;
}

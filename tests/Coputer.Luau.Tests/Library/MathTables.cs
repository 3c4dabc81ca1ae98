using System.Globalization;
using System.Numerics;
using System.Text;
using static Coputer.Luau.Tests.Library.MathReference;

namespace Coputer.Luau.Tests.Library;

/// <summary>
/// The constants and tables of the engine's DeterministicMath, computed from <see cref="MathReference"/>. A test
/// checks the engine's copies bit for bit, and <c>Coputer.Bench math-tables</c> prints them as the C# source of
/// <c>src/Coputer.Luau/Library/DeterministicMath.Tables.cs</c>.
/// </summary>
internal static class MathTables
{
    public sealed record Entry(string Name, string Doc, ulong[] Bits, bool IsDouble, bool IsArray);

    private static Real R(double d) => Real.FromDouble(d);

    /// <summary>The double nearest to <paramref name="v"/> with at most <paramref name="bits"/> significant bits.</summary>
    private static double RoundToBits(Real v, int bits)
    {
        long quantum = v.Top - bits + 1;
        var scaled = v.Scale(-quantum);
        // Round to nearest by adding a half and truncating towards minus infinity.
        BigInteger n = scaled.E >= 0
            ? scaled.M << (int)scaled.E
            : (scaled.M + (BigInteger.One << (int)(-scaled.E - 1))) >> (int)-scaled.E;
        return ToDouble(new Real(n, quantum), out _, exact: true);
    }

    private static (double Hi, double Lo) Split(Real v)
    {
        double hi = ToDouble(v, out _);
        double lo = ToDouble(v - R(hi), out _);
        return (hi, lo);
    }

    private static ulong Bits(double d) => BitConverter.DoubleToUInt64Bits(d);

    public static IReadOnlyList<Entry> Compute()
    {
        var entries = new List<Entry>();
        void Scalar(string name, string doc, double value) => entries.Add(new Entry(name, doc, [Bits(value)], true, false));
        void Doubles(string name, string doc, List<double> values) => entries.Add(new Entry(name, doc, values.Select(Bits).ToArray(), true, true));

        var one = Real.FromInteger(1);
        var pi = Pi;
        var halfPi = pi.Scale(-1);
        var (piHi, piLo) = Split(pi);
        Scalar("PiHi", "pi rounded to double.", piHi);
        Scalar("PiLo", "pi - PiHi.", piLo);
        var (halfPiHi, halfPiLo) = Split(halfPi);
        Scalar("HalfPiHi", "pi/2 rounded to double.", halfPiHi);
        Scalar("HalfPiLo", "pi/2 - HalfPiHi.", halfPiLo);
        Scalar("QuarterPi", "pi/4 rounded to double: arguments up to it need no reduction.", ToDouble(pi.Scale(-2), out _));
        Scalar("TwoOverPi", "2/pi rounded to double.", ToDouble(Real.FromInteger(2) / pi, out _));

        // Cody-Waite parts of pi/2: three of 33 bits (k * part is exact for |k| < 2^20), then the rest.
        var rest = halfPi;
        for (int i = 1; i <= 3; i++)
        {
            double part = RoundToBits(rest, 33);
            Scalar($"HalfPi{i}", $"Part {i} of pi/2 (at most 33 significant bits).", part);
            rest -= R(part);
        }
        Scalar("HalfPi4", "pi/2 - HalfPi1 - HalfPi2 - HalfPi3, rounded.", ToDouble(rest, out _));

        var ln2 = Ln2;
        double ln2Hi = RoundToBits(ln2, 42);
        Scalar("Ln2Hi", "ln 2 to 42 bits (e * Ln2Hi is exact for any binary exponent e).", ln2Hi);
        Scalar("Ln2Lo", "ln 2 - Ln2Hi, rounded.", ToDouble(ln2 - R(ln2Hi), out _));
        var ln2Over128 = ln2.Scale(-7);
        double l1 = RoundToBits(ln2Over128, 35);
        Scalar("Ln2Over128Hi", "ln 2 / 128 to 35 bits (n * it is exact for |n| < 2^18).", l1);
        Scalar("Ln2Over128Lo", "ln 2 / 128 - Ln2Over128Hi, rounded.", ToDouble(ln2Over128 - R(l1), out _));
        Scalar("InvLn2Times128", "128 / ln 2 rounded to double.", ToDouble(Real.FromInteger(128) / ln2, out _));
        var (invLn2Hi, invLn2Lo) = Split(one / ln2);
        Scalar("InvLn2Hi", "1 / ln 2 rounded to double.", invLn2Hi);
        Scalar("InvLn2Lo", "1 / ln 2 - InvLn2Hi.", invLn2Lo);
        var (invLn10Hi, invLn10Lo) = Split(one / Ln10);
        Scalar("InvLn10Hi", "1 / ln 10 rounded to double.", invLn10Hi);
        Scalar("InvLn10Lo", "1 / ln 10 - InvLn10Hi.", invLn10Lo);

        var exp = new List<double>();
        for (int j = 0; j < 128; j++)
        {
            var (hi, lo) = Split(Exp(Mul(Real.FromInteger(j), ln2Over128, Precision)));
            exp.Add(hi);
            exp.Add(lo);
        }
        Doubles("ExpTable", "2^(j/128) for j = 0..127 as pairs (high, low).", exp);

        var log = new List<double>();
        for (int i = 0; i <= 128; i++)
        {
            // Mantissas m near 1 + i/128; from i = 54 on the mantissa is halved (so it lies near sqrt(2)/2 .. 1).
            var center = one + new Real(i, -7);
            var target = (i < 54 ? one : Real.FromInteger(2)) / center;
            double c = RoundToBits(target, 26);
            var (hi, lo) = Split(-Log(R(c)));
            log.Add(c);
            log.Add(hi);
            log.Add(lo);
        }
        Doubles("LogTable", "For i = 0..128: c (26 bits, near 1/(1 + i/128), or 2/(1 + i/128) from i = 54), then -ln c as (high, low).", log);

        var sinCos = new List<double>();
        for (int i = 0; i <= 52; i++)
        {
            var a = new Real(i, -6);
            var (sh, sl) = Split(Sin(a));
            var (ch, cl) = Split(Cos(a));
            sinCos.AddRange([sh, sl, ch, cl]);
        }
        Doubles("SinCosTable", "For i = 0..52: sin(i/64) and cos(i/64), each as (high, low).", sinCos);

        var atan = new List<double>();
        for (int i = 0; i <= 64; i++)
        {
            var (hi, lo) = Split(Atan(new Real(i, -6)));
            atan.Add(hi);
            atan.Add(lo);
        }
        Doubles("AtanTable", "atan(i/64) for i = 0..64 as pairs (high, low).", atan);

        // The first 1280 bits of 2/pi after the binary point, most significant first, then a zero word.
        const int words = 20;
        var twoOverPi = Div(Real.FromInteger(2), pi, words * 64 + 64);
        var fraction = twoOverPi.E >= -(words * 64) ? twoOverPi.M << (int)(twoOverPi.E + words * 64) : twoOverPi.M >> (int)(-(words * 64) - twoOverPi.E);
        var bits = new ulong[words + 1];
        for (int w = 0; w < words; w++)
            bits[w] = (ulong)((fraction >> ((words - 1 - w) * 64)) & ulong.MaxValue);
        entries.Add(new Entry("TwoOverPiBits", "Bits 1..1280 of the fraction of 2/pi, 64 to a word, most significant first, and a zero word.", bits, false, true));
        return entries;
    }

    /// <summary>The C# source of DeterministicMath.Tables.cs.</summary>
    public static string GenerateSource()
    {
        var sb = new StringBuilder();
        sb.Append("// <auto-generated>\n");
        sb.Append("// Written by `dotnet run -c Release --project bench/Coputer.Bench -- math-tables` from the BigInteger reference in\n");
        sb.Append("// tests/Coputer.Luau.Tests/Library/MathReference.cs; DeterministicMathTests checks every value against it.\n");
        sb.Append("// </auto-generated>\n\n");
        sb.Append("namespace Coputer.Luau.Library;\n\n");
        sb.Append("internal static partial class DeterministicMath\n{\n");
        bool first = true;
        foreach (var e in Compute())
        {
            if (!first)
                sb.Append('\n');
            first = false;
            sb.Append("    /// <summary>").Append(e.Doc).Append("</summary>\n");
            if (!e.IsArray)
            {
                sb.Append("    private static readonly double ").Append(e.Name).Append(" = BitConverter.UInt64BitsToDouble(")
                    .Append(Hex(e.Bits[0])).Append(");\n");
                continue;
            }
            sb.Append("    private static readonly ").Append(e.IsDouble ? "double" : "ulong").Append("[] ").Append(e.Name)
                .Append(e.IsDouble ? " = FromBits(\n    [\n" : " =\n    [\n");
            const int perLine = 4;
            for (int i = 0; i < e.Bits.Length; i += perLine)
            {
                sb.Append("        ");
                for (int j = i; j < Math.Min(i + perLine, e.Bits.Length); j++)
                {
                    sb.Append(Hex(e.Bits[j])).Append(',');
                    if (j + 1 < Math.Min(i + perLine, e.Bits.Length))
                        sb.Append(' ');
                }
                sb.Append('\n');
            }
            sb.Append(e.IsDouble ? "    ]);\n" : "    ];\n");
        }
        sb.Append("}\n");
        return sb.ToString();
    }

    private static string Hex(ulong v) => "0x" + v.ToString("X16", CultureInfo.InvariantCulture) + "UL";
}

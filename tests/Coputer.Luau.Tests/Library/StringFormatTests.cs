using System.Text;
using Coputer.Luau.Library;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.Library;

public class StringFormatTests
{
    /// <summary>
    /// Drives a whole format string the way the VM's <c>string.format</c> does: arguments are doubles or byte
    /// strings; numbers given to %s, %q and %* are converted with the number formatter first.
    /// </summary>
    private static string Format(string format, params object[] arguments)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(format);
        using var builder = new ByteBuilder();
        int argument = 1;
        int i = 0;
        while (i < bytes.Length)
        {
            if (bytes[i] != '%')
            {
                builder.Append(bytes[i++]);
                continue;
            }
            int index = i + 1;
            FormatSpec spec = StringFormat.Parse(bytes, ref index, argument + 1, arguments.Length + 1);
            i = index;
            if (!spec.TakesArgument)
            {
                builder.Append((byte)'%');
                continue;
            }
            object value = arguments[argument++ - 1];
            byte[] text = value switch
            {
                double d => NumberFormatter.FormatToArray(d),
                int n => NumberFormatter.FormatToArray(n),
                string s => Encoding.Latin1.GetBytes(s),
                _ => throw new ArgumentException("unsupported argument"),
            };
            switch (spec.Conversion)
            {
                case (byte)'*':
                    builder.Append(text);
                    break;
                case (byte)'s':
                    StringFormat.AppendString(builder, spec, text);
                    break;
                case (byte)'q':
                    StringFormat.AppendQuoted(builder, text);
                    break;
                default:
                    StringFormat.AppendNumber(builder, spec, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                    break;
            }
        }
        return Encoding.Latin1.GetString(builder.AsSpan());
    }

    private static string Error(string format, params object[] arguments) =>
        Assert.Throws<LuauError>(() => Format(format, arguments)).Message;

    [Theory]
    [InlineData("%.0f", 0.5, "0")]
    [InlineData("%.0f", 1.5, "2")]
    [InlineData("%.0f", 2.5, "2")] // exact ties go to even
    [InlineData("%.0f", 3.5, "4")]
    [InlineData("%.1f", 0.25, "0.2")]
    [InlineData("%.1f", 0.35, "0.3")] // 0.35 is slightly below the tie
    [InlineData("%.2f", 1.005, "1.00")]
    [InlineData("%.3f", 2.0005, "2.001")]
    [InlineData("%f", 1.0, "1.000000")]
    [InlineData("%10.4f", Math.PI, "    3.1416")]
    [InlineData("%-10.4f|", Math.PI, "3.1416    |")]
    [InlineData("%010.4f", -Math.PI, "-0003.1416")]
    [InlineData("%+010.4f", Math.PI, "+0003.1416")]
    [InlineData("% f", 1.0, " 1.000000")]
    [InlineData("%5.1f", -0.0, " -0.0")]
    [InlineData("%#.0f", 3.0, "3.")]
    [InlineData("%#.0f", 0.2, "0.")]
    [InlineData("%.0f", 0.7, "1")]
    [InlineData("%.2f", 99.999, "100.00")]
    [InlineData("%.3f", 1e-300, "0.000")]
    [InlineData("%.99f", 1.0 / 3, "0.333333333333333314829616256247390992939472198486328125000000000000000000000000000000000000000000000")]
    public void FixedConversions(string format, double value, string expected) => Assert.Equal(expected, Format(format, value));

    [Fact]
    public void FixedPrintsEveryDigitOfHugeValues()
    {
        const string Digits = "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160";
        Assert.Equal(Digits + ".000000", Format("%f", 1e300));
        Assert.Equal(Digits, Format("%.0f", 1e300));
        Assert.Equal("179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.00", Format("%.2f", double.MaxValue));
        string longest = Format("%99.99f", -1e308);
        Assert.Equal(1 + 309 + 1 + 99, longest.Length);
        Assert.StartsWith("-100000000000000001097906362944045541740492309677311846336810682903157585", longest);
        Assert.EndsWith("336." + new string('0', 99), longest);
    }

    [Fact]
    public void FixedPrintsTinyValuesExactly()
    {
        // 5e-324 is 2^-1074: its 1074 decimals end in ...625; 99 decimals round to zero.
        Assert.Equal("0." + new string('0', 99), Format("%.99f", 5e-324));
        Assert.Equal("0.000000", Format("%f", 5e-324));
        Assert.Equal("0.00000000000000000000000000000000000000000000099999999999999998", Format("%.62f", 1e-45));
    }

    [Theory]
    [InlineData("%+.3e", 12345.678, "+1.235e+04")]
    [InlineData("%e", 1e300, "1.000000e+300")]
    [InlineData("%.3e", 5e-324, "4.941e-324")]
    [InlineData("%e", 0.0, "0.000000e+00")]
    [InlineData("%e", -0.0, "-0.000000e+00")]
    [InlineData("%E", 123.456, "1.234560E+02")]
    [InlineData("% .0e", 12345.0, " 1e+04")]
    [InlineData("%#.0e", 12345.0, "1.e+04")]
    [InlineData("%.2e", 9.995, "9.99e+00")] // 9.995 is below the tie
    [InlineData("%.2e", 9.9951, "1.00e+01")]
    [InlineData("%.1e", 0.25, "2.5e-01")]
    [InlineData("%.0e", 2.5, "2e+00")]
    [InlineData("%.0e", 3.5, "4e+00")]
    [InlineData("%12.3E", -1.5e-100, " -1.500E-100")]
    [InlineData("%-12.3e|", 1.5e100, "1.500e+100  |")]
    [InlineData("%012.3e", -1.5, "-001.500e+00")]
    [InlineData("%.20e", 0.1, "1.00000000000000005551e-01")]
    public void ExponentConversions(string format, double value, string expected) => Assert.Equal(expected, Format(format, value));

    [Theory]
    [InlineData("%g", 1e-5, "1e-05")]
    [InlineData("%g", 1e15, "1e+15")]
    [InlineData("%g", 1e16, "1e+16")]
    [InlineData("%g", 0.0001, "0.0001")]
    [InlineData("%g", 123456789.0, "1.23457e+08")]
    [InlineData("%g", 100000.0, "100000")]
    [InlineData("%g", 1000000.0, "1e+06")]
    [InlineData("%g", 0.0, "0")]
    [InlineData("%g", -0.0, "-0")]
    [InlineData("%#g", 0.0, "0.00000")]
    [InlineData("%#g", 1.0, "1.00000")]
    [InlineData("%#.0g", 1.0, "1.")]
    [InlineData("%.14g", 0.1, "0.1")]
    [InlineData("%.14g", 1.0 / 3, "0.33333333333333")]
    [InlineData("%.14g", 9223372036854775808.0, "9.2233720368548e+18")]
    [InlineData("%.17g", 0.1, "0.10000000000000001")]
    [InlineData("%.20g", 0.1, "0.10000000000000000555")]
    [InlineData("%G", 1e-10, "1E-10")]
    [InlineData("%.2g", 99.99, "1e+02")]
    [InlineData("%.2g", 9.9996, "10")]
    [InlineData("%#.2g", 9.9996, "10.")]
    [InlineData("%#.3g", 0.099996, "0.100")]
    [InlineData("%#.3g", 9.9996e-05, "0.000100")] // rounding moves it into the fixed style
    [InlineData("%.3g", 9.95e-05, "9.95e-05")]
    [InlineData("%#.3g", 999.96, "1.e+03")] // glibc's quirk: the carry keeps the fixed style's zero decimals
    [InlineData("%#.2g", 99.99, "1.e+02")]
    [InlineData("%#g", 999999.5, "1.e+06")]
    [InlineData("%#010.3g", 999.96, "00001.e+03")]
    [InlineData("%#.2g", 999.96, "1.0e+03")] // no quirk when the exponent style was chosen before rounding
    [InlineData("%.0g", 0.95, "0.9")]
    [InlineData("%#.1g", 0.0, "0.")]
    [InlineData("%g", 5e-324, "4.94066e-324")]
    [InlineData("%g", double.MaxValue, "1.79769e+308")]
    public void GeneralConversions(string format, double value, string expected) => Assert.Equal(expected, Format(format, value));

    [Theory]
    [InlineData("%f", double.NaN, "-nan")] // the default NaN (0/0) has its sign bit set
    [InlineData("%f", double.PositiveInfinity, "inf")]
    [InlineData("%+f", double.PositiveInfinity, "+inf")]
    [InlineData("%5f", double.PositiveInfinity, "  inf")]
    [InlineData("%-6f|", double.NegativeInfinity, "-inf  |")]
    [InlineData("%06f", double.PositiveInfinity, "   inf")] // never zero-padded
    [InlineData("%010f", double.NegativeInfinity, "      -inf")]
    [InlineData("% f", double.PositiveInfinity, " inf")]
    [InlineData("%E", double.PositiveInfinity, "INF")]
    [InlineData("%G", double.NaN, "-NAN")]
    [InlineData("%.3g", double.NegativeInfinity, "-inf")]
    public void NonFiniteConversions(string format, double value, string expected) => Assert.Equal(expected, Format(format, value));

    [Fact]
    public void NaNSignFollowsTheSignBit()
    {
        double positiveNaN = BitConverter.UInt64BitsToDouble(0x7FF8_0000_0000_0000);
        Assert.Equal("nan", Format("%e", positiveNaN));
        Assert.Equal("+nan", Format("%+f", positiveNaN));
        Assert.Equal(" NAN", Format("% G", positiveNaN));
    }

    [Theory]
    [InlineData("%d", 3.99, "3")]
    [InlineData("%d", -3.99, "-3")]
    [InlineData("%d", 9007199254740992.0, "9007199254740992")]
    [InlineData("%d", 9223372036854775808.0, "-9223372036854775808")] // out of range: C's cast gives -2^63
    [InlineData("%d", -9223372036854775808.0, "-9223372036854775808")]
    [InlineData("%d", 1e20, "-9223372036854775808")]
    [InlineData("%i", double.NaN, "-9223372036854775808")]
    [InlineData("%d", double.PositiveInfinity, "-9223372036854775808")]
    [InlineData("%-5d", 42.0, "42   ")]
    [InlineData("%5d", -42.0, "  -42")]
    [InlineData("%05d", -42.0, "-0042")]
    [InlineData("%-05d|", -42.0, "-42  |")]
    [InlineData("%.5d", -42.0, "-00042")]
    [InlineData("%8.5d", 42.0, "   00042")]
    [InlineData("%08.5d", 42.0, "   00042")] // a precision turns the 0 flag off
    [InlineData("%+d", 0.0, "+0")]
    [InlineData("% d", 5.0, " 5")]
    [InlineData("%+ d", 5.0, "+5")]
    [InlineData("%.0d", 0.0, "")]
    [InlineData("%+.0d", 0.0, "+")]
    [InlineData("% .0d", 0.0, " ")]
    [InlineData("%5.0d|", 0.0, "     |")]
    [InlineData("%#d", 7.0, "7")]
    [InlineData("%-----d", 3.0, "3")] // five flag characters are fine, repeated or not
    public void SignedIntegerConversions(string format, double value, string expected) => Assert.Equal(expected, Format(format, value));

    [Theory]
    [InlineData("%x", -1.0, "ffffffffffffffff")]
    [InlineData("%X", 3735928559.0, "DEADBEEF")]
    [InlineData("%o", -1.0, "1777777777777777777777")]
    [InlineData("%u", -1.0, "18446744073709551615")]
    [InlineData("%u", 3.7, "3")]
    [InlineData("%X", 255.9, "FF")]
    [InlineData("%x", 9223372036854775808.0, "8000000000000000")]
    [InlineData("%x", 1e19, "8ac7230489e80000")]
    [InlineData("%x", 18446744073709551616.0, "0")] // 2^64 and above: GCC's unsigned conversion gives 0
    [InlineData("%x", 1e20, "0")]
    [InlineData("%x", double.PositiveInfinity, "0")]
    [InlineData("%x", double.NegativeInfinity, "8000000000000000")]
    [InlineData("%x", -1e20, "8000000000000000")]
    [InlineData("%x", double.NaN, "8000000000000000")]
    [InlineData("%x", -0.5, "0")]
    [InlineData("%#x", 255.0, "0xff")]
    [InlineData("%#X", 255.0, "0XFF")]
    [InlineData("%#x", 0.0, "0")]
    [InlineData("%#o", 8.0, "010")]
    [InlineData("%#o", 0.0, "0")]
    [InlineData("%#.0o", 0.0, "0")]
    [InlineData("%#.5x", 255.0, "0x000ff")]
    [InlineData("%#08x", 255.0, "0x0000ff")]
    [InlineData("%#-8x|", 255.0, "0xff    |")]
    [InlineData("%#.0x", 0.0, "")]
    [InlineData("%#5o", 8.0, "  010")]
    [InlineData("%#.3o", 8.0, "010")]
    [InlineData("%#.4o", 8.0, "0010")]
    [InlineData("%.0x", 0.0, "")]
    [InlineData("%+x", 5.0, "5")] // sign flags do not apply to unsigned conversions
    [InlineData("% u", 5.0, "5")]
    [InlineData("%#u", 5.0, "5")]
    [InlineData("%010o", 8.0, "0000000010")]
    public void UnsignedIntegerConversions(string format, double value, string expected) => Assert.Equal(expected, Format(format, value));

    [Theory]
    [InlineData("%c", 65.0, "A")]
    [InlineData("%3c", 66.0, "  B")]
    [InlineData("%-3c|", 67.0, "C  |")]
    [InlineData("%05c", 65.0, "    A")] // zero flag ignored
    [InlineData("%.3c", 65.0, "A")] // precision ignored
    [InlineData("%c", 324.0, "D")] // low byte of C's (int)
    [InlineData("%c", -1.0, "\u00ff")]
    [InlineData("%c", 0.0, "\0")]
    [InlineData("%c", double.NaN, "\0")]
    [InlineData("%c", 65.9, "A")]
    public void CharacterConversions(string format, double value, string expected) => Assert.Equal(expected, Format(format, value));

    [Theory]
    [InlineData("%5.2s", "abc", "   ab")]
    [InlineData("%s", "a\0b", "a\0b")] // without a form the bytes are copied verbatim
    [InlineData("%5s", "a\0b", "    a")] // with one, the C string ends at the zero byte
    [InlineData("%.1s", "a\0b", "a")]
    [InlineData("%-5s|", "ab", "ab   |")]
    [InlineData("%05s", "ab", "   ab")]
    [InlineData("%.s", "abc", "")]
    [InlineData("%#s", "abc", "abc")]
    [InlineData("%.0s|", "abc", "|")]
    [InlineData("%10s", "", "          ")]
    [InlineData("x%sy", "", "xy")]
    public void StringConversions(string format, string value, string expected) => Assert.Equal(expected, Format(format, value));

    [Fact]
    public void LongStringsWithoutPrecisionAreCopiedVerbatim()
    {
        string hundred = new string('y', 100) + "\0z";
        Assert.Equal(hundred, Format("%5s", hundred));
        Assert.Equal(hundred, Format("%-99s", hundred));
        Assert.Equal(new string('y', 99), Format("%.99s", hundred));
        string ninetyNine = new string('x', 98) + "\0";
        Assert.Equal(new string('x', 98) + " ", Format("%-99s", ninetyNine));
    }

    [Fact]
    public void NumbersGivenToStringConversionsUseNumberText()
    {
        Assert.Equal("1.5", Format("%s", 1.5));
        Assert.Equal("        12", Format("%10s", 12.0));
        Assert.Equal("\"1e+30\"", Format("%q", 1e30));
        Assert.Equal("[0.1]", Format("[%*]", 0.1));
    }

    [Fact]
    public void QuotedStringsEscapeLikeTheReference()
    {
        Assert.Equal("\"a\\000b\\r\\\n\\\"\\\\\u0001\u00ff\"", Format("%q", "a\0b\r\n\"\\\u0001\u00ff"));
        Assert.Equal("\"\"", Format("%q", ""));
        Assert.Equal("\"plain text\"", Format("%q", "plain text"));
        Assert.Equal("\"ab\"", Format("%10q", "ab")); // the form is ignored
        Assert.Equal("\"\\000\\000\"", Format("%q", "\0\0"));
    }

    [Fact]
    public void PercentAndLiteralText()
    {
        Assert.Equal("100%", Format("%d%%", 100.0));
        Assert.Equal("%", Format("%%"));
        Assert.Equal("a 1 b 2 c", Format("a %d b %s c", 1.0, "2"));
        Assert.Equal("", Format(""));
    }

    [Theory]
    [InlineData("%------d", "invalid format (repeated flags)")]
    [InlineData("%-0-0-0d", "invalid format (repeated flags)")]
    [InlineData("%123d", "invalid format (width or precision too long)")]
    [InlineData("%1.123d", "invalid format (width or precision too long)")]
    [InlineData("%.123d", "invalid format (width or precision too long)")]
    [InlineData("%a", "invalid option '%a' to 'format'")]
    [InlineData("%A", "invalid option '%A' to 'format'")]
    [InlineData("%l", "invalid option '%l' to 'format'")]
    [InlineData("%5%", "invalid option '%%' to 'format'")]
    [InlineData("%5*", "'%*' does not take a form")]
    [InlineData("%", "invalid option '%")] // the message is cut at the C string's end, like the reference's
    [InlineData("%5", "invalid option '%")]
    [InlineData("%\0d", "invalid option '%")]
    [InlineData("%\u00e9", "invalid option '%\u00e9' to 'format'")]
    public void FormatErrors(string format, string message) => Assert.Equal(message, Error(format, 1.0));

    [Fact]
    public void MissingArgumentComesBeforeFormatErrors()
    {
        Assert.Equal("missing argument #2", Error("%d"));
        Assert.Equal("missing argument #2", Error("%123d"));
        Assert.Equal("missing argument #2", Error("%a"));
        Assert.Equal("missing argument #2", Error("%*"));
        Assert.Equal("missing argument #3", Error("%d %s", 1.0));
        Assert.Equal("missing argument #2", Error("%"));
    }

    [Fact]
    public void ParseReportsTheForm()
    {
        byte[] format = "%-+ #012.34f!"u8.ToArray();
        int index = 1;
        FormatSpec spec = StringFormat.Parse(format, ref index, 2, 2);
        Assert.Equal(12, index);
        Assert.Equal((byte)'f', spec.Conversion);
        Assert.Equal(FormatFlags.LeftAlign | FormatFlags.Plus | FormatFlags.Space | FormatFlags.Alternate | FormatFlags.ZeroPad, spec.Flags);
        Assert.Equal(12, spec.Width);
        Assert.Equal(34, spec.Precision);
        Assert.True(spec.HasForm);

        format = "%s"u8.ToArray();
        index = 1;
        spec = StringFormat.Parse(format, ref index, 2, 2);
        Assert.False(spec.HasForm);
        Assert.Equal(-1, spec.Precision);
        Assert.Equal(0, spec.Width);

        format = "%%"u8.ToArray();
        index = 1;
        spec = StringFormat.Parse(format, ref index, 2, 1);
        Assert.False(spec.TakesArgument);
        Assert.Equal(2, index);
    }

    [Fact]
    public void IntegerAppendersTakeIntegersDirectly()
    {
        using var builder = new ByteBuilder();
        byte[] format = "%+d"u8.ToArray();
        int index = 1;
        FormatSpec spec = StringFormat.Parse(format, ref index, 2, 2);
        StringFormat.AppendInteger(builder, spec, long.MinValue);
        builder.Append((byte)' ');
        StringFormat.AppendInteger(builder, spec, long.MaxValue);
        format = "%x"u8.ToArray();
        index = 1;
        spec = StringFormat.Parse(format, ref index, 2, 2);
        builder.Append((byte)' ');
        StringFormat.AppendUnsigned(builder, spec, ulong.MaxValue);
        Assert.Equal("-9223372036854775808 +9223372036854775807 ffffffffffffffff", Encoding.ASCII.GetString(builder.AsSpan()));
    }

    [Fact]
    public void EveryPrecisionOfAnExactTieRoundsToEven()
    {
        // 0.125 = 1/8 exactly: %.2f ties between 0.12 and 0.13 and must pick 0.12; 0.375 picks 0.38.
        Assert.Equal("0.12", Format("%.2f", 0.125));
        Assert.Equal("0.38", Format("%.2f", 0.375));
        Assert.Equal("1.2e-01", Format("%.1e", 0.125));
        Assert.Equal("0.12", Format("%.2g", 0.125));
        // Above 2^53 every double is an integer, so ties happen in the integer digits too.
        Assert.Equal("9.007199254740992e+15", Format("%.15e", 9007199254740992.0));
        Assert.Equal("9.00719925474099e+15", Format("%.14e", 9007199254740990.0));
        Assert.Equal("9.00719925474098e+15", Format("%.14e", 9007199254740985.0));
        Assert.Equal("9.00719925474100e+15", Format("%.14e", 9007199254740995.0));
    }
}

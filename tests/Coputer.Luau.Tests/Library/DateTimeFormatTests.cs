using System.Text;
using Coputer.Luau.Library;

namespace Coputer.Luau.Tests.Library;

public class DateTimeFormatTests
{
    private const string AllConversions = "%a %A %b %B %c %d %H %I %j %m %M %p %S %U %w %W %x %X %y %Y %z %Z %%";

    /// <summary>os.date(format, t) as the library composes it; null stands for nil.</summary>
    private static string? Date(string format, double t, TimeZoneInfo? zone = null)
    {
        var rest = DateTimeFormat.ParseDateFormat(Encoding.Latin1.GetBytes(format), out bool utc, out bool asTable);
        long seconds = NativeCasts.ToInt64(t);
        bool ok = utc ? DateTimeFormat.TryToUtc(seconds, out var time) : DateTimeFormat.TryToLocal(seconds, zone ?? TimeZoneInfo.Utc, out time);
        if (!ok)
            return null;
        if (asTable)
            return $"sec={time.Second} min={time.Minute} hour={time.Hour} day={time.Day} month={time.Month} year={time.Year} wday={time.LuaWeekDay} yday={time.LuaYearDay} isdst={time.IsDaylightSaving}";
        using var builder = new ByteBuilder();
        DateTimeFormat.AppendFormatted(builder, rest, time);
        return Encoding.Latin1.GetString(builder.AsSpan());
    }

    // Outputs of the reference (TZ=UTC) for every allowed conversion.
    [Theory]
    [InlineData(0, "Thu Thursday Jan January Thu Jan  1 00:00:00 1970 01 00 12 001 01 00 AM 00 00 4 00 01/01/70 00:00:00 70 1970 +0000 GMT %")]
    [InlineData(-1, "Wed Wednesday Dec December Wed Dec 31 23:59:59 1969 31 23 11 365 12 59 PM 59 52 3 52 12/31/69 23:59:59 69 1969 +0000 GMT %")]
    [InlineData(86399, "Thu Thursday Jan January Thu Jan  1 23:59:59 1970 01 23 11 001 01 59 PM 59 00 4 00 01/01/70 23:59:59 70 1970 +0000 GMT %")]
    [InlineData(951782400, "Tue Tuesday Feb February Tue Feb 29 00:00:00 2000 29 00 12 060 02 00 AM 00 09 2 09 02/29/00 00:00:00 00 2000 +0000 GMT %")]
    [InlineData(1e10, "Sat Saturday Nov November Sat Nov 20 17:46:40 2286 20 17 05 324 11 46 PM 40 46 6 46 11/20/86 17:46:40 86 2286 +0000 GMT %")]
    [InlineData(-1e10, "Mon Monday Feb February Mon Feb 10 06:13:20 1653 10 06 06 041 02 13 AM 20 06 1 06 02/10/53 06:13:20 53 1653 +0000 GMT %")]
    [InlineData(253402300799, "Fri Friday Dec December Fri Dec 31 23:59:59 9999 31 23 11 365 12 59 PM 59 52 5 52 12/31/99 23:59:59 99 9999 +0000 GMT %")]
    [InlineData(253402300800, "Sat Saturday Jan January Sat Jan  1 00:00:00 10000 01 00 12 001 01 00 AM 00 00 6 00 01/01/00 00:00:00 00 10000 +0000 GMT %")]
    [InlineData(-62135596800, "Mon Monday Jan January Mon Jan  1 00:00:00 1 01 00 12 001 01 00 AM 00 00 1 01 01/01/01 00:00:00 01 1 +0000 GMT %")]
    [InlineData(-62135596801, "Sun Sunday Dec December Sun Dec 31 23:59:59 0 31 23 11 366 12 59 PM 59 53 0 52 12/31/00 23:59:59 00 0 +0000 GMT %")]
    [InlineData(1.7, "Thu Thursday Jan January Thu Jan  1 00:00:01 1970 01 00 12 001 01 00 AM 01 00 4 00 01/01/70 00:00:01 70 1970 +0000 GMT %")]
    public void AllConversionsMatchTheReference(double t, string expected) => Assert.Equal(expected, Date("!" + AllConversions, t));

    [Theory]
    [InlineData(-62167132801, "Sat Jan  1 23:59:59 0|00|0|00|00|001|01/01/00")]
    [InlineData(-65297836801, "Wed Oct 17 23:59:59 -100|00|-100|41|42|290|10/17/00")]
    [InlineData(-93671596801, "Mon Aug 31 23:59:59 -999|01|-999|35|35|243|08/31/01")]
    public void YearsBeforeTheCommonEra(double t, string expected) => Assert.Equal(expected, Date("!%c|%y|%Y|%U|%W|%j|%x", t));

    [Theory]
    [InlineData(67767976217635200, "Mon Jul  1 00:00:00 2147483647|47|2147483647|182|26|26|1")]
    [InlineData(67767976249257600, "Wed Jul  1 00:00:00 -2147483648|48|-2147483648|183|26|26|3")] // C's int year wraps
    [InlineData(67768036191676700, "Wed Dec 31 23:58:24 -2147481749|47|-2147481749|365|52|52|3")]
    [InlineData(-67768040592460800, "Mon Jul 19 00:00:00 -2147481748|52|-2147481748|201|29|29|1")]
    public void ExtremeYears(double t, string expected) => Assert.Equal(expected, Date("!%c|%y|%Y|%j|%U|%W|%w", t));

    [Theory]
    [InlineData(67768036191676800)] // the year after the last one C's tm_year holds
    [InlineData(-67768040609740808)] // the next double below the first second C's tm_year holds
    [InlineData(1e20)]
    [InlineData(double.NaN)] // C's (time_t) gives -2^63
    [InlineData(9223372036854775808.0)]
    [InlineData(-9223372036854775808.0)]
    public void UnrepresentableTimesGiveNil(double t) => Assert.Null(Date("!%c", t));

    [Fact]
    public void ExtremeYearsThatStillFit()
    {
        Assert.Equal("Thu Jan  1 00:00:00 -2147481748", Date("!%c", -67768040609740800));
    }

    [Fact]
    public void TableFields()
    {
        Assert.Equal("sec=40 min=46 hour=17 day=20 month=11 year=2286 wday=7 yday=324 isdst=False", Date("!*t", 1e10));
        Assert.Equal("sec=59 min=59 hour=23 day=31 month=12 year=1969 wday=4 yday=365 isdst=False", Date("!*t", -1));
        Assert.Null(Date("*t", -1)); // local time refuses negative times
        Assert.NotNull(Date("*t", 0));
        Assert.Equal(Date("!*t", 5), Date("!*t\0ignored", 5)); // the format ends at a zero byte
    }

    [Fact]
    public void FormatEdgeCases()
    {
        Assert.Equal("", Date("", 0));
        Assert.Equal("", Date("!", 0));
        Assert.Equal("%", Date("!%", 0));
        Assert.Equal("a", Date("!a\0%Y", 0));
        Assert.Equal("x%", Date("!x%\0%Y", 0)); // a % right before the end stays as it is
        Assert.False(DateTimeFormat.TryToUtc(-67768040609740801, out _));
        Assert.Equal(new string('%', 100), Date(new string('%', 200), 0));
        string text = new('a', 10000);
        Assert.Equal(text, Date(text, 0));
        Assert.Equal("12 PM|01 PM|12 AM", Date("!%I %p", 12 * 3600) + "|" + Date("!%I %p", 13 * 3600) + "|" + Date("!%I %p", 0));
    }

    [Theory]
    [InlineData("%9")]
    [InlineData("%O")]
    [InlineData("%E")]
    [InlineData("%Ea")]
    [InlineData("!%5")]
    [InlineData("%e")]
    [InlineData("%C")]
    public void InvalidConversions(string format)
    {
        var error = Assert.Throws<LibraryArgumentError>(() => Date(format, 0));
        Assert.Equal("invalid argument #1 to 'date' (invalid conversion specifier)", error.MessageFor("date"));
    }

    [Fact]
    public void LocalTimeUsesTheZone()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        Assert.Equal("Mon Feb 25 10:34:10 2008 +0100 CET|False", Date("%c %z %Z", 1203932050, berlin) + "|" + Date("*t", 1203932050, berlin)!.EndsWith("True"));
        Assert.Equal("Wed Jul  1 14:00:00 2020 +0200 CEST", Date("%c %z %Z", 1593604800, berlin));
        Assert.EndsWith("isdst=True", Date("*t", 1593604800, berlin));
        var kolkata = TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata");
        Assert.Equal("05:30:00 +0530", Date("%X %z", 0, kolkata));
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        Assert.Equal("Wed Dec 31 19:00:00 1969 -0500 EST", Date("%c %z %Z", 0, newYork));
        Assert.Equal("UTC", Date("%Z", 0, TimeZoneInfo.Utc));
    }

    // datetime.luau's os.time cases.
    [Theory]
    [InlineData(1969, 12, 31, 23, 59, 59, null)]
    [InlineData(1970, 1, 1, 0, 0, 0, 0L)]
    [InlineData(3000, 12, 31, 23, 59, 59, 32535215999L)]
    [InlineData(1970, 1, 1, 0, 0, -1, null)]
    [InlineData(2000, 6, 10, 0, 0, 0, 960595200L)]
    [InlineData(2000, 6, 10, 0, 0, -86400, 960508800L)]
    [InlineData(2000, 6, 10, 0, 0, 86400, 960681600L)]
    [InlineData(2000, 6, 10, 0, -600, 0, 960559200L)]
    [InlineData(2000, 6, 10, 0, 600, 0, 960631200L)]
    [InlineData(2000, 6, 10, -600, 0, 0, 958435200L)]
    [InlineData(2000, 6, 10, 600, 0, 0, 962755200L)]
    [InlineData(2000, 6, -100, 0, 0, 0, 951091200L)]
    [InlineData(2000, 6, 1000, 0, 0, 0, 1046131200L)]
    [InlineData(2000, -60, 10, 0, 0, 0, 787017600L)]
    [InlineData(2000, 60, 10, 0, 0, 0, 1102636800L)]
    [InlineData(2000, 6, 10, 0, 0, -86400000, 874195200L)]
    [InlineData(2000, 6, 10, 0, 0, 86400000, 1046995200L)]
    [InlineData(2000, 6, 10, 0, -600000, 0, 924595200L)]
    [InlineData(2000, 6, 10, 0, 600000, 0, 996595200L)]
    [InlineData(2100, 6, 10, -600000, 0, 0, 1956268800L)]
    [InlineData(2100, 6, 10, 600000, 0, 0, 6276268800L)]
    [InlineData(2100, 6, -10000, 0, 0, 0, 3251404800L)]
    [InlineData(2100, 6, 100000, 0, 0, 0, 12755404800L)]
    [InlineData(2100, -600, 10, 0, 0, 0, 2522707200L)]
    [InlineData(2100, 600, 10, 0, 0, 0, 5678380800L)]
    [InlineData(2000, 10, 1, 23, 12, 0, 970441920L)]
    public void TimeFromFieldsConformance(int year, int month, int day, int hour, int minute, int second, long? expected) =>
        Assert.Equal(expected, DateTimeFormat.TimeFromFields(year, month, day, hour, minute, second));

    // Further reference results, including its 32-bit wrap-around for huge fields.
    [Theory]
    [InlineData(2000, 1, 1, 12, 0, 0, 946728000L)]
    [InlineData(2000, 1, 1, 0, 0, 0, 946684800L)]
    [InlineData(int.MinValue, 1, 1, 12, 0, 0, 140486342673600L)] // year 1e10 or 2^31 become int.MinValue
    [InlineData(2000, int.MinValue, 1, 12, 0, 0, 81059861851200L)]
    [InlineData(2000, 1, 1, 12, 0, int.MinValue, null)]
    [InlineData(2000, -1, 1, 12, 0, 0, 941457600L)]
    [InlineData(2000, -12, 1, 12, 0, 0, 912513600L)]
    [InlineData(2000, -13, 1, 12, 0, 0, 909921600L)]
    [InlineData(2000, 0, 1, 12, 0, 0, 944049600L)]
    [InlineData(2000, 13, 1, 12, 0, 0, 978350400L)]
    [InlineData(2000, 25, 1, 12, 0, 0, 1009886400L)]
    [InlineData(1970, 1, 1, -12, 0, 0, null)]
    [InlineData(5000000, 1, 1, 12, 0, 0, 157722592824000L)]
    [InlineData(6000000, 1, 1, 12, 0, 0, null)] // 365 * y overflows an int and goes negative
    [InlineData(2000, 1, int.MaxValue, 12, 0, 0, null)]
    [InlineData(1970, 1, 1, 0, -1, 60, 0L)]
    [InlineData(-49381809941, 952670731, -281, 58003, 1000000, 35, 48172407889235L)]
    public void TimeFromFieldsMatchesTheReference(long year, int month, int day, int hour, int minute, int second, long? expected) =>
        Assert.Equal(expected, DateTimeFormat.TimeFromFields(NativeCasts.ToInt32(year), month, day, hour, minute, second));

    [Fact]
    public void DateTableRoundTrips()
    {
        var random = new Random(31);
        for (int i = 0; i < 2000; i++)
        {
            long t = random.NextInt64(0, 32535215999L);
            Assert.True(DateTimeFormat.TryToUtc(t, out var time));
            Assert.Equal(t, DateTimeFormat.TimeFromFields(time.Year, time.Month, time.Day, time.Hour, time.Minute, time.Second));
        }
    }

    [Fact]
    public void MissingFieldMessage() =>
        Assert.Equal("field 'day' missing in date table", DateTimeFormat.MissingField("day").Message);

    [Theory]
    [InlineData(5, 3, 2)]
    [InlineData(5.9, 3.1, 2)] // both truncated to whole seconds first
    [InlineData(-1.5, 0, -1)]
    [InlineData(9223372036854775808.0, -9223372036854775808.0, 0)] // both become -2^63
    [InlineData(double.NaN, 1, -9223372036854775809.0)]
    [InlineData(1e300, 0, -9223372036854775808.0)]
    [InlineData(4611686018427387905.0, -4611686018427387904.0, 9223372036854775808.0)]
    [InlineData(9.2e18, -9.2e18, 18400000000000000000.0)]
    public void DiffTime(double a, double b, double expected) => Assert.Equal(expected, DateTimeFormat.DiffTime(a, b));

    [Fact]
    public void CivilConversionsAreInverse()
    {
        for (long days = -800000; days <= 800000; days += 97)
        {
            DateTimeFormat.CivilFromDays(days, out long year, out int month, out int day);
            Assert.Equal(days, DateTimeFormat.DaysFromCivil(year, month, day));
        }
        Assert.Equal(0, DateTimeFormat.DaysFromCivil(1970, 1, 1));
        Assert.Equal(11016, DateTimeFormat.DaysFromCivil(2000, 2, 29));
    }
}

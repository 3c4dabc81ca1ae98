using System.Runtime.CompilerServices;
using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>
/// A calendar time broken into fields, like C's <c>struct tm</c> (the field meanings and ranges are C's, so that
/// the library code reads like the reference's); <see cref="Year"/>, <see cref="LuaWeekDay"/> and
/// <see cref="LuaYearDay"/> give the values <c>os.date("*t")</c> puts in its table.
/// </summary>
internal readonly record struct BrokenDownTime
{
    /// <summary>Seconds after the minute, 0-59.</summary>
    public int Second { get; init; }

    /// <summary>Minutes after the hour, 0-59.</summary>
    public int Minute { get; init; }

    /// <summary>Hours since midnight, 0-23.</summary>
    public int Hour { get; init; }

    /// <summary>Day of the month, 1-31.</summary>
    public int Day { get; init; }

    /// <summary>Month, 1-12 (C's <c>tm_mon + 1</c>).</summary>
    public int Month { get; init; }

    /// <summary>Years since 1900 (C's <c>tm_year</c>); always fits an int, or the conversion fails.</summary>
    public int YearsSince1900 { get; init; }

    /// <summary>Days since Sunday, 0-6.</summary>
    public int WeekDay { get; init; }

    /// <summary>Days since January 1st, 0-365.</summary>
    public int YearDay { get; init; }

    /// <summary>Whether daylight saving time is in effect.</summary>
    public bool IsDaylightSaving { get; init; }

    /// <summary>Offset from UTC in seconds (east positive), for <c>%z</c>.</summary>
    public int UtcOffsetSeconds { get; init; }

    /// <summary>The time zone's abbreviation, for <c>%Z</c> ("GMT" for UTC conversions, as glibc's <c>gmtime</c>).</summary>
    public string ZoneName { get; init; }

    /// <summary>The year as C computes <c>tm_year + 1900</c> in an int (wrapping for the few years beyond int).</summary>
    public int Year => unchecked(YearsSince1900 + 1900);

    /// <summary><c>wday</c> of the <c>*t</c> table: 1 for Sunday to 7 for Saturday.</summary>
    public int LuaWeekDay => WeekDay + 1;

    /// <summary><c>yday</c> of the <c>*t</c> table: 1 for January 1st.</summary>
    public int LuaYearDay => YearDay + 1;
}

/// <summary>
/// The time primitives of <c>os.date</c>, <c>os.time</c> and <c>os.difftime</c>, matching the reference
/// (loslib.cpp over glibc's <c>gmtime_r</c>, <c>localtime_r</c>, <c>strftime</c> in the C locale and
/// <c>difftime</c>): conversions between epoch seconds and calendar fields, and <c>strftime</c> for the
/// conversions the reference allows (<c>aAbBcdHIjmMpSUwWxXyYzZ%</c>).
/// </summary>
/// <remarks>
/// <para>How the library uses them, following the reference:</para>
/// <para><c>os.date(format = "%c", t = now)</c>: t is <see cref="NativeCasts.ToInt64"/> of the number.
/// <see cref="ParseDateFormat"/> strips a leading <c>!</c> (UTC) and recognises <c>*t</c>. UTC goes through
/// <see cref="TryToUtc"/>, local time through <see cref="TryToLocal"/>; when that fails the result is nil.
/// Otherwise <c>*t</c> gives the table {sec, min, hour, day, month, year, wday, yday, isdst} and anything else
/// <see cref="AppendFormatted"/>.</para>
/// <para><c>os.time(table)</c>: reads the fields sec (default 0), min (0), hour (12), day, month and year
/// (required; in that order, the first missing one raising <see cref="MissingField"/>) as C's <c>(int)</c>
/// of numbers (numeric strings count as numbers), then <see cref="TimeFromFields"/>; null means nil.</para>
/// <para><c>os.difftime(a, b = 0)</c>: <see cref="DiffTime"/>.</para>
/// </remarks>
[SkipLocalsInit] // stack buffers are always written before they are read
internal static class DateTimeFormat
{
    private const long SecondsPerDay = 86400;

    /// <summary>
    /// Splits an <c>os.date</c> format: a leading <c>!</c> asks for UTC; <paramref name="asTable"/> is true when
    /// the rest is exactly <c>*t</c>. Like the reference (which sees a C string), the format ends at its first
    /// zero byte. Returns the rest of the format.
    /// </summary>
    public static ReadOnlySpan<byte> ParseDateFormat(ReadOnlySpan<byte> format, out bool utc, out bool asTable)
    {
        int nul = format.IndexOf((byte)0);
        if (nul >= 0)
            format = format[..nul];
        utc = format.Length > 0 && format[0] == '!';
        if (utc)
            format = format[1..];
        asTable = format.SequenceEqual("*t"u8);
        return format;
    }

    /// <summary>
    /// UTC fields of <paramref name="seconds"/> since the epoch (proleptic Gregorian calendar, any sign), like
    /// glibc's <c>gmtime_r</c>: false when the year does not fit C's <c>tm_year</c>.
    /// </summary>
    public static bool TryToUtc(long seconds, out BrokenDownTime time) => TryBreakDown(seconds, 0, false, "GMT", out time);

    /// <summary>
    /// Local fields of <paramref name="seconds"/> in <paramref name="zone"/>. False for negative times, which the
    /// reference's <c>os.date</c> refuses for local time, and when the year does not fit. Beyond the range of
    /// .NET's <see cref="DateTimeOffset"/> (after year 9999) the zone's standard offset is used.
    /// </summary>
    public static bool TryToLocal(long seconds, TimeZoneInfo zone, out BrokenDownTime time)
    {
        if (seconds < 0)
        {
            time = default;
            return false;
        }

        TimeSpan offset;
        bool daylight;
        if (seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            var instant = DateTimeOffset.FromUnixTimeSeconds(seconds);
            offset = zone.GetUtcOffset(instant);
            daylight = zone.IsDaylightSavingTime(instant);
        }
        else
        {
            offset = zone.BaseUtcOffset;
            daylight = false;
        }

        string name = daylight ? zone.DaylightName : zone.StandardName;
        if (name == "Coordinated Universal Time")
            name = "UTC";
        long offsetSeconds = (long)offset.TotalSeconds;
        return TryBreakDown(seconds + offsetSeconds, (int)offsetSeconds, daylight, name, out time);
    }

    private static bool TryBreakDown(long seconds, int offsetSeconds, bool daylight, string zoneName, out BrokenDownTime time)
    {
        long days = Math.DivRem(seconds, SecondsPerDay, out long secondOfDay);
        if (secondOfDay < 0)
        {
            secondOfDay += SecondsPerDay;
            days--;
        }

        CivilFromDays(days, out long year, out int month, out int day);
        long yearsSince1900 = year - 1900;
        if (yearsSince1900 < int.MinValue || yearsSince1900 > int.MaxValue)
        {
            time = default;
            return false;
        }

        // 1970-01-01 was a Thursday (4).
        long weekDay = (days + 4) % 7;
        if (weekDay < 0)
            weekDay += 7;

        time = new BrokenDownTime
        {
            Second = (int)(secondOfDay % 60),
            Minute = (int)(secondOfDay / 60 % 60),
            Hour = (int)(secondOfDay / 3600),
            Day = day,
            Month = month,
            YearsSince1900 = (int)yearsSince1900,
            WeekDay = (int)weekDay,
            YearDay = (int)(days - DaysFromCivil(year, 1, 1)),
            IsDaylightSaving = daylight,
            UtcOffsetSeconds = offsetSeconds,
            ZoneName = zoneName,
        };
        return true;
    }

    /// <summary>Days since 1970-01-01 of a proleptic Gregorian date (counting years from March, in 400-year eras).</summary>
    internal static long DaysFromCivil(long year, int month, int day)
    {
        if (month <= 2)
            year--;
        long era = (year >= 0 ? year : year - 399) / 400;
        long yearOfEra = year - era * 400;
        int monthFromMarch = month > 2 ? month - 3 : month + 9;
        long dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146097 + dayOfEra - 719468;
    }

    /// <summary>The proleptic Gregorian date of a day count since 1970-01-01 (the inverse of <see cref="DaysFromCivil"/>).</summary>
    internal static void CivilFromDays(long days, out long year, out int month, out int day)
    {
        days += 719468;
        long era = (days >= 0 ? days : days - 146096) / 146097;
        long dayOfEra = days - era * 146097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long monthFromMarch = (5 * dayOfYear + 2) / 153;
        day = (int)(dayOfYear - (153 * monthFromMarch + 2) / 5 + 1);
        month = (int)(monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9);
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
    }

    /// <summary>
    /// <c>os.time(table)</c>: epoch seconds of the fields, always read as UTC, with the reference's own
    /// Julian-day arithmetic in 32-bit ints (so out-of-range months, days, hours, minutes and seconds roll over
    /// the way it does, including its wrap-around on overflow). Null (nil in Luau) for results before the epoch.
    /// The arguments are C's <c>(int)</c> of the table's numbers, month 1-12 and the full year.
    /// </summary>
    public static long? TimeFromFields(int year, int month, int day, int hour, int minute, int second)
    {
        unchecked
        {
            // The reference stores the fields in a struct tm (month - 1, year - 1900) and reads them back.
            int tmMonth = month - 1;
            int tmYear = year - 1900;
            int fullYear = tmYear + 1900;
            int oneBasedMonth = tmMonth + 1;

            // Count years from March so that the leap day ends the year; fold whole years of months into it.
            int beforeMarch = tmMonth % 12 < 2 ? 1 : 0;
            beforeMarch -= tmMonth / 12;
            int y = fullYear + 4800 - beforeMarch;
            int m = oneBasedMonth + 12 * beforeMarch - 3;
            int julianDay = day + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045;

            const int EpochJulianDay = 2440588; // 1970-01-01
            const long EpochJulianSecond = EpochJulianDay * SecondsPerDay;
            if (julianDay < EpochJulianDay)
                return null;

            long secondOfDay = hour * 3600L + minute * 60L + second;
            long julianSeconds = julianDay * SecondsPerDay + secondOfDay;
            if (julianSeconds < EpochJulianSecond)
                return null;
            return julianSeconds - EpochJulianSecond;
        }
    }

    /// <summary>The reference's error for a required <c>os.time</c> field that is absent or not a number.</summary>
    public static LuauError MissingField(string field) => new($"field '{field}' missing in date table");

    /// <summary>
    /// <c>os.difftime(a, b)</c>: both converted to 64-bit integer seconds as C's <c>(time_t)</c> does, then the
    /// exact difference rounded to the nearest double.
    /// </summary>
    public static double DiffTime(double a, double b)
    {
        long x = NativeCasts.ToInt64(a);
        long y = NativeCasts.ToInt64(b);
        // The exact difference lies within +-(2^64 - 1): its magnitude fits a ulong, whose conversion rounds once.
        return x >= y ? (double)unchecked((ulong)x - (ulong)y) : -(double)unchecked((ulong)y - (ulong)x);
    }

    private static ReadOnlySpan<byte> Conversions => "aAbBcdHIjmMpSUwWxXyYzZ%"u8;

    /// <summary>
    /// Appends <paramref name="format"/> with its <c>%</c> conversions replaced as C's <c>strftime</c> does in the
    /// C locale. A <c>%</c> at the very end is kept as it is. The format ends at its first zero byte.
    /// </summary>
    /// <exception cref="LibraryArgumentError">
    /// A conversion outside <c>aAbBcdHIjmMpSUwWxXyYzZ%</c>: argument 1, "invalid conversion specifier".
    /// </exception>
    public static void AppendFormatted(ByteBuilder builder, ReadOnlySpan<byte> format, in BrokenDownTime time)
    {
        int nul = format.IndexOf((byte)0);
        if (nul >= 0)
            format = format[..nul];

        for (int i = 0; i < format.Length; i++)
        {
            byte b = format[i];
            if (b != '%' || i + 1 == format.Length)
            {
                builder.Append(b);
                continue;
            }
            byte conversion = format[++i];
            if (Conversions.IndexOf(conversion) < 0)
                throw new LibraryArgumentError(1, "invalid conversion specifier");
            AppendConversion(builder, conversion, time);
        }
    }

    private static readonly string[] ShortDays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    private static readonly string[] LongDays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] ShortMonths = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    private static readonly string[] LongMonths = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    private static void AppendConversion(ByteBuilder builder, byte conversion, in BrokenDownTime time)
    {
        switch (conversion)
        {
            case (byte)'a':
                builder.AppendAscii(ShortDays[time.WeekDay]);
                break;
            case (byte)'A':
                builder.AppendAscii(LongDays[time.WeekDay]);
                break;
            case (byte)'b':
                builder.AppendAscii(ShortMonths[time.Month - 1]);
                break;
            case (byte)'B':
                builder.AppendAscii(LongMonths[time.Month - 1]);
                break;
            case (byte)'c':
                // The C locale's date and time: "%a %b %e %H:%M:%S %Y", %e being the day padded with a space.
                builder.AppendAscii(ShortDays[time.WeekDay]);
                builder.Append((byte)' ');
                builder.AppendAscii(ShortMonths[time.Month - 1]);
                builder.Append((byte)' ');
                if (time.Day < 10)
                    builder.Append((byte)' ');
                AppendNumber(builder, time.Day, 1);
                builder.Append((byte)' ');
                AppendClock(builder, time);
                builder.Append((byte)' ');
                AppendNumber(builder, time.Year, 1);
                break;
            case (byte)'d':
                AppendNumber(builder, time.Day, 2);
                break;
            case (byte)'H':
                AppendNumber(builder, time.Hour, 2);
                break;
            case (byte)'I':
                AppendNumber(builder, time.Hour % 12 == 0 ? 12 : time.Hour % 12, 2);
                break;
            case (byte)'j':
                AppendNumber(builder, time.YearDay + 1, 3);
                break;
            case (byte)'m':
                AppendNumber(builder, time.Month, 2);
                break;
            case (byte)'M':
                AppendNumber(builder, time.Minute, 2);
                break;
            case (byte)'p':
                builder.Append(time.Hour < 12 ? "AM"u8 : "PM"u8);
                break;
            case (byte)'S':
                AppendNumber(builder, time.Second, 2);
                break;
            case (byte)'U':
                // Week of the year counting from the first Sunday (days before it are week 0).
                AppendNumber(builder, (time.YearDay + 7 - time.WeekDay) / 7, 2);
                break;
            case (byte)'w':
                AppendNumber(builder, time.WeekDay, 1);
                break;
            case (byte)'W':
                // The same counting from the first Monday.
                AppendNumber(builder, (time.YearDay + 7 - (time.WeekDay + 6) % 7) / 7, 2);
                break;
            case (byte)'x':
                AppendNumber(builder, time.Month, 2);
                builder.Append((byte)'/');
                AppendNumber(builder, time.Day, 2);
                builder.Append((byte)'/');
                AppendNumber(builder, TwoDigitYear(time), 2);
                break;
            case (byte)'X':
                AppendClock(builder, time);
                break;
            case (byte)'y':
                AppendNumber(builder, TwoDigitYear(time), 2);
                break;
            case (byte)'Y':
                AppendNumber(builder, time.Year, 1);
                break;
            case (byte)'z':
                {
                    int offset = time.UtcOffsetSeconds;
                    builder.Append(offset < 0 ? (byte)'-' : (byte)'+');
                    offset = Math.Abs(offset) / 60;
                    AppendNumber(builder, offset / 60 * 100 + offset % 60, 4);
                    break;
                }
            case (byte)'Z':
                builder.AppendAscii(time.ZoneName ?? "");
                break;
            default:
                builder.Append((byte)'%');
                break;
        }
    }

    /// <summary>%y as this glibc computes it: the remainder of tm_year by 100, made non-negative.</summary>
    private static int TwoDigitYear(in BrokenDownTime time) => (time.YearsSince1900 % 100 + 100) % 100;

    private static void AppendClock(ByteBuilder builder, in BrokenDownTime time)
    {
        AppendNumber(builder, time.Hour, 2);
        builder.Append((byte)':');
        AppendNumber(builder, time.Minute, 2);
        builder.Append((byte)':');
        AppendNumber(builder, time.Second, 2);
    }

    /// <summary>A decimal number with a minus sign when negative, zero-padded to at least <paramref name="minimumDigits"/>.</summary>
    private static void AppendNumber(ByteBuilder builder, int value, int minimumDigits)
    {
        if (value < 0)
            builder.Append((byte)'-');
        ulong magnitude = value < 0 ? (ulong)-(long)value : (ulong)value;
        Span<byte> digits = stackalloc byte[12];
        int count = NumberFormatter.WriteDigitsRight(magnitude, digits);
        builder.Append((byte)'0', minimumDigits - count);
        builder.Append(digits[(digits.Length - count)..]);
    }
}

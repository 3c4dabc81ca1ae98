using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>The <c>os</c> library: time and date only (Luau has no process, file or environment access).</summary>
internal static class OsLibrary
{
    public static void Open(LuauState state, LuauPlatform platform)
    {
        LibraryUtil.CreateLibrary(state, "os",
            ("clock", Clock(platform)),
            ("date", c => Date(c, platform)),
            ("difftime", c => c.Return(DateTimeFormat.DiffTime(c.CheckNumber(1), c.OptNumber(2, 0)))),
            ("time", c => Time(c, platform)));
    }

    private static LuauCallback Clock(LuauPlatform platform) => c => c.Return(platform.Clock());

    /// <summary>Replaces the functions that read <paramref name="platform"/> in an <c>os</c> table made from a template.</summary>
    internal static void BindPlatform(LuauState state, LuauTable os, LuauPlatform platform) =>
        LibraryUtil.Register(state, os,
            ("clock", Clock(platform)),
            ("date", c => Date(c, platform)),
            ("time", c => Time(c, platform)));

    private static int Date(LuauCallContext c, LuauPlatform platform)
    {
        var formatString = c.OptString(1, null);
        var format = formatString is null ? "%c"u8 : formatString.Span;
        long t = c[2].IsNil ? platform.UnixTime() : NativeCasts.ToInt64(c.CheckNumber(2));
        var rest = DateTimeFormat.ParseDateFormat(format, out bool utc, out bool asTable);
        bool ok = utc ? DateTimeFormat.TryToUtc(t, out var tm) : DateTimeFormat.TryToLocal(t, platform.LocalTimeZone, out tm);
        if (!ok)
            return c.Return(LuauValue.Nil);
        if (asTable)
        {
            var state = c.State;
            var table = state.CreateTable(0, 9);
            LibraryUtil.SetField(state, table, "sec", tm.Second);
            LibraryUtil.SetField(state, table, "min", tm.Minute);
            LibraryUtil.SetField(state, table, "hour", tm.Hour);
            LibraryUtil.SetField(state, table, "day", tm.Day);
            LibraryUtil.SetField(state, table, "month", tm.Month);
            LibraryUtil.SetField(state, table, "year", tm.Year);
            LibraryUtil.SetField(state, table, "wday", tm.LuaWeekDay);
            LibraryUtil.SetField(state, table, "yday", tm.LuaYearDay);
            LibraryUtil.SetField(state, table, "isdst", tm.IsDaylightSaving);
            return c.Return(table);
        }
        using var b = new ByteBuilder(64);
        DateTimeFormat.AppendFormatted(b, rest, in tm);
        return c.Return(LuauString.From(b.AsSpan()));
    }

    private static int Time(LuauCallContext c, LuauPlatform platform)
    {
        if (c[1].IsNil)
            return c.Return(platform.UnixTime());
        var t = c.CheckTable(1);
        var state = c.State;
        int Field(string key, int defaultValue)
        {
            var v = t.GetStr(state.Intern(key));
            if (Interpreter.ToNumber(in v, out double d))
                return NativeCasts.ToInt32(d);
            if (defaultValue < 0)
                throw DateTimeFormat.MissingField(key);
            return defaultValue;
        }
        int sec = Field("sec", 0);
        int min = Field("min", 0);
        int hour = Field("hour", 12);
        int day = Field("day", -1);
        int month = Field("month", -1);
        int year = Field("year", -1);
        var r = DateTimeFormat.TimeFromFields(year, month, day, hour, min, sec);
        return r is long seconds ? c.Return(seconds) : c.Return(LuauValue.Nil);
    }
}

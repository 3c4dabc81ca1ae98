using System.Runtime.CompilerServices;
using Coputer.Luau.Library;

namespace Coputer.Luau.VM;

internal static partial class Interpreter
{
    /// <summary>
    /// How a chunk name appears in messages (the reference's luaO_chunkid): <c>=name</c> shows as <c>name</c>,
    /// <c>@path</c> as the path (keeping its end if long), anything else as <c>[string "first line..."]</c>.
    /// </summary>
    internal static string ChunkId(LuauString source)
    {
        const int idSize = 256;
        var s = source.Span;
        if (s.Length > 0 && s[0] == '=')
        {
            var rest = s[1..];
            return System.Text.Encoding.UTF8.GetString(rest.Length <= idSize - 1 ? rest : rest[..(idSize - 1)]);
        }
        if (s.Length > 0 && s[0] == '@')
        {
            var rest = s[1..];
            if (rest.Length <= idSize - 1)
                return System.Text.Encoding.UTF8.GetString(rest);
            return "..." + System.Text.Encoding.UTF8.GetString(rest[^(idSize - 4)..]);
        }
        int len = s.IndexOfAny((byte)'\n', (byte)'\r');
        if (len < 0)
            len = s.Length;
        int max = idSize - "[string \"...\"]".Length - 1;
        bool truncate = len < s.Length || len > max;
        if (len > max)
            len = max;
        string text = System.Text.Encoding.UTF8.GetString(s[..len]);
        return truncate ? $"[string \"{text}...\"]" : $"[string \"{text}\"]";
    }

    /// <summary>String to number as arithmetic coercion and <c>tonumber</c> do.</summary>
    internal static bool TryStringToNumber(LuauString s, out double value) => NumberParser.TryParse(s.Span, out value);

    /// <summary>A number as <c>tostring</c> prints it.</summary>
    internal static LuauString NumberToString(double d)
    {
        Span<byte> buffer = stackalloc byte[NumberFormatter.MaxLength];
        int n = NumberFormatter.Format(d, buffer);
        return LuauString.From(buffer[..n]);
    }

    /// <summary>Double to int the way the reference's casts behave on x86-64 (out of range and NaN give int.MinValue).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int DoubleToInt(double d) => NativeCasts.ToInt32(d);
}

/// <summary>Why a script was stopped.</summary>
public enum LuauTerminationReason
{
    /// <summary>The host's cancellation token was cancelled.</summary>
    Cancelled,

    /// <summary>The run's instruction budget ran out.</summary>
    Instructions,

    /// <summary>The run took longer than its timeout.</summary>
    Timeout,
}

/// <summary>
/// Stops a script for good: a budget ran out or the host cancelled it. Unlike Luau errors, <c>pcall</c> cannot
/// catch it, so a hostile script cannot keep running past its limits.
/// </summary>
public sealed class LuauTerminatedException(string message, LuauTerminationReason reason = LuauTerminationReason.Cancelled) : LuauException(message)
{
    /// <summary>Which limit stopped the script.</summary>
    public LuauTerminationReason Reason { get; } = reason;
}

using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>The <c>utf8</c> library (Lua 5.3's, with the reference's validity rules).</summary>
internal static class Utf8Library
{
    public static void Open(LuauState state)
    {
        var lib = LibraryUtil.CreateLibrary(state, "utf8",
            ("offset", Offset),
            ("codepoint", CodePoint),
            ("char", Char),
            ("len", Len),
            ("codes", Codes));
        LibraryUtil.SetField(state, lib, "charpattern", LuauString.From(Utf8.CharPattern));
    }

    private static int Len(LuauCallContext c)
    {
        var s = c.CheckString(1);
        int i = c.OptInteger(2, 1);
        int j = c.OptInteger(3, -1);
        return Utf8.TryLength(s.Span, i, j, out int result) ? c.Return(result) : c.Return(LuauValue.Nil, result);
    }

    private static int CodePoint(LuauCallContext c)
    {
        var s = c.CheckString(1);
        int i = c.OptInteger(2, 1);
        int? j = c[3].IsNil ? null : c.CheckInteger(3);
        if (!Utf8.TryGetCodePointRange(s.Length, i, j, out int start, out int end))
            return 0;
        if (end - start >= int.MaxValue)
            throw new LuauError("string slice too long");
        c.CheckStack(end - start, "string slice too long");
        int n = 0;
        var text = s.Span;
        for (int pos = start; pos < end; n++)
        {
            pos = Utf8.DecodeOrThrow(text, pos, out int code);
            c.Push(code);
        }
        return n;
    }

    private static int Char(LuauCallContext c)
    {
        using var b = new ByteBuilder(c.State, c.ArgumentCount * 4);
        for (int i = 1; i <= c.ArgumentCount; i++)
            Utf8.AppendChar(b, c.CheckInteger(i), i);
        return c.Return(LuauString.From(b.AsSpan()));
    }

    private static int Offset(LuauCallContext c)
    {
        var s = c.CheckString(1);
        int n = c.CheckInteger(2);
        int? i = c[3].IsNil ? null : c.CheckInteger(3);
        int position = Utf8.Offset(s.Span, n, i);
        return position == 0 ? c.Return(LuauValue.Nil) : c.Return(position);
    }

    private static readonly HostFunction s_codesStep = new("codes", c =>
    {
        var s = c.CheckString(1);
        long control = c[2].Type == LuauType.Number ? NativeCasts.ToInt32(c[2].Number) : 0;
        return Utf8.NextCode(s.Span, control, out int position, out int code) ? c.Return(position, code) : 0;
    })
    {
        // Shared by every state: a fixed identifier, so no state writes one and printing it gives the same text everywhere.
        KeyId = LibraryTemplate.CodesStepKeyId,
    };

    private static int Codes(LuauCallContext c)
    {
        var s = c.CheckString(1);
        return c.Return(s_codesStep, s, 0);
    }
}

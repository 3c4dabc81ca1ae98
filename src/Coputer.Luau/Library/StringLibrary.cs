using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>
/// The <c>string</c> library, also the <c>__index</c> of the string metatable so that <c>s:upper()</c> works.
/// Positions are 1-based byte offsets; negative positions count from the end.
/// </summary>
internal static class StringLibrary
{
    public static void Open(LuauState state)
    {
        var lib = LibraryUtil.CreateLibrary(state, "string",
            ("byte", Byte),
            ("char", Char),
            ("find", c => FindAux(c, find: true)),
            ("format", Format),
            ("gmatch", GMatch),
            ("gsub", GSub),
            ("len", c => c.Return(c.CheckString(1).Length)),
            ("lower", c => c.Return(MapBytes(c, static b => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b))),
            ("match", c => FindAux(c, find: false)),
            ("rep", Rep),
            ("reverse", Reverse),
            ("sub", Sub),
            ("upper", c => c.Return(MapBytes(c, static b => b is >= (byte)'a' and <= (byte)'z' ? (byte)(b - 32) : b))),
            ("split", Split),
            ("pack", Pack),
            ("packsize", PackSize),
            ("unpack", Unpack));
        var meta = state.CreateTable(0, 1);
        LibraryUtil.SetField(state, meta, "__index", lib);
        state.SetTypeMetatable(LuauType.String, meta);
    }

    /// <summary>A relative string position: negative counts back from the end; the result is at least 0.</summary>
    private static int PosRelat(int pos, int length)
    {
        if (pos < 0)
            pos += length + 1;
        return pos >= 0 ? pos : 0;
    }

    private static LuauString NewString(LuauCallContext c, ReadOnlySpan<byte> bytes)
    {
        c.State.ChargeMemory(MemoryCost.String(bytes.Length));
        return LuauString.From(bytes);
    }

    private static int Sub(LuauCallContext c)
    {
        var s = c.CheckString(1);
        int l = s.Length;
        int start = PosRelat(c.CheckInteger(2), l);
        int end = PosRelat(c.OptInteger(3, -1), l);
        if (start < 1)
            start = 1;
        if (end > l)
            end = l;
        return c.Return(start <= end ? NewString(c, s.Span[(start - 1)..end]) : LuauString.Empty);
    }

    private static int Reverse(LuauCallContext c)
    {
        var s = c.CheckString(1);
        c.State.ChargeMemory(MemoryCost.String(s.Length));
        c.State.ChargeWork(s.Length >> 4);
        var bytes = s.Span.ToArray();
        Array.Reverse(bytes);
        return c.Return(LuauString.Adopt(bytes));
    }

    private static LuauString MapBytes(LuauCallContext c, Func<byte, byte> map)
    {
        var s = c.CheckString(1);
        c.State.ChargeMemory(MemoryCost.String(s.Length));
        c.State.ChargeWork(s.Length >> 2);
        var bytes = new byte[s.Length];
        var src = s.Span;
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = map(src[i]);
        return LuauString.Adopt(bytes);
    }

    private static int Rep(LuauCallContext c)
    {
        var s = c.CheckString(1);
        int n = c.CheckInteger(2);
        if (n <= 0)
            return c.Return(LuauString.Empty);
        long total = (long)s.Length * n;
        if (total > Interpreter.MaxStringLength)
            throw new LuauError("resulting string too large");
        var state = c.State;
        state.ChargeMemory(MemoryCost.String(total));
        var bytes = new byte[total];
        var src = s.Span;
        if (total > 0)
        {
            // Double the filled prefix each step, in pieces of at most 1 MB so the run's limits are polled as it goes.
            const int piece = 1 << 20;
            long filled = Math.Min(src.Length, total);
            src[..(int)filled].CopyTo(bytes);
            while (filled < total)
            {
                long chunk = Math.Min(Math.Min(filled, total - filled), piece);
                state.ChargeWork(chunk >> 4);
                Array.Copy(bytes, 0, bytes, filled, chunk);
                filled += chunk;
            }
        }
        return c.Return(LuauString.Adopt(bytes));
    }

    private static int Byte(LuauCallContext c)
    {
        var s = c.CheckString(1);
        int l = s.Length;
        int posi = PosRelat(c.OptInteger(2, 1), l);
        int pose = PosRelat(c.OptInteger(3, posi), l);
        if (posi <= 0)
            posi = 1;
        if (pose > l)
            pose = l;
        if (posi > pose)
            return 0;
        int n = pose - posi + 1;
        if (posi + n <= pose)
            throw new LuauError("string slice too long");
        c.CheckStack(n, "string slice too long");
        var thread = c.Thread;
        var bytes = s.Span;
        for (int i = 0; i < n; i++)
            thread.Stack[thread.Top++] = new LuauValue(bytes[posi + i - 1]);
        return n;
    }

    private static int Char(LuauCallContext c)
    {
        int n = c.ArgumentCount;
        c.State.ChargeMemory(MemoryCost.String(n));
        var bytes = new byte[n];
        for (int i = 1; i <= n; i++)
        {
            int ch = c.CheckInteger(i);
            if ((uint)ch > 255)
                throw c.ArgumentError(i, "invalid value");
            bytes[i - 1] = (byte)ch;
        }
        return c.Return(LuauString.Adopt(bytes));
    }

    private static int Split(LuauCallContext c)
    {
        var haystack = c.CheckString(1).Span;
        var sep = c.OptString(2, null);
        var needle = sep is null ? ","u8 : sep.Span;
        var result = c.State.CreateTable();
        int count = 0;
        int spanStart = 0;
        int begin = needle.Length == 0 ? 1 : 0;
        for (int i = begin; i <= haystack.Length - needle.Length; i++)
        {
            if (haystack.Slice(i, needle.Length).SequenceEqual(needle))
            {
                result.SetNum(++count) = NewString(c, haystack[spanStart..i]);
                spanStart = i + needle.Length;
                if (needle.Length > 0)
                    i += needle.Length - 1;
            }
        }
        // With an empty separator every byte was already a field.
        if (needle.Length > 0)
            result.SetNum(++count) = NewString(c, haystack[spanStart..]);
        return c.Return(result);
    }

    // ---- patterns ----

    private static Action? Interrupt(LuauCallContext c) => c.State.PatternInterrupt;

    /// <summary>Pushes the captures of a match (or the whole match when there are none, if <paramref name="wholeIfNone"/>).</summary>
    private static int PushCaptures(LuauCallContext c, ref PatternMatcher m, ReadOnlySpan<byte> source, int matchStart, int matchEnd, bool wholeIfNone)
    {
        int n = m.CaptureCount == 0 && wholeIfNone ? 1 : m.CaptureCount;
        for (int i = 0; i < n; i++)
            c.Push(CaptureValue(c, ref m, source, i, matchStart, matchEnd));
        return n;
    }

    private static LuauValue CaptureValue(LuauCallContext c, ref PatternMatcher m, ReadOnlySpan<byte> source, int index, int matchStart, int matchEnd)
    {
        var cap = m.GetCapture(index, matchStart, matchEnd);
        return cap.IsPosition ? new LuauValue(cap.Position) : new LuauValue(NewString(c, source.Slice(cap.Start, cap.Length)));
    }

    private static int FindAux(LuauCallContext c, bool find)
    {
        var s = c.CheckString(1);
        var p = c.CheckString(2);
        int ls = s.Length;
        int init = PosRelat(c.OptInteger(3, 1), ls);
        if (init < 1)
            init = 1;
        else if (init > ls + 1)
            return c.Return(LuauValue.Nil);
        var source = s.Span;
        if (find && (c[4].IsTruthy || !LuaPattern.HasSpecials(p.Span)))
        {
            int at = LuaPattern.FindPlain(source, p.Span, init - 1);
            if (at >= 0)
                return c.Return(at + 1, at + p.Length);
            return c.Return(LuauValue.Nil);
        }
        var m = new PatternMatcher(source, p.Span, caretAnchors: true, Interrupt(c));
        if (m.Search(init - 1, out int start, out int end))
        {
            if (find)
            {
                c.Push(start + 1);
                c.Push(end);
                return PushCaptures(c, ref m, source, start, end, wholeIfNone: false) + 2;
            }
            return PushCaptures(c, ref m, source, start, end, wholeIfNone: true);
        }
        return c.Return(LuauValue.Nil);
    }

    private static int GMatch(LuauCallContext c)
    {
        var s = c.CheckString(1);
        var p = c.CheckString(2);
        int position = 0;
        return c.Return(new LuauValue(new HostFunction("gmatch", gc =>
        {
            var source = s.Span;
            var m = new PatternMatcher(source, p.Span, caretAnchors: false, gc.State.PatternInterrupt);
            if (!m.NextMatch(ref position, out int start, out int end))
            {
                position = source.Length + 1;
                return 0;
            }
            return PushCaptures(gc, ref m, source, start, end, wholeIfNone: true);
        })));
    }

    private static int GSub(LuauCallContext c)
    {
        var s = c.CheckString(1);
        var p = c.CheckString(2);
        var repl = c[3];
        int maxCount = c.OptInteger(4, s.Length + 1);
        if (repl.Type is not (LuauType.Number or LuauType.String or LuauType.Function or LuauType.Table))
            throw c.TypeError(3, "string/function/table");
        var source = s.Span;
        using var output = new ByteBuilder(c.State, source.Length + 16);
        var m = new PatternMatcher(source, p.Span, caretAnchors: true, Interrupt(c));
        int count;
        if (repl.Type is LuauType.String or LuauType.Number)
        {
            var r = c.CheckString(3);
            count = m.ReplaceAll(r.Span, maxCount, output);
        }
        else
        {
            while (m.NextReplacement(output, maxCount, out int start, out int end))
            {
                LuauValue value;
                if (repl.Type == LuauType.Function)
                {
                    int n = m.CaptureCount == 0 ? 1 : m.CaptureCount;
                    var args = new LuauValue[n];
                    for (int i = 0; i < n; i++)
                        args[i] = CaptureValue(c, ref m, source, i, start, end);
                    value = c.Call1(repl, args);
                }
                else
                {
                    var key = CaptureValue(c, ref m, source, 0, start, end);
                    value = Interpreter.GetTableSlow(c.Thread, repl, key, null, 0);
                }
                if (value.IsFalsy)
                    output.Append(source[start..end]);
                else if (value.Type == LuauType.String)
                    output.Append(value.AsString!.Span);
                else if (value.Type == LuauType.Number)
                    NumberFormatter.Append(output, value.Number);
                else
                    throw new LuauError($"invalid replacement value (a {TypeNames.Of(value.Type)})");
            }
            m.FinishReplacement(output);
            count = m.ReplacementCount;
        }
        return c.Return(NewString(c, output.AsSpan()), count);
    }

    // ---- format ----

    private static int Format(LuauCallContext c)
    {
        var fmt = c.CheckString(1).Span;
        int top = c.ArgumentCount;
        int arg = 1;
        using var b = new ByteBuilder(c.State, fmt.Length + 32);
        int i = 0;
        while (i < fmt.Length)
        {
            byte ch = fmt[i++];
            if (ch != '%')
            {
                b.Append(ch);
                continue;
            }
            var spec = StringFormat.Parse(fmt, ref i, arg + 1, top);
            if (!spec.TakesArgument)
            {
                b.Append((byte)'%');
                continue;
            }
            arg++;
            switch ((char)spec.Conversion)
            {
                case '*':
                    b.Append(LibraryUtil.ToDisplayString(c.Thread, c[arg]).Span);
                    break;
                case 'c':
                    StringFormat.AppendChar(b, in spec, (byte)NativeCasts.ToInt32(c.CheckNumber(arg)));
                    break;
                case 'd':
                case 'i':
                    StringFormat.AppendInteger(b, in spec, c[arg].IsInteger ? c[arg].Integer : NativeCasts.ToInt64(c.CheckNumber(arg)));
                    break;
                case 'o':
                case 'u':
                case 'x':
                case 'X':
                    {
                        // An integer argument prints its bits as unsigned.
                        if (c[arg].IsInteger)
                        {
                            StringFormat.AppendUnsigned(b, in spec, (ulong)c[arg].Integer);
                            break;
                        }
                        double v = c.CheckNumber(arg);
                        StringFormat.AppendUnsigned(b, in spec, v < 0 ? (ulong)NativeCasts.ToInt64(v) : NativeCasts.ToUInt64(v));
                        break;
                    }
                case 'q':
                    StringFormat.AppendQuoted(b, c.CheckString(arg).Span);
                    break;
                case 's':
                    StringFormat.AppendString(b, in spec, c.CheckString(arg).Span);
                    break;
                default:
                    StringFormat.AppendNumber(b, in spec, LuauMath.Observable(c.State, c.CheckNumber(arg)));
                    break;
            }
            if (b.Length > Interpreter.MaxStringLength)
                throw new LuauError("resulting string too large");
        }
        return c.Return(NewString(c, b.AsSpan()));
    }

    // ---- pack ----

    private readonly struct PackArguments(LuauCallContext c) : IPackArguments
    {
        private readonly LuauThread _thread = c.Thread;
        private readonly int _base = c.Base;
        private readonly int _count = c.ArgumentCount;

        private LuauValue Get(int argument) => argument <= _count ? _thread.Stack[_base + argument - 1] : default;

        // The reference pushes a nil after the arguments before packing, so the first missing argument reads as a
        // nil one ("got nil"), never as "missing argument"; packing stops there, so no later argument is checked.
        private LuauError TypeError(int argument, string expected) =>
            new($"invalid argument #{argument} to 'pack' ({expected} expected, got {TypeNames.Of(Get(argument).Type)})");

        public double GetNumber(int argument)
        {
            var v = Get(argument);
            if (Interpreter.ToNumber(in v, out double d) && argument <= _count)
                return LuauMath.Observable(_thread.State, d);
            throw TypeError(argument, "number");
        }

        public ReadOnlySpan<byte> GetString(int argument)
        {
            var v = Get(argument);
            if (v.Type == LuauType.String)
                return v.AsString!.Span;
            if (v.Type == LuauType.Number && argument <= _count)
                return Interpreter.NumberToString(v.Number).Span;
            throw TypeError(argument, "string");
        }
    }

    private static int Pack(LuauCallContext c)
    {
        var fmt = c.CheckString(1);
        var args = new PackArguments(c);
        using var output = new ByteBuilder(c.State);
        StringPack.Pack(fmt.Span, ref args, output);
        return c.Return(NewString(c, output.AsSpan()));
    }

    private static int PackSize(LuauCallContext c) => c.Return(StringPack.PackSize(c.CheckString(1).Span));

    private struct UnpackResults(LuauCallContext c) : IUnpackResults
    {
        private readonly LuauThread _thread = c.Thread;
        private readonly LuauState _state = c.State;
        public int Count;

        public void AddNumber(double value)
        {
            _thread.Push(new LuauValue(value));
            Count++;
        }

        public void AddString(ReadOnlySpan<byte> value)
        {
            _state.ChargeMemory(MemoryCost.String(value.Length));
            _thread.Push(new LuauValue(LuauString.From(value)));
            Count++;
        }
    }

    private static int Unpack(LuauCallContext c)
    {
        var fmt = c.CheckString(1);
        var data = c.CheckString(2);
        var results = new UnpackResults(c);
        int next = StringPack.Unpack(fmt.Span, data.Span, c.OptInteger(3, 1), ref results);
        c.Push(next);
        return results.Count + 1;
    }
}

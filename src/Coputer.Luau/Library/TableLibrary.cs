using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>The <c>table</c> library (and the global <c>unpack</c>, kept for Lua 5.1 compatibility).</summary>
internal static class TableLibrary
{
    public static void Open(LuauState state)
    {
        LibraryUtil.CreateLibrary(state, "table",
            ("concat", Concat),
            ("foreach", ForEach),
            ("foreachi", ForEachI),
            ("getn", GetN),
            ("maxn", MaxN),
            ("insert", Insert),
            ("remove", Remove),
            ("sort", Sort),
            ("pack", Pack),
            ("unpack", Unpack),
            ("move", Move),
            ("create", Create),
            ("find", Find),
            ("clear", Clear),
            ("freeze", Freeze),
            ("isfrozen", IsFrozen),
            ("clone", Clone));
        LibraryUtil.SetField(state, state.Globals, "unpack", new HostFunction("unpack", Unpack));
    }

    private static void CheckWritable(LuauTable t)
    {
        if (t.IsReadOnly)
            throw new RuntimeError("attempt to modify a readonly table");
    }

    private static int ForEachI(LuauCallContext c)
    {
        var t = c.CheckTable(1);
        c.CheckType(2, LuauType.Function);
        var f = c[2];
        int n = t.Length();
        for (int i = 1; i <= n; i++)
        {
            var r = c.Call1(f, i, t.GetNum(i));
            if (!r.IsNil)
                return c.Return(r);
        }
        return 0;
    }

    private static int ForEach(LuauCallContext c)
    {
        var t = c.CheckTable(1);
        c.CheckType(2, LuauType.Function);
        var f = c[2];
        var key = LuauValue.Nil;
        while (t.Next(key, out var k, out var v))
        {
            var r = c.Call1(f, k, v);
            if (!r.IsNil)
                return c.Return(r);
            key = k;
        }
        return 0;
    }

    private static int MaxN(LuauCallContext c)
    {
        var t = c.CheckTable(1);
        double max = 0;
        for (int i = 0; i < t.Array.Length; i++)
        {
            if (!t.Array[i].IsNil)
                max = i + 1;
        }
        int index = t.Array.Length;
        while ((index = t.NextFrom(index, out var k, out _)) >= 0)
        {
            if (k.Type == LuauType.Number && k.Number > max)
                max = k.Number;
            index++;
        }
        return c.Return(max);
    }

    private static int GetN(LuauCallContext c) => c.Return(c.CheckTable(1).Length());

    /// <summary>
    /// Copies src[f..e] to dst[t..] without metamethods, in the order that never overwrites unread elements.
    /// A long range over small tables goes through the keys that exist instead of every index of the range.
    /// </summary>
    private static void MoveElements(LuauState state, LuauTable src, LuauTable dst, int f, int e, int t, bool sparseAllowed)
    {
        CheckWritable(dst);
        int n = e - f + 1;
        if ((uint)(f - 1) < (uint)src.Array.Length && (uint)(t - 1) < (uint)dst.Array.Length
            && (uint)(f - 1) + (uint)n <= (uint)src.Array.Length && (uint)(t - 1) + (uint)n <= (uint)dst.Array.Length)
        {
            // Array.Copy handles overlap in either direction.
            Array.Copy(src.Array, f - 1, dst.Array, t - 1, n);
            return;
        }
        if (sparseAllowed && ShouldMoveSparsely(src, dst, n))
        {
            MoveSparse(state, src, dst, f, e, t);
            return;
        }
        var poll = state.PatternInterrupt;
        if (t > e || t <= f || dst != src)
        {
            for (int i = 0; i < n; i++)
            {
                dst.SetNum(t + i) = src.GetNum(f + i);
                if ((i & 4095) == 4095)
                    poll();
            }
        }
        else
        {
            for (int i = n - 1; i >= 0; i--)
            {
                dst.SetNum(t + i) = src.GetNum(f + i);
                if ((i & 4095) == 0)
                    poll();
            }
        }
    }

    private static bool ShouldMoveSparsely(LuauTable src, LuauTable dst, int n)
    {
        long srcElements = src.Array.Length + src.Nodes.Length;
        long dstElements = dst.Array.Length + dst.Nodes.Length;
        return n > 32 && n / 2 > Math.Max(srcElements, dstElements);
    }

    private static bool IntegerKeyIn(in LuauValue key, int low, int high, out int k)
    {
        k = 0;
        if (key.Type != LuauType.Number || !(key.Number >= low && key.Number <= high))
            return false;
        k = (int)key.Number;
        return k == key.Number;
    }

    /// <summary>The same result as copying index by index, visiting only the keys the tables hold.</summary>
    private static void MoveSparse(LuauState state, LuauTable src, LuauTable dst, int f, int e, int t)
    {
        int te = t + (e - f);
        var moved = state.CreateTable();
        int i = 0;
        while ((i = src.NextFrom(i, out var key, out var value)) >= 0)
        {
            if (IntegerKeyIn(in key, f, e, out int k))
                moved.SetNum(k) = value;
            i++;
        }
        i = 0;
        while ((i = dst.NextFrom(i, out var key, out _)) >= 0)
        {
            if (IntegerKeyIn(in key, t, te, out int k))
                dst.SetNum(k) = LuauValue.Nil;
            i++;
        }
        i = 0;
        while ((i = moved.NextFrom(i, out var key, out var value)) >= 0)
        {
            dst.SetNum((int)key.Number - f + t) = value;
            i++;
        }
    }

    private static int Insert(LuauCallContext c)
    {
        var t = c.CheckTable(1);
        int n = t.Length();
        int pos;
        switch (c.ArgumentCount)
        {
            case 2:
                pos = n + 1;
                break;
            case 3:
                pos = c.CheckInteger(2);
                if (1 <= pos && pos <= n)
                    MoveElements(c.State, t, t, pos, n, pos + 1, false);
                break;
            default:
                throw new LuauError("wrong number of arguments to 'insert'");
        }
        CheckWritable(t);
        t.SetNum(pos) = c[c.ArgumentCount];
        return 0;
    }

    private static int Remove(LuauCallContext c)
    {
        var t = c.CheckTable(1);
        int n = t.Length();
        int pos = c.OptInteger(2, n);
        if (!(1 <= pos && pos <= n))
            return 0;
        var v = t.GetNum(pos);
        MoveElements(c.State, t, t, pos + 1, n, pos, false);
        CheckWritable(t);
        t.SetNum(n) = LuauValue.Nil;
        return c.Return(v);
    }

    private static int Move(LuauCallContext c)
    {
        var a1 = c.CheckTable(1);
        int f = c.CheckInteger(2);
        int e = c.CheckInteger(3);
        int t = c.CheckInteger(4);
        int tt = c[5].IsNil ? 1 : 5;
        var dst = c.CheckTable(tt);
        if (e >= f)
        {
            if (!(f > 0 || e < int.MaxValue + f))
                throw c.ArgumentError(3, "too many elements to move");
            int n = e - f + 1;
            if (!(t <= int.MaxValue - n + 1))
                throw c.ArgumentError(4, "destination wrap around");
            CheckWritable(dst);
            if (t > 0 && t - 1 <= dst.Array.Length && t - 1 + n > dst.Array.Length)
                dst.ResizeArray(t - 1 + n);
            MoveElements(c.State, a1, dst, f, e, t, true);
        }
        return c.Return(dst);
    }

    private static void AddField(ByteBuilder b, LuauTable t, int i)
    {
        var v = t.GetNum(i);
        if (v.Type == LuauType.String)
            b.Append(v.AsString!.Span);
        else if (v.Type == LuauType.Number)
            NumberFormatter.Append(b, v.Number);
        else
            throw new LuauError($"invalid value ({TypeNames.Of(v.Type)}) at index {i} in table for 'concat'");
    }

    private static int Concat(LuauCallContext c)
    {
        var sep = c.OptString(2, LuauString.Empty)!;
        var t = c.CheckTable(1);
        int i = c.OptInteger(3, 1);
        int last = c[4].IsNil ? t.Length() : c.CheckInteger(4);
        using var b = new ByteBuilder(c.State);
        for (; i < last; i++)
        {
            AddField(b, t, i);
            if (sep.Length != 0)
                b.Append(sep.Span);
            if (b.Length > Interpreter.MaxStringLength)
                throw new LuauError("resulting string too large");
        }
        if (i == last)
            AddField(b, t, i);
        c.State.ChargeMemory(MemoryCost.String(b.Length));
        return c.Return(LuauString.From(b.AsSpan()));
    }

    private static int Pack(LuauCallContext c)
    {
        int n = c.ArgumentCount;
        var t = c.State.CreateTable(n, 1);
        for (int i = 0; i < n; i++)
            t.Array[i] = c[i + 1];
        t.SetStr(c.State.Intern("n")) = n;
        return c.Return(t);
    }

    private static int Unpack(LuauCallContext c)
    {
        var t = c.CheckTable(1);
        int i = c.OptInteger(2, 1);
        int e = c[3].IsNil ? t.Length() : c.CheckInteger(3);
        if (i > e)
            return 0;
        uint n = (uint)e - (uint)i;
        if (n >= int.MaxValue || !c.CheckStack((int)++n))
            throw new LuauError("too many results to unpack");
        var thread = c.Thread;
        var stack = thread.Stack;
        for (uint k = 0; k < n; k++)
            stack[thread.Top++] = t.GetNum(i + (int)k);
        return (int)n;
    }

    private static int Create(LuauCallContext c)
    {
        int size = c.CheckInteger(1);
        if (size < 0)
            throw c.ArgumentError(1, "size out of range");
        // A size past the memory limit is "not enough memory" (before the table's own size check); the array itself
        // is then charged once, by the table, before it is allocated.
        c.State.ChargeMemory(MemoryCost.Table + MemoryCost.Values(size));
        c.State.ChargeMemory(-MemoryCost.Values(size));
        var t = c.State.CreateTable(size, 0);
        if (!c[2].IsNil)
        {
            // In pieces charged as work, so a timeout or cancellation stops a huge fill soon.
            var value = c[2];
            const int piece = 1 << 16;
            for (int start = 0; start < size; start += piece)
            {
                int n = Math.Min(piece, size - start);
                t.Array.AsSpan(start, n).Fill(value);
                c.State.ChargeWork(n >> 2);
            }
        }
        return c.Return(t);
    }

    private static int Find(LuauCallContext c)
    {
        var t = c.CheckTable(1);
        var v = c.CheckAny(2);
        int init = c.OptInteger(3, 1);
        if (init < 1)
            throw c.ArgumentError(3, "index out of range");
        for (int i = init; ; i++)
        {
            var e = t.GetNum(i);
            if (e.IsNil)
                break;
            if (Interpreter.ValuesEqual(c.Thread, in v, in e))
                return c.Return(i);
        }
        return c.Return(LuauValue.Nil);
    }

    private static int Clear(LuauCallContext c)
    {
        var t = c.CheckTable(1);
        CheckWritable(t);
        t.Clear();
        return 0;
    }

    private static bool HasProtectedMetatable(LuauCallContext c, LuauTable t) =>
        t.Metatable is { } mt && !mt.GetStr(c.State.TagMethodNames[(int)TagMethod.Metatable]).IsNil;

    private static int Freeze(LuauCallContext c)
    {
        var t = c.CheckTable(1);
        if (t.IsReadOnly)
            throw c.ArgumentError(1, "table is already frozen");
        if (HasProtectedMetatable(c, t))
            throw c.ArgumentError(1, "table has a protected metatable");
        t.IsReadOnly = true;
        return c.Return(t);
    }

    private static int IsFrozen(LuauCallContext c) => c.Return(c.CheckTable(1).IsReadOnly);

    private static int Clone(LuauCallContext c)
    {
        var t = c.CheckTable(1);
        if (HasProtectedMetatable(c, t))
            throw c.ArgumentError(1, "table has a protected metatable");
        c.State.ChargeMemory(MemoryCost.Table);
        return c.Return(t.Clone());
    }

    // ---- sort: the reference's introsort, so comparator calls and results match it ----

    private static int Sort(LuauCallContext c)
    {
        var t = c.CheckTable(1);
        int n = t.Length();
        CheckWritable(t);
        LuauValue comparator = default;
        if (!c[2].IsNil)
        {
            c.CheckType(2, LuauType.Function);
            comparator = c[2];
        }
        if (n > 0)
        {
            var sorter = new Sorter(c.Thread, t, comparator);
            sorter.SortRange(0, n - 1, n);
        }
        return 0;
    }

    private sealed class Sorter(LuauThread thread, LuauTable table, LuauValue comparator)
    {
        private readonly int _size = table.Array.Length;

        private bool Less(int i, int j)
        {
            thread.State.ChargeWork(1);
            var arr = table.Array;
            var a = arr[i];
            var b = arr[j];
            bool r = comparator.IsNil
                ? Interpreter.LessThan(thread, a, b)
                : Interpreter.CallValue(thread, comparator, [a, b], 1)[0].IsTruthy;
            // The comparator may have resized the table, which would invalidate the indices.
            if (table.Array.Length != _size)
                throw new LuauError("table modified during sorting");
            return r;
        }

        private void Swap(int i, int j)
        {
            var arr = table.Array;
            (arr[i], arr[j]) = (arr[j], arr[i]);
        }

        private void SiftHeap(int l, int u, int root)
        {
            int count = u - l + 1;
            while (root * 2 + 2 < count)
            {
                int left = root * 2 + 1, right = root * 2 + 2;
                int next = root;
                next = Less(l + next, l + left) ? left : next;
                next = Less(l + next, l + right) ? right : next;
                if (next == root)
                    break;
                Swap(l + root, l + next);
                root = next;
            }
            int lastLeft = root * 2 + 1;
            if (lastLeft == count - 1 && Less(l + root, l + lastLeft))
                Swap(l + root, l + lastLeft);
        }

        private void HeapSort(int l, int u)
        {
            int count = u - l + 1;
            for (int i = count / 2 - 1; i >= 0; --i)
                SiftHeap(l, u, i);
            for (int i = count - 1; i > 0; --i)
            {
                Swap(l, l + i);
                SiftHeap(l, l + i - 1, 0);
            }
        }

        /// <summary>Sorts [l..u] (0-based, inclusive): quicksort with median of three, heapsort past the depth limit.</summary>
        public void SortRange(int l, int u, int limit)
        {
            while (l < u)
            {
                if (limit == 0)
                {
                    HeapSort(l, u);
                    return;
                }
                if (Less(u, l))
                    Swap(u, l);
                if (u - l == 1)
                    break;
                int m = l + ((u - l) >> 1);
                if (Less(m, l))
                    Swap(m, l);
                else if (Less(u, m))
                    Swap(m, u);
                if (u - l == 2)
                    break;
                int p = u - 1;
                Swap(m, u - 1);
                int i = l;
                int j = u - 1;
                while (true)
                {
                    while (Less(++i, p))
                    {
                        if (i >= u)
                            throw new LuauError("invalid order function for sorting");
                    }
                    while (Less(p, --j))
                    {
                        if (j <= l)
                            throw new LuauError("invalid order function for sorting");
                    }
                    if (j < i)
                        break;
                    Swap(i, j);
                }
                Swap(p, i);
                limit = (limit >> 1) + (limit >> 2);
                if (i - l < u - i)
                {
                    SortRange(l, i - 1, limit);
                    l = i + 1;
                }
                else
                {
                    SortRange(i + 1, u, limit);
                    u = i - 1;
                }
            }
        }
    }
}

using System.Runtime.InteropServices;

namespace Coputer.Luau.Bytecode;

/// <summary>
/// Writes bytecode in the reference's serialised format (see <c>docs/bytecode.md</c>). The compiler opens one
/// function at a time with <see cref="BeginFunction"/>, emits instructions and constants, patches jumps, and closes it
/// with <see cref="EndFunction"/>, which serialises the function body; <see cref="Finish"/> then assembles the blob
/// (version, string table, every function in creation order, the main function index).
/// </summary>
/// <remarks>
/// Strings are shared by the whole module and numbered from 1 in order of first use. Constants are per function and
/// deduplicated by value (numbers by bit pattern, so 0 and -0 stay distinct). Jumps are recorded so that
/// <see cref="FoldJumps"/> can shortcut chains of forward jumps and <see cref="ExpandJumps"/> can rewrite jumps that
/// do not fit 16 bits into trampolines through <see cref="OpCode.JumpX"/>.
/// </remarks>
internal sealed class BytecodeBuilder
{
    /// <summary>Constant indices must stay below 2^23 (the JUMPXEQK* AUX field is 24 bits, the sign bit is a flag).</summary>
    public const int MaxConstants = 1 << 23;

    /// <summary>A NEWCLOSURE child index is a signed 16-bit operand.</summary>
    public const int MaxChildren = 1 << 15;

    /// <summary>The most keys a DUPTABLE template may have.</summary>
    public const int MaxTableShapeKeys = 32;

    private const int MaxJumpDistance = 1 << 23;

    private readonly Dictionary<byte[], int> _stringIds = new(ByteArrayComparer.Instance);
    private readonly List<byte[]> _strings = [];
    private readonly List<FunctionInfo> _functions = [];
    private int _mainFunction = -1;

    // Every finished function's serialised body, in creation order (functions are built one at a time, in id order).
    private readonly ByteWriter _functionData = new(256);

    // State of the function being built; cleared by EndFunction.
    private int _current = -1;
    private List<uint> _code = [];
    private List<int> _lines = [];
    // Constants are serialised as they are added; only their count and the de-duplication maps are kept.
    private ByteWriter _constantData = new(64);
    private int _constantCount;
    private readonly Dictionary<ConstantEntry, int> _constantIds = [];
    private NumberConstantMap _numberIds = new();
    private readonly List<TableShape> _tableShapes = [];
    private readonly Dictionary<TableShape, int> _tableShapeIds = new(TableShape.Comparer);
    private readonly List<int> _children = [];
    private readonly Dictionary<int, int> _childIds = [];
    private readonly List<Jump> _jumps = [];
    private readonly List<LocalVariableInfo> _debugLocals = [];
    private readonly List<int> _debugUpvalues = [];
    private int _debugLine;
    private bool _hasLongJumps;

    /// <summary>Number of functions begun so far; the next function gets this id.</summary>
    public int FunctionCount => _functions.Count;

    /// <summary>The number of instruction words emitted into the current function.</summary>
    public int InstructionCount => _code.Count;

    /// <summary>The pc the next instruction will get (used for local variable live ranges).</summary>
    public int DebugPc => _code.Count;

    public int BeginFunction(int numParams, bool isVararg)
    {
        if (_current >= 0)
            throw new InvalidOperationException("a function is already being built");
        _current = _functions.Count;
        _functions.Add(new FunctionInfo { NumParams = (byte)numParams, IsVararg = isVararg });
        _hasLongJumps = false;
        _debugLine = 0;
        return _current;
    }

    public void EndFunction(int maxStackSize, int numUpvalues, ProtoFlags flags)
    {
        var func = _functions[_current];
        func.MaxStackSize = (byte)maxStackSize;
        func.NumUpvalues = (byte)numUpvalues;
        func.Flags = flags;
        WriteFunction(func, _functionData);
        _current = -1;

        // A huge function's buffers are dropped rather than kept for the next (usually small) one.
        const int keep = 1 << 16;
        if (_code.Capacity > keep)
        {
            _code = [];
            _lines = [];
        }
        _code.Clear();
        _lines.Clear();
        if (_constantData.Capacity > keep * 4)
            _constantData = new ByteWriter(64);
        _constantData.Clear();
        _constantCount = 0;
        _numberIds = _numberIds.Count > keep ? new NumberConstantMap() : _numberIds.Cleared();
        _constantIds.Clear();
        _tableShapes.Clear();
        _tableShapeIds.Clear();
        _children.Clear();
        _childIds.Clear();
        _jumps.Clear();
        _debugLocals.Clear();
        _debugUpvalues.Clear();
    }

    public void SetMainFunction(int id) => _mainFunction = id;

    /// <summary>The number of upvalues of an already finished function (for checking captures).</summary>
    public int GetUpvalueCount(int functionId) => _functions[functionId].NumUpvalues;

    // ---- strings and constants ----

    /// <summary>The 1-based string table reference of <paramref name="value"/>, adding it if new.</summary>
    public int AddString(byte[] value)
    {
        if (_stringIds.TryGetValue(value, out int id))
            return id;
        _strings.Add(value);
        id = _strings.Count;
        _stringIds.Add(value, id);
        return id;
    }

    private int AddConstant(ConstantEntry entry)
    {
        if (_constantIds.TryGetValue(entry, out int id))
            return id;
        id = NewConstant(entry);
        if (id >= 0)
            _constantIds.Add(entry, id);
        return id;
    }

    /// <summary>Numbers have their own map (by bit pattern): a data table can hold millions of them.</summary>
    private int AddNumber(ulong bits)
    {
        int id = _numberIds.Find(bits, out int slot);
        if (id >= 0)
            return id;
        id = NewConstant(new ConstantEntry(ConstantKind.Number, bits));
        if (id >= 0)
            _numberIds.Insert(slot, bits, id);
        return id;
    }

    /// <summary>Gives <paramref name="entry"/> the next constant index and serialises it, or returns -1 when full.</summary>
    private int NewConstant(ConstantEntry entry)
    {
        int id = _constantCount;
        if (id >= MaxConstants)
            return -1;
        WriteConstant(_constantData, entry);
        _constantCount++;
        return id;
    }

    public int AddConstantNil() => AddConstant(new ConstantEntry(ConstantKind.Nil, 0));

    public int AddConstantBoolean(bool value) => AddConstant(new ConstantEntry(ConstantKind.Boolean, value ? 1UL : 0UL));

    public int AddConstantNumber(double value) => AddNumber((ulong)BitConverter.DoubleToInt64Bits(value));

    public int AddConstantInteger(long value) => AddConstant(new ConstantEntry(ConstantKind.Integer, (ulong)value));

    public int AddConstantVector(float x, float y, float z, float w)
    {
        ulong xy = BitConverter.SingleToUInt32Bits(x) | ((ulong)BitConverter.SingleToUInt32Bits(y) << 32);
        ulong zw = BitConverter.SingleToUInt32Bits(z) | ((ulong)BitConverter.SingleToUInt32Bits(w) << 32);
        return AddConstant(new ConstantEntry(ConstantKind.Vector, xy, zw));
    }

    public int AddConstantString(byte[] value) => AddConstant(new ConstantEntry(ConstantKind.String, (ulong)AddString(value)));

    /// <summary>An import constant for a GETIMPORT path (see <see cref="Instruction.EncodeImport"/>).</summary>
    public int AddImport(uint importId) => AddConstant(new ConstantEntry(ConstantKind.Import, importId));

    /// <summary>A closure constant for DUPCLOSURE, referring to function <paramref name="functionId"/>.</summary>
    public int AddConstantClosure(int functionId) => AddConstant(new ConstantEntry(ConstantKind.Closure, (ulong)functionId));

    /// <summary>A table template for DUPTABLE; identical shapes share one constant.</summary>
    public int AddConstantTable(TableShape shape)
    {
        if (_tableShapeIds.TryGetValue(shape, out int id))
            return id;
        var copy = shape.Clone();
        _tableShapes.Add(copy);
        id = NewConstant(new ConstantEntry(ConstantKind.Table, (ulong)(_tableShapes.Count - 1)));
        if (id < 0)
            _tableShapes.RemoveAt(_tableShapes.Count - 1);
        else
            _tableShapeIds.Add(copy, id);
        return id;
    }

    /// <summary>The index of function <paramref name="functionId"/> in the current function's child list, or -1 when full.</summary>
    public int AddChildFunction(int functionId)
    {
        if (_childIds.TryGetValue(functionId, out int id))
            return id;
        id = _children.Count;
        if (id >= MaxChildren)
            return -1;
        _children.Add(functionId);
        _childIds.Add(functionId, id);
        return id;
    }

    // ---- instructions ----

    public void EmitAbc(OpCode op, int a, int b, int c)
    {
        _code.Add(Instruction.EncodeAbc(op, a, b, c));
        _lines.Add(_debugLine);
    }

    public void EmitAd(OpCode op, int a, int d)
    {
        _code.Add(Instruction.EncodeAd(op, a, d));
        _lines.Add(_debugLine);
    }

    public void EmitE(OpCode op, int e)
    {
        _code.Add(Instruction.EncodeE(op, e));
        _lines.Add(_debugLine);
    }

    public void EmitAux(uint aux)
    {
        _code.Add(aux);
        _lines.Add(_debugLine);
    }

    /// <summary>Removes the last instruction, which must be <paramref name="op"/> without an AUX word.</summary>
    public void UndoEmit(OpCode op)
    {
        if (_code.Count == 0 || Instruction.Op(_code[^1]) != op)
            throw new InvalidOperationException($"the last instruction is not {op}");
        _code.RemoveAt(_code.Count - 1);
        _lines.RemoveAt(_lines.Count - 1);
    }

    /// <summary>The position of the next instruction, used as a jump source or target.</summary>
    public int EmitLabel() => _code.Count;

    /// <summary>
    /// Points the D-jump at <paramref name="jumpLabel"/> to <paramref name="targetLabel"/>. Offsets that do not fit
    /// 16 bits are left for <see cref="ExpandJumps"/>; returns false when the distance exceeds even that.
    /// </summary>
    public bool PatchJumpD(int jumpLabel, int targetLabel)
    {
        int offset = targetLabel - jumpLabel - 1;
        if (offset == (short)offset)
            _code[jumpLabel] |= (uint)(ushort)offset << 16;
        else if (Math.Abs(offset) < MaxJumpDistance)
            _hasLongJumps = true;
        else
            return false;
        _jumps.Add(new Jump(jumpLabel, targetLabel));
        return true;
    }

    /// <summary>Sets the C skip count of a FASTCALL or LOADB at <paramref name="jumpLabel"/>; false if it does not fit 8 bits.</summary>
    public bool PatchSkipC(int jumpLabel, int targetLabel)
    {
        int offset = targetLabel - jumpLabel - 1;
        if ((uint)offset > 255)
            return false;
        _code[jumpLabel] |= (uint)offset << 24;
        return true;
    }

    /// <summary>
    /// Retargets each recorded jump past chains of forward unconditional jumps, and turns an unconditional jump to a
    /// RETURN into that RETURN. Skipped when long jumps exist, since trampolines rely on the original layout.
    /// </summary>
    public void FoldJumps()
    {
        if (_hasLongJumps)
            return;
        var code = CollectionsMarshal.AsSpan(_code);
        var jumps = CollectionsMarshal.AsSpan(_jumps);
        for (int i = 0; i < jumps.Length; i++)
        {
            int source = jumps[i].Source;
            uint insn = code[source];
            int target = source + 1 + Instruction.D(insn);
            uint targetInsn = code[target];
            // Only forward jumps are followed, which guarantees termination.
            while (Instruction.Op(targetInsn) == OpCode.Jump && Instruction.D(targetInsn) >= 0)
            {
                target += 1 + Instruction.D(targetInsn);
                targetInsn = code[target];
            }

            int offset = target - source - 1;
            if (Instruction.Op(insn) == OpCode.Jump && Instruction.Op(targetInsn) == OpCode.Return)
                code[source] = targetInsn;
            else if (offset == (short)offset)
                code[source] = (insn & 0xFFFF) | ((uint)(ushort)offset << 16);
            jumps[i] = new Jump(source, target);
        }
    }

    /// <summary>
    /// Rewrites jumps whose offsets need more than 16 bits as <c>JUMP +1; JUMPX far; OP -2</c>, remapping the other
    /// jumps and the local variable ranges to the new positions.
    /// </summary>
    public void ExpandJumps()
    {
        if (!_hasLongJumps)
            return;

        // A trampoline adds two words; to be safe against the growth it causes, every jump longer than a third of the
        // 16-bit range gets one.
        const int conservativeDistance = 32767 / 3;

        _jumps.Sort(static (x, y) => x.Source.CompareTo(y.Source));

        var remap = new int[_code.Count];
        var newCode = new List<uint>(_code.Count + 16);
        var newLines = new List<int>(_code.Count + 16);
        int nextJump = 0;
        for (int i = 0; i < _code.Count;)
        {
            if (nextJump < _jumps.Count && _jumps[nextJump].Source == i)
            {
                var jump = _jumps[nextJump++];
                if (Math.Abs(jump.Target - jump.Source - 1) > conservativeDistance)
                {
                    newCode.Add(Instruction.EncodeAd(OpCode.Jump, 0, 1));
                    newCode.Add((uint)OpCode.JumpX);
                    newLines.Add(_lines[i]);
                    newLines.Add(_lines[i]);
                }
            }

            int length = Instruction.Length(Instruction.Op(_code[i]));
            for (int j = 0; j < length; j++, i++)
            {
                remap[i] = newCode.Count;
                newCode.Add(_code[i]);
                newLines.Add(_lines[i]);
            }
        }

        foreach (var jump in _jumps)
        {
            int oldOffset = jump.Target - jump.Source - 1;
            int newOffset = remap[jump.Target] - remap[jump.Source] - 1;
            int at = remap[jump.Source];
            if (Math.Abs(oldOffset) > conservativeDistance)
            {
                // JUMPX sits just before the instruction, so its offset is one more; the instruction jumps back to it.
                newCode[at - 1] = Instruction.EncodeE(OpCode.JumpX, newOffset + 1);
                newCode[at] = (newCode[at] & 0xFFFF) | (0xFFFEu << 16);
            }
            else
            {
                newCode[at] = (newCode[at] & 0xFFFF) | ((uint)(ushort)newOffset << 16);
            }
        }

        _code.Clear();
        _code.AddRange(newCode);
        _lines.Clear();
        _lines.AddRange(newLines);

        for (int i = 0; i < _debugLocals.Count; i++)
        {
            var l = _debugLocals[i];
            // The end is exclusive: map the last covered instruction and step past it.
            int end = l.StartPc != l.EndPc ? remap[l.EndPc - 1] + 1 : (l.EndPc < remap.Length ? remap[l.EndPc] : newCode.Count);
            _debugLocals[i] = l with { StartPc = l.StartPc < remap.Length ? remap[l.StartPc] : newCode.Count, EndPc = end };
        }
    }

    // ---- debug information ----

    public void SetDebugLine(int line) => _debugLine = line;

    public void SetDebugFunctionName(byte[] name) => _functions[_current].DebugName = AddString(name);

    public void SetDebugFunctionLineDefined(int line) => _functions[_current].LineDefined = line;

    public void PushDebugLocal(byte[] name, int register, int startPc, int endPc) =>
        _debugLocals.Add(new LocalVariableInfo(AddString(name), startPc, endPc, (byte)register));

    public void PushDebugUpvalue(byte[] name) => _debugUpvalues.Add(AddString(name));

    // ---- output ----

    /// <summary>Assembles the finished module.</summary>
    public byte[] Finish()
    {
        if (_current >= 0 || _mainFunction < 0)
            throw new InvalidOperationException("the module is incomplete");

        // The exact size, so the blob is written once, into its final array.
        int capacity = 2 + ByteWriter.VarIntSize((ulong)_strings.Count) + 1 + ByteWriter.VarIntSize((ulong)_functions.Count)
            + _functionData.Length + ByteWriter.VarIntSize((ulong)_mainFunction);
        foreach (var s in _strings)
            capacity += ByteWriter.VarIntSize((ulong)s.Length) + s.Length;

        var w = new ByteWriter(capacity);
        w.Byte(BytecodeFormat.VersionTarget);
        w.Byte(BytecodeFormat.TypesVersionTarget);
        w.VarInt((ulong)_strings.Count);
        foreach (var s in _strings)
        {
            w.VarInt((ulong)s.Length);
            w.Bytes(s);
        }

        // Type-information version 3 starts with a table of userdata type names, ended by 0; ours is empty.
        w.Byte(0);

        w.VarInt((ulong)_functions.Count);
        w.Bytes(_functionData.AsSpan());
        w.VarInt((ulong)_mainFunction);
        return w.DetachExact();
    }

    /// <summary>The compile-error blob: version byte 0 followed by the message (conventionally <c>:LINE: text</c>).</summary>
    public static byte[] GetError(string message)
    {
        var text = System.Text.Encoding.UTF8.GetBytes(message);
        var blob = new byte[text.Length + 1];
        text.CopyTo(blob, 1);
        return blob;
    }

    /// <summary>
    /// The Lua 5.1 string hash, as the VM computes it for short strings; the compiler puts its low 8 bits into slot
    /// prediction operands.
    /// </summary>
    public static uint GetStringHash(ReadOnlySpan<byte> s)
    {
        uint h = (uint)s.Length;
        for (int i = s.Length - 1; i >= 0; i--)
            h ^= (h << 5) + (h >> 2) + s[i];
        return h;
    }

    private void WriteFunction(FunctionInfo func, ByteWriter w)
    {
        // Room for the bulk of it at once: code, constants and one byte of line information per instruction.
        w.Reserve(64 + _code.Count * 5 + _constantData.Length);
        w.Byte(func.MaxStackSize);
        w.Byte(func.NumParams);
        w.Byte(func.NumUpvalues);
        w.Byte(func.IsVararg ? (byte)1 : (byte)0);
        w.Byte((byte)func.Flags);
        w.VarInt(0); // no type information

        w.VarInt((ulong)_code.Count);
        w.UInt32s(CollectionsMarshal.AsSpan(_code));

        w.VarInt((ulong)_constantCount);
        w.Bytes(_constantData.AsSpan());

        w.VarInt((ulong)_children.Count);
        foreach (int child in _children)
            w.VarInt((ulong)child);

        w.VarInt((ulong)func.LineDefined);
        w.VarInt((ulong)func.DebugName);

        // Line information is all or nothing: a function compiled without lines (debug level 0) has zeros.
        bool hasLines = _lines.Count > 0 && !_lines.Contains(0);
        if (hasLines)
        {
            w.Byte(1);
            WriteLineInfo(w);
        }
        else
        {
            w.Byte(0);
        }

        if (_debugLocals.Count > 0 || _debugUpvalues.Count > 0)
        {
            w.Byte(1);
            w.VarInt((ulong)_debugLocals.Count);
            foreach (var l in _debugLocals)
            {
                w.VarInt((ulong)l.Name);
                w.VarInt((ulong)l.StartPc);
                w.VarInt((ulong)l.EndPc);
                w.Byte(l.Register);
            }
            w.VarInt((ulong)_debugUpvalues.Count);
            foreach (int name in _debugUpvalues)
                w.VarInt((ulong)name);
        }
        else
        {
            w.Byte(0);
        }
    }

    private void WriteConstant(ByteWriter w, ConstantEntry c)
    {
        switch (c.Kind)
        {
            case ConstantKind.Nil:
                w.Byte((byte)ConstantKind.Nil);
                break;
            case ConstantKind.Boolean:
                w.Byte((byte)ConstantKind.Boolean);
                w.Byte((byte)c.Value);
                break;
            case ConstantKind.Number:
                w.Byte((byte)ConstantKind.Number);
                w.Double(BitConverter.Int64BitsToDouble((long)c.Value));
                break;
            case ConstantKind.Integer:
                {
                    // Sign byte, then the magnitude (two's complement negation keeps long.MinValue right).
                    long v = (long)c.Value;
                    w.Byte((byte)ConstantKind.Integer);
                    w.Byte(v < 0 ? (byte)1 : (byte)0);
                    w.VarInt(v < 0 ? ~(ulong)v + 1 : (ulong)v);
                    break;
                }
            case ConstantKind.String:
                w.Byte((byte)ConstantKind.String);
                w.VarInt(c.Value);
                break;
            case ConstantKind.Import:
                w.Byte((byte)ConstantKind.Import);
                w.UInt32((uint)c.Value);
                break;
            case ConstantKind.Closure:
                w.Byte((byte)ConstantKind.Closure);
                w.VarInt(c.Value);
                break;
            case ConstantKind.Vector:
                w.Byte((byte)ConstantKind.Vector);
                w.UInt32((uint)c.Value);
                w.UInt32((uint)(c.Value >> 32));
                w.UInt32((uint)c.Extra);
                w.UInt32((uint)(c.Extra >> 32));
                break;
            case ConstantKind.Table:
                {
                    var shape = _tableShapes[(int)c.Value];
                    w.Byte((byte)(shape.HasConstants ? ConstantKind.TableWithConstants : ConstantKind.Table));
                    w.VarInt((ulong)shape.Length);
                    for (int i = 0; i < shape.Length; i++)
                    {
                        w.VarInt((ulong)shape.Keys[i]);
                        if (shape.HasConstants)
                            w.Int32(shape.Values[i]);
                    }
                    break;
                }
            default:
                throw new InvalidOperationException($"unexpected constant kind {c.Kind}");
        }
    }

    /// <summary>
    /// Writes line numbers compactly: instructions are grouped in aligned spans of 2^k (the largest k up to 24 for
    /// which every span's lines differ by at most 255); each span stores its smallest line as a 32-bit delta from the
    /// previous span's, and each instruction a byte offset from its span's base, itself delta-coded.
    /// </summary>
    private void WriteLineInfo(ByteWriter w)
    {
        var lines = CollectionsMarshal.AsSpan(_lines);
        int n = lines.Length;

        int span = 1 << 24;
        for (int start = 0; start < n; start += span)
        {
            int lo = lines[start], hi = lines[start];
            int end = start;
            while (end < n && end < start + span)
            {
                lo = Math.Min(lo, lines[end]);
                hi = Math.Max(hi, lines[end]);
                if (hi - lo > 255)
                    break;
                end++;
            }

            // The span starting here fits only its first (end - start) lines: shrink to the largest power of two that
            // does; earlier spans stay valid because they split into smaller aligned pieces.
            if (end < n && end - start < span)
                span = 1 << Log2(end - start);
        }

        int logSpan = Log2(span);
        int baseCount = ((n - 1) >> logSpan) + 1;
        Span<int> baselines = baseCount <= 64 ? stackalloc int[baseCount] : new int[baseCount];
        for (int b = 0; b < baseCount; b++)
        {
            int start = b << logSpan;
            int end = Math.Min(n, start + span);
            int lo = lines[start];
            for (int i = start + 1; i < end; i++)
                lo = Math.Min(lo, lines[i]);
            baselines[b] = lo;
        }

        w.Byte((byte)logSpan);
        byte previous = 0;
        for (int i = 0; i < n; i++)
        {
            byte offset = (byte)(lines[i] - baselines[i >> logSpan]);
            w.Byte((byte)(offset - previous));
            previous = offset;
        }

        int previousLine = 0;
        for (int b = 0; b < baseCount; b++)
        {
            w.Int32(baselines[b] - previousLine);
            previousLine = baselines[b];
        }
    }

    /// <summary>floor(log2(v)) for v &gt; 0.</summary>
    private static int Log2(int v) => 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)v);

    private sealed class FunctionInfo
    {
        public byte NumParams;
        public bool IsVararg;
        public byte MaxStackSize;
        public byte NumUpvalues;
        public ProtoFlags Flags;
        public int DebugName;
        public int LineDefined;
    }

    private readonly record struct ConstantEntry(ConstantKind Kind, ulong Value, ulong Extra = 0);

    /// <summary>
    /// Number constant indices by bit pattern: open addressing with linear probing over a power-of-two array of
    /// (bits, index + 1) entries, so a lookup touches one cache line where a dictionary touches two.
    /// </summary>
    private sealed class NumberConstantMap
    {
        private Entry[] _entries = new Entry[16];
        private int _shift = 64 - 4;
        private int _count;

        public int Count => _count;

        /// <summary>The index stored for <paramref name="bits"/>, or -1 with <paramref name="slot"/> where it would go.</summary>
        public int Find(ulong bits, out int slot)
        {
            var entries = _entries;
            int mask = entries.Length - 1;
            int i = (int)((bits * 0x9E3779B97F4A7C15UL) >> _shift);
            while (true)
            {
                ref Entry e = ref entries[i];
                if (e.IdPlusOne == 0 || e.Bits == bits)
                {
                    slot = i;
                    return e.IdPlusOne - 1;
                }
                i = (i + 1) & mask;
            }
        }

        /// <summary>Stores <paramref name="id"/> at the free <paramref name="slot"/> that <see cref="Find"/> returned.</summary>
        public void Insert(int slot, ulong bits, int id)
        {
            _entries[slot] = new Entry(bits, id + 1);
            // At most 70% full keeps probe runs short.
            if (++_count * 10L > _entries.Length * 7L)
                Grow();
        }

        public NumberConstantMap Cleared()
        {
            if (_count > 0)
                Array.Clear(_entries);
            _count = 0;
            return this;
        }

        private void Grow()
        {
            var old = _entries;
            _entries = new Entry[old.Length * 2];
            _shift--;
            int mask = _entries.Length - 1;
            foreach (var e in old)
            {
                if (e.IdPlusOne == 0)
                    continue;
                int i = (int)((e.Bits * 0x9E3779B97F4A7C15UL) >> _shift);
                while (_entries[i].IdPlusOne != 0)
                    i = (i + 1) & mask;
                _entries[i] = e;
            }
        }

        private readonly record struct Entry(ulong Bits, int IdPlusOne);
    }

    private readonly record struct Jump(int Source, int Target);
}

/// <summary>
/// The key set of a DUPTABLE template: string constant indices, and for each the index of a constant value to
/// pre-fill (or -1 when the value is computed at run time).
/// </summary>
internal sealed class TableShape
{
    public static readonly IEqualityComparer<TableShape> Comparer = new ShapeComparer();

    public int[] Keys { get; } = new int[BytecodeBuilder.MaxTableShapeKeys];
    public int[] Values { get; } = new int[BytecodeBuilder.MaxTableShapeKeys];
    public int Length { get; private set; }

    /// <summary>True when at least one value is pre-filled (the template is then written as TableWithConstants).</summary>
    public bool HasConstants { get; set; }

    public void Add(int key, int value)
    {
        Keys[Length] = key;
        Values[Length] = value;
        Length++;
        if (value >= 0)
            HasConstants = true;
    }

    public TableShape Clone()
    {
        var copy = new TableShape { HasConstants = HasConstants };
        for (int i = 0; i < Length; i++)
            copy.Add(Keys[i], Values[i]);
        copy.HasConstants = HasConstants;
        return copy;
    }

    private sealed class ShapeComparer : IEqualityComparer<TableShape>
    {
        public bool Equals(TableShape? x, TableShape? y)
        {
            if (x is null || y is null)
                return ReferenceEquals(x, y);
            if (x.Length != y.Length || x.HasConstants != y.HasConstants)
                return false;
            if (!x.Keys.AsSpan(0, x.Length).SequenceEqual(y.Keys.AsSpan(0, y.Length)))
                return false;
            return !x.HasConstants || x.Values.AsSpan(0, x.Length).SequenceEqual(y.Values.AsSpan(0, y.Length));
        }

        public int GetHashCode(TableShape obj)
        {
            var h = new HashCode();
            for (int i = 0; i < obj.Length; i++)
            {
                h.Add(obj.Keys[i]);
                if (obj.HasConstants)
                    h.Add(obj.Values[i]);
            }
            return h.ToHashCode();
        }
    }
}

/// <summary>Compares byte arrays by content.</summary>
internal sealed class ByteArrayComparer : IEqualityComparer<byte[]>
{
    public static readonly ByteArrayComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    public int GetHashCode(byte[] obj)
    {
        var h = new HashCode();
        h.AddBytes(obj);
        return h.ToHashCode();
    }
}

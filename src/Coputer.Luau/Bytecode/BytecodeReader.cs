using System.Buffers.Binary;

namespace Coputer.Luau.Bytecode;

/// <summary>
/// Reads serialised bytecode into a <see cref="BytecodeModule"/>. The input is untrusted: every count and reference
/// is checked against the bytes that remain and the items already read, so malformed input gives a
/// <see cref="BytecodeException"/> and never an oversized allocation. Instruction operands are checked separately by
/// <see cref="BytecodeVerifier"/>.
/// </summary>
public static class BytecodeReader
{
    /// <summary>The newest version this reader understands (newer than the compiler writes, to load the reference's output).</summary>
    public const byte ReadableVersionMax = 14;

    /// <summary>True when the blob is a compile error (version 0); <paramref name="message"/> is then the error text.</summary>
    public static bool TryGetCompileError(ReadOnlySpan<byte> data, out string message)
    {
        if (data.Length > 0 && data[0] == BytecodeFormat.ErrorVersion)
        {
            message = System.Text.Encoding.UTF8.GetString(data[1..]);
            return true;
        }
        message = "";
        return false;
    }

    /// <summary>Decodes a bytecode blob into a module, checking its structure; malformed input raises <see cref="BytecodeException"/>.</summary>
    public static BytecodeModule Read(ReadOnlySpan<byte> data)
    {
        var r = new SpanReader(data);
        byte version = r.Byte();
        if (version == BytecodeFormat.ErrorVersion)
            throw new BytecodeException("bytecode holds a compile error, not code");
        if (version < BytecodeFormat.VersionMin || version > ReadableVersionMax)
            throw new BytecodeException($"bytecode version mismatch (expected [{BytecodeFormat.VersionMin}..{ReadableVersionMax}], got {version})");

        byte typesVersion = 0;
        if (version >= 4)
        {
            typesVersion = r.Byte();
            if (typesVersion < BytecodeFormat.TypesVersionMin || typesVersion > BytecodeFormat.TypesVersionMax)
                throw new BytecodeException($"bytecode type version mismatch (expected [{BytecodeFormat.TypesVersionMin}..{BytecodeFormat.TypesVersionMax}], got {typesVersion})");
        }

        int stringCount = r.Count(1, "string");
        var strings = new byte[stringCount][];
        for (int i = 0; i < stringCount; i++)
        {
            int length = r.Count(1, "string byte");
            strings[i] = r.Bytes(length).ToArray();
        }

        if (typesVersion == 3)
        {
            // Userdata type names for type information, which an interpreter does not use.
            while (r.Byte() != 0)
                r.StringRef(stringCount);
        }

        int protoCount = r.Count(4, "prototype");
        var protos = new BytecodeProto[protoCount];
        for (int i = 0; i < protoCount; i++)
            protos[i] = ReadProto(ref r, version, typesVersion, stringCount, i);

        uint main = r.VarInt();
        if (main >= (uint)protoCount)
            throw new BytecodeException($"main prototype {main} out of range ({protoCount} prototypes)");
        return new BytecodeModule(version, typesVersion, strings, protos, (int)main);
    }

    private static BytecodeProto ReadProto(ref SpanReader r, byte version, byte typesVersion, int stringCount, int index)
    {
        int end = -1;
        if (version >= 12)
        {
            int size = (int)r.VarInt();
            if (size > r.Remaining)
                throw new BytecodeException($"prototype {index} size {size} exceeds the remaining {r.Remaining} bytes");
            end = r.Offset + size;
        }

        byte maxStack = r.Byte();
        byte numParams = r.Byte();
        byte numUpvalues = r.Byte();
        bool isVararg = r.Byte() != 0;
        var flags = ProtoFlags.None;
        byte[] typeInfo = [];
        if (version >= 4)
        {
            flags = (ProtoFlags)r.Byte();
            if (typesVersion >= 1)
                typeInfo = r.Bytes(r.Count(1, "type info byte")).ToArray();
        }

        int sizeCode = r.Count(4, "instruction");
        var code = new uint[sizeCode];
        for (int j = 0; j < sizeCode; j++)
            code[j] = r.UInt32();

        int sizeK = r.Count(1, "constant");
        var constants = new BytecodeConstant[sizeK];
        for (int j = 0; j < sizeK; j++)
            constants[j] = ReadConstant(ref r, constants, j, stringCount, index);

        int sizeP = r.Count(1, "child prototype");
        var children = new int[sizeP];
        for (int j = 0; j < sizeP; j++)
        {
            uint fid = r.VarInt();
            if (fid >= (uint)index)
                throw new BytecodeException($"prototype {index} refers to child {fid}, which is not defined before it");
            children[j] = (int)fid;
        }

        int lineDefined = (int)Math.Min(r.VarInt(), int.MaxValue);
        int debugName = r.StringRef(stringCount);

        byte lineGapLog2 = 0;
        byte[]? lineInfo = null;
        int[]? absLineInfo = null;
        if (r.Byte() != 0)
        {
            lineGapLog2 = r.Byte();
            if (lineGapLog2 > 24)
                throw new BytecodeException($"prototype {index} has an invalid line gap {lineGapLog2}");
            lineInfo = new byte[sizeCode];
            byte last = 0;
            for (int j = 0; j < sizeCode; j++)
            {
                last += r.Byte();
                lineInfo[j] = last;
            }
            int intervals = sizeCode == 0 ? 1 : ((sizeCode - 1) >> lineGapLog2) + 1;
            if ((long)intervals * 4 > r.Remaining)
                throw new BytecodeException($"prototype {index} line information is truncated");
            absLineInfo = new int[intervals];
            int line = 0;
            for (int j = 0; j < intervals; j++)
            {
                line += r.Int32();
                absLineInfo[j] = line;
            }
        }

        LocalVariableInfo[]? locals = null;
        int[]? upvalueNames = null;
        if (r.Byte() != 0)
        {
            int sizeLocals = r.Count(4, "local variable");
            locals = new LocalVariableInfo[sizeLocals];
            for (int j = 0; j < sizeLocals; j++)
            {
                int name = r.StringRef(stringCount);
                uint startPc = r.VarInt();
                uint endPc = r.VarInt();
                byte reg = r.Byte();
                if (startPc > endPc || endPc > (uint)sizeCode)
                    throw new BytecodeException($"prototype {index} local {j} has an invalid live range {startPc}..{endPc}");
                locals[j] = new LocalVariableInfo(name, (int)startPc, (int)endPc, reg);
            }
            int sizeUpvalues = r.Count(1, "upvalue name");
            if (sizeUpvalues != numUpvalues)
                throw new BytecodeException($"prototype {index} names {sizeUpvalues} upvalues but has {numUpvalues}");
            upvalueNames = new int[sizeUpvalues];
            for (int j = 0; j < sizeUpvalues; j++)
                upvalueNames[j] = r.StringRef(stringCount);
        }

        if (version >= 11)
        {
            int feedback = r.Count(2, "feedback slot");
            for (int j = 0; j < feedback; j++)
            {
                r.Byte();
                r.VarInt();
            }
        }
        if (version >= 12 && (flags & ProtoFlags.Inlinable) != 0)
            r.VarInt64();

        if (end >= 0)
        {
            if (r.Offset > end)
                throw new BytecodeException($"prototype {index} is longer than its declared size");
            r.Offset = end;
        }

        return new BytecodeProto
        {
            MaxStackSize = maxStack,
            NumParams = numParams,
            NumUpvalues = numUpvalues,
            IsVararg = isVararg,
            Flags = flags,
            TypeInfo = typeInfo,
            Code = code,
            Constants = constants,
            Children = children,
            LineDefined = lineDefined,
            DebugName = debugName,
            LineGapLog2 = lineGapLog2,
            LineInfo = lineInfo,
            AbsLineInfo = absLineInfo,
            Locals = locals,
            UpvalueNames = upvalueNames,
        };
    }

    private static BytecodeConstant ReadConstant(ref SpanReader r, BytecodeConstant[] previous, int j, int stringCount, int protoIndex)
    {
        var kind = (ConstantKind)r.Byte();
        switch (kind)
        {
            case ConstantKind.Nil:
                return new BytecodeConstant(kind);
            case ConstantKind.Boolean:
                return new BytecodeConstant(kind, Number: r.Byte() != 0 ? 1 : 0);
            case ConstantKind.Number:
                return new BytecodeConstant(kind, Number: r.Double());
            case ConstantKind.String:
                {
                    int s = r.StringRef(stringCount);
                    if (s < 0)
                        throw new BytecodeException($"prototype {protoIndex} constant {j} is a string with no string");
                    return new BytecodeConstant(kind, Index: s);
                }
            case ConstantKind.Import:
                {
                    uint id = r.UInt32();
                    int count = Instruction.ImportCount(id);
                    if (count == 0)
                        throw new BytecodeException($"prototype {protoIndex} constant {j} is an empty import path");
                    for (int i = 0; i < count; i++)
                    {
                        int k = Instruction.ImportId(id, i);
                        if (k >= j || previous[k].Kind != ConstantKind.String)
                            throw new BytecodeException($"prototype {protoIndex} constant {j} imports through constant {k}, which is not an earlier string");
                    }
                    return new BytecodeConstant(kind, Import: id);
                }
            case ConstantKind.Table:
            case ConstantKind.TableWithConstants:
                {
                    int keyCount = r.Count(1, "table key");
                    var keys = new int[keyCount];
                    var values = new int[keyCount];
                    for (int i = 0; i < keyCount; i++)
                    {
                        uint key = r.VarInt();
                        if (key >= (uint)j || (previous[key].Kind != ConstantKind.String && previous[key].Kind != ConstantKind.Number))
                            throw new BytecodeException($"prototype {protoIndex} constant {j} has table key {key}, which is not an earlier string or number constant");
                        keys[i] = (int)key;
                        values[i] = -1;
                        if (kind == ConstantKind.TableWithConstants)
                        {
                            int value = r.Int32();
                            if (value >= j || value < -1)
                                throw new BytecodeException($"prototype {protoIndex} constant {j} has table value {value}, which is not an earlier constant");
                            if (value >= 0 && previous[value].Kind is not (ConstantKind.Nil or ConstantKind.Boolean or ConstantKind.Number or ConstantKind.String or ConstantKind.Vector or ConstantKind.Integer))
                                throw new BytecodeException($"prototype {protoIndex} constant {j} has a table value of kind {previous[value].Kind}");
                            values[i] = value;
                        }
                    }
                    return new BytecodeConstant(kind, Keys: keys, Values: values);
                }
            case ConstantKind.Closure:
                {
                    uint fid = r.VarInt();
                    if (fid >= (uint)protoIndex)
                        throw new BytecodeException($"prototype {protoIndex} constant {j} refers to prototype {fid}, which is not defined before it");
                    return new BytecodeConstant(kind, Index: (int)fid);
                }
            case ConstantKind.Vector:
                return new BytecodeConstant(kind, X: r.Single(), Y: r.Single(), Z: r.Single(), W: r.Single());
            case ConstantKind.VectorDouble:
                return new BytecodeConstant(ConstantKind.Vector, X: r.Double(), Y: r.Double(), Z: r.Double(), W: r.Double());
            case ConstantKind.Integer:
                {
                    bool negative = r.Byte() != 0;
                    ulong magnitude = r.VarInt64();
                    return new BytecodeConstant(kind, Integer: negative ? (long)(~magnitude + 1) : (long)magnitude);
                }
            default:
                throw new BytecodeException($"prototype {protoIndex} constant {j} has unsupported kind {(int)kind}");
        }
    }

    /// <summary>A bounds-checked little-endian cursor over the input.</summary>
    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;

        public int Offset;

        public readonly int Remaining => _data.Length - Offset;

        private readonly void Need(int n)
        {
            if (n > Remaining)
                throw new BytecodeException($"bytecode is truncated at offset {Offset}");
        }

        public byte Byte()
        {
            Need(1);
            return _data[Offset++];
        }

        public ReadOnlySpan<byte> Bytes(int n)
        {
            Need(n);
            var s = _data.Slice(Offset, n);
            Offset += n;
            return s;
        }

        public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4));

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4));

        public float Single() => BinaryPrimitives.ReadSingleLittleEndian(Bytes(4));

        public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Bytes(8));

        public uint VarInt()
        {
            uint result = 0;
            for (int shift = 0; shift < 35; shift += 7)
            {
                byte b = Byte();
                result |= (uint)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                    return result;
            }
            throw new BytecodeException($"malformed variable-length integer before offset {Offset}");
        }

        public ulong VarInt64()
        {
            ulong result = 0;
            for (int shift = 0; shift < 70; shift += 7)
            {
                byte b = Byte();
                result |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                    return result;
            }
            throw new BytecodeException($"malformed variable-length integer before offset {Offset}");
        }

        /// <summary>A count of items that each take at least <paramref name="minBytes"/> bytes, checked against what remains.</summary>
        public int Count(int minBytes, string what)
        {
            int at = Offset;
            uint n = VarInt();
            if ((long)n * minBytes > Remaining)
                throw new BytecodeException($"{what} count {n} at offset {at} exceeds the remaining {Remaining} bytes");
            return (int)n;
        }

        /// <summary>A 1-based string reference (0 means none), returned 0-based (-1 for none).</summary>
        public int StringRef(int stringCount)
        {
            int at = Offset;
            uint id = VarInt();
            if (id > (uint)stringCount)
                throw new BytecodeException($"string reference {id} at offset {at} is out of range ({stringCount} strings)");
            return (int)id - 1;
        }
    }
}

namespace Coputer.Luau.Bytecode;

/// <summary>
/// A deserialised bytecode blob: the string table and every function prototype, children before parents. This is
/// the neutral form between the serialised bytes and the virtual machine's own prototypes.
/// </summary>
public sealed class BytecodeModule(byte version, byte typesVersion, byte[][] strings, BytecodeProto[] protos, int mainProto)
{
    /// <summary>The bytecode format version.</summary>
    public byte Version { get; } = version;
    /// <summary>The version of the type information the module carries (0 when it has none).</summary>
    public byte TypesVersion { get; } = typesVersion;

    /// <summary>The string table; references in the format are 1-based, here they are 0-based indices.</summary>
    public byte[][] Strings { get; } = strings;
    /// <summary>Every function prototype of the module; <see cref="MainProto"/> indexes the chunk's own.</summary>
    public BytecodeProto[] Protos { get; } = protos;

    /// <summary>Index into <see cref="Protos"/> of the function the chunk runs.</summary>
    public int MainProto { get; } = mainProto;
}

/// <summary>A local variable's name, live range and register, from debug information.</summary>
public readonly record struct LocalVariableInfo(int Name, int StartPc, int EndPc, byte Register);

/// <summary>One function prototype as stored in bytecode.</summary>
public sealed class BytecodeProto
{
    /// <summary>Registers the function needs.</summary>
    public byte MaxStackSize { get; init; }
    /// <summary>Fixed parameters the function takes.</summary>
    public byte NumParams { get; init; }
    /// <summary>Upvalues the function captures.</summary>
    public byte NumUpvalues { get; init; }
    /// <summary>Whether the function takes <c>...</c>.</summary>
    public bool IsVararg { get; init; }
    /// <summary>Compiler flags recorded for the function.</summary>
    public ProtoFlags Flags { get; init; }
    /// <summary>The encoded type information of the function (empty without it).</summary>
    public byte[] TypeInfo { get; init; } = [];
    /// <summary>The instructions, one 32-bit word each (some take a second word).</summary>
    public uint[] Code { get; init; } = [];
    /// <summary>The constant table the instructions refer to.</summary>
    public BytecodeConstant[] Constants { get; init; } = [];

    /// <summary>Indices into <see cref="BytecodeModule.Protos"/> of the functions this one creates.</summary>
    public int[] Children { get; init; } = [];
    /// <summary>The source line where the function was defined.</summary>
    public int LineDefined { get; init; }

    /// <summary>Index into the string table, or -1 for an anonymous function.</summary>
    public int DebugName { get; init; } = -1;

    /// <summary>Log2 of the interval between absolute line entries; meaningful when <see cref="LineInfo"/> is set.</summary>
    public byte LineGapLog2 { get; init; }

    /// <summary>Per instruction, the line offset from the interval's absolute line; null when compiled without line info.</summary>
    public byte[]? LineInfo { get; init; }

    /// <summary>The absolute line at the start of each interval of 2^<see cref="LineGapLog2"/> instructions.</summary>
    public int[]? AbsLineInfo { get; init; }

    /// <summary>Local variable debug information, or null.</summary>
    public LocalVariableInfo[]? Locals { get; init; }

    /// <summary>Upvalue names as string table indices (-1 for none), or null without debug information.</summary>
    public int[]? UpvalueNames { get; init; }

    /// <summary>The source line of instruction <paramref name="pc"/>, or 0 when there is no line information.</summary>
    public int GetLine(int pc)
    {
        if (LineInfo is null || AbsLineInfo is null || (uint)pc >= (uint)LineInfo.Length)
            return 0;
        return AbsLineInfo[pc >> LineGapLog2] + LineInfo[pc];
    }
}

/// <summary>
/// A constant-table entry. Which fields are meaningful depends on <see cref="Kind"/>:
/// Boolean and Number use <see cref="Number"/> (0 or 1 for booleans); String uses <see cref="Index"/> into the string
/// table; Import uses <see cref="Import"/>; Closure uses <see cref="Index"/> into the prototype list; Table and
/// TableWithConstants use <see cref="Keys"/> (constant indices of string keys) and <see cref="Values"/> (constant
/// indices, or -1 for none); Vector uses <see cref="X"/>..<see cref="W"/>; Integer uses <see cref="Integer"/>.
/// </summary>
public readonly record struct BytecodeConstant(
    ConstantKind Kind,
    double Number = 0,
    int Index = 0,
    uint Import = 0,
    int[]? Keys = null,
    int[]? Values = null,
    double X = 0,
    double Y = 0,
    double Z = 0,
    double W = 0,
    long Integer = 0);

/// <summary>Thrown when bytecode is malformed; the message says what and where.</summary>
public sealed class BytecodeException(string message) : Exception(message);

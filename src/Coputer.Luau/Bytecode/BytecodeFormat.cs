namespace Coputer.Luau.Bytecode;

// Missing-documentation warnings are off in this file only: the constants are the reference bytecode format's, named as it names them.
#pragma warning disable CS1591

/// <summary>Versions and tags of the serialised bytecode format (the reference's numbering).</summary>
public static class BytecodeFormat
{
    /// <summary>The oldest bytecode version the loader accepts.</summary>
    public const byte VersionMin = 3;

    /// <summary>The newest bytecode version whose semantics the compiler uses (the reader also accepts up to 14).</summary>
    public const byte VersionMax = 9;

    /// <summary>
    /// The version our compiler writes: 9, the reference compiler's default. Our output uses template tables with
    /// constant values (version 7) and writes the version 4+ header fields (flags, type information); it never uses
    /// the opcodes and fields of versions 10 to 14 (classes, call feedback, cost model, double vectors, FASTPCALL), so
    /// the blobs are interchangeable with the reference's default output.
    /// </summary>
    public const byte VersionTarget = 9;

    public const byte TypesVersionMin = 1;
    public const byte TypesVersionMax = 3;

    /// <summary>
    /// The type-information version our compiler writes, as the reference does; every function's type information is
    /// empty and the userdata type table (version 3) has no entries.
    /// </summary>
    public const byte TypesVersionTarget = 3;

    /// <summary>A version byte of 0 means the blob is a compile error message.</summary>
    public const byte ErrorVersion = 0;

    /// <summary>Register operands are 0..254; 255 is reserved.</summary>
    public const int MaxRegisters = 255;

    public const int MaxUpvalues = 200;
    public const int MaxLocals = 200;
}

/// <summary>The kinds of entries in a prototype's constant table.</summary>
public enum ConstantKind : byte
{
    Nil,
    Boolean,
    Number,
    String,
    Import,
    Table,
    Closure,
    Vector,
    TableWithConstants,
    Integer,
    ClassShape,
    VectorDouble,
}

/// <summary>How <see cref="OpCode.Capture"/> gives a new closure one of its upvalues.</summary>
public enum CaptureKind : byte
{
    /// <summary>Copy the value of register B (the local is never assigned after capture).</summary>
    Value,

    /// <summary>Share register B through an upvalue box.</summary>
    Reference,

    /// <summary>Copy upvalue B of the enclosing closure.</summary>
    Upvalue,
}

/// <summary>Flags on a prototype.</summary>
[Flags]
public enum ProtoFlags : byte
{
    None = 0,
    NativeModule = 1 << 0,
    NativeCold = 1 << 1,
    NativeFunction = 1 << 2,
    Inlinable = 1 << 3,
    UsesExport = 1 << 4,
}

namespace Coputer.Luau.Compiler;

internal enum ConstantType : byte
{
    /// <summary>Not known at compile time.</summary>
    Unknown,
    Nil,
    Boolean,
    Number,

    /// <summary>A 64-bit integer from an <c>123i</c> literal.</summary>
    Integer,
    Vector,
    String,

    /// <summary>A table constructor whose string-keyed fields are all constants (see <see cref="ConstantFolder"/>).</summary>
    Table,
}

/// <summary>A value known at compile time.</summary>
internal readonly struct Constant
{
    public static readonly Constant Unknown = default;
    public static readonly Constant Nil = new(ConstantType.Nil);
    public static readonly Constant True = new(ConstantType.Boolean, boolean: true);
    public static readonly Constant False = new(ConstantType.Boolean, boolean: false);

    private Constant(ConstantType type, bool boolean = false, double number = 0, byte[]? text = null, int table = 0,
        float x = 0, float y = 0, float z = 0, float w = 0, long integer = 0)
    {
        Integer = integer;
        Type = type;
        Boolean = boolean;
        Number = number;
        String = text;
        Table = table;
        X = x;
        Y = y;
        Z = z;
        W = w;
    }

    public ConstantType Type { get; }
    public bool Boolean { get; }
    public double Number { get; }
    public byte[]? String { get; }
    public long Integer { get; }

    /// <summary>For <see cref="ConstantType.Table"/>: the index of the table's field map in the folder.</summary>
    public int Table { get; }

    public float X { get; }
    public float Y { get; }
    public float Z { get; }
    public float W { get; }

    public bool IsKnown => Type != ConstantType.Unknown;

    /// <summary>Whether the value counts as true in a condition (anything but nil and false).</summary>
    public bool IsTruthy => Type != ConstantType.Nil && !(Type == ConstantType.Boolean && !Boolean);

    public static Constant FromBoolean(bool value) => value ? True : False;

    public static Constant FromNumber(double value) => new(ConstantType.Number, number: value);

    public static Constant FromString(byte[] value) => new(ConstantType.String, text: value);

    public static Constant FromInteger(long value) => new(ConstantType.Integer, integer: value);

    public static Constant FromVector(float x, float y, float z, float w) => new(ConstantType.Vector, x: x, y: y, z: z, w: w);

    public static Constant FromTable(int index) => new(ConstantType.Table, table: index);

    /// <summary>Raw equality of two known constants, as <c>==</c> would compute it.</summary>
    public static bool RawEquals(in Constant a, in Constant b)
    {
        if (a.Type != b.Type)
            return false;
        return a.Type switch
        {
            ConstantType.Nil => true,
            ConstantType.Boolean => a.Boolean == b.Boolean,
            ConstantType.Number => a.Number == b.Number,
            ConstantType.Integer => a.Integer == b.Integer,
            ConstantType.Vector => a.X == b.X && a.Y == b.Y && a.Z == b.Z && a.W == b.W,
            ConstantType.String => a.String.AsSpan().SequenceEqual(b.String),
            ConstantType.Table => a.Table == b.Table,
            _ => false,
        };
    }
}

using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Coputer.Luau.VM;

/// <summary>
/// A Luau value: nil, a boolean, a number, a 64-bit integer, a vector, a string, a table, a function, a userdata, a
/// thread or a buffer. It is a 24-byte struct; numbers, integers, booleans and vectors are stored inline and never
/// allocate.
/// </summary>
/// <remarks>
/// Layout: <see cref="O"/> holds every reference (string, table, function, userdata, thread, buffer, light userdata
/// payload); <see cref="N"/> holds a number, the bits of an integer or of a light userdata payload, or the x and y
/// components of a vector as two 32-bit floats;
/// <see cref="Extra"/> holds a boolean (0 or 1), the z component of a vector (float bits) or a light userdata tag.
/// The <see cref="Type"/> alone decides which fields are meaningful.
/// </remarks>
[DebuggerDisplay("{DebuggerText,nq}")]
public readonly struct LuauValue : IEquatable<LuauValue>
{
    internal readonly object? O;
    internal readonly double N;
    internal readonly uint Extra;
    internal readonly LuauType Type_;

    /// <summary>nil.</summary>
    public static readonly LuauValue Nil = default;
    /// <summary>true.</summary>
    public static readonly LuauValue True = new(LuauType.Boolean, null, 0, 1);
    /// <summary>false.</summary>
    public static readonly LuauValue False = new(LuauType.Boolean, null, 0, 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal LuauValue(LuauType type, object? o, double n, uint extra)
    {
        O = o;
        N = n;
        Extra = extra;
        Type_ = type;
    }

    /// <summary>A number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public LuauValue(double number)
    {
        O = null;
        N = number;
        Extra = 0;
        Type_ = LuauType.Number;
    }

    /// <summary>A string.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public LuauValue(LuauString value) : this(LuauType.String, value ?? NullArgument(), 0, 0) { }

    /// <summary>A table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public LuauValue(LuauTable value) : this(LuauType.Table, value ?? NullArgument(), 0, 0) { }

    /// <summary>A function.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public LuauValue(LuauFunction value) : this(LuauType.Function, value ?? NullArgument(), 0, 0) { }

    /// <summary>A userdata.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public LuauValue(LuauUserdata value) : this(LuauType.Userdata, value ?? NullArgument(), 0, 0) { }

    /// <summary>A coroutine.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public LuauValue(LuauThread value) : this(LuauType.Thread, value ?? NullArgument(), 0, 0) { }

    /// <summary>A buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public LuauValue(LuauBuffer value) : this(LuauType.Buffer, value ?? NullArgument(), 0, 0) { }

    // Out of line so the constructors above stay small enough to inline (a throw in them blocked it: NEWTABLE
    // called the table constructor of LuauValue).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static object NullArgument() => throw new ArgumentNullException("value");

    /// <summary>The value's type.</summary>
    public LuauType Type => Type_;

    /// <summary>Whether the value is nil.</summary>
    public bool IsNil => Type_ == LuauType.Nil;
    /// <summary>Whether the value is a number.</summary>
    public bool IsNumber => Type_ == LuauType.Number;
    /// <summary>Whether the value is a 64-bit integer.</summary>
    public bool IsInteger => Type_ == LuauType.Integer;
    /// <summary>Whether the value is a string.</summary>
    public bool IsString => Type_ == LuauType.String;
    /// <summary>Whether the value is a table.</summary>
    public bool IsTable => Type_ == LuauType.Table;
    /// <summary>Whether the value is a function.</summary>
    public bool IsFunction => Type_ == LuauType.Function;
    /// <summary>Whether the value is a boolean.</summary>
    public bool IsBoolean => Type_ == LuauType.Boolean;

    /// <summary>False for nil and false; true for everything else.</summary>
    public bool IsTruthy
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Type_ > LuauType.Boolean || (Type_ == LuauType.Boolean && Extra != 0);
    }

    /// <summary>True for nil and false.</summary>
    public bool IsFalsy
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Type_ == LuauType.Nil || (Type_ == LuauType.Boolean && Extra == 0);
    }

    /// <summary>The number, when <see cref="Type"/> is <see cref="LuauType.Number"/> (otherwise meaningless).</summary>
    public double Number => N;

    /// <summary>The integer, when <see cref="Type"/> is <see cref="LuauType.Integer"/> (otherwise meaningless).</summary>
    public long Integer => BitConverter.DoubleToInt64Bits(N);

    /// <summary>The boolean, when <see cref="Type"/> is <see cref="LuauType.Boolean"/>.</summary>
    public bool Boolean => Extra != 0;

    /// <summary>The string, or null for other types.</summary>
    public LuauString? AsString => Type_ == LuauType.String ? (LuauString)O! : null;
    /// <summary>The table, or null for other types.</summary>
    public LuauTable? AsTable => Type_ == LuauType.Table ? (LuauTable)O! : null;
    /// <summary>The function, or null for other types.</summary>
    public LuauFunction? AsFunction => Type_ == LuauType.Function ? (LuauFunction)O! : null;
    /// <summary>The userdata, or null for other types.</summary>
    public LuauUserdata? AsUserdata => Type_ == LuauType.Userdata ? (LuauUserdata)O! : null;
    /// <summary>The coroutine, or null for other types.</summary>
    public LuauThread? AsThread => Type_ == LuauType.Thread ? (LuauThread)O! : null;
    /// <summary>The buffer, or null for other types.</summary>
    public LuauBuffer? AsBuffer => Type_ == LuauType.Buffer ? (LuauBuffer)O! : null;

    internal LuauString UnsafeString => Unsafe.As<LuauString>(O!);
    internal LuauTable UnsafeTable => Unsafe.As<LuauTable>(O!);
    internal LuauFunction UnsafeFunction => Unsafe.As<LuauFunction>(O!);

    /// <summary>
    /// <c>dst = src</c> without the GC write barrier when <paramref name="src"/> holds no reference (nil, a boolean,
    /// a number, a vector...): a store of the constant null needs none, and most register copies are numbers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Copy(ref LuauValue dst, in LuauValue src)
    {
        if (src.O is null)
            dst = new LuauValue(src.Type_, null, src.N, src.Extra);
        else
            dst = src;
    }

    /// <summary>The boolean value, built in place (no load of <see cref="True"/> or <see cref="False"/>, no write barrier).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static LuauValue FromBool(bool b) => new(LuauType.Boolean, null, 0, b ? 1u : 0u);

    /// <summary>The boolean value.</summary>
    public static LuauValue FromBoolean(bool b) => b ? True : False;

    /// <summary>An integer value (Luau's 64-bit integer type, not a number).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LuauValue FromInteger(long value) => new(LuauType.Integer, null, BitConverter.Int64BitsToDouble(value), 0);

    /// <summary>A vector value (three float components).</summary>
    public static LuauValue FromVector(float x, float y, float z)
    {
        ulong xy = (uint)BitConverter.SingleToInt32Bits(x) | ((ulong)(uint)BitConverter.SingleToInt32Bits(y) << 32);
        return new LuauValue(LuauType.Vector, null, BitConverter.UInt64BitsToDouble(xy), (uint)BitConverter.SingleToInt32Bits(z));
    }

    /// <summary>A light userdata: an opaque 64-bit payload with an 8-bit tag, compared by value.</summary>
    public static LuauValue FromLightUserdata(long payload, byte tag = 0) =>
        new(LuauType.LightUserdata, null, BitConverter.Int64BitsToDouble(payload), tag);

    internal float VectorX => BitConverter.Int32BitsToSingle((int)(uint)BitConverter.DoubleToUInt64Bits(N));
    internal float VectorY => BitConverter.Int32BitsToSingle((int)(uint)(BitConverter.DoubleToUInt64Bits(N) >> 32));
    internal float VectorZ => BitConverter.Int32BitsToSingle((int)Extra);

    /// <summary>The components, when <see cref="Type"/> is <see cref="LuauType.Vector"/>.</summary>
    public (float X, float Y, float Z) Vector => (VectorX, VectorY, VectorZ);

    /// <summary>The payload and tag, when <see cref="Type"/> is <see cref="LuauType.LightUserdata"/>.</summary>
    public (long Payload, byte Tag) LightUserdata => (LightUserdataPayload, LightUserdataTag);

    internal long LightUserdataPayload => BitConverter.DoubleToInt64Bits(N);
    internal byte LightUserdataTag => (byte)Extra;

    /// <summary>A number.</summary>
    public static implicit operator LuauValue(double number) => new(number);
    /// <summary>A number.</summary>
    public static implicit operator LuauValue(int number) => new(number);
    /// <summary>A boolean.</summary>
    public static implicit operator LuauValue(bool b) => b ? True : False;
    /// <summary>A string, or nil for null.</summary>
    public static implicit operator LuauValue(LuauString? s) => s is null ? Nil : new(s);
    /// <summary>A string (UTF-8), or nil for null.</summary>
    public static implicit operator LuauValue(string? s) => s is null ? Nil : new(LuauString.FromUtf8(s));
    /// <summary>A table, or nil for null.</summary>
    public static implicit operator LuauValue(LuauTable? t) => t is null ? Nil : new(t);
    /// <summary>A function, or nil for null.</summary>
    public static implicit operator LuauValue(LuauFunction? f) => f is null ? Nil : new(f);

    /// <summary>Raw equality: no metamethods; numbers by value (NaN is never equal), strings by content, objects by identity.</summary>
    public bool Equals(LuauValue other) => RawEquals(in this, in other);

    /// <summary>Raw equality with another <see cref="LuauValue"/> (no metamethods).</summary>
    public override bool Equals(object? obj) => obj is LuauValue v && Equals(v);

    /// <summary>A hash consistent with raw equality.</summary>
    public override int GetHashCode() => Type_ switch
    {
        LuauType.Number => N == 0 ? 0 : N.GetHashCode(),
        LuauType.String => (int)UnsafeString.Hash,
        LuauType.Integer => Integer.GetHashCode(),
        LuauType.Boolean or LuauType.Vector or LuauType.LightUserdata => HashCode.Combine(N, Extra),
        LuauType.Nil => 0,
        _ => RuntimeHelpers.GetHashCode(O),
    };

    /// <summary>Raw equality (no metamethods).</summary>
    public static bool operator ==(LuauValue a, LuauValue b) => RawEquals(in a, in b);

    /// <summary>Raw inequality (no metamethods).</summary>
    public static bool operator !=(LuauValue a, LuauValue b) => !RawEquals(in a, in b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool RawEquals(in LuauValue a, in LuauValue b)
    {
        if (a.Type_ != b.Type_)
            return false;
        switch (a.Type_)
        {
            case LuauType.Nil:
                return true;
            case LuauType.Number:
                return a.N == b.N;
            case LuauType.Boolean:
                return a.Extra == b.Extra;
            case LuauType.Integer:
                return a.Integer == b.Integer;
            case LuauType.String:
                return ReferenceEquals(a.O, b.O) || Unsafe.As<LuauString>(a.O!).Equals(Unsafe.As<LuauString>(b.O));
            case LuauType.Vector:
                return a.VectorX == b.VectorX && a.VectorY == b.VectorY && a.VectorZ == b.VectorZ;
            case LuauType.LightUserdata:
                return a.LightUserdataPayload == b.LightUserdataPayload && a.Extra == b.Extra;
            default:
                return ReferenceEquals(a.O, b.O);
        }
    }

    /// <summary>
    /// A short description: nil, booleans, numbers (formatted as Luau's <c>tostring</c> formats them), integers and
    /// strings as their text; other values by their type. Use the <c>tostring</c> library function for metamethods.
    /// </summary>
    public override string ToString() => Type_ switch
    {
        LuauType.Nil => "nil",
        LuauType.Boolean => Boolean ? "true" : "false",
        LuauType.Number => Interpreter.NumberToString(N).ToString(),
        LuauType.Integer => Integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        LuauType.String => UnsafeString.ToString(),
        LuauType.Vector => $"{VectorX}, {VectorY}, {VectorZ}",
        _ => Type_.ToString().ToLowerInvariant(),
    };

    private string DebuggerText => Type_ == LuauType.String ? $"\"{this}\"" : ToString();
}

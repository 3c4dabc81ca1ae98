using System.Buffers.Binary;
using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>What one option of a <c>string.pack</c> format stands for.</summary>
internal enum PackOption : byte
{
    /// <summary><c>b h l j i[n]</c>: a signed integer of <see cref="PackItem.Size"/> bytes; consumes a number.</summary>
    Int,

    /// <summary><c>B H L J T I[n]</c>: an unsigned integer; consumes a number.</summary>
    UnsignedInt,

    /// <summary><c>f d n</c>: a 4- or 8-byte IEEE float; consumes a number.</summary>
    Float,

    /// <summary><c>c[n]</c>: a string of exactly n bytes (zero padded when packing); consumes a string.</summary>
    FixedString,

    /// <summary><c>s[n]</c>: a string preceded by its length as an n-byte unsigned integer; consumes a string.</summary>
    LengthString,

    /// <summary><c>z</c>: a zero-terminated string; consumes a string.</summary>
    ZeroString,

    /// <summary><c>x</c>: one zero byte of padding.</summary>
    Padding,

    /// <summary><c>X[op]</c>: padding up to the alignment of the next option (only <see cref="PackItem.Padding"/>).</summary>
    AlignPadding,

    /// <summary>Spaces and the settings <c>&lt; &gt; = !n</c>: nothing to pack.</summary>
    None,
}

/// <summary>One item of a pack format: the option, its size, and the alignment padding that comes before it.</summary>
internal readonly struct PackItem(PackOption option, int size, int padding, bool littleEndian)
{
    public PackOption Option { get; } = option;

    /// <summary>The item's size in bytes (for strings with a length prefix, the prefix's size; 0 for <c>z</c>).</summary>
    public int Size { get; } = size;

    /// <summary>Zero bytes to insert (or skip) before the item so it is aligned.</summary>
    public int Padding { get; } = padding;

    /// <summary>The byte order in force for this item.</summary>
    public bool LittleEndian { get; } = littleEndian;

    /// <summary>True when the item takes a value (a number or a string) when packing and yields one when unpacking.</summary>
    public bool HasValue => Option <= PackOption.ZeroString;
}

/// <summary>
/// Reads a <c>string.pack</c> format one item at a time, keeping the byte order and maximum alignment in force.
/// The format ends at its first zero byte, as the reference reads it as a C string.
/// </summary>
internal ref struct PackFormatReader
{
    private readonly ReadOnlySpan<byte> _format;
    private int _position;
    private bool _littleEndian;
    private int _maxAlign;

    public PackFormatReader(ReadOnlySpan<byte> format)
    {
        int zero = format.IndexOf((byte)0);
        _format = zero < 0 ? format : format[..zero];
        _littleEndian = BitConverter.IsLittleEndian;
        _maxAlign = 1;
    }

    /// <summary>
    /// Reads the next item; false at the end of the format. <paramref name="offset"/> is the number of bytes
    /// packed so far (for unpack, the position in the data), from which the alignment padding is computed.
    /// </summary>
    public bool TryRead(long offset, out PackItem item)
    {
        if (_position >= _format.Length)
        {
            item = default;
            return false;
        }
        var option = ReadOption(out int size);
        int align = size; // an item aligns to its own size, within the maximum alignment
        if (option == PackOption.AlignPadding)
        {
            // 'X' takes its alignment from the option after it, which is read (and consumed) here.
            if (_position >= _format.Length || ReadOption(out align) == PackOption.FixedString || align == 0)
                throw new LibraryArgumentError(1, "invalid next option for option 'X'");
        }
        int padding = 0;
        if (align > 1 && option != PackOption.FixedString)
        {
            align = Math.Min(align, _maxAlign);
            if ((align & (align - 1)) != 0)
                throw new LibraryArgumentError(1, "format asks for alignment not power of 2");
            padding = (align - (int)(offset & (align - 1))) & (align - 1);
        }
        item = new PackItem(option, size, padding, _littleEndian);
        return true;
    }

    private PackOption ReadOption(out int size)
    {
        byte option = _format[_position++];
        size = 0;
        switch (option)
        {
            case (byte)'b': size = 1; return PackOption.Int;
            case (byte)'B': size = 1; return PackOption.UnsignedInt;
            case (byte)'h': size = 2; return PackOption.Int;
            case (byte)'H': size = 2; return PackOption.UnsignedInt;
            // In Luau 'l' is 8 bytes while 'j' (the "Lua integer") and 'T' (size_t) are 4.
            case (byte)'l': size = 8; return PackOption.Int;
            case (byte)'L': size = 8; return PackOption.UnsignedInt;
            case (byte)'j': size = 4; return PackOption.Int;
            case (byte)'J': size = 4; return PackOption.UnsignedInt;
            case (byte)'T': size = 4; return PackOption.UnsignedInt;
            case (byte)'f': size = 4; return PackOption.Float;
            case (byte)'d': size = 8; return PackOption.Float;
            case (byte)'n': size = 8; return PackOption.Float;
            case (byte)'i': size = ReadIntegerSize(4); return PackOption.Int;
            case (byte)'I': size = ReadIntegerSize(4); return PackOption.UnsignedInt;
            case (byte)'s': size = ReadIntegerSize(4); return PackOption.LengthString;
            case (byte)'c':
                size = ReadNumber(-1);
                if (size == -1)
                    throw new LuauError("missing size for format option 'c'");
                return PackOption.FixedString;
            case (byte)'z': return PackOption.ZeroString;
            case (byte)'x': size = 1; return PackOption.Padding;
            case (byte)'X': return PackOption.AlignPadding;
            case (byte)' ': return PackOption.None;
            case (byte)'<': _littleEndian = true; return PackOption.None;
            case (byte)'>': _littleEndian = false; return PackOption.None;
            case (byte)'=': _littleEndian = BitConverter.IsLittleEndian; return PackOption.None;
            case (byte)'!': _maxAlign = ReadIntegerSize(StringPack.MaxAlign); return PackOption.None;
            default: throw new LuauError($"invalid format option '{(char)option}'");
        }
    }

    private readonly bool DigitAhead => _position < _format.Length && (uint)(_format[_position] - '0') <= 9;

    /// <summary>An optional decimal size after an option, or <paramref name="absent"/> when there is none.</summary>
    private int ReadNumber(int absent)
    {
        if (!DigitAhead)
            return absent;
        int value = 0;
        do
        {
            value = value * 10 + (_format[_position++] - '0');
        } while (DigitAhead && value <= (int.MaxValue - 9) / 10);
        if (value > StringPack.MaxStringSize || DigitAhead)
            throw new LuauError("size specifier is too large");
        return value;
    }

    private int ReadIntegerSize(int absent)
    {
        int size = ReadNumber(absent);
        if (size > StringPack.MaxIntegerSize || size <= 0)
            throw new LuauError($"integral size ({size}) out of limits [1,{StringPack.MaxIntegerSize}]");
        return size;
    }
}

/// <summary>The values <see cref="StringPack.Pack"/> packs, numbered as the arguments of <c>string.pack</c>.</summary>
internal interface IPackArguments
{
    /// <summary>Argument <paramref name="argument"/> as a number (raise the type error if it is not one).</summary>
    double GetNumber(int argument);

    /// <summary>Argument <paramref name="argument"/> as a string (raise the type error if it is not one).</summary>
    ReadOnlySpan<byte> GetString(int argument);
}

/// <summary>Receives the values <see cref="StringPack.Unpack"/> produces, in order.</summary>
internal interface IUnpackResults
{
    void AddNumber(double value);

    void AddString(ReadOnlySpan<byte> value);
}

/// <summary>
/// The engine of <c>string.pack</c>, <c>string.unpack</c> and <c>string.packsize</c>. <see cref="PackFormatReader"/>
/// walks the format; the static writers and readers handle one item each; <see cref="Pack"/>, <see cref="Unpack"/>
/// and <see cref="PackSize"/> drive whole calls. Luau numbers are doubles: packed integers come from truncating the
/// double as the reference's C cast does on x64, and unpacked integers are converted to the nearest double.
/// </summary>
internal static class StringPack
{
    /// <summary>The largest integer size in bytes (<c>i16</c>).</summary>
    public const int MaxIntegerSize = 16;

    /// <summary>The default maximum alignment of <c>!</c>.</summary>
    public const int MaxAlign = 8;

    /// <summary>The largest Luau string, 1 GiB: the limit of size specifiers and of results.</summary>
    public const int MaxStringSize = 1 << 30;

    /// <summary>The reference's error for a result larger than <see cref="MaxStringSize"/>.</summary>
    public const string TooLargeMessage = "memory allocation error: block too big";

    // The native integer of the reference's pack code is 8 bytes wide.
    private const int NativeIntegerSize = 8;

    /// <summary>
    /// <c>string.pack(format, ...)</c>: appends the packed values to <paramref name="output"/>. The values are
    /// arguments 2, 3, ... of <paramref name="arguments"/>.
    /// </summary>
    public static void Pack<TArguments>(ReadOnlySpan<byte> format, ref TArguments arguments, ByteBuilder output)
        where TArguments : IPackArguments, allows ref struct
    {
        // Refuse before writing anything when the fixed-size items alone exceed the limit, so that a format such as
        // "c1073741824c1073741824" costs no gigabyte of zeros.
        if (MinimumSize(format) > MaxStringSize)
            throw new LuauError(TooLargeMessage);
        var reader = new PackFormatReader(format);
        int argument = 1;
        long total = 0; // bytes packed so far: alignment is relative to the start of the result
        while (reader.TryRead(total, out var item))
        {
            total += item.Padding + item.Size;
            CheckResultSize(total);
            output.Append(0, item.Padding);
            switch (item.Option)
            {
                case PackOption.Int:
                case PackOption.UnsignedInt:
                    argument++;
                    WriteInteger(output, arguments.GetNumber(argument), item, argument);
                    break;
                case PackOption.Float:
                    argument++;
                    WriteFloat(output, arguments.GetNumber(argument), item);
                    break;
                case PackOption.FixedString:
                    argument++;
                    WriteFixedString(output, arguments.GetString(argument), item, argument);
                    break;
                case PackOption.LengthString:
                    {
                        argument++;
                        var text = arguments.GetString(argument);
                        total += text.Length;
                        CheckResultSize(total);
                        WriteLengthString(output, text, item, argument);
                        break;
                    }
                case PackOption.ZeroString:
                    {
                        argument++;
                        var text = arguments.GetString(argument);
                        total += text.Length + 1;
                        CheckResultSize(total);
                        WriteZeroString(output, text, argument);
                        break;
                    }
                case PackOption.Padding:
                    output.Append(0);
                    break;
            }
        }
    }

    /// <summary>
    /// <c>string.unpack(format, data, init)</c>: hands each value to <paramref name="results"/> and returns the
    /// 1-based position after the last byte read (the call's final result).
    /// </summary>
    public static int Unpack<TResults>(ReadOnlySpan<byte> format, ReadOnlySpan<byte> data, int init, ref TResults results)
        where TResults : IUnpackResults, allows ref struct
    {
        // A negative init counts from the end; anything before the start is clamped to it.
        long start = init < 0 ? init + (long)data.Length + 1 : init;
        int position = (int)Math.Max(0, start - 1);
        if (start - 1 > data.Length)
            throw new LibraryArgumentError(3, "initial position out of string");
        var reader = new PackFormatReader(format);
        while (reader.TryRead(position, out var item))
        {
            if ((long)item.Padding + item.Size > data.Length - position)
                throw new LibraryArgumentError(2, "data string too short");
            position += item.Padding;
            switch (item.Option)
            {
                case PackOption.Int:
                case PackOption.UnsignedInt:
                    results.AddNumber(ReadInteger(data.Slice(position, item.Size), item));
                    break;
                case PackOption.Float:
                    results.AddNumber(ReadFloat(data.Slice(position, item.Size), item));
                    break;
                case PackOption.FixedString:
                    results.AddString(data.Slice(position, item.Size));
                    break;
                case PackOption.LengthString:
                    {
                        ulong length = ReadRawInteger(data.Slice(position, item.Size), item.LittleEndian, signed: false);
                        if (length > (ulong)(data.Length - position - item.Size))
                            throw new LibraryArgumentError(2, "data string too short");
                        results.AddString(data.Slice(position + item.Size, (int)length));
                        position += (int)length;
                        break;
                    }
                case PackOption.ZeroString:
                    {
                        int length = data[position..].IndexOf((byte)0);
                        if (length < 0)
                            throw new LibraryArgumentError(2, "unfinished string for format 'z'");
                        results.AddString(data.Slice(position, length));
                        position += length + 1;
                        break;
                    }
            }
            position += item.Size;
        }
        return position + 1;
    }

    /// <summary><c>string.packsize(format)</c>: the size of any result of the format, which must have no strings of variable length.</summary>
    public static int PackSize(ReadOnlySpan<byte> format)
    {
        var reader = new PackFormatReader(format);
        int total = 0;
        while (reader.TryRead(total, out var item))
        {
            if (item.Option is PackOption.LengthString or PackOption.ZeroString)
                throw new LibraryArgumentError(1, "variable-length format");
            int size = item.Size + item.Padding;
            if (total > MaxStringSize - size)
                throw new LibraryArgumentError(1, "format result too large");
            total += size;
        }
        return total;
    }

    // ---- one item each ----------------------------------------------------------------------------------------

    /// <summary>
    /// Packs a signed or unsigned integer item (<see cref="PackOption.Int"/>/<see cref="PackOption.UnsignedInt"/>).
    /// The double is truncated to a 64-bit integer first; values that do not fit the item's size are an error on
    /// argument <paramref name="argument"/>.
    /// </summary>
    public static void WriteInteger(ByteBuilder output, double value, in PackItem item, int argument)
    {
        long n = TruncateToInt64(value);
        int size = item.Size;
        bool signed = item.Option == PackOption.Int;
        if (size < NativeIntegerSize)
        {
            if (signed)
            {
                long limit = 1L << (size * 8 - 1);
                if (n < -limit || n >= limit)
                    throw new LibraryArgumentError(argument, "integer overflow");
            }
            else if ((ulong)n >= 1UL << (size * 8))
                throw new LibraryArgumentError(argument, "unsigned overflow");
        }
        WriteRawInteger(output, (ulong)n, size, item.LittleEndian, negative: signed && n < 0);
    }

    /// <summary>Packs a float item: 4 bytes as a single-precision float, 8 as a double.</summary>
    public static void WriteFloat(ByteBuilder output, double value, in PackItem item)
    {
        var span = output.GetAppendSpan(item.Size);
        if (item.Size == 4)
        {
            if (item.LittleEndian)
                BinaryPrimitives.WriteSingleLittleEndian(span, (float)value);
            else
                BinaryPrimitives.WriteSingleBigEndian(span, (float)value);
        }
        else if (item.LittleEndian)
            BinaryPrimitives.WriteDoubleLittleEndian(span, value);
        else
            BinaryPrimitives.WriteDoubleBigEndian(span, value);
        output.Advance(item.Size);
    }

    /// <summary>Packs a <c>c[n]</c> item: the string, then zeros up to n bytes.</summary>
    public static void WriteFixedString(ByteBuilder output, ReadOnlySpan<byte> text, in PackItem item, int argument)
    {
        if (text.Length > item.Size)
            throw new LibraryArgumentError(argument, "string longer than given size");
        output.Append(text);
        output.Append(0, item.Size - text.Length);
    }

    /// <summary>Packs an <c>s[n]</c> item: the length as an n-byte unsigned integer, then the string.</summary>
    public static void WriteLengthString(ByteBuilder output, ReadOnlySpan<byte> text, in PackItem item, int argument)
    {
        if (item.Size < NativeIntegerSize && (ulong)text.Length >= 1UL << (item.Size * 8))
            throw new LibraryArgumentError(argument, "string length does not fit in given size");
        WriteRawInteger(output, (ulong)text.Length, item.Size, item.LittleEndian, negative: false);
        output.Append(text);
    }

    /// <summary>Packs a <c>z</c> item: the string and a terminating zero; the string may not contain zeros.</summary>
    public static void WriteZeroString(ByteBuilder output, ReadOnlySpan<byte> text, int argument)
    {
        if (text.Contains((byte)0))
            throw new LibraryArgumentError(argument, "string contains zeros");
        output.Append(text);
        output.Append(0);
    }

    /// <summary>
    /// Unpacks an integer item from exactly <see cref="PackItem.Size"/> bytes: sign-extended when signed, and
    /// converted to the nearest double. Items wider than 8 bytes must hold a value that fits in 8.
    /// </summary>
    public static double ReadInteger(ReadOnlySpan<byte> bytes, in PackItem item)
    {
        bool signed = item.Option == PackOption.Int;
        ulong raw = ReadRawInteger(bytes, item.LittleEndian, signed);
        return signed ? (long)raw : (double)raw;
    }

    /// <summary>Unpacks a float item (4 or 8 bytes).</summary>
    public static double ReadFloat(ReadOnlySpan<byte> bytes, in PackItem item)
    {
        if (item.Size == 4)
            return item.LittleEndian ? BinaryPrimitives.ReadSingleLittleEndian(bytes) : BinaryPrimitives.ReadSingleBigEndian(bytes);
        return item.LittleEndian ? BinaryPrimitives.ReadDoubleLittleEndian(bytes) : BinaryPrimitives.ReadDoubleBigEndian(bytes);
    }

    /// <summary>
    /// The C conversion <c>(long long)d</c> as the reference computes it on x64: truncation toward zero, and
    /// the "integer indefinite" value <see cref="long.MinValue"/> for NaN and out-of-range values (.NET itself
    /// would saturate instead).
    /// </summary>
    public static long TruncateToInt64(double value)
    {
        if (!(value >= -9223372036854775808.0 && value < 9223372036854775808.0))
            return long.MinValue;
        return (long)value;
    }

    /// <summary>
    /// A lower bound of the result size of <paramref name="format"/>: the sum of its items' sizes, without padding
    /// or string contents. A malformed format stops the sum; the packing pass then reports the error where the
    /// reference does (after the items before it).
    /// </summary>
    private static long MinimumSize(ReadOnlySpan<byte> format)
    {
        var reader = new PackFormatReader(format);
        long total = 0;
        try
        {
            while (total <= MaxStringSize && reader.TryRead(0, out var item))
                total += item.Size;
        }
        catch (LuauError)
        {
        }
        return total;
    }

    private static void CheckResultSize(long total)
    {
        if (total > MaxStringSize)
            throw new LuauError(TooLargeMessage);
    }

    /// <summary>
    /// Writes the low <paramref name="size"/> bytes of <paramref name="value"/>; bytes beyond the eighth are the
    /// sign extension (0xFF when <paramref name="negative"/>, else 0).
    /// </summary>
    private static void WriteRawInteger(ByteBuilder output, ulong value, int size, bool littleEndian, bool negative)
    {
        var span = output.GetAppendSpan(size);
        for (int i = 0; i < size; i++)
        {
            byte b = i < NativeIntegerSize ? (byte)(value >> (8 * i)) : negative ? (byte)0xFF : (byte)0;
            span[littleEndian ? i : size - 1 - i] = b;
        }
        output.Advance(size);
    }

    /// <summary>
    /// Reads a <paramref name="bytes"/>.Length-byte integer into 64 bits: sign-extended when
    /// <paramref name="signed"/> and shorter than 8 bytes; when longer, the extra bytes must be the sign
    /// extension of the low 8 ("does not fit into Lua Integer" otherwise).
    /// </summary>
    private static ulong ReadRawInteger(ReadOnlySpan<byte> bytes, bool littleEndian, bool signed)
    {
        int size = bytes.Length;
        int low = Math.Min(size, NativeIntegerSize);
        ulong result = 0;
        for (int i = low - 1; i >= 0; i--)
            result = (result << 8) | bytes[littleEndian ? i : size - 1 - i];
        if (size < NativeIntegerSize)
        {
            if (signed)
            {
                ulong signBit = 1UL << (size * 8 - 1);
                result = (result ^ signBit) - signBit;
            }
        }
        else if (size > NativeIntegerSize)
        {
            byte extension = signed && (long)result < 0 ? (byte)0xFF : (byte)0;
            for (int i = low; i < size; i++)
            {
                if (bytes[littleEndian ? i : size - 1 - i] != extension)
                    throw new LuauError($"{size}-byte integer does not fit into Lua Integer");
            }
        }
        return result;
    }
}

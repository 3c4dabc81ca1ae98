using System.Runtime.CompilerServices;
namespace Coputer.Luau.Library;

/// <summary>
/// Exact decimal expansion of doubles for printf-style formatting: every double is a finite binary fraction, so
/// its decimal digits are finite too, and rounding them at any position can be done exactly, with ties (the
/// dropped part exactly one half) going to an even last digit, as C's <c>printf</c> does.
/// </summary>
/// <remarks>
/// The value m * 2^e is split into an integer part and a binary fraction. Integer digits come from repeated
/// division by 10^9 (or directly when the part fits in 64 bits); fraction digits nine at a time from
/// multiplying the fraction by 10^9 and taking what crosses the binary point. All big numbers live in stack
/// buffers of 32-bit limbs; nothing is allocated.
/// </remarks>
[SkipLocalsInit] // stack buffers are always written before they are read
internal static class ExactDecimal
{
    /// <summary>
    /// Room needed in the digit buffer: 309 integer digits, 99 fraction digits rounded up to whole groups of
    /// nine plus one extra group for the rounding decision, and one more for a carry into a new leading digit.
    /// </summary>
    public const int BufferSize = 440;

    private const uint Billion = 1_000_000_000;

    // A double below 2^1024 has at most 32 limbs of integer part; a fraction has at most 1074 bits, which is
    // 34 limbs once its binary point is moved to a limb boundary, plus a spare.
    private const int MaxLimbs = 36;

    /// <summary>
    /// Digits of |<paramref name="value"/>| (finite, may be zero) rounded to <paramref name="fractionDigits"/>
    /// places after the point: the integer digits without leading zeros (none when the integer part is zero)
    /// followed by exactly <paramref name="fractionDigits"/> fraction digits. Returns the digit count and the
    /// number of integer digits among them.
    /// </summary>
    public static int Fixed(double value, int fractionDigits, Span<byte> digits, out int integerDigits)
    {
        var expansion = new Expansion(value, stackalloc uint[MaxLimbs], stackalloc uint[MaxLimbs]);
        int count = expansion.WriteIntegerDigits(digits);
        integerDigits = count;

        int cut = count + fractionDigits;
        while (count <= cut)
        {
            expansion.WriteFractionGroup(digits[count..]);
            count += 9;
        }

        if (RoundsUp(digits, cut, count, expansion.FractionIsZero))
        {
            if (Increment(digits, cut))
            {
                // 99.9 -> 100.0: a new leading digit.
                digits[..cut].CopyTo(digits[1..]);
                digits[0] = (byte)'1';
                cut++;
                integerDigits++;
            }
        }
        return cut;
    }

    /// <summary>
    /// The first <paramref name="count"/> significant digits of |<paramref name="value"/>| (finite, nonzero),
    /// rounded, and the decimal exponent of the first one (the <c>%e</c> exponent). Returns true when rounding
    /// carried into a new leading digit (9.99 -> 10.0), which raised the exponent by one.
    /// </summary>
    public static bool Significant(double value, int count, Span<byte> digits, out int exponent10)
    {
        var expansion = new Expansion(value, stackalloc uint[MaxLimbs], stackalloc uint[MaxLimbs]);
        int written = expansion.WriteIntegerDigits(digits);
        if (written > 0)
        {
            exponent10 = written - 1;
        }
        else
        {
            // Skip the zeros after the point: whole groups first, then the zeros leading the first nonzero group.
            Span<byte> group = stackalloc byte[9];
            int zeros = 0;
            while (true)
            {
                expansion.WriteFractionGroup(group);
                int firstNonZero = group.IndexOfAnyExcept((byte)'0');
                if (firstNonZero < 0)
                {
                    zeros += 9;
                    continue;
                }
                zeros += firstNonZero;
                group[firstNonZero..].CopyTo(digits);
                written = 9 - firstNonZero;
                break;
            }
            exponent10 = -zeros - 1;
        }

        while (written <= count)
        {
            expansion.WriteFractionGroup(digits[written..]);
            written += 9;
        }

        if (RoundsUp(digits, count, written, expansion.FractionIsZero) && Increment(digits, count))
        {
            // 9.99 -> 10.0: still count digits, one more in the exponent.
            digits[0] = (byte)'1';
            digits[1..count].Fill((byte)'0');
            exponent10++;
            return true;
        }
        return false;
    }

    /// <summary>
    /// Whether dropping digits[cut..available) (and a fraction that is zero or not beyond them) rounds the kept
    /// digits up: above one half, or exactly one half with an odd last kept digit.
    /// </summary>
    private static bool RoundsUp(ReadOnlySpan<byte> digits, int cut, int available, bool restIsZero)
    {
        byte first = digits[cut];
        if (first != '5')
            return first > '5';
        if (!restIsZero || digits[(cut + 1)..available].IndexOfAnyExcept((byte)'0') >= 0)
            return true;
        return cut > 0 && (digits[cut - 1] & 1) != 0;
    }

    /// <summary>Adds one to the decimal number digits[0..length); returns true when it overflows (all nines).</summary>
    private static bool Increment(Span<byte> digits, int length)
    {
        for (int i = length - 1; i >= 0; i--)
        {
            if (digits[i] != '9')
            {
                digits[i]++;
                return false;
            }
            digits[i] = (byte)'0';
        }
        return true;
    }

    /// <summary>The integer part and binary fraction of one double, consumed as decimal digits.</summary>
    private ref struct Expansion
    {
        // Integer part: either a 64-bit value or, when larger, little-endian limbs.
        private ulong _smallInteger;
        private readonly Span<uint> _integer;
        private int _integerLength;

        // Fraction: little-endian limbs holding f / 2^(32 * _fractionLength); limbs below _fractionLow are zero.
        private readonly Span<uint> _fraction;
        private int _fractionLength;
        private int _fractionLow;

        public Expansion(double value, Span<uint> integerLimbs, Span<uint> fractionLimbs)
        {
            _integer = integerLimbs;
            _fraction = fractionLimbs;
            ulong bits = BitConverter.DoubleToUInt64Bits(value) & 0x7FFF_FFFF_FFFF_FFFFUL;
            int biased = (int)(bits >> 52);
            ulong mantissa = bits & ((1UL << 52) - 1);
            int exponent;
            if (biased == 0)
            {
                exponent = -1074;
            }
            else
            {
                mantissa |= 1UL << 52;
                exponent = biased - 1075;
            }

            if (exponent >= 0)
            {
                if (exponent <= 11)
                {
                    _smallInteger = mantissa << exponent;
                }
                else
                {
                    // mantissa << exponent as limbs.
                    int limbShift = exponent / 32;
                    int bitShift = exponent % 32;
                    _integer[..(limbShift + 3)].Clear();
                    UInt128 shifted = (UInt128)mantissa << bitShift;
                    _integer[limbShift] = (uint)shifted;
                    _integer[limbShift + 1] = (uint)(shifted >> 32);
                    _integer[limbShift + 2] = (uint)(shifted >> 64);
                    _integerLength = limbShift + 3;
                    TrimInteger();
                }
                return;
            }

            int fractionBits = -exponent;
            if (fractionBits < 64)
            {
                _smallInteger = mantissa >> fractionBits;
                mantissa &= (1UL << fractionBits) - 1;
                // Put the binary point at bit 64: two limbs.
                mantissa <<= 64 - fractionBits;
                _fraction[0] = (uint)mantissa;
                _fraction[1] = (uint)(mantissa >> 32);
                _fractionLength = 2;
            }
            else
            {
                // Round the point up to a limb boundary and shift the mantissa to match.
                int limbs = (fractionBits + 31) / 32;
                int shift = limbs * 32 - fractionBits;
                _fraction[..limbs].Clear();
                UInt128 shifted = (UInt128)mantissa << shift;
                _fraction[0] = (uint)shifted;
                _fraction[1] = (uint)(shifted >> 32);
                if (limbs > 2)
                    _fraction[2] = (uint)(shifted >> 64);
                _fractionLength = limbs;
            }
            while (_fractionLow < _fractionLength && _fraction[_fractionLow] == 0)
                _fractionLow++;
        }

        public readonly bool FractionIsZero => _fractionLow >= _fractionLength;

        private void TrimInteger()
        {
            while (_integerLength > 0 && _integer[_integerLength - 1] == 0)
                _integerLength--;
        }

        /// <summary>Writes the integer part's digits without leading zeros (nothing for zero); returns their count.</summary>
        public int WriteIntegerDigits(Span<byte> destination)
        {
            if (_integerLength == 0)
            {
                if (_smallInteger == 0)
                    return 0;
                Span<byte> buffer = stackalloc byte[20];
                int length = NumberFormatter.WriteDigitsRight(_smallInteger, buffer);
                buffer[(20 - length)..].CopyTo(destination);
                return length;
            }

            // Peel off groups of nine digits, least significant first.
            Span<uint> groups = stackalloc uint[40];
            int groupCount = 0;
            while (_integerLength > 0)
            {
                ulong remainder = 0;
                for (int i = _integerLength - 1; i >= 0; i--)
                {
                    ulong current = (remainder << 32) | _integer[i];
                    _integer[i] = (uint)(current / Billion);
                    remainder = current % Billion;
                }
                groups[groupCount++] = (uint)remainder;
                TrimInteger();
            }

            Span<byte> first = stackalloc byte[20];
            int firstLength = NumberFormatter.WriteDigitsRight(groups[groupCount - 1], first);
            first[(20 - firstLength)..].CopyTo(destination);
            int position = firstLength;
            for (int g = groupCount - 2; g >= 0; g--)
            {
                WriteGroup(groups[g], destination.Slice(position, 9));
                position += 9;
            }
            return position;
        }

        /// <summary>Writes the next nine fraction digits.</summary>
        public void WriteFractionGroup(Span<byte> destination)
        {
            uint carry = 0;
            for (int i = _fractionLow; i < _fractionLength; i++)
            {
                ulong product = (ulong)_fraction[i] * Billion + carry;
                _fraction[i] = (uint)product;
                carry = (uint)(product >> 32);
            }
            while (_fractionLow < _fractionLength && _fraction[_fractionLow] == 0)
                _fractionLow++;
            WriteGroup(carry, destination[..9]);
        }

        private static void WriteGroup(uint value, Span<byte> destination)
        {
            for (int i = 8; i >= 0; i--)
            {
                uint quotient = value / 10;
                destination[i] = (byte)('0' + (value - quotient * 10));
                value = quotient;
            }
        }
    }
}

namespace Coputer.Luau.Tests.VM;

/// <summary>
/// Arithmetic, comparison and concatenation as the interpreter runs them: floored modulo and division on
/// negatives, infinities and NaN, string coercion, the error messages for bad operands, and number formatting when
/// numbers are concatenated. Operands come from locals or table fields so the compiler cannot fold them.
/// </summary>
public class ArithmeticTests
{
    [Theory]
    // Modulo is a - floor(a/b)*b: the sign follows the divisor.
    [InlineData("local a, b = -7, 3 return a % b, -a % -b, a % -b, 7.5 % 2, -7.5 % 2", "2\t-2\t-1\t1.5\t0.5")]
    // Infinite or zero divisors make the product inf*0, so the result is NaN.
    [InlineData("local h, z = math.huge, 0 return 5 % h, -5 % h, h % 2, 1 % z", "nan\tnan\tnan\tnan")]
    [InlineData("local a, b = -7, 2 return a // b, -a // b, 7 // -2, 6 // 2, 7.5 // 0.5", "-4\t3\t-4\t3\t15")]
    [InlineData("local z = 0 return 1 // z, -1 // z, 0 // z, -0.0 // 1", "inf\t-inf\tnan\t-0")]
    [InlineData("local z = 0 return 1 / z, -1 / z, z / z, -(z / z)", "inf\t-inf\tnan\tnan")]
    [InlineData("local b = 2 return b ^ 10, b ^ -1, b ^ 0.5 == math.sqrt(2), (-8) ^ (1 / 3)", "1024\t0.5\ttrue\tnan")]
    [InlineData("local x = 0 return -x, x * -1, 1 / -x", "-0\t-0\t-inf")]
    public void NumericOperators(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("local s = '10' return s + 1, s * '2', s - 0.5, s / 4, s % 3, s // 3, s ^ 2, -s", "11\t20\t9.5\t2.5\t1\t3\t100\t-10")]
    [InlineData("local a, b, c = '0x10', ' 3 ', '1e2' return a * 2, b - 1, c / 4", "32\t2\t25")]
    // Arithmetic on numeric strings gives numbers, never strings.
    [InlineData("local s = '5' return type(s + 0), type(s .. 1)", "number\tstring")]
    public void StringsCoerceToNumbersInArithmetic(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("local a = 'abc' return pcall(function() return a + 1 end)", "false\tchunk:1: attempt to perform arithmetic (add) on string and number")]
    [InlineData("local a = '0b101' return pcall(function() return a + 0 end)", "false\tchunk:1: attempt to perform arithmetic (add) on string and number")]
    [InlineData("local a = {} return pcall(function() return 1 + a end)", "false\tchunk:1: attempt to perform arithmetic (add) on number and table")]
    [InlineData("local a = 'x' return pcall(function() return -a end)", "false\tchunk:1: attempt to perform arithmetic (unm) on string")]
    [InlineData("local a return pcall(function() return a * 2 end)", "false\tchunk:1: attempt to perform arithmetic (mul) on nil and number")]
    [InlineData("local a = true return pcall(function() return 2 // a end)", "false\tchunk:1: attempt to perform arithmetic (idiv) on number and boolean")]
    [InlineData("local a = {} return pcall(function() return a % 2 end)", "false\tchunk:1: attempt to perform arithmetic (mod) on table and number")]
    [InlineData("local a = {} return pcall(function() return 2 ^ a end)", "false\tchunk:1: attempt to perform arithmetic (pow) on number and table")]
    [InlineData("local a = {} return pcall(function() return #a.x end)", "false\tchunk:1: attempt to get length of a nil value")]
    [InlineData("local a = 5 return pcall(function() return #a end)", "false\tchunk:1: attempt to get length of a number value")]
    public void ArithmeticErrorsNameTheOperation(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("local a, b = 'a', 'b' return a < b, 'abc' < 'abd', 'Z' < 'a', '' < 'a', 'a\\0b' > 'a'", "true\ttrue\ttrue\ttrue\ttrue")]
    [InlineData("local n = 0 / 0 return n == n, n ~= n, n < 1, n >= 1, not (n < 1)", "false\ttrue\tfalse\tfalse\ttrue")]
    [InlineData("local a = -0.0 return a == 0, 1 / a < 0", "true\ttrue")]
    [InlineData("local a, b = 1, '1' return a == b, a ~= b", "false\ttrue")]
    [InlineData("local a = 1 return pcall(function() return a < '2' end)", "false\tchunk:1: attempt to compare number < string")]
    [InlineData("local a = 1 return pcall(function() return a > 'x' end)", "false\tchunk:1: attempt to compare string < number")]
    [InlineData("local a return pcall(function() return a >= 1 end)", "false\tchunk:1: attempt to compare number <= nil")]
    [InlineData("local a, b = {}, {} return pcall(function() return a <= b end)", "false\tchunk:1: attempt to compare table <= table")]
    [InlineData("local a, b = true, false return pcall(function() return a < b end)", "false\tchunk:1: attempt to compare boolean < boolean")]
    public void Comparisons(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("local a, b, c = 1, 1.5, -0.0 return a .. '', b .. '', c .. ''", "1\t1.5\t-0")]
    [InlineData("local a, b = 1e100, 2 ^ 53 return a .. '', b .. ''", "1e+100\t9007199254740992")]
    [InlineData("local a, b, c = 0.1, 1 / 3, 1e15 return a .. '', b .. '', c .. ''", "0.1\t0.3333333333333333\t1000000000000000")]
    [InlineData("local a, b, c = 2 ^ 63, 1e16, 5e-324 return a .. '', b .. '', c .. ''", "9223372036854776000\t10000000000000000\t5e-324")]
    [InlineData("local a, b = math.huge, 123456789012 return a .. '|' .. -a, b .. ''", "inf|-inf\t123456789012")]
    [InlineData("local a, b = 1, 2 return a .. b, a .. b .. 3, 'x' .. a", "12\t123\tx1")]
    [InlineData("local a, b = 1e-7, 123.456 return a .. '', b .. ''", "1e-07\t123.456")]
    [InlineData("local a = {} return pcall(function() return a .. 'x' end)", "false\tchunk:1: attempt to concatenate table with string")]
    [InlineData("local a = true return pcall(function() return 'x' .. a end)", "false\tchunk:1: attempt to concatenate string with boolean")]
    [InlineData("local a return pcall(function() return 'x' .. 'y' .. a end)", "false\tchunk:1: attempt to concatenate string with nil")]
    public void Concatenation(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Fact]
    public void LongConcatenationChains()
    {
        ScriptRunner.Expect("local t = {} for i = 1, 300 do t[i] = i end return #table.concat(t, ','), t[1] .. t[2] .. t[3] .. t[4] .. t[5] .. t[6] .. t[7] .. t[8] .. t[9] .. t[10]", "1091\t12345678910");
    }
}

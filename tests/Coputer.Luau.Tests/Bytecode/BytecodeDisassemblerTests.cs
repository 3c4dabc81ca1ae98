using Coputer.Luau.Bytecode;
using Coputer.Luau.Compiler;

namespace Coputer.Luau.Tests.Bytecode;

public class BytecodeDisassemblerTests
{
    [Theory]
    [InlineData(0.1, "0.10000000000000001")]
    [InlineData(1.0, "1")]
    [InlineData(123.5, "123.5")]
    [InlineData(-0.0, "-0")]
    [InlineData(1e16, "10000000000000000")]
    [InlineData(1e17, "1e+17")]
    [InlineData(1e-5, "1.0000000000000001e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1e300, "1.0000000000000001e+300")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    public void NumbersAreFormattedLikePercent17g(double value, string expected) =>
        Assert.Equal(expected, BytecodeDisassembler.FormatG(value, 17));

    [Fact]
    public void FloatsUseNineDigits() => Assert.Equal("0.100000001", BytecodeDisassembler.FormatG(0.1f, 9));

    private static BytecodeModule Module(string source, int debugLevel = 1)
    {
        var result = LuauCompiler.Compile(System.Text.Encoding.UTF8.GetBytes(source), new CompileOptions { DebugLevel = debugLevel });
        return BytecodeReader.Read(result.Bytecode!);
    }

    [Fact]
    public void DetailsShowSummaryAndConstants()
    {
        var text = BytecodeDisassembler.Disassemble(Module("local a = ...\nreturn function(b) return a + b end\n", debugLevel: 2));
        var lines = text.Split('\n');
        Assert.Equal("Function 0 (??):", lines[0]);
        Assert.Equal("; 1 param, 1 upvalue (a), stack 3, defined at line 2", lines[1]);
        Assert.Contains("Function 1 (??):", lines);
        Assert.Contains("K0: function 0", lines);
        Assert.Contains("CAPTURE VAL R0", lines);
        Assert.Contains(lines, l => l.StartsWith("local 0: reg 0, start pc 0", StringComparison.Ordinal) && l.EndsWith("(b)", StringComparison.Ordinal));
    }

    [Fact]
    public void StringsAreQuotedEscapedAndCut()
    {
        var text = BytecodeDisassembler.Disassemble(Module("print('a\\nb', '" + new string('x', 40) + "')\n"), details: false);
        Assert.Contains("['a\\x0Ab']", text, StringComparison.Ordinal);
        Assert.Contains("['" + new string('x', 32) + "'...]", text, StringComparison.Ordinal);
    }

    [Fact]
    public void JumpTargetsBecomeLabelsAndSourceLinesAreShown()
    {
        const string source = "local x = ...\nif x then\n  print(1)\nend\n";
        var text = BytecodeDisassembler.Disassemble(Module(source), source, details: false);
        Assert.Contains("JUMPIFNOT R0 L0", text, StringComparison.Ordinal);
        Assert.Contains("L0: RETURN R0 0", text, StringComparison.Ordinal);
        Assert.Contains("    3:   print(1)", text, StringComparison.Ordinal);
        // PREPVARARGS is part of the function header, not listed.
        Assert.DoesNotContain("PREPVARARGS", text, StringComparison.Ordinal);
    }

    [Fact]
    public void UnverifiedGarbageStillDisassembles()
    {
        var proto = new BytecodeProto
        {
            Code = [0xFFFFFFFFu, Instruction.EncodeAd(OpCode.LoadK, 0, 99), Instruction.EncodeAd(OpCode.Jump, 0, 1000), (uint)OpCode.GetGlobal],
            MaxStackSize = 1,
        };
        var text = BytecodeDisassembler.Disassemble(new BytecodeModule(9, 3, [], [proto], 0));
        Assert.Contains("??? 0xFFFFFFFF", text, StringComparison.Ordinal);
        Assert.Contains("LOADK R0 K99 [?]", text, StringComparison.Ordinal);
        Assert.Contains("JUMP L-1", text, StringComparison.Ordinal);
    }
}

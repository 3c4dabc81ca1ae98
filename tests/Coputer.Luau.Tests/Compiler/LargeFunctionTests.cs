using Coputer.Luau.Bytecode;
using Coputer.Luau.Compiler;

namespace Coputer.Luau.Tests.Compiler;

/// <summary>Functions past the 16-bit operand limits: LOADKX for constants, JUMPX trampolines for long jumps.</summary>
public class LargeFunctionTests
{
    private static BytecodeModule Compile(string source, int level = 1)
    {
        var result = LuauCompiler.Compile(System.Text.Encoding.UTF8.GetBytes(source), new CompileOptions { OptimizationLevel = level });
        Assert.True(result.Success);
        var module = BytecodeReader.Read(result.Bytecode!);
        BytecodeVerifier.Verify(module);
        return module;
    }

    [Fact]
    public void ManyConstantsUseLoadKx()
    {
        var sb = new System.Text.StringBuilder("local x = ...\n");
        for (int i = 0; i < 33000; i++)
            sb.Append("x = ").Append(i).Append(".5\n");
        var main = Compile(sb.ToString()).Protos[^1];
        Assert.True(main.Constants.Length > 32768);
        Assert.Contains(main.Code, insn => Instruction.Op(insn) == OpCode.LoadKx);
    }

    [Fact]
    public void LongJumpsUseJumpX()
    {
        var sb = new System.Text.StringBuilder("local x, y = ...\nif x then\n");
        for (int i = 0; i < 34000; i++)
            sb.Append("  x = x + y\n");
        sb.Append("else print(1) end\n");
        for (int level = 0; level <= 2; level++)
        {
            var main = Compile(sb.ToString(), level).Protos[^1];
            int jumpX = Array.FindIndex(main.Code, insn => Instruction.Op(insn) == OpCode.JumpX);
            Assert.True(jumpX > 0);
            // The conditional jump after the trampoline goes back to it.
            Assert.Equal(-2, Instruction.D(main.Code[jumpX + 1]));
        }
    }
}

using Coputer.Luau.Bytecode;

namespace Coputer.Luau.Tests.Bytecode;

public class BytecodeBuilderTests
{
    private static byte[] Bytes(string s) => System.Text.Encoding.ASCII.GetBytes(s);

    [Fact]
    public void StringHashIsTheLua51Hash()
    {
        // h = len; for each byte from the last: h ^= (h << 5) + (h >> 2) + byte
        Assert.Equal(0u, BytecodeBuilder.GetStringHash([]));
        Assert.Equal(1u ^ (32u + 0u + 97u), BytecodeBuilder.GetStringHash(Bytes("a")));
        uint h = 2;
        h ^= (h << 5) + (h >> 2) + 'b';
        h ^= (h << 5) + (h >> 2) + 'a';
        Assert.Equal(h, BytecodeBuilder.GetStringHash(Bytes("ab")));
        Assert.Equal(5161u, h);
    }

    [Fact]
    public void ConstantsAreDeduplicatedByValueAndBits()
    {
        var bc = new BytecodeBuilder();
        bc.BeginFunction(0, false);
        int one = bc.AddConstantNumber(1.0);
        Assert.Equal(one, bc.AddConstantNumber(1.0));
        int zero = bc.AddConstantNumber(0.0);
        int negativeZero = bc.AddConstantNumber(-0.0);
        Assert.NotEqual(zero, negativeZero);
        int s = bc.AddConstantString(Bytes("x"));
        Assert.Equal(s, bc.AddConstantString(Bytes("x")));
        Assert.NotEqual(bc.AddConstantBoolean(true), bc.AddConstantBoolean(false));
        Assert.Equal(bc.AddConstantNil(), bc.AddConstantNil());

        var shape = new TableShape();
        shape.Add(s, -1);
        int table = bc.AddConstantTable(shape);
        var same = new TableShape();
        same.Add(s, -1);
        Assert.Equal(table, bc.AddConstantTable(same));

        bc.EmitAbc(OpCode.Return, 0, 1, 0);
        bc.EndFunction(0, 0, ProtoFlags.None);
        bc.SetMainFunction(0);
        var module = BytecodeReader.Read(bc.Finish());
        var k = module.Protos[0].Constants;
        Assert.Equal(ConstantKind.Number, k[negativeZero].Kind);
        Assert.True(double.IsNegative(k[negativeZero].Number));
        Assert.Equal(ConstantKind.Table, k[table].Kind);
        Assert.Equal([s], k[table].Keys!);
    }

    [Fact]
    public void HeaderAndStringTable()
    {
        var bc = new BytecodeBuilder();
        bc.BeginFunction(0, true);
        bc.SetDebugLine(1);
        bc.EmitAbc(OpCode.PrepVarargs, 0, 0, 0);
        bc.AddConstantString(Bytes("hello"));
        bc.EmitAbc(OpCode.Return, 0, 1, 0);
        bc.SetDebugFunctionName(Bytes("main"));
        bc.EndFunction(1, 0, ProtoFlags.NativeCold);
        bc.SetMainFunction(0);
        var blob = bc.Finish();

        Assert.Equal(BytecodeFormat.VersionTarget, blob[0]);
        Assert.Equal(BytecodeFormat.TypesVersionTarget, blob[1]);
        var module = BytecodeReader.Read(blob);
        BytecodeVerifier.Verify(module);
        Assert.Equal(["hello", "main"], module.Strings.Select(System.Text.Encoding.ASCII.GetString));
        var p = module.Protos[0];
        Assert.Equal(1, p.DebugName);
        Assert.True(p.IsVararg);
        Assert.Equal(ProtoFlags.NativeCold, p.Flags);
        Assert.Equal(1, p.MaxStackSize);
    }

    [Fact]
    public void ErrorBlob()
    {
        var blob = BytecodeBuilder.GetError(":7: oops");
        Assert.Equal(0, blob[0]);
        Assert.True(BytecodeReader.TryGetCompileError(blob, out var message));
        Assert.Equal(":7: oops", message);
    }

    [Theory]
    [InlineData(new[] { 1, 1, 1, 2, 3 })]
    [InlineData(new[] { 10, 300, 5, 1000, 1000, 2 })]
    [InlineData(new[] { 5, 900, 901, 4000, 3, 260, 261, 262, 1, 70000 })]
    public void LineInformationRoundTrips(int[] lines)
    {
        // Lines far apart force spans smaller than the whole function; every pc must still map back.
        var bc = new BytecodeBuilder();
        bc.BeginFunction(0, false);
        foreach (int line in lines[..^1])
        {
            bc.SetDebugLine(line);
            bc.EmitAbc(OpCode.Nop, 0, 0, 0);
        }
        bc.SetDebugLine(lines[^1]);
        bc.EmitAbc(OpCode.Return, 0, 1, 0);
        bc.EndFunction(0, 0, ProtoFlags.None);
        bc.SetMainFunction(0);

        var p = BytecodeReader.Read(bc.Finish()).Protos[0];
        Assert.NotNull(p.LineInfo);
        for (int pc = 0; pc < lines.Length; pc++)
            Assert.Equal(lines[pc], p.GetLine(pc));
    }

    [Fact]
    public void NoLineInformationWhenLinesAreUnset()
    {
        var bc = new BytecodeBuilder();
        bc.BeginFunction(0, false);
        bc.EmitAbc(OpCode.Return, 0, 1, 0);
        bc.EndFunction(0, 0, ProtoFlags.None);
        bc.SetMainFunction(0);
        var p = BytecodeReader.Read(bc.Finish()).Protos[0];
        Assert.Null(p.LineInfo);
        Assert.Equal(0, p.GetLine(0));
    }

    [Fact]
    public void LongJumpsBecomeJumpXTrampolines()
    {
        // A conditional jump over 40000 instructions does not fit 16 bits.
        const int gap = 40000;
        var bc = new BytecodeBuilder();
        bc.BeginFunction(0, false);
        bc.SetDebugLine(1);
        bc.EmitAbc(OpCode.LoadB, 0, 1, 0);
        int jump = bc.EmitLabel();
        bc.EmitAd(OpCode.JumpIf, 0, 0);
        for (int i = 0; i < gap; i++)
            bc.EmitAbc(OpCode.Nop, 0, 0, 0);
        int target = bc.EmitLabel();
        bc.SetDebugLine(2);
        bc.EmitAbc(OpCode.Return, 0, 1, 0);
        Assert.True(bc.PatchJumpD(jump, target));
        bc.FoldJumps();
        bc.ExpandJumps();
        bc.EndFunction(1, 0, ProtoFlags.None);
        bc.SetMainFunction(0);

        var module = BytecodeReader.Read(bc.Finish());
        BytecodeVerifier.Verify(module);
        var code = module.Protos[0].Code;
        Assert.Equal(gap + 5, code.Length);
        // LOADB; JUMP +1; JUMPX far; JUMPIF -2 (back to the JUMPX).
        Assert.Equal(OpCode.Jump, Instruction.Op(code[1]));
        Assert.Equal(1, Instruction.D(code[1]));
        Assert.Equal(OpCode.JumpX, Instruction.Op(code[2]));
        Assert.Equal(OpCode.JumpIf, Instruction.Op(code[3]));
        Assert.Equal(-2, Instruction.D(code[3]));
        int jumpXTarget = 2 + 1 + Instruction.E(code[2]);
        Assert.Equal(OpCode.Return, Instruction.Op(code[jumpXTarget]));
        Assert.Equal(2, module.Protos[0].GetLine(jumpXTarget));
    }

    [Fact]
    public void FoldJumpsShortcutsJumpChainsAndJumpsToReturn()
    {
        var bc = new BytecodeBuilder();
        bc.BeginFunction(0, false);
        int first = bc.EmitLabel();
        bc.EmitAd(OpCode.JumpIf, 0, 0);
        int second = bc.EmitLabel();
        bc.EmitAd(OpCode.Jump, 0, 0);
        int third = bc.EmitLabel();
        bc.EmitAd(OpCode.Jump, 0, 0);
        int end = bc.EmitLabel();
        bc.EmitAbc(OpCode.Return, 0, 1, 0);
        Assert.True(bc.PatchJumpD(first, second));
        Assert.True(bc.PatchJumpD(second, third));
        Assert.True(bc.PatchJumpD(third, end));
        bc.FoldJumps();
        bc.EndFunction(1, 0, ProtoFlags.None);
        bc.SetMainFunction(0);

        var code = BytecodeReader.Read(bc.Finish()).Protos[0].Code;
        // The conditional jump goes straight to the RETURN; the unconditional ones became RETURNs.
        Assert.Equal(end, first + 1 + Instruction.D(code[first]));
        Assert.Equal(OpCode.Return, Instruction.Op(code[second]));
        Assert.Equal(OpCode.Return, Instruction.Op(code[third]));
    }

    [Fact]
    public void IntegerAndVectorConstantsRoundTrip()
    {
        var bc = new BytecodeBuilder();
        bc.BeginFunction(0, false);
        int min = bc.AddConstantInteger(long.MinValue);
        int negative = bc.AddConstantInteger(-5);
        int big = bc.AddConstantInteger(long.MaxValue);
        int vector = bc.AddConstantVector(1, 2.5f, -3, 0);
        bc.EmitAbc(OpCode.Return, 0, 1, 0);
        bc.EndFunction(0, 0, ProtoFlags.None);
        bc.SetMainFunction(0);

        var k = BytecodeReader.Read(bc.Finish()).Protos[0].Constants;
        Assert.Equal(long.MinValue, k[min].Integer);
        Assert.Equal(-5, k[negative].Integer);
        Assert.Equal(long.MaxValue, k[big].Integer);
        Assert.Equal((1.0, 2.5, -3.0, 0.0), (k[vector].X, k[vector].Y, k[vector].Z, k[vector].W));
    }
}

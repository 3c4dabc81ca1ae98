using Coputer.Luau.Bytecode;
using Coputer.Luau.Compiler;

namespace Coputer.Luau.Tests.Bytecode;

public class BytecodeVerifierTests
{
    private static readonly byte[][] s_strings = [System.Text.Encoding.ASCII.GetBytes("print"), System.Text.Encoding.ASCII.GetBytes("x")];

    private static uint Abc(OpCode op, int a = 0, int b = 0, int c = 0) => Instruction.EncodeAbc(op, a, b, c);

    private static uint Ad(OpCode op, int a = 0, int d = 0) => Instruction.EncodeAd(op, a, d);

    private static readonly uint s_return = Abc(OpCode.Return, 0, 1);

    private static BytecodeConstant Str(int index) => new(ConstantKind.String, Index: index);

    private static BytecodeConstant Num(double value) => new(ConstantKind.Number, Number: value);

    private static BytecodeProto Proto(uint[] code, byte maxStack = 4, BytecodeConstant[]? constants = null, byte upvalues = 0,
        bool vararg = false, byte parameters = 0, int[]? children = null) => new()
        {
            Code = code,
            MaxStackSize = maxStack,
            Constants = constants ?? [],
            NumUpvalues = upvalues,
            IsVararg = vararg,
            NumParams = parameters,
            Children = children ?? [],
        };

    /// <summary>A module whose main function is the last prototype.</summary>
    private static BytecodeModule Module(params BytecodeProto[] protos) => new(9, 3, s_strings, protos, protos.Length - 1);

    private static string Refused(params BytecodeProto[] protos) =>
        Assert.Throws<BytecodeException>(() => BytecodeVerifier.Verify(Module(protos))).Message;

    [Fact]
    public void AcceptsMinimalFunction() => BytecodeVerifier.Verify(Module(Proto([s_return], maxStack: 0)));

    [Fact]
    public void AcceptsCompiledCode()
    {
        const string source = """
            local t = {}
            for i = 1, 10 do t[i] = function() return i end end
            local s = 0
            for k, v in pairs(t) do s += v() end
            print(`sum {s}`, select("#", ...), math.max(s, 1, 2))
            return ...
            """;
        for (int level = 0; level <= 2; level++)
        {
            var result = LuauCompiler.Compile(System.Text.Encoding.UTF8.GetBytes(source), new CompileOptions { OptimizationLevel = level });
            BytecodeVerifier.Verify(BytecodeReader.Read(result.Bytecode!));
        }
    }

    [Fact]
    public void RefusesEmptyCode() => Assert.Contains("has no code", Refused(Proto([])), StringComparison.Ordinal);

    [Fact]
    public void RefusesFallingOffTheEnd() =>
        Assert.Contains("fall off its end", Refused(Proto([Abc(OpCode.LoadNil, 0)])), StringComparison.Ordinal);

    /// <summary>
    /// The reference compiler ends this function's code with an unreachable CLOSEUPVALS after its last RETURN
    /// (vibemark67/physics.lua has the same shape); the verifier must accept it at every level, and it runs.
    /// </summary>
    [Fact]
    public void AcceptsUnreachableCodeAfterTheLastReturn()
    {
        const string source = """
            local function f(c)
                if c then
                    return 1
                else
                    local x = 0
                    local g = function() x += 1 return x end
                    return g()
                end
            end
            return f(false)
            """;
        for (int level = 0; level <= 2; level++)
        {
            var result = LuauCompiler.Compile(System.Text.Encoding.UTF8.GetBytes(source), new CompileOptions { OptimizationLevel = level });
            var module = BytecodeReader.Read(result.Bytecode!);
            BytecodeVerifier.Verify(module);
            var engine = new LuauEngine(new LuauEngineOptions { CompileOptions = new CompileOptions { OptimizationLevel = level } });
            Assert.Equal(1.0, engine.DoString(source)[0].Number);
        }
    }

    [Fact]
    public void AcceptsUnreachableInstructionsAtTheEnd() =>
        BytecodeVerifier.Verify(Module(Proto([s_return, Abc(OpCode.CloseUpvals, 0), Abc(OpCode.LoadNil, 0)])));

    [Fact]
    public void RefusesReachableFallThroughPastUnreachableCode()
    {
        // JUMPIF R0 skips the RETURN and lands on the trailing CLOSEUPVALS, which falls off the end.
        var jumped = Refused(Proto([Ad(OpCode.JumpIf, 0, 1), s_return, Abc(OpCode.CloseUpvals, 0)]));
        Assert.Equal("invalid bytecode: prototype 0 pc 2: the code ends with CloseUpvals, so execution could fall off its end", jumped);
        // A conditional jump as the last instruction falls through when its condition fails (here it loops back
        // through a JUMPX safepoint).
        Assert.Contains("fall off its end", Refused(Proto([Instruction.EncodeE(OpCode.JumpX, 0), Ad(OpCode.JumpIf, 0, -2)])),
            StringComparison.Ordinal);
        // LOADB's skip reaches the end too.
        Assert.Contains("fall off its end", Refused(Proto([Abc(OpCode.LoadB, 0, 1, 1), s_return, Abc(OpCode.LoadNil, 0)])),
            StringComparison.Ordinal);
        // A loop exit that lands on the last instruction.
        Assert.Contains("fall off its end",
            Refused(Proto([Ad(OpCode.ForNPrep, 0, 1), Ad(OpCode.ForNLoop, 0, -1), Abc(OpCode.LoadNil, 0)])), StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesTruncatedAuxWord() =>
        Assert.Contains("cut off", Refused(Proto([s_return, Abc(OpCode.GetGlobal, 0)], constants: [Str(0)])), StringComparison.Ordinal);

    [Fact]
    public void RefusesRegistersOutsideTheStack()
    {
        var message = Refused(Proto([Abc(OpCode.Move, 3, 4), s_return], maxStack: 4));
        Assert.Equal("invalid bytecode: prototype 0 pc 0: register R4 is outside the stack of 4", message);
    }

    [Fact]
    public void RefusesCallRangesOutsideTheStack()
    {
        // CALL R2 with 3 arguments needs R3..R5.
        Assert.Contains("R3..R5", Refused(Proto([Abc(OpCode.Call, 2, 4, 1), s_return], maxStack: 4)), StringComparison.Ordinal);
        Assert.Contains("outside the stack", Refused(Proto([Abc(OpCode.Call, 0, 1, 6), s_return], maxStack: 4)), StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesConcatRangeProblems()
    {
        Assert.Contains("empty", Refused(Proto([Abc(OpCode.Concat, 0, 3, 2), s_return])), StringComparison.Ordinal);
        Assert.Contains("outside", Refused(Proto([Abc(OpCode.Concat, 0, 1, 9), s_return])), StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesLoopRegistersOutsideTheStack()
    {
        // FORNPREP R2 uses R2..R4.
        Assert.Contains("R4", Refused(Proto([Ad(OpCode.ForNPrep, 2, 0), s_return], maxStack: 4)), StringComparison.Ordinal);
        // FORGLOOP R0 with 3 variables uses R0..R5.
        Assert.Contains("R5", Refused(Proto([Ad(OpCode.JumpBack, 0, 0), Ad(OpCode.ForGLoop, 0, -3), 3u, s_return], maxStack: 5)),
            StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesStrayBitsInTheForgloopAux()
    {
        // The interpreter reads FORGLOOP's AUX as a signed count: only the count and the ipairs sign bit may be set.
        uint[] Loop(uint aux) => [Ad(OpCode.ForGPrep, 0, 0), Ad(OpCode.ForGLoop, 0, -1), aux, s_return];
        Assert.Contains("stray bits", Refused(Proto(Loop(0x00100002u), maxStack: 8)), StringComparison.Ordinal);
        Assert.Contains("stray bits", Refused(Proto(Loop(0x40000001u), maxStack: 8)), StringComparison.Ordinal);
        BytecodeVerifier.Verify(Module(Proto(Loop(0x80000002u), maxStack: 8)));
        BytecodeVerifier.Verify(Module(Proto(Loop(2u), maxStack: 8)));
    }

    [Fact]
    public void RefusesConstantsOfTheWrongKind()
    {
        Assert.Contains("not a string", Refused(Proto([Abc(OpCode.GetGlobal, 0), 0u, s_return], constants: [Num(1)])), StringComparison.Ordinal);
        Assert.Contains("not a number", Refused(Proto([Abc(OpCode.AddK, 0, 0, 0), s_return], constants: [Str(0)])), StringComparison.Ordinal);
        Assert.Contains("not a table template", Refused(Proto([Ad(OpCode.DupTable, 0, 0), s_return], constants: [Str(0)])), StringComparison.Ordinal);
        Assert.Contains("out of range", Refused(Proto([Ad(OpCode.LoadK, 0, 5), s_return], constants: [Str(0)])), StringComparison.Ordinal);
        Assert.Contains("out of range", Refused(Proto([Ad(OpCode.LoadK, 0, -1), s_return], constants: [Str(0)])), StringComparison.Ordinal);
        var import = new BytecodeConstant(ConstantKind.Import, Import: Instruction.EncodeImport(1, 0));
        Assert.Contains("plain value", Refused(Proto([Ad(OpCode.LoadK, 0, 1), s_return], constants: [Str(0), import])), StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesImportsThatDoNotMatchTheirConstant()
    {
        var import = new BytecodeConstant(ConstantKind.Import, Import: Instruction.EncodeImport(1, 0));
        BytecodeVerifier.Verify(Module(Proto([Ad(OpCode.GetImport, 0, 1), import.Import, s_return], constants: [Str(0), import])));
        var message = Refused(Proto([Ad(OpCode.GetImport, 0, 1), Instruction.EncodeImport(1, 2), s_return], constants: [Str(0), import]));
        Assert.Contains("does not match", message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesBadUpvalues()
    {
        Assert.Contains("upvalue 1 out of range", Refused(Proto([Abc(OpCode.GetUpval, 0, 1), s_return], upvalues: 1), Proto([s_return])),
            StringComparison.Ordinal);
    }

    [Fact]
    public void MainFunctionHasNoUpvalues() =>
        Assert.Contains("main prototype 0 has upvalues", Refused(Proto([s_return], upvalues: 1)), StringComparison.Ordinal);

    [Fact]
    public void JumpTargetsAreInsideTheCodeOnInstructionStarts()
    {
        Assert.Contains("outside the code", Refused(Proto([Ad(OpCode.Jump, 0, 5), s_return])), StringComparison.Ordinal);
        // JUMPIF +1 from pc 0 lands on pc 2, the AUX word of the GETGLOBAL at pc 1.
        var message = Refused(Proto([Ad(OpCode.JumpIf, 0, 1), Abc(OpCode.GetGlobal, 0), 0u, s_return], constants: [Str(0)]));
        Assert.Contains("not the start of an instruction", message, StringComparison.Ordinal);
    }

    [Fact]
    public void JumpOffsetsCountFromTheWordAfterTheOpcode()
    {
        // JUMPIFEQ at pc 0 has its AUX at pc 1; D = 1 reaches pc 2.
        BytecodeVerifier.Verify(Module(Proto([Ad(OpCode.JumpIfEq, 0, 1), 1u, s_return])));
    }

    [Fact]
    public void BackwardJumpsMustPassASafepoint()
    {
        Assert.Contains("without an interrupt safepoint", Refused(Proto([Abc(OpCode.Nop), Ad(OpCode.Jump, 0, -2), s_return])),
            StringComparison.Ordinal);
        Assert.Contains("without an interrupt safepoint", Refused(Proto([Ad(OpCode.JumpIf, 0, -1), s_return])), StringComparison.Ordinal);
        BytecodeVerifier.Verify(Module(Proto([Abc(OpCode.Nop), Ad(OpCode.JumpBack, 0, -2), s_return])));
    }

    [Fact]
    public void ClosuresNeedExactlyTheirCaptures()
    {
        var child = Proto([Abc(OpCode.GetUpval, 0, 0), s_return], upvalues: 1);
        var capture = Abc(OpCode.Capture, (int)CaptureKind.Value, 0);
        BytecodeVerifier.Verify(Module(child, Proto([Ad(OpCode.NewClosure, 0, 0), capture, s_return], children: [0])));

        Assert.Contains("CAPTURE instructions", Refused(child, Proto([Ad(OpCode.NewClosure, 0, 0), s_return], children: [0])),
            StringComparison.Ordinal);
        Assert.Contains("CAPTURE outside", Refused(child, Proto([capture, s_return], children: [0])), StringComparison.Ordinal);
        Assert.Contains("child 1 out of range", Refused(child, Proto([Ad(OpCode.NewClosure, 0, 1), capture, s_return], children: [0])),
            StringComparison.Ordinal);
        Assert.Contains("invalid capture kind", Refused(child, Proto([Ad(OpCode.NewClosure, 0, 0), Abc(OpCode.Capture, 7, 0), s_return], children: [0])),
            StringComparison.Ordinal);
        // Jumping onto a capture would run it as an instruction.
        Assert.Contains("not the start of an instruction",
            Refused(child, Proto([Ad(OpCode.Jump, 0, 1), Ad(OpCode.NewClosure, 0, 0), capture, s_return], children: [0])), StringComparison.Ordinal);

        var closure = new BytecodeConstant(ConstantKind.Closure, Index: 0);
        var byReference = Abc(OpCode.Capture, (int)CaptureKind.Reference, 0);
        Assert.Contains("cannot capture by reference",
            Refused(child, Proto([Ad(OpCode.DupClosure, 0, 0), byReference, s_return], constants: [closure])), StringComparison.Ordinal);
    }

    [Fact]
    public void FastCallsLandOnACallAndNameABuiltin()
    {
        uint call = Abc(OpCode.Call, 0, 2, 2);
        BytecodeVerifier.Verify(Module(Proto([Abc(OpCode.FastCall1, (int)BuiltinFunction.MathAbs, 1, 1), Abc(OpCode.Move, 1, 1), call, s_return])));
        Assert.Contains("does not land on a CALL",
            Refused(Proto([Abc(OpCode.FastCall1, (int)BuiltinFunction.MathAbs, 1, 0), Abc(OpCode.Move, 1, 1), call, s_return])), StringComparison.Ordinal);
        Assert.Contains("unknown builtin", Refused(Proto([Abc(OpCode.FastCall1, 0, 1, 0), call, s_return])), StringComparison.Ordinal);
        Assert.Contains("unknown builtin", Refused(Proto([Abc(OpCode.FastCall1, 200, 1, 0), call, s_return])), StringComparison.Ordinal);
    }

    [Fact]
    public void NameCallIsFollowedByCall()
    {
        uint nameCall = Abc(OpCode.NameCall, 0, 2);
        BytecodeVerifier.Verify(Module(Proto([nameCall, 1u, Abc(OpCode.Call, 0, 2, 1), s_return], constants: [Str(0), Str(1)])));
        Assert.Contains("must be followed by CALL", Refused(Proto([nameCall, 1u, s_return], constants: [Str(0), Str(1)])), StringComparison.Ordinal);
        // NAMECALL writes A + 1 too.
        Assert.Contains("R4", Refused(Proto([Abc(OpCode.NameCall, 3, 2), 1u, Abc(OpCode.Call, 3, 0, 1), s_return], constants: [Str(0), Str(1)])),
            StringComparison.Ordinal);
    }

    [Fact]
    public void VarargInstructionsBelongToVarargFunctions()
    {
        BytecodeVerifier.Verify(Module(Proto([Abc(OpCode.PrepVarargs, 0), Abc(OpCode.GetVarargs, 0, 2), s_return], vararg: true)));
        Assert.Contains("must start with PREPVARARGS", Refused(Proto([s_return], vararg: true)), StringComparison.Ordinal);
        Assert.Contains("only as the first instruction", Refused(Proto([Abc(OpCode.PrepVarargs, 0), s_return])), StringComparison.Ordinal);
        Assert.Contains("does not match", Refused(Proto([Abc(OpCode.PrepVarargs, 1), s_return], vararg: true)), StringComparison.Ordinal);
        Assert.Contains("without varargs", Refused(Proto([Abc(OpCode.GetVarargs, 0, 2), s_return])), StringComparison.Ordinal);
    }

    [Fact]
    public void MultipleResultsArePairedWithAConsumer()
    {
        var prep = Abc(OpCode.PrepVarargs, 0);
        BytecodeVerifier.Verify(Module(Proto([prep, Abc(OpCode.GetVarargs, 1, 0), Abc(OpCode.Return, 1, 0)], vararg: true)));
        Assert.Contains("nothing produced", Refused(Proto([Abc(OpCode.Return, 0, 0)])), StringComparison.Ordinal);
        Assert.Contains("interrupts", Refused(Proto([prep, Abc(OpCode.GetVarargs, 1, 0), s_return], vararg: true)), StringComparison.Ordinal);
        Assert.Contains("interrupts", Refused(Proto([prep, Abc(OpCode.GetVarargs, 1, 0), Abc(OpCode.LoadNil, 0), Abc(OpCode.Return, 1, 0)], vararg: true)),
            StringComparison.Ordinal);
        // The consumer must start at or below the first produced value.
        Assert.Contains("above the first produced value",
            Refused(Proto([prep, Abc(OpCode.GetVarargs, 1, 0), Abc(OpCode.Return, 2, 0)], vararg: true)), StringComparison.Ordinal);
    }

    [Fact]
    public void UnsupportedOpcodesAreRefused()
    {
        foreach (var op in new[] { OpCode.Break, OpCode.NativeCall, OpCode.CallFb, OpCode.FastPCall, OpCode.NewClass, OpCode.CmpProto })
            Assert.Contains("not supported", Refused(Proto([Abc(op), 0u, s_return])), StringComparison.Ordinal);
        Assert.Contains("unknown opcode", Refused(Proto([0xFFu, s_return])), StringComparison.Ordinal);
    }

    [Fact]
    public void AllocationSizesAreBounded()
    {
        Assert.Contains("too large", Refused(Proto([Abc(OpCode.NewTable, 0, 40), 0u, s_return])), StringComparison.Ordinal);
        Assert.Contains("too large", Refused(Proto([Abc(OpCode.NewTable, 0, 1), uint.MaxValue, s_return])), StringComparison.Ordinal);
        Assert.Contains("out of range", Refused(Proto([Abc(OpCode.SetList, 0, 1, 2), 0u, s_return])), StringComparison.Ordinal);
    }
}

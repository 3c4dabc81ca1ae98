using System.Runtime.CompilerServices;

namespace Coputer.Luau.Bytecode;

// Missing-documentation warnings are off in this file only: the accessors are the instruction word's fields (A, B, C, D, E, AUX), as the reference's format names them.
#pragma warning disable CS1591

/// <summary>Encodes and decodes the fields of a 32-bit instruction word (see <see cref="OpCode"/>).</summary>
public static class Instruction
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static OpCode Op(uint insn) => (OpCode)(insn & 0xFF);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int A(uint insn) => (int)((insn >> 8) & 0xFF);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int B(uint insn) => (int)((insn >> 16) & 0xFF);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int C(uint insn) => (int)(insn >> 24);

    /// <summary>The signed 16-bit field in bits 16-31.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int D(uint insn) => (int)insn >> 16;

    /// <summary>The signed 24-bit field in bits 8-31.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int E(uint insn) => (int)insn >> 8;

    public static uint EncodeAbc(OpCode op, int a, int b, int c) =>
        (uint)op | ((uint)(a & 0xFF) << 8) | ((uint)(b & 0xFF) << 16) | ((uint)(c & 0xFF) << 24);

    public static uint EncodeAd(OpCode op, int a, int d) =>
        (uint)op | ((uint)(a & 0xFF) << 8) | ((uint)(d & 0xFFFF) << 16);

    public static uint EncodeE(OpCode op, int e) => (uint)op | ((uint)(e & 0xFFFFFF) << 8);

    /// <summary>Replaces the C field, as the VM does when it patches a predicted slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint WithC(uint insn, int c) => (insn & 0x00FFFFFFu) | ((uint)c << 24);

    /// <summary>The number of words the instruction takes: 2 for opcodes with an AUX word, otherwise 1.</summary>
    public static int Length(OpCode op) => op switch
    {
        OpCode.GetGlobal or OpCode.SetGlobal or OpCode.GetImport or OpCode.GetTableKs or OpCode.SetTableKs or OpCode.NameCall
            or OpCode.JumpIfEq or OpCode.JumpIfLe or OpCode.JumpIfLt or OpCode.JumpIfNotEq or OpCode.JumpIfNotLe or OpCode.JumpIfNotLt
            or OpCode.NewTable or OpCode.SetList or OpCode.ForGLoop or OpCode.LoadKx
            or OpCode.FastCall2 or OpCode.FastCall2K or OpCode.FastCall3
            or OpCode.JumpXEqKNil or OpCode.JumpXEqKB or OpCode.JumpXEqKN or OpCode.JumpXEqKS
            or OpCode.GetUdataKs or OpCode.SetUdataKs or OpCode.NameCallUdata or OpCode.NewClassMember
            or OpCode.CallFb or OpCode.CmpProto or OpCode.NewClass => 2,
        _ => 1,
    };

    /// <summary>Packs a global path of one to three string constants (each below 1024) into a GETIMPORT AUX word.</summary>
    public static uint EncodeImport(int count, int id0, int id1 = 0, int id2 = 0) =>
        ((uint)count << 30) | ((uint)id0 << 20) | ((uint)id1 << 10) | (uint)id2;

    public static int ImportCount(uint aux) => (int)(aux >> 30);

    /// <summary>String constant index of path element <paramref name="i"/> (0, 1 or 2) of an import.</summary>
    public static int ImportId(uint aux, int i) => (int)(aux >> (20 - 10 * i)) & 1023;
}

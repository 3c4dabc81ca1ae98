using System.Globalization;
using System.Text;

namespace Coputer.Luau.Bytecode;

/// <summary>
/// Turns a <see cref="BytecodeModule"/> into readable text, one function after another in the style of the reference's
/// <c>luau-compile --text</c>: a <c>Function N (name):</c> header, the source line before the first instruction that
/// belongs to it, then one instruction per line with registers (<c>R</c>), constants (<c>K</c>, shown inline in
/// brackets), upvalues, child prototypes (<c>P</c>) and jump targets as labels (<c>L</c>).
/// </summary>
/// <remarks>
/// The disassembler never throws on a module the reader produced, verified or not: operands that point nowhere are
/// printed as they are, with <c>?</c> for what cannot be shown.
/// </remarks>
public static class BytecodeDisassembler
{
    /// <summary>
    /// Disassembles every function of <paramref name="module"/>.
    /// </summary>
    /// <param name="module">The module to show.</param>
    /// <param name="source">The source text, to show each line before its code; null to omit source lines.</param>
    /// <param name="details">
    /// When true, each function starts with a summary line (parameters, upvalues, stack size, line defined) and its
    /// constant table; when false the output has exactly the reference's shape.
    /// </param>
    public static string Disassemble(BytecodeModule module, string? source = null, bool details = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        string[]? lines = source is null ? null : SplitLines(source);
        var sb = new StringBuilder();
        for (int i = 0; i < module.Protos.Length; i++)
        {
            var p = module.Protos[i];
            sb.Append("Function ").Append(i).Append(" (").Append(FunctionName(module, p) ?? "??").Append("):\n");
            AppendFunction(sb, module, p, lines, details);
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static void AppendFunction(StringBuilder sb, BytecodeModule module, BytecodeProto p, string[]? source, bool details)
    {
        if (details)
        {
            sb.Append("; ").Append(p.NumParams).Append(p.NumParams == 1 ? " param" : " params");
            if (p.IsVararg)
                sb.Append(", vararg");
            sb.Append(", ").Append(p.NumUpvalues).Append(p.NumUpvalues == 1 ? " upvalue" : " upvalues");
            if (p.UpvalueNames is { Length: > 0 } names)
            {
                sb.Append(" (");
                for (int u = 0; u < names.Length; u++)
                {
                    if (u > 0)
                        sb.Append(", ");
                    sb.Append(StringAt(module, names[u]) ?? "?");
                }
                sb.Append(')');
            }
            sb.Append(", stack ").Append(p.MaxStackSize);
            if (p.LineDefined > 0)
                sb.Append(", defined at line ").Append(p.LineDefined);
            if (p.Flags != ProtoFlags.None)
                sb.Append(", flags ").Append(p.Flags);
            sb.Append('\n');
        }

        if (p.Locals is not null)
        {
            for (int l = 0; l < p.Locals.Length; l++)
            {
                var local = p.Locals[l];
                sb.Append("local ").Append(l).Append(": reg ").Append(local.Register)
                    .Append(", start pc ").Append(local.StartPc).Append(" line ").Append(p.GetLine(local.StartPc));
                if (local.StartPc == local.EndPc)
                    sb.Append(", no live range");
                else
                    sb.Append(", end pc ").Append(local.EndPc - 1).Append(" line ").Append(p.GetLine(local.EndPc - 1));
                if (details)
                    sb.Append(" (").Append(StringAt(module, local.Name) ?? "?").Append(')');
                sb.Append('\n');
            }
        }

        if (details)
        {
            for (int k = 0; k < p.Constants.Length; k++)
            {
                sb.Append('K').Append(k).Append(": ");
                AppendConstant(sb, module, p, k, detailed: true);
                sb.Append('\n');
            }
        }

        var code = p.Code;
        var labels = ComputeLabels(code);
        int lastLine = -1;
        for (int pc = 0; pc < code.Length;)
        {
            uint insn = code[pc];
            var op = Instruction.Op(insn);
            int length = Math.Min(Instruction.Length(op), code.Length - pc);
            if (op == OpCode.PrepVarargs)
            {
                // The reference leaves the function header instruction out; its meaning is in the summary.
                pc += length;
                continue;
            }

            if (source is not null && p.LineInfo is not null)
            {
                int line = p.GetLine(pc);
                if (line > 0 && line != lastLine)
                {
                    sb.Append(line.ToString(CultureInfo.InvariantCulture).PadLeft(5)).Append(": ");
                    if (line - 1 < source.Length)
                        sb.Append(source[line - 1]);
                    sb.Append('\n');
                    lastLine = line;
                }
            }

            if (labels[pc] >= 0)
                sb.Append('L').Append(labels[pc]).Append(": ");

            uint aux = length > 1 ? code[pc + 1] : 0;
            int target = JumpTarget(insn, pc);
            int label = (uint)target < (uint)labels.Length ? labels[target] : -1;
            AppendInstruction(sb, module, p, insn, aux, label);
            pc += length;
        }
    }

    private static int[] ComputeLabels(uint[] code)
    {
        var labels = new int[code.Length];
        Array.Fill(labels, -1);
        for (int pc = 0; pc < code.Length; pc += Instruction.Length(Instruction.Op(code[pc])))
        {
            int target = JumpTarget(code[pc], pc);
            if ((uint)target < (uint)code.Length)
                labels[target] = 0;
        }
        int next = 0;
        for (int pc = 0; pc < labels.Length; pc++)
        {
            if (labels[pc] == 0)
                labels[pc] = next++;
        }
        return labels;
    }

    /// <summary>Where an instruction can transfer control to, or -1: jumps, LOADB skips, and the pc after a FASTCALL's CALL.</summary>
    internal static int JumpTarget(uint insn, int pc)
    {
        var op = Instruction.Op(insn);
        switch (op)
        {
            case OpCode.Jump:
            case OpCode.JumpBack:
            case OpCode.JumpIf:
            case OpCode.JumpIfNot:
            case OpCode.JumpIfEq:
            case OpCode.JumpIfLe:
            case OpCode.JumpIfLt:
            case OpCode.JumpIfNotEq:
            case OpCode.JumpIfNotLe:
            case OpCode.JumpIfNotLt:
            case OpCode.ForNPrep:
            case OpCode.ForNLoop:
            case OpCode.ForGPrep:
            case OpCode.ForGLoop:
            case OpCode.ForGPrepINext:
            case OpCode.ForGPrepNext:
            case OpCode.JumpXEqKNil:
            case OpCode.JumpXEqKB:
            case OpCode.JumpXEqKN:
            case OpCode.JumpXEqKS:
            case OpCode.CmpProto:
                return pc + 1 + Instruction.D(insn);
            case OpCode.FastCall:
            case OpCode.FastCall1:
            case OpCode.FastCall2:
            case OpCode.FastCall2K:
            case OpCode.FastCall3:
            case OpCode.FastPCall:
                return pc + 2 + Instruction.C(insn);
            case OpCode.LoadB:
                return Instruction.C(insn) != 0 ? pc + 1 + Instruction.C(insn) : -1;
            case OpCode.JumpX:
                return pc + 1 + Instruction.E(insn);
            default:
                return -1;
        }
    }

    private static void AppendInstruction(StringBuilder sb, BytecodeModule module, BytecodeProto p, uint insn, uint aux, int label)
    {
        var op = Instruction.Op(insn);
        int a = Instruction.A(insn), b = Instruction.B(insn), c = Instruction.C(insn), d = Instruction.D(insn);

        switch (op)
        {
            case OpCode.Nop: sb.Append("NOP"); break;
            case OpCode.Break: sb.Append("BREAK"); break;
            case OpCode.LoadNil: sb.Append("LOADNIL R").Append(a); break;
            case OpCode.LoadB:
                sb.Append("LOADB R").Append(a).Append(' ').Append(b);
                if (c != 0)
                    sb.Append(" +").Append(c);
                break;
            case OpCode.LoadN: sb.Append("LOADN R").Append(a).Append(' ').Append(d); break;
            case OpCode.LoadK: sb.Append("LOADK R").Append(a).Append(" K").Append(d); K(sb, module, p, d); break;
            case OpCode.Move: sb.Append("MOVE R").Append(a).Append(" R").Append(b); break;
            case OpCode.GetGlobal: sb.Append("GETGLOBAL R").Append(a).Append(" K").Append(aux); K(sb, module, p, aux); break;
            case OpCode.SetGlobal: sb.Append("SETGLOBAL R").Append(a).Append(" K").Append(aux); K(sb, module, p, aux); break;
            case OpCode.GetUpval: sb.Append("GETUPVAL R").Append(a).Append(' ').Append(b); break;
            case OpCode.SetUpval: sb.Append("SETUPVAL R").Append(a).Append(' ').Append(b); break;
            case OpCode.CloseUpvals: sb.Append("CLOSEUPVALS R").Append(a); break;
            case OpCode.GetImport: sb.Append("GETIMPORT R").Append(a).Append(' ').Append(d); K(sb, module, p, d); break;
            case OpCode.GetTable: Abc(sb, "GETTABLE", a, b, c); break;
            case OpCode.SetTable: Abc(sb, "SETTABLE", a, b, c); break;
            case OpCode.GetTableKs: sb.Append("GETTABLEKS R").Append(a).Append(" R").Append(b).Append(" K").Append(aux); K(sb, module, p, aux); break;
            case OpCode.SetTableKs: sb.Append("SETTABLEKS R").Append(a).Append(" R").Append(b).Append(" K").Append(aux); K(sb, module, p, aux); break;
            case OpCode.GetTableN: sb.Append("GETTABLEN R").Append(a).Append(" R").Append(b).Append(' ').Append(c + 1); break;
            case OpCode.SetTableN: sb.Append("SETTABLEN R").Append(a).Append(" R").Append(b).Append(' ').Append(c + 1); break;
            case OpCode.NewClosure: sb.Append("NEWCLOSURE R").Append(a).Append(" P").Append(d); break;
            case OpCode.NameCall: sb.Append("NAMECALL R").Append(a).Append(" R").Append(b).Append(" K").Append(aux); K(sb, module, p, aux); break;
            case OpCode.Call: sb.Append("CALL R").Append(a).Append(' ').Append(b - 1).Append(' ').Append(c - 1); break;
            case OpCode.Return: sb.Append("RETURN R").Append(a).Append(' ').Append(b - 1); break;
            case OpCode.Jump: sb.Append("JUMP L").Append(label); break;
            case OpCode.JumpBack: sb.Append("JUMPBACK L").Append(label); break;
            case OpCode.JumpIf: sb.Append("JUMPIF R").Append(a).Append(" L").Append(label); break;
            case OpCode.JumpIfNot: sb.Append("JUMPIFNOT R").Append(a).Append(" L").Append(label); break;
            case OpCode.JumpIfEq: Compare(sb, "JUMPIFEQ", a, aux, label); break;
            case OpCode.JumpIfLe: Compare(sb, "JUMPIFLE", a, aux, label); break;
            case OpCode.JumpIfLt: Compare(sb, "JUMPIFLT", a, aux, label); break;
            case OpCode.JumpIfNotEq: Compare(sb, "JUMPIFNOTEQ", a, aux, label); break;
            case OpCode.JumpIfNotLe: Compare(sb, "JUMPIFNOTLE", a, aux, label); break;
            case OpCode.JumpIfNotLt: Compare(sb, "JUMPIFNOTLT", a, aux, label); break;
            case OpCode.Add: Abc(sb, "ADD", a, b, c); break;
            case OpCode.Sub: Abc(sb, "SUB", a, b, c); break;
            case OpCode.Mul: Abc(sb, "MUL", a, b, c); break;
            case OpCode.Div: Abc(sb, "DIV", a, b, c); break;
            case OpCode.IDiv: Abc(sb, "IDIV", a, b, c); break;
            case OpCode.Mod: Abc(sb, "MOD", a, b, c); break;
            case OpCode.Pow: Abc(sb, "POW", a, b, c); break;
            case OpCode.AddK: Abk(sb, module, p, "ADDK", a, b, c); break;
            case OpCode.SubK: Abk(sb, module, p, "SUBK", a, b, c); break;
            case OpCode.MulK: Abk(sb, module, p, "MULK", a, b, c); break;
            case OpCode.DivK: Abk(sb, module, p, "DIVK", a, b, c); break;
            case OpCode.IDivK: Abk(sb, module, p, "IDIVK", a, b, c); break;
            case OpCode.ModK: Abk(sb, module, p, "MODK", a, b, c); break;
            case OpCode.PowK: Abk(sb, module, p, "POWK", a, b, c); break;
            case OpCode.SubRk: sb.Append("SUBRK R").Append(a).Append(" K").Append(b); K(sb, module, p, b); sb.Append(" R").Append(c); break;
            case OpCode.DivRk: sb.Append("DIVRK R").Append(a).Append(" K").Append(b); K(sb, module, p, b); sb.Append(" R").Append(c); break;
            case OpCode.And: Abc(sb, "AND", a, b, c); break;
            case OpCode.Or: Abc(sb, "OR", a, b, c); break;
            case OpCode.AndK: Abk(sb, module, p, "ANDK", a, b, c); break;
            case OpCode.OrK: Abk(sb, module, p, "ORK", a, b, c); break;
            case OpCode.Concat: Abc(sb, "CONCAT", a, b, c); break;
            case OpCode.Not: sb.Append("NOT R").Append(a).Append(" R").Append(b); break;
            case OpCode.Minus: sb.Append("MINUS R").Append(a).Append(" R").Append(b); break;
            case OpCode.Length: sb.Append("LENGTH R").Append(a).Append(" R").Append(b); break;
            case OpCode.NewTable:
                sb.Append("NEWTABLE R").Append(a).Append(' ').Append(b == 0 ? 0 : 1L << Math.Min(b - 1, 62)).Append(' ').Append(aux);
                break;
            case OpCode.DupTable: sb.Append("DUPTABLE R").Append(a).Append(' ').Append(d); break;
            case OpCode.SetList: sb.Append("SETLIST R").Append(a).Append(" R").Append(b).Append(' ').Append(c - 1).Append(" [").Append(aux).Append(']'); break;
            case OpCode.ForNPrep: sb.Append("FORNPREP R").Append(a).Append(" L").Append(label); break;
            case OpCode.ForNLoop: sb.Append("FORNLOOP R").Append(a).Append(" L").Append(label); break;
            case OpCode.ForGPrep: sb.Append("FORGPREP R").Append(a).Append(" L").Append(label); break;
            case OpCode.ForGLoop:
                sb.Append("FORGLOOP R").Append(a).Append(" L").Append(label).Append(' ').Append(aux & 0xFF);
                if ((int)aux < 0)
                    sb.Append(" [inext]");
                break;
            case OpCode.ForGPrepINext: sb.Append("FORGPREP_INEXT R").Append(a).Append(" L").Append(label); break;
            case OpCode.ForGPrepNext: sb.Append("FORGPREP_NEXT R").Append(a).Append(" L").Append(label); break;
            case OpCode.NativeCall: sb.Append("NATIVECALL"); break;
            case OpCode.GetVarargs: sb.Append("GETVARARGS R").Append(a).Append(' ').Append(b - 1); break;
            case OpCode.DupClosure: sb.Append("DUPCLOSURE R").Append(a).Append(" K").Append(d); K(sb, module, p, d); break;
            case OpCode.PrepVarargs: sb.Append("PREPVARARGS ").Append(a); break;
            case OpCode.LoadKx: sb.Append("LOADKX R").Append(a).Append(" K").Append(aux); K(sb, module, p, aux); break;
            case OpCode.JumpX: sb.Append("JUMPX L").Append(label); break;
            case OpCode.FastCall: sb.Append("FASTCALL ").Append(a).Append(" L").Append(label); break;
            case OpCode.Coverage: sb.Append("COVERAGE"); break;
            case OpCode.Capture:
                {
                    var kind = (CaptureKind)a;
                    sb.Append("CAPTURE ").Append(kind switch
                    {
                        CaptureKind.Value => "VAL",
                        CaptureKind.Reference => "REF",
                        CaptureKind.Upvalue => "UPVAL",
                        _ => "",
                    });
                    sb.Append(' ').Append(kind == CaptureKind.Upvalue ? 'U' : 'R').Append(b);
                    break;
                }
            case OpCode.FastCall1: sb.Append("FASTCALL1 ").Append(a).Append(" R").Append(b).Append(" L").Append(label); break;
            case OpCode.FastCall2: sb.Append("FASTCALL2 ").Append(a).Append(" R").Append(b).Append(" R").Append(aux).Append(" L").Append(label); break;
            case OpCode.FastCall2K:
                sb.Append("FASTCALL2K ").Append(a).Append(" R").Append(b).Append(" K").Append(aux).Append(" L").Append(label);
                K(sb, module, p, aux);
                break;
            case OpCode.FastCall3:
                sb.Append("FASTCALL3 ").Append(a).Append(" R").Append(b).Append(" R").Append(aux & 0xFF).Append(" R").Append((aux >> 8) & 0xFF)
                    .Append(" L").Append(label);
                break;
            case OpCode.JumpXEqKNil:
                sb.Append("JUMPXEQKNIL R").Append(a).Append(" L").Append(label).Append(aux >> 31 != 0 ? " NOT" : "");
                break;
            case OpCode.JumpXEqKB:
                sb.Append("JUMPXEQKB R").Append(a).Append(' ').Append(aux & 1).Append(" L").Append(label).Append(aux >> 31 != 0 ? " NOT" : "");
                break;
            case OpCode.JumpXEqKN:
            case OpCode.JumpXEqKS:
                sb.Append(op == OpCode.JumpXEqKN ? "JUMPXEQKN R" : "JUMPXEQKS R").Append(a).Append(" K").Append(aux & 0xFFFFFF)
                    .Append(" L").Append(label).Append(aux >> 31 != 0 ? " NOT" : "");
                K(sb, module, p, aux & 0xFFFFFF);
                break;
            case OpCode.GetUdataKs:
            case OpCode.SetUdataKs:
            case OpCode.NameCallUdata:
                sb.Append(op switch { OpCode.GetUdataKs => "GETUDATAKS", OpCode.SetUdataKs => "SETUDATAKS", _ => "NAMECALLUDATA" })
                    .Append(" R").Append(a).Append(" R").Append(b).Append(" K").Append(aux & 0xFFFF);
                K(sb, module, p, aux & 0xFFFF);
                break;
            case OpCode.CallFb:
                sb.Append("CALLFB R").Append(a).Append(' ').Append(b - 1).Append(' ').Append(c - 1).Append(" [").Append((int)aux).Append(']');
                break;
            case OpCode.CmpProto: sb.Append("CMPPROTO R").Append(a).Append(" #").Append(aux).Append(" L").Append(label); break;
            case OpCode.FastPCall: sb.Append("FASTPCALL ").Append(a == 0 ? "pcall" : "xpcall").Append(" L").Append(label); break;
            case OpCode.NewClassMember: sb.Append("NEWCLASSMEMBER R").Append(a).Append(" R").Append(c); K(sb, module, p, aux); break;
            case OpCode.NewClass: sb.Append("NEWCLASS R").Append(a).Append(" K").Append(aux); break;
            default: sb.Append("??? 0x").Append(insn.ToString("X8", CultureInfo.InvariantCulture)); break;
        }
        sb.Append('\n');
    }

    private static void Abc(StringBuilder sb, string name, int a, int b, int c) =>
        sb.Append(name).Append(" R").Append(a).Append(" R").Append(b).Append(" R").Append(c);

    private static void Abk(StringBuilder sb, BytecodeModule module, BytecodeProto p, string name, int a, int b, int c)
    {
        sb.Append(name).Append(" R").Append(a).Append(" R").Append(b).Append(" K").Append(c);
        K(sb, module, p, c);
    }

    private static void Compare(StringBuilder sb, string name, int a, uint aux, int label) =>
        sb.Append(name).Append(" R").Append(a).Append(" R").Append(aux).Append(" L").Append(label);

    /// <summary>Appends <c> [constant]</c>.</summary>
    private static void K(StringBuilder sb, BytecodeModule module, BytecodeProto p, long index)
    {
        sb.Append(" [");
        if (index >= 0 && index < p.Constants.Length)
            AppendConstant(sb, module, p, (int)index, detailed: false);
        else
            sb.Append('?');
        sb.Append(']');
    }

    private static void AppendConstant(StringBuilder sb, BytecodeModule module, BytecodeProto p, int index, bool detailed)
    {
        var k = p.Constants[index];
        switch (k.Kind)
        {
            case ConstantKind.Nil:
                sb.Append("nil");
                break;
            case ConstantKind.Boolean:
                sb.Append(k.Number != 0 ? "true" : "false");
                break;
            case ConstantKind.Number:
                sb.Append(FormatG(k.Number, 17));
                break;
            case ConstantKind.Integer:
                sb.Append(k.Integer);
                break;
            case ConstantKind.Vector:
                sb.Append(FormatG((float)k.X, 9)).Append(", ").Append(FormatG((float)k.Y, 9)).Append(", ").Append(FormatG((float)k.Z, 9));
                if (k.W != 0)
                    sb.Append(", ").Append(FormatG((float)k.W, 9));
                break;
            case ConstantKind.String:
                AppendQuoted(sb, (uint)k.Index < (uint)module.Strings.Length ? module.Strings[k.Index] : []);
                break;
            case ConstantKind.Import:
                {
                    int count = Instruction.ImportCount(k.Import);
                    for (int i = 0; i < count; i++)
                    {
                        if (i > 0)
                            sb.Append('.');
                        int id = Instruction.ImportId(k.Import, i);
                        if (id < p.Constants.Length && p.Constants[id].Kind == ConstantKind.String
                            && (uint)p.Constants[id].Index < (uint)module.Strings.Length)
                            sb.Append(Decode(module.Strings[p.Constants[id].Index]));
                        else
                            sb.Append('?');
                    }
                    break;
                }
            case ConstantKind.Table:
            case ConstantKind.TableWithConstants:
                if (!detailed || k.Keys is null)
                {
                    sb.Append("{...}");
                    break;
                }
                sb.Append('{');
                for (int i = 0; i < k.Keys.Length; i++)
                {
                    if (i > 0)
                        sb.Append(", ");
                    sb.Append('[');
                    AppendConstantSafe(sb, module, p, k.Keys[i]);
                    sb.Append(']');
                    if (k.Values is not null && k.Values[i] >= 0)
                    {
                        sb.Append(" = ");
                        AppendConstantSafe(sb, module, p, k.Values[i]);
                    }
                }
                sb.Append('}');
                break;
            case ConstantKind.Closure:
                {
                    string? name = (uint)k.Index < (uint)module.Protos.Length ? FunctionName(module, module.Protos[k.Index]) : null;
                    if (detailed)
                        sb.Append("function ").Append(k.Index).Append(name is null ? "" : " " + name);
                    else if (name is not null)
                        sb.Append('\'').Append(name).Append('\'');
                    break;
                }
            default:
                sb.Append('?');
                break;
        }
    }

    private static void AppendConstantSafe(StringBuilder sb, BytecodeModule module, BytecodeProto p, int index)
    {
        // Template keys and values refer to earlier constants that are never tables, so this cannot recurse deeply.
        if ((uint)index < (uint)p.Constants.Length && p.Constants[index].Kind is not (ConstantKind.Table or ConstantKind.TableWithConstants))
            AppendConstant(sb, module, p, index, detailed: false);
        else
            sb.Append('?');
    }

    /// <summary>A string constant in single quotes, cut after 32 bytes, with control bytes as <c>\xNN</c>.</summary>
    private static void AppendQuoted(StringBuilder sb, byte[] s)
    {
        bool printable = true;
        foreach (byte b in s)
        {
            if (b < ' ')
            {
                printable = false;
                break;
            }
        }

        int shown = Math.Min(s.Length, 32);
        sb.Append('\'');
        if (printable)
        {
            sb.Append(Decode(s.AsSpan(0, shown)));
        }
        else
        {
            int run = 0;
            for (int i = 0; i < shown; i++)
            {
                if (s[i] < ' ')
                {
                    sb.Append(Decode(s.AsSpan(run, i - run)));
                    sb.Append("\\x").Append(s[i].ToString("X2", CultureInfo.InvariantCulture));
                    run = i + 1;
                }
            }
            sb.Append(Decode(s.AsSpan(run, shown - run)));
        }
        sb.Append('\'');
        if (s.Length >= 32)
            sb.Append("...");
    }

    private static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    private static string? FunctionName(BytecodeModule module, BytecodeProto p) =>
        p.DebugName >= 0 && p.DebugName < module.Strings.Length ? Decode(module.Strings[p.DebugName]) : null;

    private static string? StringAt(BytecodeModule module, int index) =>
        (uint)index < (uint)module.Strings.Length ? Decode(module.Strings[index]) : null;

    private static string[] SplitLines(string source)
    {
        var lines = source.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].EndsWith('\r'))
                lines[i] = lines[i][..^1];
        }
        return lines;
    }

    /// <summary>C's <c>%.{precision}g</c>: shortest of fixed or exponent form, trailing zeros removed.</summary>
    internal static string FormatG(double value, int precision)
    {
        if (double.IsNaN(value))
            return double.IsNegative(value) ? "-nan" : "nan";
        if (double.IsInfinity(value))
            return value < 0 ? "-inf" : "inf";

        // "E" with precision-1 gives exactly 'precision' significant digits, correctly rounded.
        string e = value.ToString("E" + (precision - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        int ePos = e.IndexOf('E');
        int exponent = int.Parse(e.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        bool negative = e[0] == '-';
        string digits = e[(negative ? 1 : 0)..ePos].Replace(".", "", StringComparison.Ordinal);

        var sb = new StringBuilder();
        if (negative)
            sb.Append('-');
        if (exponent < -4 || exponent >= precision)
        {
            string frac = digits[1..].TrimEnd('0');
            sb.Append(digits[0]);
            if (frac.Length > 0)
                sb.Append('.').Append(frac);
            sb.Append('e').Append(exponent < 0 ? '-' : '+');
            int abs = Math.Abs(exponent);
            sb.Append(abs < 10 ? "0" + abs.ToString(CultureInfo.InvariantCulture) : abs.ToString(CultureInfo.InvariantCulture));
        }
        else if (exponent >= 0)
        {
            string intPart = digits[..(exponent + 1)];
            string frac = digits[(exponent + 1)..].TrimEnd('0');
            sb.Append(intPart);
            if (frac.Length > 0)
                sb.Append('.').Append(frac);
        }
        else
        {
            string frac = (new string('0', -exponent - 1) + digits).TrimEnd('0');
            sb.Append('0');
            if (frac.Length > 0)
                sb.Append('.').Append(frac);
        }
        return sb.ToString();
    }
}

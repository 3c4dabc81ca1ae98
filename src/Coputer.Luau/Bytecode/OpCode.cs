namespace Coputer.Luau.Bytecode;

/// <summary>
/// Luau VM instructions. The numeric values are the reference's, so our bytecode and the reference compiler's are
/// interchangeable; the order must never change.
/// </summary>
/// <remarks>
/// An instruction is a 32-bit word: the opcode in bits 0-7, then either A (8-15), B (16-23) and C (24-31), or A and
/// a signed 16-bit D (16-31), or a signed 24-bit E (8-31). Opcodes marked "AUX" are followed by one more word.
/// Jump offsets (D, E, and the C skips of LOADB and the FASTCALL family) count words from the word right after the
/// jump's own first word, i.e. from pc + 1 even when the jump has an AUX word: a D of 1 on a JUMPIFEQ lands just
/// after its AUX word, and a FASTCALL2's CALL is at pc + 1 + C.
/// R[x] is register x of the current frame, K[x] constant x, U[x] upvalue x.
/// </remarks>
public enum OpCode : byte
{
    /// <summary>Does nothing.</summary>
    Nop,

    /// <summary>Debugger break point; never emitted by the compiler.</summary>
    Break,

    /// <summary>R[A] = nil</summary>
    LoadNil,

    /// <summary>R[A] = (B != 0); then jump C words forward.</summary>
    LoadB,

    /// <summary>R[A] = D, a small integer.</summary>
    LoadN,

    /// <summary>R[A] = K[D]</summary>
    LoadK,

    /// <summary>R[A] = R[B]</summary>
    Move,

    /// <summary>R[A] = env[K[AUX]]; C is a predicted slot of the key in the environment table.</summary>
    GetGlobal,

    /// <summary>env[K[AUX]] = R[A]; C is a predicted slot.</summary>
    SetGlobal,

    /// <summary>R[A] = U[B]</summary>
    GetUpval,

    /// <summary>U[B] = R[A]</summary>
    SetUpval,

    /// <summary>Closes the open upvalues of registers A and above.</summary>
    CloseUpvals,

    /// <summary>R[A] = K[D] if the environment is safe, otherwise the global path encoded in AUX, looked up now.</summary>
    GetImport,

    /// <summary>R[A] = R[B][R[C]]</summary>
    GetTable,

    /// <summary>R[B][R[C]] = R[A]</summary>
    SetTable,

    /// <summary>R[A] = R[B][K[AUX]] with a string key; C is a predicted slot.</summary>
    GetTableKs,

    /// <summary>R[B][K[AUX]] = R[A] with a string key; C is a predicted slot.</summary>
    SetTableKs,

    /// <summary>R[A] = R[B][C + 1]</summary>
    GetTableN,

    /// <summary>R[B][C + 1] = R[A]</summary>
    SetTableN,

    /// <summary>R[A] = a new closure of child prototype D; followed by one <see cref="Capture"/> per upvalue.</summary>
    NewClosure,

    /// <summary>R[A + 1] = R[B]; R[A] = R[B][K[AUX]] for a method call; C is a predicted slot; always followed by <see cref="Call"/>.</summary>
    NameCall,

    /// <summary>Calls R[A] with B - 1 arguments (B = 0: up to the stack top) and keeps C - 1 results (C = 0: all, setting the top).</summary>
    Call,

    /// <summary>Returns B - 1 values starting at R[A] (B = 0: up to the stack top).</summary>
    Return,

    /// <summary>Jumps D words.</summary>
    Jump,

    /// <summary>Jumps D words backwards; an interrupt safepoint.</summary>
    JumpBack,

    /// <summary>Jumps D words if R[A] is truthy.</summary>
    JumpIf,

    /// <summary>Jumps D words if R[A] is falsy.</summary>
    JumpIfNot,

    /// <summary>Jumps D words if R[A] == R[AUX].</summary>
    JumpIfEq,

    /// <summary>Jumps D words if R[A] &lt;= R[AUX].</summary>
    JumpIfLe,

    /// <summary>Jumps D words if R[A] &lt; R[AUX].</summary>
    JumpIfLt,

    /// <summary>Jumps D words if R[A] ~= R[AUX].</summary>
    JumpIfNotEq,

    /// <summary>Jumps D words if not (R[A] &lt;= R[AUX]).</summary>
    JumpIfNotLe,

    /// <summary>Jumps D words if not (R[A] &lt; R[AUX]).</summary>
    JumpIfNotLt,

    /// <summary>R[A] = R[B] + R[C]</summary>
    Add,

    /// <summary>R[A] = R[B] - R[C]</summary>
    Sub,

    /// <summary>R[A] = R[B] * R[C]</summary>
    Mul,

    /// <summary>R[A] = R[B] / R[C]</summary>
    Div,

    /// <summary>R[A] = R[B] % R[C]</summary>
    Mod,

    /// <summary>R[A] = R[B] ^ R[C]</summary>
    Pow,

    /// <summary>R[A] = R[B] + K[C]</summary>
    AddK,

    /// <summary>R[A] = R[B] - K[C]</summary>
    SubK,

    /// <summary>R[A] = R[B] * K[C]</summary>
    MulK,

    /// <summary>R[A] = R[B] / K[C]</summary>
    DivK,

    /// <summary>R[A] = R[B] % K[C]</summary>
    ModK,

    /// <summary>R[A] = R[B] ^ K[C]</summary>
    PowK,

    /// <summary>R[A] = R[B] and R[C]</summary>
    And,

    /// <summary>R[A] = R[B] or R[C]</summary>
    Or,

    /// <summary>R[A] = R[B] and K[C]</summary>
    AndK,

    /// <summary>R[A] = R[B] or K[C]</summary>
    OrK,

    /// <summary>R[A] = R[B] .. R[B + 1] .. ... .. R[C]</summary>
    Concat,

    /// <summary>R[A] = not R[B]</summary>
    Not,

    /// <summary>R[A] = -R[B]</summary>
    Minus,

    /// <summary>R[A] = #R[B]</summary>
    Length,

    /// <summary>R[A] = a new table with hash size 2^(B - 1) (B = 0: none) and array size AUX.</summary>
    NewTable,

    /// <summary>R[A] = a copy of the template table K[D].</summary>
    DupTable,

    /// <summary>Stores R[B] .. R[B + C - 2] (C = 0: up to the stack top) into table R[A] from index AUX.</summary>
    SetList,

    /// <summary>Prepares the numeric loop whose limit, step and index are R[A], R[A + 1], R[A + 2]; jumps D words if it runs zero times.</summary>
    ForNPrep,

    /// <summary>Steps the numeric loop at R[A] and jumps D words back while it continues; a safepoint.</summary>
    ForNLoop,

    /// <summary>Steps the generic loop at R[A] (generator, state, control) into AUX &amp; 0xFF variables from R[A + 3]; jumps D words while it continues; a safepoint.</summary>
    ForGLoop,

    /// <summary>Prepares a generic loop known to come from <c>ipairs</c>; jumps D words to its <see cref="ForGLoop"/>.</summary>
    ForGPrepINext,

    /// <summary>Calls builtin A with arguments R[B], R[AUX &amp; 0xFF] and R[(AUX &gt;&gt; 8) &amp; 0xFF]; on success skips C words (to after the call).</summary>
    FastCall3,

    /// <summary>Prepares a generic loop known to come from <c>pairs</c> or <c>next</c>; jumps D words to its <see cref="ForGLoop"/>.</summary>
    ForGPrepNext,

    /// <summary>Reserved for native code; never emitted.</summary>
    NativeCall,

    /// <summary>Copies B - 1 varargs (B = 0: all, setting the top) to R[A]...</summary>
    GetVarargs,

    /// <summary>R[A] = the preallocated closure K[D], reused when its captures are unchanged; followed by captures.</summary>
    DupClosure,

    /// <summary>The first instruction of a vararg function with A fixed parameters.</summary>
    PrepVarargs,

    /// <summary>R[A] = K[AUX], for constant indices that do not fit D.</summary>
    LoadKx,

    /// <summary>Jumps E words; a safepoint.</summary>
    JumpX,

    /// <summary>Calls builtin A with the arguments the following <see cref="Call"/> sets up; on success skips C words.</summary>
    FastCall,

    /// <summary>Coverage counter: E counts how many times this point ran.</summary>
    Coverage,

    /// <summary>Captures an upvalue for the preceding closure: A is the capture kind, B the register or upvalue.</summary>
    Capture,

    /// <summary>R[A] = K[B] - R[C]</summary>
    SubRk,

    /// <summary>R[A] = K[B] / R[C]</summary>
    DivRk,

    /// <summary>Calls builtin A with argument R[B]; on success skips C words.</summary>
    FastCall1,

    /// <summary>Calls builtin A with arguments R[B] and R[AUX]; on success skips C words.</summary>
    FastCall2,

    /// <summary>Calls builtin A with arguments R[B] and K[AUX]; on success skips C words.</summary>
    FastCall2K,

    /// <summary>Prepares a generic loop over R[A] (honouring <c>__iter</c>); jumps D words to its <see cref="ForGLoop"/>.</summary>
    ForGPrep,

    /// <summary>Jumps D words if R[A] is nil (or, with bit 31 of AUX, if it is not).</summary>
    JumpXEqKNil,

    /// <summary>Jumps D words if R[A] is the boolean AUX &amp; 1 (bit 31 of AUX negates).</summary>
    JumpXEqKB,

    /// <summary>Jumps D words if R[A] equals the number K[AUX &amp; 0xFFFFFF] (bit 31 of AUX negates).</summary>
    JumpXEqKN,

    /// <summary>Jumps D words if R[A] equals the string K[AUX &amp; 0xFFFFFF] (bit 31 of AUX negates).</summary>
    JumpXEqKS,

    /// <summary>R[A] = R[B] // R[C]</summary>
    IDiv,

    /// <summary>R[A] = R[B] // K[C]</summary>
    IDivK,

    /// <summary>Userdata field read; a load-time rewrite of <see cref="GetTableKs"/> we do not perform.</summary>
    GetUdataKs,

    /// <summary>Userdata field write; a load-time rewrite of <see cref="SetTableKs"/> we do not perform.</summary>
    SetUdataKs,

    /// <summary>Userdata method call; a load-time rewrite of <see cref="NameCall"/> we do not perform.</summary>
    NameCallUdata,

    /// <summary>Experimental class member definition; not supported.</summary>
    NewClassMember,

    /// <summary>A call with a feedback slot; not emitted at the versions we target.</summary>
    CallFb,

    /// <summary>Jumps if R[A] is not a closure of a given prototype; not emitted at the versions we target.</summary>
    CmpProto,

    /// <summary>Fast pcall/xpcall; not emitted at the versions we target.</summary>
    FastPCall,

    /// <summary>Experimental class creation; not supported.</summary>
    NewClass,
}

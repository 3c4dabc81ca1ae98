namespace Coputer.Luau.VM;

/// <summary>
/// Metamethod events, in the reference's order. The first eight are "fast": a table used as a metatable caches
/// their absence in <see cref="LuauTable.TmCache"/>.
/// </summary>
internal enum TagMethod : byte
{
    Index,
    NewIndex,
    Mode,
    NameCall,
    Call,
    Iter,
    Len,
    Eq,
    Add,
    Sub,
    Mul,
    Div,
    IDiv,
    Mod,
    Pow,
    Unm,
    Lt,
    Le,
    Concat,
    Type,
    Metatable,
}

/// <summary>Type names as <c>type()</c> and error messages spell them.</summary>
internal static class TypeNames
{
    private static readonly string[] s_names =
        ["nil", "boolean", "userdata", "number", "integer", "vector", "string", "table", "function", "userdata", "thread", "buffer", "upvalue"];

    public static string Of(LuauType type) => s_names[(int)type];

    internal static readonly string[] TagMethodNames =
    [
        "__index", "__newindex", "__mode", "__namecall", "__call", "__iter", "__len", "__eq",
        "__add", "__sub", "__mul", "__div", "__idiv", "__mod", "__pow", "__unm", "__lt", "__le", "__concat",
        "__type", "__metatable",
    ];
}

using Coputer.Luau.Bytecode;
using Coputer.Luau.Syntax;

namespace Coputer.Luau.Compiler;

/// <summary>A global function (<c>Object</c> null) or library member that an expression refers to.</summary>
internal readonly record struct BuiltinName(string? Object, string? Method)
{
    public bool IsEmpty => Object is null && Method is null;

    public bool IsGlobal(string name) => Object is null && Method == name;
}

/// <summary>
/// Decides which calls go to builtin functions: the callee must syntactically be a global function or a member of a
/// library global (possibly through a never-assigned local alias such as <c>local m = math</c> or
/// <c>local m = math or other</c>), and the global must be neither assigned in the chunk nor declared mutable.
/// </summary>
internal sealed class Builtins : AstVisitor
{
    private readonly CompilerState _state;
    private readonly Dictionary<CallExpr, BuiltinFunction> _result;
    private readonly HashSet<BuiltinFunction> _disabled = [];

    private Builtins(CompilerState state, Dictionary<CallExpr, BuiltinFunction> result)
    {
        _state = state;
        _result = result;
        var disabled = state.Options.DisabledBuiltins;
        if (disabled is null)
            return;
        foreach (var entry in disabled)
        {
            int dot = entry.IndexOf('.', StringComparison.Ordinal);
            var name = dot >= 0 ? new BuiltinName(entry[..dot], entry[(dot + 1)..]) : new BuiltinName(null, entry);
            // A disabled entry only counts when the global it names is itself untouched, as for the calls it would match.
            if (GetGlobalState(name.Method!) != GlobalState.Default)
                continue;
            var id = GetFunctionId(name, state.Options);
            if (id != BuiltinFunction.None)
                _disabled.Add(id);
        }
    }

    public static void Analyze(CompilerState state, Dictionary<CallExpr, BuiltinFunction> result, AstNode root) =>
        root.Accept(new Builtins(state, result));

    private GlobalState GetGlobalState(string name) => ValueTracker.GetGlobalState(_state.Globals, name);

    public override bool VisitNode(AstNode node)
    {
        StackGuard.Check(node);
        return true;
    }

    public override bool Visit(CallExpr node)
    {
        StackGuard.Check(node);
        var name = node.IsMethodCall ? default : Resolve(_state, node.Function);
        if (name.IsEmpty)
            return true;

        var id = GetFunctionId(name, _state.Options);
        if (_disabled.Contains(id))
            id = BuiltinFunction.None;

        // select() is only a builtin in the form select(x, ...).
        if (id == BuiltinFunction.SelectVararg && !(node.Arguments.Length == 2 && node.Arguments[1] is VarargsExpr))
            id = BuiltinFunction.None;

        if (id != BuiltinFunction.None)
            _result[node] = id;
        return true;
    }

    /// <summary>The global or library member <paramref name="node"/> names, or empty.</summary>
    public static BuiltinName Resolve(CompilerState state, AstExpr node)
    {
        for (int depth = 0; ; depth++)
        {
            switch (node)
            {
                case LocalExpr local:
                    {
                        var v = state.Variables.Get(local.Local);
                        if (!v.Tracked || v.Written || v.Init is null || depth > 1000)
                            return default;
                        node = v.Init;
                        continue;
                    }
                case IndexNameExpr index:
                    {
                        if (index.Expr is LocalExpr objectLocal)
                        {
                            var v = state.Variables.Get(objectLocal.Local);
                            if (v.Tracked && !v.Written && v.Init is not null)
                            {
                                // 'local m = math' and 'local m = math or fallback' keep the library's identity when it is safe.
                                var library = v.Init as GlobalExpr
                                    ?? (v.Init is BinaryExpr { Op: BinaryOp.Or, Left: GlobalExpr left } ? left : null);
                                if (library is not null)
                                    return Untouched(state, library.Name) ? new BuiltinName(library.Name, index.Index) : default;
                            }
                        }
                        if (index.Expr is GlobalExpr global)
                            return Untouched(state, global.Name) ? new BuiltinName(global.Name, index.Index) : default;
                        return default;
                    }
                case GlobalExpr global:
                    return Untouched(state, global.Name) ? new BuiltinName(null, global.Name) : default;
                default:
                    return default;
            }
        }
    }

    private static bool Untouched(CompilerState state, string name) =>
        ValueTracker.GetGlobalState(state.Globals, name) == GlobalState.Default;

    /// <summary>The builtin a name denotes, or <see cref="BuiltinFunction.None"/>.</summary>
    public static BuiltinFunction GetFunctionId(BuiltinName name, CompileOptions options)
    {
        if (name.Object is null)
        {
            switch (name.Method)
            {
                case "assert": return BuiltinFunction.Assert;
                case "type": return BuiltinFunction.Type;
                case "typeof": return BuiltinFunction.TypeOf;
                case "rawset": return BuiltinFunction.RawSet;
                case "rawget": return BuiltinFunction.RawGet;
                case "rawequal": return BuiltinFunction.RawEqual;
                case "rawlen": return BuiltinFunction.RawLen;
                case "unpack": return BuiltinFunction.TableUnpack;
                case "select": return BuiltinFunction.SelectVararg;
                case "getmetatable": return BuiltinFunction.GetMetatable;
                case "setmetatable": return BuiltinFunction.SetMetatable;
                case "tonumber": return BuiltinFunction.ToNumber;
                case "tostring": return BuiltinFunction.ToString;
            }
        }

        var id = name.Object switch
        {
            "math" => name.Method switch
            {
                "abs" => BuiltinFunction.MathAbs,
                "acos" => BuiltinFunction.MathAcos,
                "asin" => BuiltinFunction.MathAsin,
                "atan2" => BuiltinFunction.MathAtan2,
                "atan" => BuiltinFunction.MathAtan,
                "ceil" => BuiltinFunction.MathCeil,
                "cosh" => BuiltinFunction.MathCosh,
                "cos" => BuiltinFunction.MathCos,
                "deg" => BuiltinFunction.MathDeg,
                "exp" => BuiltinFunction.MathExp,
                "floor" => BuiltinFunction.MathFloor,
                "fmod" => BuiltinFunction.MathFmod,
                "frexp" => BuiltinFunction.MathFrexp,
                "ldexp" => BuiltinFunction.MathLdexp,
                "log10" => BuiltinFunction.MathLog10,
                "log" => BuiltinFunction.MathLog,
                "max" => BuiltinFunction.MathMax,
                "min" => BuiltinFunction.MathMin,
                "modf" => BuiltinFunction.MathModf,
                "pow" => BuiltinFunction.MathPow,
                "rad" => BuiltinFunction.MathRad,
                "sinh" => BuiltinFunction.MathSinh,
                "sin" => BuiltinFunction.MathSin,
                "sqrt" => BuiltinFunction.MathSqrt,
                "tanh" => BuiltinFunction.MathTanh,
                "tan" => BuiltinFunction.MathTan,
                "clamp" => BuiltinFunction.MathClamp,
                "sign" => BuiltinFunction.MathSign,
                "round" => BuiltinFunction.MathRound,
                "lerp" => BuiltinFunction.MathLerp,
                "isnan" => BuiltinFunction.MathIsNan,
                "isinf" => BuiltinFunction.MathIsInf,
                "isfinite" => BuiltinFunction.MathIsFinite,
                _ => BuiltinFunction.None,
            },
            "bit32" => name.Method switch
            {
                "arshift" => BuiltinFunction.Bit32Arshift,
                "band" => BuiltinFunction.Bit32Band,
                "bnot" => BuiltinFunction.Bit32Bnot,
                "bor" => BuiltinFunction.Bit32Bor,
                "bxor" => BuiltinFunction.Bit32Bxor,
                "btest" => BuiltinFunction.Bit32Btest,
                "extract" => BuiltinFunction.Bit32Extract,
                "lrotate" => BuiltinFunction.Bit32Lrotate,
                "lshift" => BuiltinFunction.Bit32Lshift,
                "replace" => BuiltinFunction.Bit32Replace,
                "rrotate" => BuiltinFunction.Bit32Rrotate,
                "rshift" => BuiltinFunction.Bit32Rshift,
                "countlz" => BuiltinFunction.Bit32CountLz,
                "countrz" => BuiltinFunction.Bit32CountRz,
                "byteswap" => BuiltinFunction.Bit32ByteSwap,
                _ => BuiltinFunction.None,
            },
            "string" => name.Method switch
            {
                "byte" => BuiltinFunction.StringByte,
                "char" => BuiltinFunction.StringChar,
                "len" => BuiltinFunction.StringLen,
                "sub" => BuiltinFunction.StringSub,
                _ => BuiltinFunction.None,
            },
            "table" => name.Method switch
            {
                "insert" => BuiltinFunction.TableInsert,
                "unpack" => BuiltinFunction.TableUnpack,
                _ => BuiltinFunction.None,
            },
            "buffer" => name.Method switch
            {
                "readi8" => BuiltinFunction.BufferReadi8,
                "readu8" => BuiltinFunction.BufferReadu8,
                "writei8" or "writeu8" => BuiltinFunction.BufferWriteu8,
                "readi16" => BuiltinFunction.BufferReadi16,
                "readu16" => BuiltinFunction.BufferReadu16,
                "writei16" or "writeu16" => BuiltinFunction.BufferWriteu16,
                "readi32" => BuiltinFunction.BufferReadi32,
                "readu32" => BuiltinFunction.BufferReadu32,
                "writei32" or "writeu32" => BuiltinFunction.BufferWriteu32,
                "readf32" => BuiltinFunction.BufferReadf32,
                "writef32" => BuiltinFunction.BufferWritef32,
                "readf64" => BuiltinFunction.BufferReadf64,
                "writef64" => BuiltinFunction.BufferWritef64,
                "readinteger" => BuiltinFunction.BufferReadInteger,
                "writeinteger" => BuiltinFunction.BufferWriteInteger,
                _ => BuiltinFunction.None,
            },
            "vector" => name.Method switch
            {
                "create" => BuiltinFunction.Vector,
                "magnitude" => BuiltinFunction.VectorMagnitude,
                "normalize" => BuiltinFunction.VectorNormalize,
                "cross" => BuiltinFunction.VectorCross,
                "dot" => BuiltinFunction.VectorDot,
                "floor" => BuiltinFunction.VectorFloor,
                "ceil" => BuiltinFunction.VectorCeil,
                "abs" => BuiltinFunction.VectorAbs,
                "sign" => BuiltinFunction.VectorSign,
                "clamp" => BuiltinFunction.VectorClamp,
                "min" => BuiltinFunction.VectorMin,
                "max" => BuiltinFunction.VectorMax,
                "lerp" => BuiltinFunction.VectorLerp,
                _ => BuiltinFunction.None,
            },
            "integer" => name.Method switch
            {
                "create" => BuiltinFunction.IntegerCreate,
                "tonumber" => BuiltinFunction.IntegerToNumber,
                "neg" => BuiltinFunction.IntegerNeg,
                "add" => BuiltinFunction.IntegerAdd,
                "sub" => BuiltinFunction.IntegerSub,
                "mul" => BuiltinFunction.IntegerMul,
                "div" => BuiltinFunction.IntegerDiv,
                "min" => BuiltinFunction.IntegerMin,
                "max" => BuiltinFunction.IntegerMax,
                "rem" => BuiltinFunction.IntegerRem,
                "idiv" => BuiltinFunction.IntegerIDiv,
                "udiv" => BuiltinFunction.IntegerUDiv,
                "urem" => BuiltinFunction.IntegerURem,
                "mod" => BuiltinFunction.IntegerMod,
                "clamp" => BuiltinFunction.IntegerClamp,
                "band" => BuiltinFunction.IntegerBand,
                "bor" => BuiltinFunction.IntegerBor,
                "bnot" => BuiltinFunction.IntegerBnot,
                "bxor" => BuiltinFunction.IntegerBxor,
                "lt" => BuiltinFunction.IntegerLt,
                "le" => BuiltinFunction.IntegerLe,
                "ult" => BuiltinFunction.IntegerUlt,
                "ule" => BuiltinFunction.IntegerUle,
                "gt" => BuiltinFunction.IntegerGt,
                "ge" => BuiltinFunction.IntegerGe,
                "ugt" => BuiltinFunction.IntegerUgt,
                "uge" => BuiltinFunction.IntegerUge,
                "lshift" => BuiltinFunction.IntegerLshift,
                "rshift" => BuiltinFunction.IntegerRshift,
                "arshift" => BuiltinFunction.IntegerArshift,
                "lrotate" => BuiltinFunction.IntegerLrotate,
                "rrotate" => BuiltinFunction.IntegerRrotate,
                "extract" => BuiltinFunction.IntegerExtract,
                "btest" => BuiltinFunction.IntegerBtest,
                "countrz" => BuiltinFunction.IntegerCountRz,
                "countlz" => BuiltinFunction.IntegerCountLz,
                "bswap" => BuiltinFunction.IntegerBswap,
                _ => BuiltinFunction.None,
            },
            _ => BuiltinFunction.None,
        };
        if (id != BuiltinFunction.None)
            return id;

        // A host-configured vector constructor, either a global function or a library member.
        if (options.VectorConstructor is { } ctor)
        {
            if (options.VectorLibrary is { } lib ? name.Object == lib && name.Method == ctor : name.IsGlobal(ctor))
                return BuiltinFunction.Vector;
        }
        return BuiltinFunction.None;
    }

    /// <summary>How many values a builtin takes and returns (-1: variable), and whether nil and none mean the same to it.</summary>
    public static (int Params, int Results, bool NoneSafe) GetInfo(BuiltinFunction id) => id switch
    {
        BuiltinFunction.None or BuiltinFunction.Assert => (-1, -1, false),
        BuiltinFunction.MathAbs or BuiltinFunction.MathAcos or BuiltinFunction.MathAsin => (1, 1, true),
        BuiltinFunction.MathAtan2 => (2, 1, true),
        BuiltinFunction.MathAtan or BuiltinFunction.MathCeil or BuiltinFunction.MathCosh or BuiltinFunction.MathCos
            or BuiltinFunction.MathDeg or BuiltinFunction.MathExp or BuiltinFunction.MathFloor => (1, 1, true),
        BuiltinFunction.MathFmod => (2, 1, true),
        BuiltinFunction.MathFrexp => (1, 2, true),
        BuiltinFunction.MathLdexp => (2, 1, true),
        BuiltinFunction.MathLog10 => (1, 1, true),
        BuiltinFunction.MathLog => (-1, 1, false),
        BuiltinFunction.MathMax or BuiltinFunction.MathMin => (-1, 1, false),
        BuiltinFunction.MathModf => (1, 2, true),
        BuiltinFunction.MathPow => (2, 1, true),
        BuiltinFunction.MathRad or BuiltinFunction.MathSinh or BuiltinFunction.MathSin or BuiltinFunction.MathSqrt
            or BuiltinFunction.MathTanh or BuiltinFunction.MathTan => (1, 1, true),
        BuiltinFunction.Bit32Arshift => (2, 1, true),
        BuiltinFunction.Bit32Band => (-1, 1, false),
        BuiltinFunction.Bit32Bnot => (1, 1, true),
        BuiltinFunction.Bit32Bor or BuiltinFunction.Bit32Bxor or BuiltinFunction.Bit32Btest => (-1, 1, false),
        BuiltinFunction.Bit32Extract => (-1, 1, false),
        BuiltinFunction.Bit32Lrotate or BuiltinFunction.Bit32Lshift => (2, 1, true),
        BuiltinFunction.Bit32Replace => (-1, 1, false),
        BuiltinFunction.Bit32Rrotate or BuiltinFunction.Bit32Rshift => (2, 1, true),
        BuiltinFunction.Type => (1, 1, false),
        BuiltinFunction.StringByte => (-1, -1, false),
        BuiltinFunction.StringChar => (-1, 1, false),
        BuiltinFunction.StringLen => (1, 1, true),
        BuiltinFunction.TypeOf => (1, 1, false),
        BuiltinFunction.StringSub => (-1, 1, false),
        BuiltinFunction.MathClamp => (3, 1, true),
        BuiltinFunction.MathSign or BuiltinFunction.MathRound => (1, 1, true),
        BuiltinFunction.RawSet => (3, 1, false),
        BuiltinFunction.RawGet or BuiltinFunction.RawEqual => (2, 1, false),
        BuiltinFunction.TableInsert => (-1, 0, false),
        BuiltinFunction.TableUnpack => (-1, -1, false),
        BuiltinFunction.Vector => (-1, 1, false),
        BuiltinFunction.Bit32CountLz or BuiltinFunction.Bit32CountRz => (1, 1, true),
        BuiltinFunction.SelectVararg => (-1, -1, false),
        BuiltinFunction.RawLen => (1, 1, true),
        BuiltinFunction.Bit32ExtractK => (3, 1, true),
        BuiltinFunction.GetMetatable => (1, 1, false),
        BuiltinFunction.SetMetatable => (2, 1, false),
        BuiltinFunction.ToNumber => (-1, 1, false),
        BuiltinFunction.ToString => (1, 1, false),
        BuiltinFunction.Bit32ByteSwap => (1, 1, true),
        BuiltinFunction.BufferReadi8 or BuiltinFunction.BufferReadu8 or BuiltinFunction.BufferReadi16 or BuiltinFunction.BufferReadu16
            or BuiltinFunction.BufferReadi32 or BuiltinFunction.BufferReadu32 or BuiltinFunction.BufferReadf32
            or BuiltinFunction.BufferReadf64 or BuiltinFunction.BufferReadInteger => (2, 1, true),
        BuiltinFunction.BufferWriteu8 or BuiltinFunction.BufferWriteu16 or BuiltinFunction.BufferWriteu32
            or BuiltinFunction.BufferWritef32 or BuiltinFunction.BufferWritef64 or BuiltinFunction.BufferWriteInteger => (3, 0, true),
        BuiltinFunction.VectorMagnitude or BuiltinFunction.VectorNormalize => (1, 1, true),
        BuiltinFunction.VectorCross or BuiltinFunction.VectorDot => (2, 1, true),
        BuiltinFunction.VectorFloor or BuiltinFunction.VectorCeil or BuiltinFunction.VectorAbs or BuiltinFunction.VectorSign => (1, 1, true),
        BuiltinFunction.VectorClamp => (3, 1, true),
        BuiltinFunction.VectorMin or BuiltinFunction.VectorMax => (-1, 1, false),
        BuiltinFunction.VectorLerp or BuiltinFunction.MathLerp => (3, 1, true),
        BuiltinFunction.MathIsNan or BuiltinFunction.MathIsInf or BuiltinFunction.MathIsFinite => (1, 1, true),
        BuiltinFunction.IntegerBand or BuiltinFunction.IntegerBor or BuiltinFunction.IntegerBxor or BuiltinFunction.IntegerBtest
            or BuiltinFunction.IntegerMin or BuiltinFunction.IntegerMax or BuiltinFunction.IntegerExtract => (-1, 1, false),
        BuiltinFunction.IntegerBnot or BuiltinFunction.IntegerBswap or BuiltinFunction.IntegerNeg or BuiltinFunction.IntegerCountLz
            or BuiltinFunction.IntegerCountRz or BuiltinFunction.IntegerToNumber or BuiltinFunction.IntegerCreate => (1, 1, true),
        BuiltinFunction.IntegerClamp => (3, 1, true),
        >= BuiltinFunction.IntegerAdd and <= BuiltinFunction.IntegerBswap => (2, 1, true),
        _ => (-1, -1, false),
    };
}

using Coputer.Luau.Bytecode;

namespace Coputer.Luau.VM;

/// <summary>
/// Turns a verified bytecode module into runtime prototypes and a closure (the reference's luau_load, after
/// <see cref="LuauChunk"/> has checked it): interns the strings, builds constants (resolving imports against the
/// environment, prebuilding table templates and shared closures) and copies the debug information.
/// </summary>
internal static class Loader
{
    public static LuauClosure Load(LuauState state, LuauChunk chunk, LuauString chunkName, LuauTable env)
    {
        var module = chunk.Module;
        var strings = new LuauString[chunk.Strings.Length];
        for (int i = 0; i < strings.Length; i++)
            strings[i] = state.Intern(chunk.Strings[i]);

        var protos = new Proto[module.Protos.Length];
        for (int i = 0; i < protos.Length; i++)
            protos[i] = LoadProto(state, module.Protos[i], chunk.SharedCode[i], i, strings, protos, chunkName, env);

        var main = protos[module.MainProto];
        return new LuauClosure(main, env);
    }

    private static Proto LoadProto(LuauState state, BytecodeProto bp, uint[]? sharedCode, int index, LuauString[] strings, Proto[] protos, LuauString source, LuauTable env)
    {
        var k = new LuauValue[bp.Constants.Length];
        var p = new Proto
        {
            // The chunk's code, shared with every state it is loaded into (it only receives hints; see
            // LuauChunk.SharedCode), or a copy of its own for code with coverage counters.
            Code = sharedCode ?? (uint[])bp.Code.Clone(),
            K = k,
            Source = source,
            MaxStackSize = bp.MaxStackSize,
            NumParams = bp.NumParams,
            NumUpvalues = bp.NumUpvalues,
            IsVararg = bp.IsVararg,
            Flags = bp.Flags,
            LineDefined = bp.LineDefined,
            DebugName = bp.DebugName >= 0 ? strings[bp.DebugName] : null,
            LineGapLog2 = bp.LineGapLog2,
            LineInfo = bp.LineInfo,
            AbsLineInfo = bp.AbsLineInfo,
            BytecodeId = index,
        };
        state.ChargeMemory(64 + 4L * p.Code.Length + 24L * k.Length);

        for (int j = 0; j < k.Length; j++)
        {
            var c = bp.Constants[j];
            k[j] = c.Kind switch
            {
                ConstantKind.Nil => default,
                ConstantKind.Boolean => c.Number != 0 ? LuauValue.True : LuauValue.False,
                ConstantKind.Number => new LuauValue(c.Number),
                ConstantKind.String => new LuauValue(strings[c.Index]),
                ConstantKind.Import => ResolveImport(state, env, k, c.Import),
                ConstantKind.Table or ConstantKind.TableWithConstants => new LuauValue(BuildTemplate(state, c, k)),
                ConstantKind.Closure => new LuauValue(new LuauClosure(protos[c.Index], env) { Preload = protos[c.Index].NumUpvalues > 0 }),
                ConstantKind.Vector => LuauValue.FromVector((float)c.X, (float)c.Y, (float)c.Z),
                // Integer literals (123i) belong to the reference's flagged 64-bit integer type, which we do not
                // implement: they load as the nearest number so that code using them still loads.
                ConstantKind.Integer => LuauValue.FromInteger(c.Integer),
                _ => throw new BytecodeException($"prototype {index} constant {j} has unsupported kind {c.Kind}"),
            };
        }

        var children = new Proto[bp.Children.Length];
        for (int j = 0; j < children.Length; j++)
            children[j] = protos[bp.Children[j]];
        p.Children = children;

        if (bp.Locals is { } locals)
        {
            var vars = new LocalVariable[locals.Length];
            for (int j = 0; j < locals.Length; j++)
            {
                var l = locals[j];
                vars[j] = new LocalVariable(l.Name >= 0 ? strings[l.Name] : LuauString.Empty, l.StartPc, l.EndPc, l.Register);
            }
            p.Locals = vars;
        }
        if (bp.UpvalueNames is { } names)
        {
            var upvalueNames = new LuauString?[names.Length];
            for (int j = 0; j < names.Length; j++)
                upvalueNames[j] = names[j] >= 0 ? strings[names[j]] : null;
            p.UpvalueNames = upvalueNames;
        }
        return p;
    }

    /// <summary>
    /// Resolves a global path at load time without running code: raw lookups that follow <c>__index</c> tables (as
    /// a sandboxed thread's proxy environment has), never functions. Anything unresolved gives nil, which makes
    /// GETIMPORT look the path up at run time instead.
    /// </summary>
    private static LuauValue ResolveImport(LuauState state, LuauTable env, LuauValue[] k, uint id)
    {
        int count = Instruction.ImportCount(id);
        LuauValue v = new(env);
        for (int i = 0; i < count; i++)
        {
            var key = k[Instruction.ImportId(id, i)].UnsafeString;
            v = LookupWithoutCalls(state, v, key);
            if (v.Type_ == LuauType.Nil)
                return default;
        }
        return v;
    }

    private static LuauValue LookupWithoutCalls(LuauState state, LuauValue v, LuauString key)
    {
        for (int depth = 0; depth < 100 && v.Type_ == LuauType.Table; depth++)
        {
            var t = v.UnsafeTable;
            ref readonly var r = ref t.GetStr(key);
            if (r.Type_ != LuauType.Nil || t.Metatable is null)
                return r;
            v = t.Metatable.GetStr(state.TagMethodNames[(int)TagMethod.Index]);
        }
        return default;
    }

    /// <summary>The template of a DUPTABLE: string keys with placeholder values, or constant values when the compiler knew them.</summary>
    private static LuauTable BuildTemplate(LuauState state, BytecodeConstant c, LuauValue[] k)
    {
        var keys = c.Keys!;
        var t = new LuauTable(state, 0, keys.Length);
        List<int>? nilKeys = null;
        for (int i = 0; i < keys.Length; i++)
        {
            ref var slot = ref t.Set(in k[keys[i]]);
            int value = c.Values is { } values ? values[i] : -1;
            if (value >= 0 && k[value].Type_ != LuauType.Nil)
            {
                slot = k[value];
                continue;
            }
            if (value >= 0)
                (nilKeys ??= []).Add(keys[i]);
            slot = new LuauValue(0.0);
        }
        // Keys whose constant value is nil keep their slot (and so the table's layout) but hold nil.
        if (nilKeys is not null)
        {
            foreach (int key in nilKeys)
                t.Set(in k[key]) = default;
        }
        return t;
    }
}

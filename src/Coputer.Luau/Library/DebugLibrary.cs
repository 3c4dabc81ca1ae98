using System.Text;
using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>The <c>debug</c> library: <c>info</c> and <c>traceback</c> (Luau has no other debug functions).</summary>
internal static class DebugLibrary
{
    public static void Open(LuauState state)
    {
        LibraryUtil.CreateLibrary(state, "debug",
            ("info", Info),
            ("traceback", Traceback));
    }

    private static (LuauThread Thread, int Arg) GetThread(LuauCallContext c) =>
        c[1].Type == LuauType.Thread ? (c.CheckThread(1), 1) : (c.Thread, 0);

    private static int Info(LuauCallContext c)
    {
        var (target, arg) = GetThread(c);
        LuauFunction? function;
        int frame = -1;
        var selector = c[arg + 1];
        if (selector.Type == LuauType.Number || (selector.Type == LuauType.String && Interpreter.ToNumber(in selector, out _)))
        {
            int level = c.CheckInteger(arg + 1);
            if (level < 0)
                throw c.ArgumentError(arg + 1, "level can't be negative");
            frame = target.FrameIndex - level;
            if (frame <= 0)
                return 0;
            function = Interpreter.FrameFunction(target, frame);
            if (function is null)
                return 0;
        }
        else if (arg == 0 && selector.Type == LuauType.Function)
        {
            function = selector.AsFunction!;
        }
        else
        {
            throw c.ArgumentError(arg + 1, "function or level expected");
        }

        var options = c.CheckString(arg + 2);
        Span<bool> seen = stackalloc bool[26];
        int results = 0;
        foreach (byte o in options.Span)
        {
            if ((uint)(o - 'a') < 26)
            {
                if (seen[o - 'a'])
                    throw c.ArgumentError(arg + 2, "duplicate option");
                seen[o - 'a'] = true;
            }
            var closure = function as LuauClosure;
            switch ((char)o)
            {
                case 's':
                    c.Push(closure is null ? "[C]" : Interpreter.ChunkId(closure.Proto.Source));
                    results++;
                    break;
                case 'l':
                    int line = frame >= 0 ? Interpreter.FrameLine(target, frame) : closure?.Proto.LineDefined ?? -1;
                    c.Push(line);
                    results++;
                    break;
                case 'n':
                    c.Push(function.Name);
                    results++;
                    break;
                case 'f':
                    c.Push(new LuauValue(function));
                    results++;
                    break;
                case 'a':
                    c.Push(closure?.Proto.NumParams ?? 0);
                    c.Push(closure is null || closure.Proto.IsVararg);
                    results += 2;
                    break;
                default:
                    throw c.ArgumentError(arg + 2, "invalid option");
            }
        }
        return results;
    }

    private static int Traceback(LuauCallContext c)
    {
        var (target, arg) = GetThread(c);
        var message = c.OptString(arg + 1, null);
        int level = c.OptInteger(arg + 2, target == c.Thread ? 1 : 0);
        if (level < 0)
            throw c.ArgumentError(arg + 2, "level can't be negative");
        var sb = new StringBuilder();
        if (message is not null)
            sb.Append(message.ToString()).Append('\n');
        for (int i = target.FrameIndex - level; i > 0; i--)
        {
            ref var f = ref target.Frames[i];
            if (f.Closure is null)
                continue;
            sb.Append(Interpreter.ChunkId(f.Closure.Proto.Source));
            int line = Interpreter.FrameLine(target, i);
            if (line > 0)
                sb.Append(':').Append(line);
            var name = f.Closure.Proto.DebugName;
            if (name is not null)
                sb.Append(" function ").Append(name.ToString());
            sb.Append('\n');
        }
        return c.Return(sb.ToString());
    }
}

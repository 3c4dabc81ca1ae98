using System.Text;

namespace Coputer.Luau.VM;

internal static partial class Interpreter
{
    /// <summary>The function running in frame <paramref name="index"/> of <paramref name="L"/>.</summary>
    internal static LuauFunction? FrameFunction(LuauThread L, int index)
    {
        ref var f = ref L.Frames[index];
        return (LuauFunction?)f.Closure ?? f.Host;
    }

    /// <summary>The current line of frame <paramref name="index"/>, or -1 for host frames and code without line info.</summary>
    internal static int FrameLine(LuauThread L, int index)
    {
        ref var f = ref L.Frames[index];
        if (f.Closure is null)
            return -1;
        int line = f.Closure.Proto.GetLine(f.SavedPc - 1);
        return line > 0 ? line : -1;
    }

    /// <summary>
    /// The call stack of <paramref name="L"/> from <paramref name="level"/> frames below the top, one line per frame
    /// (<c>chunk:line function name</c>, <c>[C] function name</c> for host functions), eliding the middle of deep
    /// stacks as the reference does.
    /// </summary>
    internal static string Traceback(LuauThread L, int level)
    {
        const int limit1 = 10, limit2 = 10;
        var sb = new StringBuilder();
        int depth = L.FrameIndex;
        for (int lv = level; lv < depth; lv++)
        {
            int index = L.FrameIndex - lv;
            ref var f = ref L.Frames[index];
            if (f.Closure is null && f.Host is null)
                continue;
            if (f.Closure is not null)
            {
                sb.Append(ChunkId(f.Closure.Proto.Source));
                int line = FrameLine(L, index);
                if (line > 0)
                    sb.Append(':').Append(line);
            }
            else
            {
                sb.Append("[C]");
            }
            string name = FrameFunction(L, index)!.Name;
            if (name.Length > 0)
                sb.Append(" function ").Append(name);
            sb.Append('\n');
            if (depth > limit1 + limit2 && lv == limit1 - 1)
            {
                sb.Append("... (+").Append(depth - limit1 - limit2).Append(" frames)\n");
                lv = depth - limit2 - 1;
            }
        }
        return sb.ToString();
    }
}

using System.Text;

namespace Coputer.Tooling.Formatting;

/// <summary>
/// A document to lay out: text, places where a line may break, indentation and groups that either fit on one line
/// or break all their lines (Wadler's pretty printer, as Prettier uses it).
/// </summary>
internal abstract class Doc
{
    public static readonly Doc Empty = new TextDoc([], 0, false);
}

/// <summary>Text written as it is. It may hold newlines (long strings, block comments); it is never re-indented.</summary>
internal sealed class TextDoc(byte[] bytes, int width, bool multiline) : Doc
{
    public byte[] Bytes { get; } = bytes;

    /// <summary>Columns taken (after the last newline when <see cref="Multiline"/>).</summary>
    public int Width { get; } = width;

    /// <summary>Columns up to the first newline.</summary>
    public int FirstLineWidth { get; init; } = width;

    public bool Multiline { get; } = multiline;

    public static TextDoc Of(ReadOnlySpan<byte> bytes)
    {
        int newline = bytes.IndexOf((byte)'\n');
        if (newline < 0)
            return new TextDoc(bytes.ToArray(), Columns(bytes), false);
        int last = bytes.LastIndexOf((byte)'\n');
        return new TextDoc(bytes.ToArray(), Columns(bytes[(last + 1)..]), true) { FirstLineWidth = Columns(bytes[..newline]) };
    }

    public static TextDoc Of(string text) => Of(Encoding.UTF8.GetBytes(text));

    /// <summary>Display columns: one per character (UTF-8 continuation bytes add none).</summary>
    private static int Columns(ReadOnlySpan<byte> bytes)
    {
        int n = 0;
        foreach (byte b in bytes)
        {
            if ((b & 0xC0) != 0x80)
                n++;
        }
        return n;
    }
}

internal enum LineKind
{
    /// <summary>Nothing when the group fits, a newline otherwise.</summary>
    Soft,

    /// <summary>A space when the group fits, a newline otherwise.</summary>
    Space,

    /// <summary>Always a newline; it breaks every enclosing group (but a conditional one).</summary>
    Hard,
}

internal sealed class LineDoc(LineKind kind) : Doc
{
    public static readonly LineDoc Soft = new(LineKind.Soft);
    public static readonly LineDoc Space = new(LineKind.Space);
    public static readonly LineDoc Hard = new(LineKind.Hard);

    public LineKind Kind { get; } = kind;
}

internal sealed class ConcatDoc(Doc[] parts) : Doc
{
    public Doc[] Parts { get; } = parts;
}

/// <summary>Its contents one indentation level deeper (newlines inside start further in).</summary>
internal sealed class IndentDoc(Doc contents) : Doc
{
    public Doc Contents { get; } = contents;
}

/// <summary>
/// Contents laid out flat when they fit in the rest of the line, otherwise with their lines broken. With
/// <see cref="States"/> (a conditional group), the first state that fits is taken, the last one otherwise.
/// </summary>
internal sealed class GroupDoc(Doc contents, bool shouldBreak = false, Doc[]? states = null) : Doc
{
    public Doc Contents { get; } = contents;
    public Doc[]? States { get; } = states;

    /// <summary>Set when the group must break: asked for, or it holds a hard line.</summary>
    public bool Break { get; set; } = shouldBreak;
}

/// <summary>One document when the enclosing group breaks, another when it is flat (trailing commas).</summary>
internal sealed class IfBreakDoc(Doc broken, Doc flat) : Doc
{
    public Doc Broken { get; } = broken;
    public Doc Flat { get; } = flat;
}

/// <summary>Contents always laid out on one line (unless a comment forces a break).</summary>
internal sealed class FlatDoc(Doc contents) : Doc
{
    public Doc Contents { get; } = contents;
}

/// <summary>Forces the enclosing groups to break (after a line comment, which must end its line).</summary>
internal sealed class BreakParentDoc : Doc
{
    public static readonly BreakParentDoc Instance = new();
}

/// <summary>Shorthands for building documents.</summary>
internal static class D
{
    public static Doc Text(string s) => TextDoc.Of(s);

    public static Doc Concat(params Doc[] parts) => new ConcatDoc(parts);

    public static Doc Concat(List<Doc> parts) => new ConcatDoc([.. parts]);

    public static Doc Indent(Doc d) => new IndentDoc(d);

    public static Doc Group(Doc d, bool shouldBreak = false) => new GroupDoc(d, shouldBreak);

    public static Doc Group(params Doc[] parts) => new GroupDoc(new ConcatDoc(parts));

    public static Doc Conditional(params Doc[] states) => new GroupDoc(states[0], false, states);

    public static Doc IfBreak(Doc broken, Doc flat) => new IfBreakDoc(broken, flat);

    public static Doc Join(Doc separator, List<Doc> items)
    {
        var parts = new List<Doc>(items.Count * 2);
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0)
                parts.Add(separator);
            parts.Add(items[i]);
        }
        return new ConcatDoc([.. parts]);
    }
}

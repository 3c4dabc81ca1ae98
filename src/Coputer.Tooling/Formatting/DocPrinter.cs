namespace Coputer.Tooling.Formatting;

/// <summary>Lays a <see cref="Doc"/> out at a column width and writes it as UTF-8.</summary>
internal sealed class DocPrinter
{
    private enum Mode : byte
    {
        Break,
        Flat,
    }

    private readonly record struct Command(int Indent, Mode Mode, Doc Doc);

    private readonly FormatOptions _options;
    private readonly List<byte> _out = new();
    private readonly List<Command> _fitsStack = new();
    private int _column;

    private DocPrinter(FormatOptions options) => _options = options;

    public static byte[] Print(Doc doc, FormatOptions options)
    {
        PropagateBreaks(doc);
        var printer = new DocPrinter(options);
        printer.Run(doc);
        return [.. printer._out];
    }

    /// <summary>Marks every group that holds a hard line (outside a conditional group) as broken.</summary>
    private static void PropagateBreaks(Doc root)
    {
        // Iterative post-order walk: documents nest as deeply as the source does.
        var visited = new HashSet<Doc>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Doc Doc, bool Exit)>();
        var hard = new Dictionary<Doc, bool>(ReferenceEqualityComparer.Instance);
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (doc, exit) = stack.Pop();
            if (!exit)
            {
                if (!visited.Add(doc))
                    continue;
                stack.Push((doc, true));
                foreach (Doc child in Children(doc))
                    stack.Push((child, false));
                continue;
            }

            bool forces = doc switch
            {
                LineDoc line => line.Kind == LineKind.Hard,
                BreakParentDoc => true,
                _ => false,
            };
            foreach (Doc child in Children(doc))
                forces |= hard.GetValueOrDefault(child);
            if (doc is GroupDoc group)
            {
                if (forces && group.States is null)
                    group.Break = true;
                forces = group.Break;
            }
            hard[doc] = forces;
        }
    }

    private static IEnumerable<Doc> Children(Doc doc)
    {
        switch (doc)
        {
            case ConcatDoc c:
                return c.Parts;
            case IndentDoc i:
                return [i.Contents];
            case GroupDoc g:
                return g.States ?? [g.Contents];
            case IfBreakDoc b:
                return [b.Broken, b.Flat];
            case FlatDoc f:
                return [f.Contents];
            default:
                return [];
        }
    }

    private void Run(Doc root)
    {
        int width = _options.ColumnWidth;
        var stack = new List<Command> { new(0, Mode.Break, root) };
        while (stack.Count > 0)
        {
            Command cmd = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            switch (cmd.Doc)
            {
                case TextDoc text:
                    _out.AddRange(text.Bytes);
                    _column = text.Multiline ? text.Width : _column + text.Width;
                    break;

                case ConcatDoc concat:
                    for (int i = concat.Parts.Length - 1; i >= 0; i--)
                        stack.Add(cmd with { Doc = concat.Parts[i] });
                    break;

                case IndentDoc indent:
                    stack.Add(new Command(cmd.Indent + 1, cmd.Mode, indent.Contents));
                    break;

                case FlatDoc flatDoc:
                    stack.Add(cmd with { Mode = Mode.Flat, Doc = flatDoc.Contents });
                    break;

                case GroupDoc group:
                    if (cmd.Mode == Mode.Flat && !group.Break)
                    {
                        stack.Add(cmd with { Doc = group.Contents });
                        break;
                    }
                    if (group.Break)
                    {
                        stack.Add(cmd with { Mode = Mode.Break, Doc = group.States?[^1] ?? group.Contents });
                        break;
                    }
                    var flat = new Command(cmd.Indent, Mode.Flat, group.Contents);
                    if (Fits(flat, stack, width - _column, mustBeFlat: false))
                    {
                        stack.Add(flat);
                        break;
                    }
                    if (group.States is { } states)
                    {
                        Command chosen = new(cmd.Indent, Mode.Break, states[^1]);
                        for (int i = 1; i < states.Length - 1; i++)
                        {
                            var state = new Command(cmd.Indent, Mode.Flat, states[i]);
                            if (Fits(state, stack, width - _column, mustBeFlat: false))
                            {
                                chosen = state;
                                break;
                            }
                        }
                        stack.Add(chosen);
                        break;
                    }
                    stack.Add(cmd with { Mode = Mode.Break, Doc = group.Contents });
                    break;

                case IfBreakDoc ifBreak:
                    stack.Add(cmd with { Doc = cmd.Mode == Mode.Break ? ifBreak.Broken : ifBreak.Flat });
                    break;

                case LineDoc line:
                    if (cmd.Mode == Mode.Flat && line.Kind != LineKind.Hard)
                    {
                        if (line.Kind == LineKind.Space)
                        {
                            _out.Add((byte)' ');
                            _column++;
                        }
                        break;
                    }
                    NewLine(cmd.Indent);
                    break;

                case BreakParentDoc:
                    break;
            }
        }
        TrimTrailingSpaces();
    }

    private void NewLine(int indent)
    {
        TrimTrailingSpaces();
        _out.Add((byte)'\n');
        if (_options.IndentType == IndentType.Tabs)
        {
            for (int i = 0; i < indent; i++)
                _out.Add((byte)'\t');
        }
        else
        {
            for (int i = 0; i < indent * _options.IndentWidth; i++)
                _out.Add((byte)' ');
        }
        _column = indent * _options.IndentWidth;
    }

    private void TrimTrailingSpaces()
    {
        int n = _out.Count;
        while (n > 0 && (_out[n - 1] == ' ' || _out[n - 1] == '\t'))
            n--;
        _out.RemoveRange(n, _out.Count - n);
    }

    /// <summary>
    /// Whether <paramref name="next"/> fits in <paramref name="width"/> columns, counting what follows it on the same
    /// line (the rest of the stack) up to the first line break.
    /// </summary>
    private bool Fits(Command next, List<Command> rest, int width, bool mustBeFlat)
    {
        List<Command> stack = _fitsStack;
        stack.Clear();
        stack.Add(next);
        int restIndex = rest.Count;
        while (width >= 0)
        {
            if (stack.Count == 0)
            {
                if (restIndex == 0)
                    return true;
                stack.Add(rest[--restIndex]);
                continue;
            }
            Command cmd = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            switch (cmd.Doc)
            {
                case TextDoc text:
                    if (text.Multiline)
                        return width - text.FirstLineWidth >= 0;
                    width -= text.Width;
                    break;
                case ConcatDoc concat:
                    for (int i = concat.Parts.Length - 1; i >= 0; i--)
                        stack.Add(cmd with { Doc = concat.Parts[i] });
                    break;
                case IndentDoc indent:
                    stack.Add(cmd with { Doc = indent.Contents });
                    break;
                case FlatDoc flatDoc:
                    stack.Add(cmd with { Mode = Mode.Flat, Doc = flatDoc.Contents });
                    break;
                case GroupDoc group:
                    if (mustBeFlat && group.Break)
                        return false;
                    Mode mode = group.Break ? Mode.Break : cmd.Mode;
                    Doc contents = group.Break && group.States is { } states ? states[^1] : group.Contents;
                    stack.Add(new Command(cmd.Indent, mode, contents));
                    break;
                case IfBreakDoc ifBreak:
                    stack.Add(cmd with { Doc = cmd.Mode == Mode.Break ? ifBreak.Broken : ifBreak.Flat });
                    break;
                case LineDoc line:
                    if (cmd.Mode == Mode.Break || line.Kind == LineKind.Hard)
                        return true;
                    if (line.Kind == LineKind.Space)
                        width--;
                    break;
            }
        }
        return false;
    }
}

using System.Text;
using Coputer.Luau.Compiler;
using Coputer.Luau.Syntax;

namespace Coputer.Tooling.LanguageServer;

/// <summary>How the client counts characters in a line: UTF-16 code units (the protocol's default) or UTF-8 bytes.</summary>
public enum PositionEncoding
{
    Utf16,
    Utf8,
}

/// <summary>A protocol position: zero-based line and character (in the negotiated encoding).</summary>
public readonly record struct LspPosition(int Line, int Character);

/// <summary>
/// An open document's text, edited in place by incremental changes. Lines end at <c>\n</c> (a <c>\r</c> before it
/// belongs to the line), as the Luau lexer counts them.
/// </summary>
internal sealed class LspDocument
{
    private DocumentAnalysis? _analysis;

    public LspDocument(string uri, string text, int version, PositionEncoding encoding)
    {
        Uri = uri;
        Text = text;
        Version = version;
        Encoding = encoding;
        FilePath = DocumentUris.ToFilePath(uri);
    }

    public string Uri { get; }
    public string? FilePath { get; }
    public string Text { get; private set; }
    public int Version { get; set; }
    public PositionEncoding Encoding { get; }

    public DocumentAnalysis Analysis => _analysis ??= DocumentAnalysis.Analyze(Text, Encoding);

    public void Replace(string text)
    {
        Text = text;
        _analysis = null;
    }

    /// <summary>Replaces the text between two positions (clamped to the document, and swapped if reversed).</summary>
    public void Edit(LspPosition start, LspPosition end, string newText)
    {
        var lines = TextLines.Of(Text);
        int a = lines.IndexOf(Text, start, Encoding);
        int b = lines.IndexOf(Text, end, Encoding);
        if (b < a)
            (a, b) = (b, a);
        Text = string.Concat(Text.AsSpan(0, a), newText, Text.AsSpan(b));
        _analysis = null;
    }
}

/// <summary>Line starts of a string, and conversions between protocol positions and string indexes.</summary>
internal sealed class TextLines
{
    private readonly int[] _starts;

    private TextLines(int[] starts) => _starts = starts;

    public static TextLines Of(string text)
    {
        var starts = new List<int> { 0 };
        for (int i = text.IndexOf('\n', StringComparison.Ordinal); i >= 0; i = text.IndexOf('\n', i + 1))
            starts.Add(i + 1);
        return new TextLines([.. starts]);
    }

    public int Count => _starts.Length;

    public int Start(int line) => _starts[Math.Clamp(line, 0, _starts.Length - 1)];

    /// <summary>The index just past the line's last character, before its newline.</summary>
    public int End(string text, int line) => line + 1 < _starts.Length ? _starts[line + 1] - 1 : text.Length;

    public int IndexOf(string text, LspPosition p, PositionEncoding encoding)
    {
        if (p.Line < 0)
            return 0;
        if (p.Line >= _starts.Length)
            return text.Length;
        int start = _starts[p.Line];
        int end = End(text, p.Line);
        int character = Math.Max(0, p.Character);
        if (encoding == PositionEncoding.Utf16)
            return Math.Min(start + character, end);
        // UTF-8: walk the line's characters until their byte count reaches the position.
        int bytes = 0;
        int i = start;
        while (i < end && bytes < character)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < end && char.IsLowSurrogate(text[i + 1]))
            {
                bytes += 4;
                i += 2;
            }
            else
            {
                bytes += text[i] < 0x80 ? 1 : text[i] < 0x800 ? 2 : 3;
                i++;
            }
        }
        return i;
    }
}

/// <summary>A problem to show in the editor: where, what, and whether it stops the program compiling.</summary>
internal readonly record struct SourceDiagnostic(Location Location, string Message);

/// <summary>
/// One version of a document, analysed: its UTF-8 bytes, the parse (with tokens), the errors the parser or the
/// compiler report (the words and places <c>coputer check</c> gives), and the name index.
/// </summary>
internal sealed class DocumentAnalysis
{
    private static readonly ParseOptions s_parseOptions = new() { CaptureTokens = true };

    private DocumentAnalysis(string text, byte[] bytes, PositionEncoding encoding, ParseResult parse, List<SourceDiagnostic> diagnostics, SymbolIndex index)
    {
        Text = text;
        Bytes = bytes;
        Source = new SourceText(bytes);
        Encoding = encoding;
        Parse = parse;
        Diagnostics = diagnostics;
        Index = index;
    }

    public string Text { get; }
    public byte[] Bytes { get; }
    public SourceText Source { get; }
    public PositionEncoding Encoding { get; }
    public ParseResult Parse { get; }
    public List<SourceDiagnostic> Diagnostics { get; }
    public SymbolIndex Index { get; }

    public static DocumentAnalysis Analyze(string text, PositionEncoding encoding)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
        ParseResult parse = Parser.Parse(bytes, s_parseOptions);
        var diagnostics = new List<SourceDiagnostic>();
        foreach (var e in parse.Errors)
            diagnostics.Add(new SourceDiagnostic(e.Location, e.Message));
        if (!parse.HasErrors)
        {
            // Only a tree without syntax errors reaches the compiler, as with coputer check.
            foreach (var e in LuauCompiler.Compile(parse).Errors)
                diagnostics.Add(new SourceDiagnostic(e.Location, e.Message));
        }
        return new DocumentAnalysis(text, bytes, encoding, parse, diagnostics, SymbolIndex.Build(parse.Root));
    }

    /// <summary>A parser position (line, byte column) as a protocol position.</summary>
    public LspPosition ToLsp(Position p)
    {
        if (Encoding == PositionEncoding.Utf8)
            return new LspPosition(p.Line, p.Column);
        var line = Source.Line(p.Line);
        int column = Math.Clamp(p.Column, 0, line.Length);
        return new LspPosition(p.Line, System.Text.Encoding.UTF8.GetCharCount(line[..column]));
    }

    /// <summary>A protocol position as a parser position (clamped to the line).</summary>
    public Position FromLsp(LspPosition p)
    {
        int line = Math.Clamp(p.Line, 0, Source.LineCount - 1);
        if (p.Line >= Source.LineCount)
            return new Position(line, Source.Line(line).Length);
        if (Encoding == PositionEncoding.Utf8)
            return new Position(line, Math.Clamp(p.Character, 0, Source.Line(line).Length));
        var lines = TextLines.Of(Text);
        int start = lines.Start(line);
        int end = lines.End(Text, line);
        int count = Math.Clamp(p.Character, 0, end - start);
        return new Position(line, System.Text.Encoding.UTF8.GetByteCount(Text.AsSpan(start, count)));
    }

    public string TextOf(Location location) => System.Text.Encoding.UTF8.GetString(Source.Slice(location));

    /// <summary>The source line, without its line break.</summary>
    public string LineText(int line) => System.Text.Encoding.UTF8.GetString(Source.Line(line)).TrimEnd('\r');
}

/// <summary>Conversions between <c>file:</c> URIs and paths.</summary>
internal static class DocumentUris
{
    public static string? ToFilePath(string uri)
    {
        if (!System.Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || !parsed.IsFile)
            return null;
        return parsed.LocalPath;
    }

    public static string FromFilePath(string path) => new Uri(Path.GetFullPath(path)).AbsoluteUri;

    public static string Decode(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}

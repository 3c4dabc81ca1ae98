using System.Text;
using Coputer.Luau.Syntax;

namespace Coputer.Tooling.Formatting;

/// <summary>The outcome of formatting: the new text, or why the source was left as it is.</summary>
public sealed class FormatResult
{
    private FormatResult(byte[]? output, IReadOnlyList<ParseError> errors, string? failure)
    {
        Output = output;
        Errors = errors;
        Failure = failure;
    }

    /// <summary>The formatted source, or null when it could not be formatted.</summary>
    public byte[]? Output { get; }

    /// <summary>Syntax errors that prevented formatting (a file with errors is never formatted).</summary>
    public IReadOnlyList<ParseError> Errors { get; }

    /// <summary>Why formatting failed other than a syntax error; null on success.</summary>
    public string? Failure { get; }

    public bool Success => Output is not null;

    internal static FormatResult Formatted(byte[] output) => new(output, [], null);

    internal static FormatResult SyntaxErrors(IReadOnlyList<ParseError> errors) => new(null, errors, null);

    internal static FormatResult Failed(string why) => new(null, [], why);
}

/// <summary>
/// Formats Luau source. Formatting is idempotent, keeps every comment, keeps single blank lines between statements,
/// wraps lines at <see cref="FormatOptions.ColumnWidth"/>, and never changes what the program does: every result is
/// parsed again and compared with the original tree before it is returned.
/// </summary>
public static class LuauFormatter
{
    private static readonly ParseOptions s_parseOptions = new() { CaptureTokens = true };

    public static FormatResult Format(ReadOnlySpan<byte> source, FormatOptions? options = null)
    {
        options ??= FormatOptions.Default;

        // A "#!" first line is kept as it is; the parser sees it as blank so positions do not move.
        int shebangEnd = 0;
        byte[] text = source.ToArray();
        if (text.Length >= 2 && text[0] == '#' && text[1] == '!')
        {
            int newline = Array.IndexOf(text, (byte)'\n');
            shebangEnd = newline < 0 ? text.Length : newline;
            Array.Fill(text, (byte)' ', 0, shebangEnd);
        }

        ParseResult parse = Parser.Parse(text, s_parseOptions);
        if (parse.HasErrors)
            return FormatResult.SyntaxErrors(parse.Errors);

        var src = new SourceText(text);
        if (!EndsAtEndOfFile(src, parse))
            return FormatResult.Failed("the file holds a zero byte outside a string, which ends the chunk there; not formatted");

        byte[] body;
        try
        {
            Doc doc = DocBuilder.Build(src, parse, options);
            body = DocPrinter.Print(doc, options);
        }
        catch (InsufficientExecutionStackException)
        {
            return FormatResult.Failed("the file nests too deeply to format");
        }

        byte[] output = shebangEnd == 0
            ? body
            : [.. source[..shebangEnd], (byte)'\n', .. body];
        if (options.LineEndings == LineEndings.Windows)
            output = ToCrLf(output);

        string? problem = Verify(text, parse, output);
        return problem is null ? FormatResult.Formatted(output) : FormatResult.Failed(problem);
    }

    /// <summary>Formats text; throws <see cref="FormatException"/> when it cannot be formatted.</summary>
    public static string Format(string source, FormatOptions? options = null)
    {
        FormatResult result = Format(Encoding.UTF8.GetBytes(source), options);
        if (result.Output is null)
            throw new FormatException(result.Failure ?? string.Join("\n", result.Errors));
        return Encoding.UTF8.GetString(result.Output);
    }

    private static bool EndsAtEndOfFile(SourceText src, ParseResult parse)
    {
        int end = parse.Tokens.Count > 0 ? src.Offset(parse.Tokens[^1].Location.Begin) : 0;
        foreach (Comment c in parse.Comments)
            end = Math.Max(end, src.Offset(c.Location.End));
        for (int i = end; i < src.Bytes.Length; i++)
        {
            byte b = src.Bytes[i];
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)'\v' or (byte)'\f'))
                return false;
        }
        return true;
    }

    private static byte[] ToCrLf(byte[] text)
    {
        var result = new List<byte>(text.Length + text.Length / 20);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
                result.Add((byte)'\r');
            result.Add(text[i]);
        }
        return [.. result];
    }

    /// <summary>
    /// Checks that <paramref name="output"/> parses to the same program as the original (the same tree, printed
    /// canonically) with the same comments in the same order; returns what differs, or null.
    /// </summary>
    private static string? Verify(byte[] original, ParseResult before, byte[] output)
    {
        byte[] reparsable = (byte[])output.Clone();
        if (reparsable.Length >= 2 && reparsable[0] == '#' && reparsable[1] == '!')
        {
            int newline = Array.IndexOf(reparsable, (byte)'\n');
            Array.Fill(reparsable, (byte)' ', 0, newline < 0 ? reparsable.Length : newline);
        }
        ParseResult after = Parser.Parse(reparsable);
        const string Bug = "internal formatter error (please report it with the file): ";
        if (after.HasErrors)
            return Bug + "the result does not parse: " + after.Errors[0];
        if (!AstPrinter.PrintUtf8WithoutOptionalSemicolons(before.Root).AsSpan().SequenceEqual(AstPrinter.PrintUtf8WithoutOptionalSemicolons(after.Root)))
            return Bug + "the result would change the program";
        if (!CommentTexts(original, before).SequenceEqual(CommentTexts(reparsable, after)))
            return Bug + "the result would lose or reorder comments";
        return null;
    }

    private static List<string> CommentTexts(byte[] text, ParseResult parse)
    {
        var src = new SourceText(text);
        var list = new List<string>(parse.Comments.Count);
        foreach (Comment c in parse.Comments)
            list.Add(Encoding.Latin1.GetString(src.Slice(c.Location)).TrimEnd(' ', '\t', '\r'));
        return list;
    }
}

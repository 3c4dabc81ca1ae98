using Coputer.Luau.Bytecode;
using Coputer.Luau.Compiler;
using Coputer.Luau.Tests;
using Coputer.Tooling.Formatting;

namespace Coputer.Tooling.Tests.Formatting;

/// <summary>
/// Every file of the shared corpora formats; the result compiles to the same bytecode as the original apart from
/// line information, and formatting it again changes nothing.
/// </summary>
public class CorpusFormattingTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (string f in SharedCorpus.ConformanceFiles().Concat(SharedCorpus.BenchFiles()))
            data.Add(Path.GetRelativePath(SharedCorpus.Root, f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void FormattingKeepsTheBytecodeAndIsIdempotent(string file)
    {
        string path = Path.Combine(SharedCorpus.Root, file);
        byte[] source = File.ReadAllBytes(path);
        if (SharedCorpus.NeedsClassSyntax(path))
        {
            // The experimental class syntax is not accepted, so such a file is refused with its syntax errors.
            FormatResult refused = LuauFormatter.Format(source);
            Assert.False(refused.Success);
            Assert.NotEmpty(refused.Errors);
            return;
        }
        foreach (FormatOptions options in new[] { FormatOptions.Default, Narrow })
        {
            FormatResult first = LuauFormatter.Format(source, options);
            Assert.True(first.Success, first.Failure ?? string.Join("\n", first.Errors));
            Assert.Equal(BytecodeWithoutLines(source), BytecodeWithoutLines(first.Output!));

            FormatResult second = LuauFormatter.Format(first.Output!, options);
            Assert.True(second.Success, second.Failure);
            BytesEqual(first.Output!, second.Output!);
        }
    }

    /// <summary>A narrow width with spaces and single quotes, so that wrapping and requoting run everywhere.</summary>
    private static readonly FormatOptions Narrow = new()
    {
        ColumnWidth = 40,
        IndentType = IndentType.Spaces,
        IndentWidth = 2,
        QuoteStyle = QuoteStyle.AutoPreferSingle,
        CallParentheses = CallParentheses.None,
    };

    internal static void BytesEqual(byte[] expected, byte[] actual)
    {
        if (expected.AsSpan().SequenceEqual(actual))
            return;
        Assert.Equal(System.Text.Encoding.Latin1.GetString(expected), System.Text.Encoding.Latin1.GetString(actual));
    }

    /// <summary>The compiled program with everything about source lines taken out, as a comparable string.</summary>
    internal static string BytecodeWithoutLines(byte[] source)
    {
        if (source.Length > 1 && source[0] == '#' && source[1] == '!')
        {
            // A "#!" line is skipped by the command line before compiling; blank it the same way.
            source = (byte[])source.Clone();
            Array.Fill(source, (byte)' ', 0, Math.Max(0, Array.IndexOf(source, (byte)'\n')));
        }
        var options = new CompileOptions { DebugLevel = 2 };
        CompileResult compiled = LuauCompiler.Compile(source, options);
        Assert.True(compiled.Success, string.Join("\n", compiled.Errors));
        BytecodeModule module = BytecodeReader.Read(compiled.Bytecode!);
        var text = new System.Text.StringBuilder();
        text.AppendLine(string.Join("|", module.Strings.Select(Convert.ToHexString)));
        text.AppendLine($"main {module.MainProto} v{module.Version}/{module.TypesVersion}");
        foreach (BytecodeProto p in module.Protos)
        {
            text.AppendLine($"proto stack={p.MaxStackSize} params={p.NumParams} upvalues={p.NumUpvalues} vararg={p.IsVararg} flags={p.Flags} name={p.DebugName}");
            text.AppendLine("types " + Convert.ToHexString(p.TypeInfo));
            text.AppendLine("code " + string.Join(",", p.Code));
            foreach (BytecodeConstant k in p.Constants)
            {
                text.AppendLine($"constant {k.Kind} {BitConverter.DoubleToInt64Bits(k.Number)} {k.Index} {k.Import} {k.Integer} " +
                    $"[{string.Join(",", k.Keys ?? [])}] [{string.Join(",", k.Values ?? [])}] {k.X} {k.Y} {k.Z} {k.W}");
            }
            text.AppendLine("children " + string.Join(",", p.Children));
            text.AppendLine("locals " + string.Join(",", p.Locals ?? []));
            text.AppendLine("upvalue names " + string.Join(",", p.UpvalueNames ?? []));
        }
        return text.ToString();
    }
}

using System.Text;
using Coputer.Luau.Bytecode;
using Coputer.Luau.Compiler;

namespace Coputer.Luau.Tests.Compiler;

/// <summary>Compile errors carry the reference's wording and the line they are reported at.</summary>
public class CompileErrorTests
{
    private static CompileError SingleError(string source, CompileOptions? options = null)
    {
        var result = LuauCompiler.Compile(Encoding.UTF8.GetBytes(source), options);
        Assert.False(result.Success);
        Assert.Null(result.Bytecode);
        return Assert.Single(result.Errors);
    }

    private static string Names(string prefix, int count) => string.Join(", ", Enumerable.Range(0, count).Select(i => prefix + i));

    [Fact]
    public void TooManyRegisters()
    {
        var e = SingleError("\nf(" + string.Join(", ", Enumerable.Repeat("1", 300)) + ")\n");
        Assert.Equal(2, e.Line);
        Assert.Equal("Out of registers when trying to allocate 301 registers: exceeded limit 255", e.Message);
    }

    [Fact]
    public void TooManyLocals()
    {
        var source = string.Join("\n", Enumerable.Range(0, 201).Select(i => $"local a{i} = f()"));
        var e = SingleError(source);
        Assert.Equal(201, e.Line);
        Assert.Equal("Out of local registers when trying to allocate a200: exceeded limit 200", e.Message);
    }

    [Fact]
    public void TooManyUpvalues()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 150; i++)
            sb.Append($"local a{i} = f()\n");
        sb.Append("local function q()\n");
        for (int i = 0; i < 100; i++)
            sb.Append($"local b{i} = f()\n");
        sb.Append("return function()\n");
        for (int i = 0; i < 150; i++)
            sb.Append($"a{i} = b{i % 100}\n");
        sb.Append("end\nend\n");

        var e = SingleError(sb.ToString());
        Assert.Equal(101, e.Line);
        Assert.Equal("Out of upvalue registers when trying to allocate a100: exceeded limit 200", e.Message);
    }

    [Fact]
    public void ContinueJumpingOverALocalUsedInUntil()
    {
        const string source = """
            repeat
              if f() then continue end
              local x = 1
            until x > 0
            """;
        var e = SingleError(source);
        Assert.Equal(4, e.Line);
        Assert.Equal("Local x used in the repeat..until condition is undefined because continue statement on line 2 jumps over it", e.Message);
    }

    [Fact]
    public void ContinueBeforeTheLocalsIsAcceptedWhenTheConditionDoesNotUseThem()
    {
        const string source = """
            local n = 0
            repeat
              n += 1
              if n < 3 then continue end
              local x = n
            until n > 5
            """;
        Assert.True(LuauCompiler.Compile(Encoding.UTF8.GetBytes(source)).Success);
    }

    [Fact]
    public void ContinueCheckSeesLocalsCapturedByClosuresInTheCondition()
    {
        const string source = """
            repeat
              local a = f()
              if a then continue end
              local b = f()
            until (function() return b end)()
            """;
        var e = SingleError(source);
        Assert.Equal(5, e.Line);
        Assert.Equal("Local b used in the repeat..until condition is undefined because continue statement on line 3 jumps over it", e.Message);
    }

    [Fact]
    public void TooManyReturnValues()
    {
        var e = SingleError("return " + string.Join(", ", Enumerable.Repeat("1", 255)));
        Assert.Equal(1, e.Line);
        Assert.Equal("Exceeded return count limit; simplify the code to compile", e.Message);
    }

    [Fact]
    public void TooManyResults()
    {
        var e = SingleError(Names("a", 255) + " = f()");
        Assert.Equal(1, e.Line);
        Assert.Equal("Exceeded result count limit; simplify the code to compile", e.Message);
    }

    [Fact]
    public void SyntaxErrorsComeFromTheParserWithTheirLines()
    {
        var result = LuauCompiler.Compile(Encoding.UTF8.GetBytes("local x = 1\nlocal y = = 2\n"));
        Assert.False(result.Success);
        var e = result.Errors[0];
        Assert.Equal(2, e.Line);
        Assert.Equal("Expected identifier when parsing expression, got '='", e.Message);
    }

    [Fact]
    public void LongExpressionChainsHitTheRecursionLimit()
    {
        var e = SingleError("local x = 1" + string.Concat(Enumerable.Repeat("+1", 20000)));
        Assert.Equal("Exceeded allowed recursion depth; simplify your expression to make the code compile", e.Message);
    }

    [Fact]
    public void ErrorBlobHasVersionZeroAndLinePrefix()
    {
        var blob = LuauCompiler.CompileToBlob(Encoding.UTF8.GetBytes("\n\nreturn " + string.Join(", ", Enumerable.Repeat("1", 255))));
        Assert.True(BytecodeReader.TryGetCompileError(blob, out var message));
        Assert.Equal(":3: Exceeded return count limit; simplify the code to compile", message);
        Assert.Throws<BytecodeException>(() => BytecodeReader.Read(blob));
    }

    private static string Repeat(string s, int n) => string.Concat(Enumerable.Repeat(s, n));

    [Theory]
    [InlineData("tables")]
    [InlineData("parentheses")]
    [InlineData("functions")]
    [InlineData("ifs")]
    [InlineData("nots")]
    [InlineData("fields")]
    [InlineData("calls")]
    public void DeepNestingNeverOverflowsTheStack(string kind)
    {
        // Nesting close to the parser's limit, compiled at O2 on a thread with a small stack: the result must be code or
        // a compile error, never a crash.
        string text = kind switch
        {
            "tables" => "local x = " + Repeat("{", 990) + Repeat("}", 990),
            "parentheses" => "local x = " + Repeat("(", 990) + "1" + Repeat(")", 990),
            "functions" => "local x = " + Repeat("function() return ", 190) + "1" + Repeat(" end", 190),
            "ifs" => Repeat("if x then ", 190) + Repeat("end ", 190),
            "nots" => "local x = " + Repeat("not ", 990) + "y",
            "fields" => "local x = a" + Repeat(".b", 990),
            _ => "local x = f" + Repeat("()", 990),
        };
        var source = Encoding.UTF8.GetBytes(text);
        CompileResult? result = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = LuauCompiler.Compile(source, new CompileOptions { OptimizationLevel = 2 });
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, 256 * 1024);
        thread.Start();
        thread.Join();

        Assert.Null(failure);
        Assert.NotNull(result);
        if (result!.Success)
            BytecodeVerifier.Verify(BytecodeReader.Read(result.Bytecode!));
        else
            Assert.NotEmpty(result.Errors[0].Message);
    }

    [Fact]
    public void CompileNeverThrowsOnArbitraryText()
    {
        // Random mixes of tokens: whatever the parser accepts must compile or fail cleanly.
        string[] tokens =
        [
            "local", "x", "y", "=", "(", ")", "{", "}", "[", "]", "function", "end", "if", "then", "else", "for", "in",
            "do", "while", "repeat", "until", "return", "break", "continue", ",", ".", ":", "..", "+", "-", "*", "/",
            "==", "<", "not", "and", "or", "1", "'s'", "...", "f", "t", ";", "\n", "#", "nil", "true",
        ];
        var random = new Random(12345);
        for (int i = 0; i < 400; i++)
        {
            var sb = new StringBuilder();
            int count = random.Next(1, 40);
            for (int j = 0; j < count; j++)
                sb.Append(tokens[random.Next(tokens.Length)]).Append(' ');
            var result = LuauCompiler.Compile(Encoding.UTF8.GetBytes(sb.ToString()), new CompileOptions { OptimizationLevel = i % 3 });
            if (result.Success)
                BytecodeVerifier.Verify(BytecodeReader.Read(result.Bytecode!));
            else
                Assert.NotEmpty(result.Errors);
        }
    }
}

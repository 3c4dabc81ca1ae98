using System.Diagnostics;
using System.Text;
using Coputer.Cli.Commands;

namespace Coputer.Cli.Tests;

public sealed class RunCommandTests() : ScratchFolderTests("run")
{
    private static (int ExitCode, string Output, string Error) Run(string path, params string[] args)
    {
        using var stdout = new MemoryStream();
        var stderr = new StringWriter();
        int exitCode = RunCommand.Run(path, args, 1, 1, stdout, stderr);
        return (exitCode, Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString());
    }

    [Fact]
    public void PrintGoesToStandardOutputAndExitCodeIsZero()
    {
        var (code, output, error) = Run(Write("hello.luau", "print('hello', 1 + 1, nil, true)\nreturn 'ignored'"));
        Assert.Equal(0, code);
        Assert.Equal("hello\t2\tnil\ttrue\n", output);
        Assert.Equal("", error);
    }

    [Fact]
    public void TasksWaitInRealTimeAndTheScriptEndsWhenTheyDo()
    {
        var watch = Stopwatch.StartNew();
        var (code, output, error) = Run(Write("tasks.luau", """
            task.delay(0.2, function() print("delayed") end)
            local t = task.spawn(function() local waited = task.wait(0.1) print("waited", waited >= 0.09) return "result" end)
            print("main", t:status())
            print(t:await())
            """));
        Assert.Equal("", error);
        Assert.Equal(0, code);
        Assert.Equal("main\tsuspended\nwaited\ttrue\nresult\ndelayed\n", output);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.19), watch.Elapsed.ToString());
    }

    [Fact]
    public void AnErrorNoTaskAwaitedIsReportedAndFailsTheRun()
    {
        var (code, output, error) = Run(Write("lost.luau", """
            task.spawn(function() task.wait(0.01) error("nobody awaited this") end)
            print("main done")
            """));
        Assert.Equal(1, code);
        Assert.Equal("main done\n", output);
        Assert.Contains("error in task: ", error);
        Assert.Contains("lost.luau:1: nobody awaited this", error);
        Assert.Contains("stacktrace:", error);
    }

    [Fact]
    public void PrintResultsPrintsWhatTheChunkReturns()
    {
        using var stdout = new MemoryStream();
        var stderr = new StringWriter();
        int code = RunCommand.Run(Write("results.luau", "print('first')\nreturn 'OK', 2, nil"), [], 1, 1, stdout, stderr, printResults: true);
        Assert.Equal(0, code);
        Assert.Equal("first\nOK\t2\tnil\n", Encoding.UTF8.GetString(stdout.ToArray()));
    }

    [Fact]
    public void PrintResultsReportsAFailingToString()
    {
        using var stdout = new MemoryStream();
        var stderr = new StringWriter();
        string path = Write("badresult.luau", "return setmetatable({}, { __tostring = function() error('no text') end })");
        int code = RunCommand.Run(path, [], 1, 1, stdout, stderr, printResults: true);
        Assert.Equal(1, code);
        Assert.Contains("no text", stderr.ToString());
    }

    [Fact]
    public void ScriptArgumentsArriveAsVarargs()
    {
        var (code, output, _) = Run(Write("args.luau", "print(select('#', ...), ...)"), "a", "b c");
        Assert.Equal(0, code);
        Assert.Equal("2\ta\tb c\n", output);
    }

    [Fact]
    public void UncaughtErrorPrintsMessageAndStackTraceAndExitsWithOne()
    {
        string path = Write("fail.luau", "local function inner()\n  error('boom')\nend\nlocal function outer() inner() end\nprint('before')\nouter()\n");
        var (code, output, error) = Run(path);
        Assert.Equal(1, code);
        Assert.Equal("before\n", output);
        var lines = error.Split('\n');
        Assert.EndsWith("fail.luau:2: boom", lines[0]);
        Assert.Equal("stacktrace:", lines[1]);
        Assert.Contains(lines, l => l.EndsWith("fail.luau:2 function inner", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.EndsWith("fail.luau:4 function outer", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.EndsWith("fail.luau:6", StringComparison.Ordinal));
    }

    [Fact]
    public void IntegersAreOnAsInTheReferenceCommand()
    {
        var (code, output, _) = Run(Write("int.luau", "local b = buffer.create(8) buffer.writeinteger(b, 0, integer.add(1i, 0x7fffffffffffffffi)) print(buffer.readinteger(b, 0), typeof(2i))"));
        Assert.Equal(0, code);
        Assert.Equal("-9223372036854775808\tinteger\n", output);
    }

    [Fact]
    public void NonStringErrorsPrintNoMessageAsTheReferenceDoes()
    {
        // The reference prints the error only when it converts to a string (strings and numbers).
        var (code, _, error) = Run(Write("table.luau", "error({})"));
        Assert.Equal(1, code);
        Assert.StartsWith("\nstacktrace:\n", error);
        var (_, _, number) = Run(Write("number.luau", "error(1e20, 0)"));
        Assert.StartsWith("100000000000000000000\nstacktrace:\n", number);
        var (_, _, integer) = Run(Write("integer.luau", "error(5i)"));
        Assert.StartsWith("\nstacktrace:\n", integer);
    }

    [Fact]
    public void SyntaxErrorIsReportedWithLineAndExitsWithOne()
    {
        string path = Write("syntax.luau", "local x = \n");
        var (code, output, error) = Run(path);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.EndsWith("syntax.luau:2:1: Expected identifier when parsing expression, got <eof>", error.TrimEnd());
    }

    private static (int ExitCode, string Output, string Error) RunWith(string path, RunCommand.RunOptions options, Stream? stdout = null)
    {
        var output = stdout ?? new MemoryStream();
        var stderr = new StringWriter();
        int exitCode = RunCommand.Run(path, [], 1, 1, output, stderr, options: options);
        return (exitCode, output is MemoryStream m ? Encoding.UTF8.GetString(m.ToArray()) : "", stderr.ToString());
    }

    [Fact]
    public void ShebangLineAndByteOrderMarkAreAccepted()
    {
        var (code, output, error) = Run(Write("shebang.luau", "\uFEFF#!/usr/bin/env luau\nprint('hi')\nerror('line 3')"));
        Assert.Equal(1, code);
        Assert.Equal("hi\n", output);
        Assert.Contains("shebang.luau:3: line 3", error);
    }

    [Fact]
    public void DashReadsTheScriptFromStandardInput()
    {
        var options = new RunCommand.RunOptions { Stdin = () => new MemoryStream(Encoding.UTF8.GetBytes("#!shebang\nprint('from stdin')")) };
        var (code, output, error) = RunWith("-", options);
        Assert.True(code == 0, error);
        Assert.Equal("from stdin\n", output);
    }

    [Theory]
    [InlineData("while true do end", "ran out of time")]
    [InlineData("local s = string.rep('a', 30) return s:find(string.rep('a*', 30) .. 'b')", "ran out of time")]
    public void TimeoutStopsTheScript(string script, string message)
    {
        var (code, _, error) = RunWith(Write("slow.luau", script), new RunCommand.RunOptions { TimeoutSeconds = 0.2 });
        Assert.Equal(1, code);
        Assert.Contains(message, error);
        Assert.Contains("--timeout 0.2", error);
    }

    [Fact]
    public void StepsStopTheScript()
    {
        var (code, _, error) = RunWith(Write("steps.luau", "local n = 0 while true do n += 1 end"), new RunCommand.RunOptions { Steps = 100_000 });
        Assert.Equal(1, code);
        Assert.Contains("ran out of steps (--steps 100000)", error);
    }

    [Fact]
    public void MemoryLimitGivesNotEnoughMemory()
    {
        var (code, _, error) = RunWith(Write("bomb.luau", "local t = {} while true do t[#t + 1] = string.rep('x', 100000) end"), new RunCommand.RunOptions { MemoryMegabytes = 16 });
        Assert.Equal(1, code);
        Assert.Contains("not enough memory", error);
        Assert.DoesNotContain("Exception", error);
    }

    [Fact]
    public void ClosedOutputPipeEndsTheRunQuietly()
    {
        var pipe = new FailingStream(100, new IOException("Broken pipe", 32));
        var (code, _, error) = RunWith(Write("loop.luau", "while true do pcall(print, 'line') end"), new RunCommand.RunOptions { Terminal = true }, pipe);
        Assert.Equal(RunCommand.BrokenPipeExitCode, code);
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OutputErrorIsOneLine(bool terminal)
    {
        var disk = new FailingStream(100_000, new IOException("No space left on device", 28));
        var (code, _, error) = RunWith(Write("full.luau", "for i = 1, 1e6 do pcall(print, string.rep('x', 100)) end"), new RunCommand.RunOptions { Terminal = terminal }, disk);
        Assert.Equal(1, code);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("cannot write the output: No space left on device", error);
    }

    [Fact]
    public void OnATerminalEachLineIsWrittenAtOnce()
    {
        var sink = new FailingStream(int.MaxValue, new IOException("unused"));
        var (code, _, _) = RunWith(Write("lines.luau", "print('a') print('b') print('c')"), new RunCommand.RunOptions { Terminal = true }, sink);
        Assert.Equal(0, code);
        Assert.Equal(3, sink.Writes);
    }

    [Fact]
    public void SyntaxErrorsAreAllReportedWithTheirColumns()
    {
        var (code, _, error) = Run(Write("errors.luau", "local x = 1 +\nlocal y = )\nlocal z = (\n"));
        Assert.Equal(1, code);
        var lines = error.TrimEnd().Split('\n');
        Assert.True(lines.Length >= 2, error);
        Assert.All(lines, l => Assert.Matches(@"errors\.luau:\d+:\d+: ", l));
    }

    /// <summary>A stream that accepts <c>limit</c> bytes, then throws <c>failure</c> on every write.</summary>
    private sealed class FailingStream(int limit, IOException failure) : Stream
    {
        private long _written;

        public int Writes { get; private set; }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > limit)
                throw failure;
            _written += buffer.Length;
            Writes++;
        }

        public override void Flush()
        {
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written;
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    [Fact]
    public void MissingFileIsAnError()
    {
        var (code, _, error) = Run(Path.Combine(Root, "absent.luau"));
        Assert.Equal(1, code);
        Assert.StartsWith("Error opening", error);
    }

    [Fact]
    public void YieldingMainChunkIsAnError()
    {
        var (code, _, error) = Run(Write("yield.luau", "coroutine.yield(1)"));
        Assert.Equal(1, code);
        Assert.StartsWith("thread yielded unexpectedly", error);
    }

    [Fact]
    public void ClockAndCollectGarbageWork()
    {
        string script = "local t0 = os.clock()\nlocal n = 0\nfor i = 1, 1000 do n += i end\n" +
            "assert(os.clock() >= t0)\ncollectgarbage()\nprint(type(collectgarbage('count')))\n" +
            "print(pcall(collectgarbage, 'step'))";
        var (code, output, error) = Run(Write("clock.luau", script));
        Assert.True(code == 0, error);
        Assert.Equal("number\nfalse\tcollectgarbage must be called with 'count' or 'collect'\n", output);
    }

    [Fact]
    public void RequireResolvesRelativePathsFoldersAndAliases()
    {
        Write("lib/util.luau", "return { twice = function(x) return 2 * x end }");
        // In init.luau, './' names the folder that holds the package, as in the reference.
        Write("lib/pkg/init.luau", "local util = require('./util')\nreturn { value = util.twice(21) }");
        Write("shared/greet.lua", "return function(name) return 'hi ' .. name end");
        Write(".luaurc", "{ \"aliases\": { \"shared\": \"./shared\" } }");
        string main = Write("main.luau",
            "local util = require('./lib/util')\nlocal pkg = require('./lib/pkg')\nlocal greet = require('@shared/greet')\n" +
            "assert(require('./lib/util') == util, 'cached')\nprint(util.twice(4), pkg.value, greet('you'))\n" +
            "print(pcall(require, 'lib/util'))\nprint(pcall(require, './missing'))");
        var (code, output, error) = Run(main);
        Assert.True(code == 0, error);
        var lines = output.Split('\n');
        Assert.Equal("8\t42\thi you", lines[0]);
        Assert.EndsWith("require path must start with a valid prefix: ./, ../, or @", lines[1]);
        Assert.Contains("error requiring module \"./missing\": could not resolve child component \"missing\"", lines[2]);
    }

    [Fact]
    public void ModuleErrorsNameTheProblem()
    {
        Write("bad.luau", "error('inside module')");
        Write("two.luau", "return 1, 2");
        string main = Write("main.luau", "print(pcall(require, './bad'))\nprint(pcall(require, './two'))");
        var (code, output, error) = Run(main);
        Assert.True(code == 0, error);
        var lines = output.Split('\n');
        Assert.Contains("error while running module: ", lines[0]);
        Assert.Contains("bad.luau:1: inside module", lines[0]);
        Assert.Contains("module must return a single value", lines[1]);
    }

    /// <summary>
    /// Iteration order must not depend on the process: tables keyed by strings, numbers, booleans and tables are
    /// walked with pairs in two separate processes, which must print the same bytes.
    /// </summary>
    [Fact]
    public void TableIterationIsTheSameInSeparateProcesses()
    {
        string script = Write("order.luau", """
            local t = {}
            for i = 1, 50 do t["key" .. i] = i end
            for i = 1, 30 do t[i * 7.5] = i end
            t[true] = "yes"; t[false] = "no"
            local keys = {}
            for i = 1, 20 do local k = {} keys[i] = k; t[k] = i end
            t[-1] = "neg"; t[0] = "zero"; t[2^40] = "big"
            local out = {}
            for k, v in pairs(t) do
              out[#out + 1] = (type(k) == "table" and "table" .. t[k] or tostring(k)) .. "=" .. tostring(v)
            end
            print(table.concat(out, " "))
            local nested = {}
            for i = 1, 20 do nested[keys[i]] = tostring(keys[i]) end
            local seen = {}
            for k, v in next, nested do seen[#seen + 1] = v end
            print(table.concat(seen, " "))
            """);
        string first = RunInNewProcess(script);
        string second = RunInNewProcess(script);
        Assert.Contains("key1=", first);
        Assert.Equal(first, second);
    }

    private static string RunInNewProcess(string script)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "coputer.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(cli);
        psi.ArgumentList.Add("run");
        psi.ArgumentList.Add(script);
        // Different hash seeds and heap layouts in each process must not matter.
        psi.Environment["DOTNET_gcServer"] = "0";
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, error);
        return output;
    }
}

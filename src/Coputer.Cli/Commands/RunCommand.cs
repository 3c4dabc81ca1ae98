using System.CommandLine;
using System.Text;
using Coputer.Luau;
using Coputer.Luau.Compiler;
using Coputer.Luau.Library;
using Coputer.Luau.VM;

namespace Coputer.Cli.Commands;

/// <summary>
/// <c>coputer run FILE [args...]</c>: runs a Luau script the way the reference <c>luau</c> command does. Output of
/// <c>print</c> goes to stdout; an uncaught error prints its message and a stack trace to stderr and exits 1; the
/// script's return values are ignored unless <c>--print-results</c> asks to print them. Scripts get <c>require</c> (relative to their file, with <c>.luaurc</c>
/// aliases), <c>loadstring</c>, the command line's <c>collectgarbage</c>, and the machine's real clock.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The Luau script to run ('-' reads it from standard input)." };
        var args = new Argument<string[]>("args") { Description = "Arguments passed to the script as '...'.", Arity = ArgumentArity.ZeroOrMore };
        var optimize = new Option<int>("-O") { Description = "Optimisation level 0, 1 or 2.", DefaultValueFactory = _ => 1 };
        var debug = new Option<int>("-g") { Description = "Debug information level 0, 1 or 2.", DefaultValueFactory = _ => 1 };
        var printResults = new Option<bool>("--print-results") { Description = "Print what the script returns, as print would." };
        var timeout = new Option<double?>("--timeout") { Description = "Stop the script after this many seconds (default: no limit).", HelpName = "SECONDS" };
        var memory = new Option<long?>("--memory") { Description = "Fail allocations past this many megabytes with 'not enough memory' (default: no limit).", HelpName = "MEGABYTES" };
        var steps = new Option<long?>("--steps") { Description = "Stop the script after this many instruction steps (default: no limit).", HelpName = "N" };
        var ilTier = new Option<bool>("--il-tier") { Description = "Compile functions that run hot to IL (same results, faster)." };
        var command = new Command("run", "Run a Luau script, as the reference 'luau' command does.") { file, args, optimize, debug, printResults, timeout, memory, steps, ilTier };
        command.SetAction(parse =>
        {
            var limits = new RunOptions
            {
                TimeoutSeconds = parse.GetValue(timeout),
                MemoryMegabytes = parse.GetValue(memory),
                Steps = parse.GetValue(steps),
                IlTier = parse.GetValue(ilTier),
                Terminal = !Console.IsOutputRedirected,
                Stdin = Console.OpenStandardInput,
            };
            return Run(
                parse.GetValue(file)!,
                parse.GetValue(args) ?? [],
                parse.GetValue(optimize),
                parse.GetValue(debug),
                OpenStandardOutput(),
                Console.Error,
                parse.GetValue(printResults),
                limits);
        });
        return command;
    }

    /// <summary>
    /// Standard output as a file stream: unlike the console stream, which drops writes to a closed pipe silently
    /// (so a script printing in a loop would never end), it reports them, and the run can stop.
    /// </summary>
    private static Stream OpenStandardOutput()
    {
        if (OperatingSystem.IsWindows())
            return Console.OpenStandardOutput();
        var stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
        if (!stream.CanSeek)
            return stream;
        // A regular file: the console stream appends where the shell left off, which a file stream would not.
        stream.Dispose();
        return Console.OpenStandardOutput();
    }

    /// <summary>The run's limits and where its input and output are.</summary>
    internal sealed record RunOptions
    {
        public double? TimeoutSeconds { get; init; }
        public long? MemoryMegabytes { get; init; }
        public long? Steps { get; init; }

        /// <summary>Compile hot functions to IL (<see cref="LuauEngineOptions.EnableIlTier"/>).</summary>
        public bool IlTier { get; init; }

        /// <summary>
        /// <c>os.clock</c> reads the process's CPU time (user and system), as lua5.4's does, instead of the wall
        /// clock; the benchmark runner uses it to time scripts against lua5.4 on a machine other work shares.
        /// </summary>
        public bool CpuClock { get; init; }

        /// <summary>Standard output is a terminal: print is flushed per line instead of in large blocks.</summary>
        public bool Terminal { get; init; }

        /// <summary>Opens the stream '-' reads the script from.</summary>
        public Func<Stream>? Stdin { get; init; }
    }

    /// <summary>The system platform with <c>os.clock</c> on the process's CPU time (see <see cref="RunOptions.CpuClock"/>).</summary>
    private static readonly LuauPlatform s_cpuClockPlatform = new()
    {
        Clock = static () => Environment.CpuUsage.TotalTime.TotalSeconds,
        UnixTime = LuauPlatform.System.UnixTime,
        LocalTimeZone = LuauPlatform.System.LocalTimeZone,
        RandomSeed = LuauPlatform.System.RandomSeed,
        TaskTime = LuauPlatform.System.TaskTime,
        DeterministicMath = LuauPlatform.System.DeterministicMath,
    };

    /// <summary>The exit status of a run whose output pipe closed, as a shell reports a process ended by SIGPIPE.</summary>
    internal const int BrokenPipeExitCode = 141;

    /// <summary>Runs <paramref name="path"/>; returns the process exit code.</summary>
    internal static int Run(string path, string[] args, int optimizationLevel, int debugLevel, Stream stdout, TextWriter stderr, bool printResults = false, RunOptions? options = null)
    {
        options ??= new RunOptions();
        if (options.TimeoutSeconds is <= 0 or double.NaN || options.MemoryMegabytes is <= 0 || options.Steps is <= 0)
        {
            stderr.WriteLine("coputer run: --timeout, --memory and --steps take a positive number");
            return 1;
        }
        byte[] source;
        string chunkName;
        try
        {
            if (path == "-")
            {
                using var input = (options.Stdin ?? Console.OpenStandardInput)();
                using var copy = new MemoryStream();
                input.CopyTo(copy);
                source = copy.ToArray();
                chunkName = "=stdin";
            }
            else
            {
                source = File.ReadAllBytes(path);
                chunkName = "@" + NormalizePath(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"Error opening {path}");
            return 1;
        }
        source = WithoutPreamble(source);

        var output = new GuardedOutput(options.Terminal ? stdout : new BufferedStream(stdout, 1 << 16));
        var engine = new LuauEngine(new LuauEngineOptions
        {
            Platform = options.CpuClock ? s_cpuClockPlatform : LuauPlatform.System,
            Output = output,
            CompileOptions = new CompileOptions { OptimizationLevel = optimizationLevel, DebugLevel = debugLevel },
            ModuleResolver = new FileSystemModuleResolver(),
            EnableLoadstring = true,
            EnableCollectGarbage = true,
            MemoryLimit = options.MemoryMegabytes is { } mb ? mb << 20 : 0,
            EnableIlTier = options.IlTier,
        });
        var limits = new LuauRunLimits
        {
            Instructions = options.Steps ?? -1,
            Timeout = options.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(Math.Min(seconds, int.MaxValue / 1000.0)) : Timeout.InfiniteTimeSpan,
        };
        try
        {
            int code = Execute(engine, source, chunkName, path, args, printResults, limits, output, stderr);
            output.Flush();
            return code;
        }
        catch (LuauTerminatedException) when (output.Broken)
        {
            return BrokenPipeExitCode;
        }
        catch (IOException) when (output.Broken)
        {
            return BrokenPipeExitCode;
        }
        catch (IOException e)
        {
            stderr.WriteLine($"coputer run: cannot write the output: {e.Message}");
            return 1;
        }
    }

    private static int Execute(LuauEngine engine, byte[] source, string chunkName, string path, string[] args, bool printResults, LuauRunLimits limits, GuardedOutput output, TextWriter stderr)
    {
        LuauFunction main;
        try
        {
            main = engine.Load(source, chunkName);
        }
        catch (LuauLoadException e)
        {
            // Like 'coputer check': every syntax error, with its column.
            var diagnostics = path == "-" ? [] : CheckCommand.Check(source);
            if (diagnostics.Count == 0)
                stderr.WriteLine(e.Message);
            foreach (var d in diagnostics)
                stderr.WriteLine($"{NormalizePath(path)}:{d.Position.Line + 1}:{d.Position.Column + 1}: {d.Message}");
            return 1;
        }
        using var run = engine.State.BeginRun(limits);
        try
        {
            var arguments = new LuauValue[args.Length];
            for (int i = 0; i < args.Length; i++)
                arguments[i] = args[i];
            var thread = engine.State.CreateThread(main, engine.Globals);
            var result = engine.State.Resume(thread, arguments);
            if (result.Status == LuauResumeStatus.Finished)
            {
                if (printResults && result.Values.Length > 0)
                    engine.State.Call(engine.State.Globals["print"], result.Values);
                // Like Lune, the script ends when its tasks do; an error no task awaited is reported, not lost.
                engine.State.Tasks.RunUntilIdle();
                output.Flush();
                var failures = engine.State.Tasks.TakeUnobservedFailures();
                foreach (var failed in failures)
                    stderr.Write($"error in task: {Describe(failed.Error)}\nstacktrace:\n{failed.StackTrace}");
                return failures.Count == 0 ? 0 : 1;
            }
            output.Flush();
            string message = result.Status == LuauResumeStatus.Yielded ? "thread yielded unexpectedly" : Describe(result.Error);
            stderr.Write($"{message}\nstacktrace:\n{engine.State.GetStackTrace(thread)}");
            return 1;
        }
        catch (LuauRuntimeException e)
        {
            // Printing the results failed (a __tostring metamethod raised an error).
            output.Flush();
            stderr.WriteLine(Describe(e.Value));
            return 1;
        }
        catch (LuauTerminatedException e) when (!output.Broken)
        {
            output.Flush();
            string limit = e.Reason switch
            {
                LuauTerminationReason.Timeout => $" (--timeout {limits.Timeout.TotalSeconds:0.###})",
                LuauTerminationReason.Instructions => $" (--steps {limits.Instructions})",
                _ => "",
            };
            stderr.WriteLine(e.Message + limit);
            return 1;
        }
    }

    /// <summary>
    /// The source as the reference reads it: a UTF-8 byte-order mark dropped, and a first line starting with '#'
    /// (a shebang) blanked, keeping its newline so line numbers do not move.
    /// </summary>
    internal static byte[] WithoutPreamble(byte[] source)
    {
        int start = source.Length >= 3 && source[0] == 0xEF && source[1] == 0xBB && source[2] == 0xBF ? 3 : 0;
        if (start < source.Length && source[start] == '#')
        {
            int newline = Array.IndexOf(source, (byte)'\n', start);
            start = newline < 0 ? source.Length : newline;
        }
        return start == 0 ? source : source[start..];
    }

    /// <summary>
    /// Standard output for print: when writing fails the script stops for good (a closed pipe ends the run quietly;
    /// any other error is reported in one line), instead of raising a Luau error a script could catch and loop on.
    /// </summary>
    private sealed class GuardedOutput(Stream inner) : Stream
    {
        public bool Broken { get; private set; }

        private IOException? _failure;

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_failure is not null)
                throw Stop();
            try
            {
                inner.Write(buffer);
            }
            catch (IOException e)
            {
                Fail(e);
                throw Stop();
            }
        }

        public override void Flush()
        {
            if (_failure is not null)
                throw _failure;
            try
            {
                inner.Flush();
            }
            catch (IOException e)
            {
                Fail(e);
                throw;
            }
        }

        private void Fail(IOException e)
        {
            _failure = e;
            // EPIPE: the reader went away (`coputer run x | head -1`).
            Broken = (e.HResult & 0xFFFF) == 32 || e.Message.Contains("pipe", StringComparison.OrdinalIgnoreCase);
        }

        private LuauTerminatedException Stop() => new(Broken ? "the output pipe was closed" : $"coputer run: cannot write the output: {_failure!.Message}");

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>The error as the reference command prints it: strings and numbers as text, any other value as nothing.</summary>
    private static string Describe(LuauValue error) => error.Type switch
    {
        LuauType.String => Encoding.UTF8.GetString(error.AsString!.Span),
        LuauType.Number => error.ToString(),
        _ => "",
    };

    /// <summary>The chunk name path the reference uses: relative paths start with "./", separators are '/'.</summary>
    internal static string NormalizePath(string path)
    {
        path = path.Replace('\\', '/');
        if (Path.IsPathRooted(path) || path.StartsWith("./", StringComparison.Ordinal) || path.StartsWith("../", StringComparison.Ordinal))
            return path;
        return "./" + path;
    }
}

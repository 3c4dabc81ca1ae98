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
        var file = new Argument<string>("file") { Description = "The Luau script to run." };
        var args = new Argument<string[]>("args") { Description = "Arguments passed to the script as '...'.", Arity = ArgumentArity.ZeroOrMore };
        var optimize = new Option<int>("-O") { Description = "Optimisation level 0, 1 or 2.", DefaultValueFactory = _ => 1 };
        var debug = new Option<int>("-g") { Description = "Debug information level 0, 1 or 2.", DefaultValueFactory = _ => 1 };
        var printResults = new Option<bool>("--print-results") { Description = "Print what the script returns, as print would." };
        var command = new Command("run", "Run a Luau script, as the reference 'luau' command does.") { file, args, optimize, debug, printResults };
        command.SetAction(parse => Run(
            parse.GetValue(file)!,
            parse.GetValue(args) ?? [],
            parse.GetValue(optimize),
            parse.GetValue(debug),
            Console.OpenStandardOutput(),
            Console.Error,
            parse.GetValue(printResults)));
        return command;
    }

    /// <summary>Runs <paramref name="path"/>; returns the process exit code.</summary>
    internal static int Run(string path, string[] args, int optimizationLevel, int debugLevel, Stream stdout, TextWriter stderr, bool printResults = false)
    {
        byte[] source;
        try
        {
            source = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"Error opening {path}");
            return 1;
        }

        using var output = new BufferedStream(stdout, 1 << 16);
        var engine = new LuauEngine(new LuauEngineOptions
        {
            Platform = LuauPlatform.System,
            Output = output,
            CompileOptions = new CompileOptions { OptimizationLevel = optimizationLevel, DebugLevel = debugLevel },
            ModuleResolver = new FileSystemModuleResolver(),
            EnableLoadstring = true,
            EnableCollectGarbage = true,
        });
        string chunkName = "@" + NormalizePath(path);
        try
        {
            var main = engine.Load(source, chunkName);
            var arguments = new LuauValue[args.Length];
            for (int i = 0; i < args.Length; i++)
                arguments[i] = args[i];
            var (thread, result) = engine.Start(main, arguments);
            if (result.Status == LuauResumeStatus.Finished)
            {
                if (printResults && result.Values.Length > 0)
                    engine.Call(engine.State.Globals["print"], result.Values);
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
        catch (LuauLoadException e)
        {
            output.Flush();
            stderr.WriteLine(e.Message);
            return 1;
        }
        catch (LuauRuntimeException e)
        {
            // Printing the results failed (a __tostring metamethod raised an error).
            output.Flush();
            stderr.WriteLine(Describe(e.Value));
            return 1;
        }
        catch (LuauTerminatedException e)
        {
            output.Flush();
            stderr.WriteLine(e.Message);
            return 1;
        }
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

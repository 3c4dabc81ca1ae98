namespace Coputer.Bench;

/// <summary>Benchmarks, chosen by the first argument: <c>dotnet run -c Release --project bench/Coputer.Bench -- parse</c>.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        switch (args.Length > 0 ? args[0] : "")
        {
            case "parse":
                return ParseBenchmark.Run(args[1..]);
            case "lsp":
                return LspLatencyBenchmark.Run(args[1..]);
            case "scripts":
                return ScriptBenchmark.Run(args[1..]);
            case "runtime":
                return RuntimeBenchmark.Run(args[1..]);
            case "gateway":
                return GatewayBenchmark.Run(args[1..]);
            case "compare":
                return CompareBenchmark.Run(args[1..]);
            case "compile":
                return CompileBenchmark.Run(args[1..]);
            case "compile-once" when args.Length >= 2:
                // One compilation in this process (used by 'compile').
                return CompileBenchmark.CompileOnce(args[1]);
            case "verify":
                return VerifyTree.Run(args[1..]);
            case "math":
                return MathBenchmark.RunSpeed(args[1..]);
            case "math-accuracy":
                return MathBenchmark.RunAccuracy(args[1..]);
            case "math-tables":
                Console.Out.Write(Coputer.Luau.Tests.Library.MathTables.GenerateSource());
                return 0;
            case "interop":
                return InteropBenchmark.Run(args[1..]);
            case "network":
                return NetworkSimulation.Run(args[1..]);
            case "transport":
                return TransportBenchmark.RunAsync(args[1..]).GetAwaiter().GetResult();
            case "run-script" when args.Length >= 2:
                // One script in this process, as 'coputer run' runs it (used by 'scripts').
                return Coputer.Cli.Commands.RunCommand.Run(args[1], args[2..], 1, 1, Console.OpenStandardOutput(), Console.Error);
            case "run-script-il" when args.Length >= 2:
                // The same with the IL tier on (used by 'scripts --tier').
                return Coputer.Cli.Commands.RunCommand.Run(args[1], args[2..], 1, 1, Console.OpenStandardOutput(), Console.Error,
                    options: new Coputer.Cli.Commands.RunCommand.RunOptions { IlTier = true });
            case "run-script-cpu" when args.Length >= 2:
                // 'run-script' with os.clock on the process's CPU time, like lua5.4's (used by 'scripts --clock cpu').
                return Coputer.Cli.Commands.RunCommand.Run(args[1], args[2..], 1, 1, Console.OpenStandardOutput(), Console.Error,
                    options: new Coputer.Cli.Commands.RunCommand.RunOptions { CpuClock = true });
            case "run-script-il-cpu" when args.Length >= 2:
                return Coputer.Cli.Commands.RunCommand.Run(args[1], args[2..], 1, 1, Console.OpenStandardOutput(), Console.Error,
                    options: new Coputer.Cli.Commands.RunCommand.RunOptions { IlTier = true, CpuClock = true });
            default:
                Console.Error.WriteLine("usage: Coputer.Bench <benchmark> [options]");
                Console.Error.WriteLine("benchmarks:");
                Console.Error.WriteLine("  parse     lexer and parser throughput over the shared Luau corpus");
                Console.Error.WriteLine("  lsp       language server latency on a generated file [--lines 5000] [--runs 40]: parse, diagnostics, edit round trip");
                Console.Error.WriteLine("  scripts   the shared luau-bench scripts (or --micro, bench/micro) under our engine, lua5.4 and optionally --luau PATH, with medians and ratios; --tier off|on|both runs ours without/with the IL tier; --clock cpu times ours by CPU time like lua5.4");
                Console.Error.WriteLine("  runtime   the platform: uncached page, cache hit, 1 against 2 workers [rounds]");
                Console.Error.WriteLine("  gateway   bare Kestrel, a result-cache hit and an uncached page through the gateway, with wrk on loopback [--seconds N]");
                Console.Error.WriteLine("  compare   every program of a folder under our engine and the reference luau: output differences, time ratios");
                Console.Error.WriteLine("  compile   a table literal of a million numbers, compile time and peak memory against lua5.4 [--count N] [--runs R]; --file PATH compiles that file, --luau-compile PATH also times the reference compiler");
                Console.Error.WriteLine("  verify    compile every file of a folder at -O0..-O2, verify it, optionally compare with luau-compile");
                Console.Error.WriteLine("  math      deterministic math against System.Math, ns per call [--runs N] [--functions sin,exp,...]");
                Console.Error.WriteLine("  math-accuracy  deterministic math against the BigInteger reference [--count N] [--seed S] [--threads T] [--functions ...]");
                Console.Error.WriteLine("  math-tables  print DeterministicMath.Tables.cs, computed from the BigInteger reference");
                Console.Error.WriteLine("  interop   a host call through a [LuauExport] generated binding against a hand-written host function [--calls N] [--runs N]");
                Console.Error.WriteLine("  network   the network protocols in the deterministic simulator: membership, broadcast, replication [--nodes N] [--seed S]");
                Console.Error.WriteLine("  transport the peer transport on loopback (mutual TLS 1.3, HTTP/2): handshake, messages per second, publication propagation [--hosts N] [--seconds S]");
                return 2;
        }
    }
}

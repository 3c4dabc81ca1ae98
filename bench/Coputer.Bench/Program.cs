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
            default:
                Console.Error.WriteLine("usage: Coputer.Bench <benchmark> [options]");
                Console.Error.WriteLine("benchmarks:");
                Console.Error.WriteLine("  parse   lexer and parser throughput over the shared Luau corpus");
                return 2;
        }
    }
}

using System.CommandLine;
using Coputer.Cli.Commands;

namespace Coputer.Cli;

public static class Program
{
    public static int Main(string[] args) => BuildRootCommand(args).Parse(args).Invoke();

    /// <summary>The whole command tree; tests build it to run commands in-process.</summary>
    public static RootCommand BuildRootCommand()
    {
        var root = NewRoot();
        foreach (var command in CommandList.All())
            root.Subcommands.Add(command);
        return root;
    }

    /// <summary>
    /// The tree for <paramref name="args"/>: <c>coputer run</c> gets a tree with only its own command, so a script
    /// starts without building the other commands (and loading the assemblies behind them: the gateway, the
    /// network, the console renderer). Parsing, help and errors for <c>run</c> are the same in both trees.
    /// </summary>
    internal static RootCommand BuildRootCommand(string[] args)
    {
        if (args.Length == 0 || args[0] != "run")
            return BuildRootCommand();
        var root = NewRoot();
        root.Subcommands.Add(RunCommand.Create());
        return root;
    }

    private static RootCommand NewRoot() => new("Coputer: run Luau programs, and publish and serve them on the Coputer network.");
}

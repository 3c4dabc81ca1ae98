using System.CommandLine;
using Coputer.Cli.Commands;

namespace Coputer.Cli;

public static class Program
{
    public static int Main(string[] args) => BuildRootCommand().Parse(args).Invoke();

    /// <summary>The whole command tree; tests build it to run commands in-process.</summary>
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("Coputer: run Luau programs, and publish and serve them on the Coputer network.");
        foreach (var command in CommandList.All())
            root.Subcommands.Add(command);
        return root;
    }
}

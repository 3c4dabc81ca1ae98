using System.CommandLine;

namespace Coputer.Cli.Commands;

/// <summary>Every subcommand of <c>coputer</c>, in the order help lists them. Each lives in its own file.</summary>
internal static class CommandList
{
    public static IEnumerable<Command> All()
    {
        yield return NewCommand.Create();
        yield return RunCommand.Create();
        yield return CheckCommand.Create();
        yield return DisasmCommand.Create();
        yield return FmtCommand.Create();
        yield return LspCommand.Create();
        yield return KeysCommand.Create();
        yield return BundleCommand.Create();
        yield return RequestCommand.Create();
        yield return TestCommand.Create();
        yield return NodeCommand.Create();
    }
}

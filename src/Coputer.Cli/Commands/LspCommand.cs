using System.CommandLine;
using Coputer.Tooling.LanguageServer;

namespace Coputer.Cli.Commands;

/// <summary><c>coputer lsp</c>: the Luau language server on standard input and output (editors start it).</summary>
internal static class LspCommand
{
    public static Command Create()
    {
        var command = new Command(
            "lsp",
            "Run the Luau language server over standard input and output (the Language Server Protocol), for editors: " +
            "diagnostics, formatting, outline, go to definition, references, hover, completion, signature help, folding " +
            "and semantic highlighting. Exits 0 after the client's shutdown and exit, 1 otherwise.");
        command.SetAction(async (result, cancellationToken) =>
        {
            using Stream stdin = Console.OpenStandardInput();
            using Stream stdout = Console.OpenStandardOutput();
            var server = new LuauLanguageServer(stdin, stdout, result.InvocationConfiguration.Error);
            // Awaited here, so the streams stay open until the server is done.
            return await server.RunAsync(cancellationToken);
        });
        return command;
    }
}

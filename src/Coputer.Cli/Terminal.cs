using Spectre.Console;

namespace Coputer.Cli;

/// <summary>
/// Styling for a person at a terminal: colour and spinners through Spectre.Console when the command writes to the
/// process's own standard output and that is a terminal (and neither <c>NO_COLOR</c> nor <c>TERM=dumb</c> says
/// otherwise). Anywhere else (pipes, files, tests) commands print their plain text unchanged.
/// </summary>
internal static class Terminal
{
    /// <summary>The console to style output with when a person reads <paramref name="writer"/>; null for plain text.</summary>
    public static IAnsiConsole? StyledFor(TextWriter writer)
    {
        if (!ReferenceEquals(writer, Console.Out) || Console.IsOutputRedirected)
            return null;
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) || Environment.GetEnvironmentVariable("TERM") == "dumb")
            return null;
        return AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Detect,
        });
    }

    /// <summary>The colour for an HTTP status: green for success, yellow for redirects and client errors, red for failures.</summary>
    public static string StatusColour(int status) => status switch
    {
        < 300 => "green",
        < 500 => "yellow",
        _ => "red",
    };
}

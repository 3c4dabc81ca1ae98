using System.CommandLine;
using Coputer.Gateway.Development;
using Spectre.Console;

namespace Coputer.Cli.Commands;

/// <summary>
/// <c>coputer test DIR</c>: runs the program's <c>*.test.luau</c> files in the sandbox (see <see cref="ProgramTests"/>),
/// prints each test's result and a closing count, and exits 1 when any test failed.
/// </summary>
internal static class TestCommand
{
    public static Command Create()
    {
        var directory = new Argument<string>("dir") { Description = "The program folder (with main.luau at its top)." };
        var node = LocalPrograms.NodeOption();
        var command = new Command("test", """
            Run the program's *.test.luau files in the sandbox and print each test's result. A test file calls
            test(name, function() ... end); inside, get(target), post(target, body) and request(method, target,
            { headers = ..., body = ... }) run the program as a node would and return { status, headers, body },
            and expect.equal, notEqual, truthy, falsy, contains, matches, same and fails check what came back.
            require("./module") loads the program's own modules, and require("@alias/module") those of a program
            coputer.json pins (fetched by hash from --node and checked). Exits 1 when a test fails.

            Example:
              coputer test site
            """)
        {
            directory,
            node,
        };
        command.SetAction(p => Run(p.GetValue(directory)!, p.InvocationConfiguration.Output, p.InvocationConfiguration.Error, node: p.GetValue(node)));
        return command;
    }

    internal static int Run(string directory, TextWriter output, TextWriter error, CancellationToken cancellation = default, IAnsiConsole? styled = null, string? node = null)
    {
        // On a terminal PASS and FAIL are coloured; elsewhere the text is the same, plain.
        styled ??= Terminal.StyledFor(output);
        void Line(string plain, string? markup = null)
        {
            if (styled is not null && markup is not null)
                styled.MarkupLine(markup);
            else if (styled is not null)
                styled.WriteLine(plain);
            else
                output.WriteLine(plain);
        }

        if (LocalPrograms.Load(directory, node, error, cancellation: cancellation) is not { } program)
            return 1;
        var files = ProgramTests.Find(program.Bundle);
        if (files.Count == 0)
        {
            error.WriteLine($"{directory}: no test files (they are named *{ProgramTests.Suffix})");
            return 1;
        }
        int passed = 0, failed = 0;
        foreach (string file in files)
        {
            ProgramTests.RunFile(program, file, outcome =>
            {
                if (outcome.Passed)
                {
                    passed++;
                    Line($"PASS {outcome.File}: {outcome.Name}", $"[green]PASS[/] {Markup.Escape($"{outcome.File}: {outcome.Name}")}");
                    return;
                }
                failed++;
                Line($"FAIL {outcome.File}: {outcome.Name}", $"[red bold]FAIL[/] {Markup.Escape($"{outcome.File}: {outcome.Name}")}");
                Line($"     {outcome.Error}", $"     [red]{Markup.Escape(outcome.Error ?? "")}[/]");
                if (outcome.Traceback is { } traceback)
                {
                    foreach (string line in traceback.TrimEnd('\n').Split('\n'))
                        Line($"       {line}", $"       [grey]{Markup.Escape(line)}[/]");
                }
                if (outcome.Log.Length > 0)
                {
                    Line("     printed:");
                    foreach (string line in outcome.Log.TrimEnd('\n').Split('\n'))
                        Line($"       {line}");
                }
            }, cancellation);
        }
        Line($"{passed} passed, {failed} failed", failed == 0 ? $"[green]{passed} passed[/], 0 failed" : $"{passed} passed, [red bold]{failed} failed[/]");
        return failed == 0 ? 0 : 1;
    }
}

using System.CommandLine;
using Coputer.Gateway.Development;
using Coputer.Platform.Bundles;

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
        var command = new Command("test", """
            Run the program's *.test.luau files in the sandbox and print each test's result. A test file calls
            test(name, function() ... end); inside, get(target), post(target, body) and request(method, target,
            { headers = ..., body = ... }) run the program as a node would and return { status, headers, body },
            and expect.equal, notEqual, truthy, falsy, contains, matches, same and fails check what came back.
            require("./module") loads the program's own modules. Exits 1 when a test fails.

            Example:
              coputer test site
            """)
        {
            directory,
        };
        command.SetAction(p => Run(p.GetValue(directory)!, p.InvocationConfiguration.Output, p.InvocationConfiguration.Error));
        return command;
    }

    internal static int Run(string directory, TextWriter output, TextWriter error, CancellationToken cancellation = default)
    {
        LocalProgram program;
        try
        {
            program = LocalProgram.Load(directory);
        }
        catch (BundleException e)
        {
            error.WriteLine($"{directory}: {e.Message}");
            return 1;
        }
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
                    output.WriteLine($"PASS {outcome.File}: {outcome.Name}");
                    return;
                }
                failed++;
                output.WriteLine($"FAIL {outcome.File}: {outcome.Name}");
                output.WriteLine($"     {outcome.Error}");
                if (outcome.Traceback is { } traceback)
                {
                    foreach (string line in traceback.TrimEnd('\n').Split('\n'))
                        output.WriteLine($"       {line}");
                }
                if (outcome.Log.Length > 0)
                {
                    output.WriteLine("     printed:");
                    foreach (string line in outcome.Log.TrimEnd('\n').Split('\n'))
                        output.WriteLine($"       {line}");
                }
            }, cancellation);
        }
        output.WriteLine($"{passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}

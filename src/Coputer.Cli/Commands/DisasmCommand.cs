using System.CommandLine;
using System.Text;
using Coputer.Luau.Bytecode;
using Coputer.Luau.Compiler;

namespace Coputer.Cli.Commands;

/// <summary>
/// <c>coputer disasm FILE</c>: compiles a Luau file (or, with <c>--bytecode</c>, reads a bytecode blob) and prints
/// its bytecode as text. Exit code 0 on success, 1 when the file cannot be read, does not compile, or holds invalid
/// bytecode.
/// </summary>
internal static class DisasmCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A Luau source file, or a bytecode file with --bytecode." };
        var bytecode = new Option<bool>("--bytecode") { Description = "FILE holds compiled bytecode instead of source." };
        var optimize = new Option<int>("-O") { Description = "Optimization level 0, 1 or 2 (default 1), as -O0, -O1 or -O2.", DefaultValueFactory = _ => 1 };
        var debug = new Option<int>("-g") { Description = "Debug level 0, 1 or 2 (default 1), as -g0, -g1 or -g2.", DefaultValueFactory = _ => 1 };
        var plain = new Option<bool>("--plain") { Description = "Leave out the per-function summary and constant table (the reference's luau-compile --text shape)." };
        optimize.Validators.Add(r => CheckLevel(r, "optimization"));
        debug.Validators.Add(r => CheckLevel(r, "debug"));

        var command = new Command("disasm", "Compile a Luau file and print its bytecode as text.") { file, bytecode, optimize, debug, plain };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var path = parse.GetValue(file)!;
            return Run(path, parse.GetValue(bytecode), parse.GetValue(optimize), parse.GetValue(debug), parse.GetValue(plain), output, error);
        });
        return command;
    }

    private static void CheckLevel(System.CommandLine.Parsing.OptionResult result, string what)
    {
        int level = result.GetValueOrDefault<int>();
        if (level is < 0 or > 2)
            result.AddError($"The {what} level must be 0, 1 or 2, not {level}.");
    }

    private static int Run(FileInfo file, bool isBytecode, int optimizationLevel, int debugLevel, bool plain, TextWriter output, TextWriter error)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(file.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"{file}: cannot read the file: {e.Message}");
            return 1;
        }

        string? source = null;
        if (!isBytecode)
        {
            var result = LuauCompiler.Compile(data, new CompileOptions { OptimizationLevel = optimizationLevel, DebugLevel = debugLevel });
            if (!result.Success)
            {
                foreach (var e in result.Errors)
                    error.WriteLine($"{file}:{e.Line}: {e.Message}");
                return 1;
            }
            source = Encoding.UTF8.GetString(data);
            data = result.Bytecode!;
        }
        else if (BytecodeReader.TryGetCompileError(data, out var message))
        {
            // The blob of a failed compilation: the message already has the ":LINE: text" form.
            error.WriteLine($"{file}{message}");
            return 1;
        }

        BytecodeModule module;
        try
        {
            module = BytecodeReader.Read(data);
        }
        catch (BytecodeException e)
        {
            error.WriteLine($"{file}: {e.Message}");
            return 1;
        }

        output.Write(BytecodeDisassembler.Disassemble(module, source, details: !plain));

        // Show what is there even when it would be refused, but say so and fail.
        try
        {
            BytecodeVerifier.Verify(module);
        }
        catch (BytecodeException e)
        {
            error.WriteLine($"{file}: {e.Message}");
            return 1;
        }
        return 0;
    }
}

using Coputer.Luau.Bytecode;
using Coputer.Luau.Compiler;

namespace Coputer.Bench;

/// <summary>
/// <c>verify FOLDER [--ref-compile PATH]</c>: compiles every <c>.lua</c>/<c>.luau</c> file under a folder (programs
/// and modules) at optimisation levels 0, 1 and 2, and checks that the loader's verifier accepts every function.
/// With the reference <c>luau-compile</c>, it also checks that our bytecode is byte-identical to the reference's at
/// each level, and that a file fails to compile under ours exactly when it fails under the reference.
/// </summary>
internal static class VerifyTree
{
    /// <summary>
    /// The reference compiler, with every flag on (as its command line sets them), emits bytecode version 14 with
    /// features we do not target (cost model, fast pcall, call feedback, double vectors). These flags take it back to
    /// version 9, the version we emit.
    /// </summary>
    private const string DefaultReferenceFlags = "LuauCompileFastpcall=false,LuauCompileEmitVectorDouble=false,LuauBytecodeCostModel=false,LuauEmitCallFeedback=false";

    public static int Run(string[] args)
    {
        string? folder = null;
        string? refCompile = null;
        string flags = DefaultReferenceFlags;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--ref-compile" && i + 1 < args.Length)
                refCompile = args[++i];
            else if (args[i] == "--fflags" && i + 1 < args.Length)
                flags = args[++i];
            else if (!args[i].StartsWith('-') && folder is null)
                folder = args[i];
            else
                return Usage();
        }
        if (folder is null || !Directory.Exists(folder))
            return Usage();

        int files = 0, refused = 0, mismatched = 0, failed = 0;
        foreach (var relative in CompareBenchmark.FindPrograms(folder, allFiles: true))
        {
            files++;
            string path = Path.Combine(folder, relative);
            var source = File.ReadAllBytes(path);
            for (int level = 0; level <= 2; level++)
            {
                var result = LuauCompiler.Compile(source, new CompileOptions { OptimizationLevel = level });
                byte[]? theirs = refCompile is null ? null : ReferenceBytecode(refCompile, flags, path, level);
                if (!result.Success)
                {
                    failed++;
                    bool refFails = theirs is null || theirs.Length == 0 || theirs[0] == 0;
                    Console.WriteLine($"{relative} O{level}: does not compile ({result.Errors[0]}){(refCompile is not null && !refFails ? "; the reference compiles it" : "")}");
                    if (refCompile is not null && !refFails)
                        mismatched++;
                    continue;
                }
                try
                {
                    BytecodeVerifier.Verify(BytecodeReader.Read(result.Bytecode!));
                }
                catch (BytecodeException e)
                {
                    refused++;
                    Console.WriteLine($"{relative} O{level}: {e.Message}");
                }
                if (theirs is not null && !theirs.AsSpan().SequenceEqual(result.Bytecode!))
                {
                    mismatched++;
                    Console.WriteLine($"{relative} O{level}: bytecode differs from luau-compile's ({result.Bytecode!.Length} bytes, reference {theirs.Length})");
                }
            }
        }
        Console.WriteLine($"{files} files x 3 levels: {refused} refused by the verifier, {failed} compile errors"
            + (refCompile is null ? "" : $", {mismatched} differ from the reference compiler"));
        return refused + mismatched > 0 ? 1 : 0;
    }

    private static byte[] ReferenceBytecode(string refCompile, string flags, string path, int level)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(refCompile) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("--binary");
        psi.ArgumentList.Add($"-O{level}");
        if (flags.Length > 0)
            psi.ArgumentList.Add("--fflags=" + flags);
        psi.ArgumentList.Add(path);
        using var p = System.Diagnostics.Process.Start(psi)!;
        using var bytes = new MemoryStream();
        var errors = p.StandardError.ReadToEndAsync();
        p.StandardOutput.BaseStream.CopyTo(bytes);
        p.WaitForExit();
        _ = errors.Result;
        return p.ExitCode == 0 ? bytes.ToArray() : [];
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage: Coputer.Bench verify FOLDER [--ref-compile PATH [--fflags FLAGS]]
              Compiles every .lua/.luau file under FOLDER at -O0, -O1 and -O2 and runs the bytecode verifier on it;
              with PATH (the reference luau-compile) also compares the bytecode byte for byte. FLAGS go to
              luau-compile's --fflags (default: the flags that make it emit bytecode version 9, as we do).
            example:
              dotnet run -c Release --project bench/Coputer.Bench -- verify /work/ref/luau-bench-tree --ref-compile /work/ref/luau/build/luau-compile
            """);
        return 2;
    }
}

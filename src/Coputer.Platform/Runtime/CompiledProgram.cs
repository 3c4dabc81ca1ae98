using System.Collections.Concurrent;
using Coputer.Luau.Compiler;
using Coputer.Luau.VM;
using Coputer.Platform.Bundles;

namespace Coputer.Platform.Runtime;

/// <summary>Where compiled modules are kept between runs and restarts (the store implements it).</summary>
public interface IBytecodeCache
{
    /// <summary>The bytecode compiled from source with this hash by this compiler version, or null.</summary>
    byte[]? TryGetBytecode(Hash256 sourceHash, string compilerVersion);

    /// <summary>Keeps bytecode (may be done in the background).</summary>
    void PutBytecode(Hash256 sourceHash, string compilerVersion, byte[] bytecode);
}

/// <summary>
/// A program ready to run: its bundle and the bytecode of its modules, compiled from the signed source by our
/// compiler on first use (never bytecode from elsewhere) and kept for later runs. Thread-safe.
/// </summary>
public sealed class CompiledProgram
{
    /// <summary>How modules are compiled: the original server's <c>-O1</c>, with line info for error positions.</summary>
    internal static readonly CompileOptions CompileOptions = new() { OptimizationLevel = 1, DebugLevel = 1 };

    /// <summary>Identifies the compiler's output: bytecode cached under another version is never used.</summary>
    public static string CompilerVersion { get; } = "luau-o1-" + typeof(LuauCompiler).Assembly.ManifestModule.ModuleVersionId.ToString("N");

    /// <summary>
    /// The largest module source compiled by default (1 MiB). Compiling is not counted against a run's limits and
    /// cannot be interrupted, so its input is bounded: a larger module is a program error, never a stalled worker.
    /// </summary>
    public const int DefaultMaxModuleSourceBytes = 1 << 20;

    private readonly ConcurrentDictionary<string, Compiled> _modules = new(StringComparer.Ordinal);
    private readonly IBytecodeCache? _cache;
    private readonly int _maxModuleSourceBytes;

    /// <summary>A program over <paramref name="bundle"/>, keeping compiled modules in <paramref name="cache"/> if given.</summary>
    /// <param name="bundle">The program's files.</param>
    /// <param name="cache">Where compiled modules are kept between runs and restarts.</param>
    /// <param name="maxModuleSourceBytes">The largest module source that is compiled; larger modules fail to load with a clear error.</param>
    public CompiledProgram(Bundle bundle, IBytecodeCache? cache = null, int maxModuleSourceBytes = DefaultMaxModuleSourceBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxModuleSourceBytes);
        Bundle = bundle;
        _cache = cache;
        _maxModuleSourceBytes = maxModuleSourceBytes;
    }

    /// <summary>The program's files.</summary>
    public Bundle Bundle { get; }

    /// <summary>The program's identity.</summary>
    public Hash256 Hash => Bundle.Hash;

    /// <summary>
    /// The programs this one requires modules from (<see cref="BundleManifest"/>), or the reason its
    /// <c>coputer.json</c> is not valid. Read once.
    /// </summary>
    public (BundleManifest? Manifest, string? Error) Manifest => _manifest ??= ReadManifest(Bundle);

    private (BundleManifest?, string?)? _manifest;

    private static (BundleManifest?, string?) ReadManifest(Bundle bundle)
    {
        try
        {
            return (BundleManifest.Of(bundle), null);
        }
        catch (BundleException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>Compiles every module now (useful before serving, or to report all syntax errors).</summary>
    public IReadOnlyList<string> CompileAll()
    {
        var errors = new List<string>();
        foreach (var f in Bundle.Files)
        {
            if (f.IsModule && GetModule(f).Error is { } e)
                errors.Add(e);
        }
        return errors;
    }

    /// <summary>
    /// A module read and verified once (later runs only load it into their state), or the compile error
    /// (<c>path:line: message</c>).
    /// </summary>
    internal Compiled GetModule(BundleFile file) => _modules.GetOrAdd(file.Path, static (_, arg) => arg.Self.Compile(arg.File), (Self: this, File: file));

    private Compiled Compile(BundleFile file)
    {
        if (file.ContentBytes.Length > _maxModuleSourceBytes)
            return new Compiled(null, $"{file.Path}: module is too large to compile ({file.ContentBytes.Length} bytes; the limit is {_maxModuleSourceBytes})");
        if (_cache?.TryGetBytecode(file.ContentHash, CompilerVersion) is { } cached)
            return Check(file, cached);
        var result = LuauCompiler.Compile(file.ContentBytes, CompileOptions);
        if (result.Bytecode is { } bytecode)
        {
            _cache?.PutBytecode(file.ContentHash, CompilerVersion, bytecode);
            return Check(file, bytecode);
        }
        var first = result.Errors[0];
        return new Compiled(null, $"{file.Path}:{first.Line}: {first.Message}");
    }

    private static Compiled Check(BundleFile file, byte[] bytecode)
    {
        try
        {
            return new Compiled(LuauChunk.FromBytecode(bytecode, "@" + file.Path), null);
        }
        catch (LuauLoadException e)
        {
            return new Compiled(null, e.Message);
        }
    }

    internal sealed record Compiled(LuauChunk? Chunk, string? Error);
}

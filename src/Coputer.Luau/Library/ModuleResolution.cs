namespace Coputer.Luau.Library;

/// <summary>Where <c>require</c> finds modules: a file system for the command line, a bundle for the platform, ...</summary>
public interface ILuauModuleResolver
{
    /// <summary>
    /// Resolves the path given to <c>require</c> (it starts with <c>./</c>, <c>../</c> or <c>@alias</c>) as seen from
    /// the module whose chunk name is <paramref name="requirerChunkName"/>. Never throws for a bad path: the result
    /// then carries an error message.
    /// </summary>
    LuauModuleResolution Resolve(string requirerChunkName, string path);
}

/// <summary>The outcome of resolving a <c>require</c> path: a module to load, or an error message.</summary>
public sealed class LuauModuleResolution
{
    private LuauModuleResolution(string? error, string cacheKey, string chunkName, Func<byte[]?>? readSource)
    {
        Error = error;
        CacheKey = cacheKey;
        ChunkName = chunkName;
        ReadSource = readSource;
    }

    /// <summary>Why the path did not resolve, or null on success.</summary>
    public string? Error { get; }

    /// <summary>Identifies the module: requiring the same key again returns the cached result.</summary>
    public string CacheKey { get; }

    /// <summary>The chunk name the module runs under (for example <c>@path/to/module.luau</c>).</summary>
    public string ChunkName { get; }

    /// <summary>Reads the module's source text; null if it cannot be read.</summary>
    public Func<byte[]?>? ReadSource { get; }

    /// <summary>A module that was found: its cache key, its chunk name, and how to read its source.</summary>
    public static LuauModuleResolution Found(string cacheKey, string chunkName, Func<byte[]?> readSource) =>
        new(null, cacheKey, chunkName, readSource);

    /// <summary>A module that could not be resolved, with the error <c>require</c> raises.</summary>
    public static LuauModuleResolution Failed(string error) => new(error, "", "", null);
}

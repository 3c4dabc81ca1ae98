using System.Runtime.CompilerServices;
using Coputer.Platform.Bundles;
using Microsoft.AspNetCore.StaticFiles;

namespace Coputer.Gateway.Serving;

/// <summary>
/// A bundle file served as an asset: its content type from the extension, a tag from its content hash, and its
/// compressed forms made once per file.
/// </summary>
public sealed class AssetResponse
{
    private static readonly ConditionalWeakTable<BundleFile, AssetResponse> s_assets = [];
    private static readonly FileExtensionContentTypeProvider s_types = CreateTypes();

    private readonly BundleFile _file;
    private byte[]? _gzip;
    private byte[]? _brotli;

    private AssetResponse(BundleFile file, int minCompressBytes)
    {
        _file = file;
        ContentType = ContentTypeOf(file.Path);
        Compressible = file.Content.Length >= minCompressBytes && Compression.IsCompressible(ContentType);
        // Weak: the gzip and Brotli forms share the tag.
        ETag = "W/\"" + file.ContentHash.ToBase36()[..24] + "\"";
    }

    /// <summary>The content type.</summary>
    public string ContentType { get; }

    /// <summary>A weak tag from the content hash.</summary>
    public string ETag { get; }

    /// <summary>Whether the file is worth compressing.</summary>
    public bool Compressible { get; }

    /// <summary>The served form of <paramref name="file"/>, made once per file.</summary>
    public static AssetResponse For(BundleFile file, int minCompressBytes) => s_assets.GetValue(file, f => new AssetResponse(f, minCompressBytes));

    /// <summary>The body in <paramref name="coding"/>.</summary>
    public ReadOnlyMemory<byte> BodyFor(ContentCoding coding) => coding switch
    {
        ContentCoding.Gzip => _gzip ??= Compression.Compress(_file.Content.Span, ContentCoding.Gzip),
        ContentCoding.Brotli => _brotli ??= Compression.Compress(_file.Content.Span, ContentCoding.Brotli),
        _ => _file.Content,
    };

    /// <summary>The content type of a path by its extension (text types in UTF-8); <c>application/octet-stream</c> when unknown.</summary>
    public static string ContentTypeOf(string path)
    {
        if (!s_types.TryGetContentType(path, out var type))
            return "application/octet-stream";
        return type.StartsWith("text/", StringComparison.Ordinal) || type is "application/javascript" or "application/json" or "image/svg+xml"
            ? type + "; charset=utf-8"
            : type;
    }

    private static FileExtensionContentTypeProvider CreateTypes()
    {
        var provider = new FileExtensionContentTypeProvider();
        provider.Mappings[".luau"] = "text/plain";
        provider.Mappings[".mjs"] = "application/javascript";
        provider.Mappings[".webmanifest"] = "application/manifest+json";
        return provider;
    }
}

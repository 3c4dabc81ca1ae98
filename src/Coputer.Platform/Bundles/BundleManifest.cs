using System.Text.Json;
using System.Text.RegularExpressions;
using Coputer.Platform.Identity;

namespace Coputer.Platform.Bundles;

/// <summary>A program this one requires modules from: its address for people and tools, and the exact version used.</summary>
/// <param name="Alias">The name <c>require("@alias/module")</c> uses.</param>
/// <param name="Label">The program's address, <c>{name}-{publisher id}</c>: where the version came from.</param>
/// <param name="Program">The bundle hash the dependency is pinned to; only this exact program is ever loaded.</param>
public sealed record BundleDependency(string Alias, ProgramLabel Label, Hash256 Program);

/// <summary>
/// The optional <c>coputer.json</c> at a bundle's root: the programs whose modules this one requires, each pinned to
/// a bundle hash so that a run's result depends only on signed, content-addressed code. Read as untrusted input;
/// a malformed manifest is the program's error, reported when it is first needed.
/// </summary>
/// <example>
/// <code>
/// {
///   "dependencies": {
///     "ui": { "program": "ui-3fj2...", "hash": "9c1e...64 hex digits" }
///   }
/// }
/// </code>
/// In <c>main.luau</c>: <c>local button = require("@ui/button")</c> loads <c>button.luau</c> (or
/// <c>button/main.luau</c>) of that exact version of <c>ui</c>.
/// </example>
public sealed partial class BundleManifest
{
    /// <summary>The manifest's path in a bundle.</summary>
    public const string FileName = "coputer.json";

    /// <summary>The most dependencies one manifest may name.</summary>
    public const int MaxDependencies = 32;

    /// <summary>A manifest naming nothing (what a bundle without <c>coputer.json</c> has).</summary>
    public static BundleManifest Empty { get; } = new([]);

    private BundleManifest(IReadOnlyList<BundleDependency> dependencies) => Dependencies = dependencies;

    /// <summary>The dependencies, in the order the file lists them.</summary>
    public IReadOnlyList<BundleDependency> Dependencies { get; }

    /// <summary>The dependency named <paramref name="alias"/>, or null.</summary>
    public BundleDependency? Find(string alias) => Dependencies.FirstOrDefault(d => d.Alias == alias);

    /// <summary>The manifest of <paramref name="bundle"/> (<see cref="Empty"/> when it has none).</summary>
    /// <exception cref="BundleException">The manifest is not valid; the message names the key.</exception>
    public static BundleManifest Of(Bundle bundle) =>
        bundle.Find(FileName) is { } file ? Parse(file.ContentBytes) : Empty;

    /// <summary>Parses a manifest's text.</summary>
    /// <exception cref="BundleException">It is not valid; the message names the key.</exception>
    public static BundleManifest Parse(ReadOnlySpan<byte> utf8)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
            throw new BundleException($"{FileName}: not valid UTF-8");
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 4 });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new BundleException($"{FileName}:{(e.LineNumber ?? 0) + 1}: not valid JSON");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new BundleException($"{FileName}: the manifest is a JSON object");
            var list = new List<BundleDependency>();
            foreach (var top in root.EnumerateObject())
            {
                if (top.Name != "dependencies")
                    throw new BundleException($"{FileName}: unknown key '{Printable(top.Name)}' (known: dependencies)");
                if (top.Value.ValueKind != JsonValueKind.Object)
                    throw new BundleException($"{FileName}: dependencies is an object of alias -> {{ \"program\": \"name-id\", \"hash\": \"...\" }}");
                foreach (var entry in top.Value.EnumerateObject())
                {
                    if (!AliasPattern().IsMatch(entry.Name))
                        throw new BundleException($"{FileName}: dependency alias '{Printable(entry.Name)}' must be 1 to 32 lowercase letters, digits, '_' or '-', starting with a letter");
                    if (list.Any(d => d.Alias == entry.Name))
                        throw new BundleException($"{FileName}: dependency '{entry.Name}' is listed twice");
                    if (list.Count == MaxDependencies)
                        throw new BundleException($"{FileName}: more than {MaxDependencies} dependencies");
                    list.Add(Dependency(entry.Name, entry.Value));
                }
            }
            return list.Count == 0 ? Empty : new BundleManifest(list);
        }
    }

    private static BundleDependency Dependency(string alias, JsonElement value)
    {
        string where = $"{FileName}: dependencies.{alias}";
        if (value.ValueKind != JsonValueKind.Object)
            throw new BundleException($"{where} is an object with \"program\" and \"hash\"");
        string? label = null, hash = null;
        foreach (var p in value.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
                throw new BundleException($"{where}.{Printable(p.Name)} is a string");
            switch (p.Name)
            {
                case "program":
                    label = p.Value.GetString();
                    break;
                case "hash":
                    hash = p.Value.GetString();
                    break;
                default:
                    throw new BundleException($"{where}: unknown key '{Printable(p.Name)}' (known: program, hash)");
            }
        }
        if (label is null || !ProgramLabel.TryParse(label, out var parsed))
            throw new BundleException($"{where}.program must be a program address, {{name}}-{{publisher id}}");
        if (hash is null || !Hash256.TryParse(hash, out var program))
            throw new BundleException($"{where}.hash must be the program hash it is pinned to (64 hex digits)");
        return new BundleDependency(alias, parsed, program);
    }

    private static string Printable(string s) => s.Length > 40 || s.Any(char.IsControl) ? "..." : s;

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,31}$")]
    private static partial Regex AliasPattern();
}

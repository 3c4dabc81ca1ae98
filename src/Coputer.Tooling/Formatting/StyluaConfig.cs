using Tomlyn;
using Tomlyn.Model;

namespace Coputer.Tooling.Formatting;

/// <summary>A configuration file that could not be used: where it is and what is wrong.</summary>
public sealed class FormatConfigException(string path, string message) : Exception($"{path}: {message}")
{
    public string Path { get; } = path;
}

/// <summary>
/// Reads formatting options from a StyLua configuration file (<c>.stylua.toml</c> or <c>stylua.toml</c>), found in
/// the file's folder or the nearest folder above it, with StyLua's option names and values.
/// </summary>
public static class StyluaConfig
{
    public static readonly string[] FileNames = [".stylua.toml", "stylua.toml"];

    /// <summary>The configuration file that applies to files in <paramref name="folder"/>, or null.</summary>
    public static string? Find(string folder)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(folder)); dir is not null; dir = dir.Parent)
        {
            foreach (string name in FileNames)
            {
                string candidate = Path.Combine(dir.FullName, name);
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        return null;
    }

    /// <summary>The options for a file at <paramref name="filePath"/> (defaults when no configuration applies).</summary>
    public static FormatOptions ForFile(string filePath)
    {
        string? config = Find(Path.GetDirectoryName(Path.GetFullPath(filePath)) ?? ".");
        return config is null ? FormatOptions.Default : Load(config);
    }

    public static FormatOptions Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatConfigException(path, "cannot read: " + e.Message);
        }
        return Parse(text, path);
    }

    /// <summary>Reads options from TOML text; <paramref name="path"/> names the file in errors.</summary>
    public static FormatOptions Parse(string text, string path)
    {
        TomlTable table;
        try
        {
            table = TomlSerializer.Deserialize<TomlTable>(text)!;
        }
        catch (TomlException e)
        {
            throw new FormatConfigException(path, "invalid TOML: " + e.Message);
        }

        var options = FormatOptions.Default;
        foreach (var (key, value) in table)
        {
            options = key switch
            {
                "column_width" => options with { ColumnWidth = Integer(path, key, value, 1, 10_000) },
                "indent_width" => options with { IndentWidth = Integer(path, key, value, 1, 64) },
                "indent_type" => options with { IndentType = Enum<IndentType>(path, key, value) },
                "line_endings" => options with { LineEndings = Enum<LineEndings>(path, key, value) },
                "quote_style" => options with { QuoteStyle = Enum<QuoteStyle>(path, key, value) },
                "call_parentheses" => options with { CallParentheses = Enum<CallParentheses>(path, key, value) },
                "no_call_parentheses" => Bool(path, key, value) ? options with { CallParentheses = CallParentheses.None } : options,
                "collapse_simple_statement" => options with { CollapseSimpleStatement = Enum<CollapseSimpleStatement>(path, key, value) },
                "space_after_function_names" => options with { SpaceAfterFunctionNames = Enum<SpaceAfterFunctionNames>(path, key, value) },
                "block_newline_gaps" => options with { BlockNewlineGaps = Enum<BlockNewlineGaps>(path, key, value) },
                // Accepted so that existing files load; the syntax is always Luau, and requires are never reordered.
                "syntax" or "sort_requires" => options,
                _ => throw new FormatConfigException(path, $"unknown option '{key}'"),
            };
        }
        return options;
    }

    private static int Integer(string path, string key, object value, int min, int max)
    {
        if (value is long n && n >= min && n <= max)
            return (int)n;
        throw new FormatConfigException(path, $"'{key}' must be a whole number from {min} to {max}");
    }

    private static bool Bool(string path, string key, object value) =>
        value as bool? ?? throw new FormatConfigException(path, $"'{key}' must be true or false");

    private static T Enum<T>(string path, string key, object value) where T : struct, System.Enum
    {
        if (value is string s && System.Enum.TryParse(s, ignoreCase: false, out T result) && System.Enum.IsDefined(result))
            return result;
        throw new FormatConfigException(path, $"'{key}' must be one of {string.Join(", ", System.Enum.GetNames<T>())}");
    }
}

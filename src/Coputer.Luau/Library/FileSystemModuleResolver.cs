using System.Text.Json;

namespace Coputer.Luau.Library;

/// <summary>
/// Resolves <c>require</c> paths against the file system the way the reference command line does (Luau's
/// require-by-string rules): <c>./x</c> and <c>../x</c> relative to the requiring file's folder; <c>@alias/x</c>
/// through the <c>aliases</c> of the nearest <c>.luaurc</c> in the requiring file's folder or its ancestors;
/// <c>@self/x</c> relative to the requiring module itself. A module <c>x</c> is the file <c>x.luau</c> or
/// <c>x.lua</c>, or the folder <c>x</c> with an <c>init.luau</c> or <c>init.lua</c>; more than one is ambiguous.
/// Only requirers whose chunk name is a path (<c>@...</c>) may require.
/// </summary>
public sealed class FileSystemModuleResolver : ILuauModuleResolver
{
    private static readonly string[] s_suffixes = [".luau", ".lua"];
    private static readonly string[] s_initSuffixes = ["/init.luau", "/init.lua"];

    private enum Status
    {
        Success,
        NotFound,
        Ambiguous,
    }

    /// <summary>Finds the module <paramref name="path"/> asked for by the chunk <paramref name="requirerChunkName"/>.</summary>
    public LuauModuleResolution Resolve(string requirerChunkName, string path)
    {
        if (requirerChunkName.Length < 2 || requirerChunkName[0] != '@')
            return LuauModuleResolution.Failed("require is not supported in this context");
        string prefix = $"error requiring module \"{path}\": ";
        var nav = new Navigator();
        string? error = Navigate(nav, requirerChunkName[1..], path.Replace('\\', '/'));
        if (error is not null)
            return LuauModuleResolution.Failed(prefix + error);
        if (nav.RealPath is null || !File.Exists(nav.RealPath))
            return LuauModuleResolution.Failed("no module present at resolved path");
        string realPath = nav.RealPath;
        string absolute = Path.GetFullPath(realPath);
        return LuauModuleResolution.Found(absolute, "@" + realPath, () => File.Exists(realPath) ? File.ReadAllBytes(realPath) : null);
    }

    private static string? Navigate(Navigator nav, string requirerPath, string path)
    {
        bool aliased = path.StartsWith('@');
        if (!aliased && !path.StartsWith("./", StringComparison.Ordinal) && !path.StartsWith("../", StringComparison.Ordinal))
            return "require path must start with a valid prefix: ./, ../, or @";

        if (nav.ResetTo(requirerPath) != Status.Success)
            return "could not get parent of requiring context";

        if (!aliased)
        {
            if (nav.ToParent() != Status.Success)
                return "could not get parent of requiring context";
            return ThroughPath(nav, path);
        }

        int slash = path.IndexOf('/');
        string alias = (slash < 0 ? path[1..] : path[1..slash]).ToLowerInvariant();
        string rest = slash < 0 ? "" : path[(slash + 1)..];
        if (alias == "self")
            return ThroughPath(nav, rest);

        var error = ToAlias(nav, alias, []);
        return error ?? ThroughPath(nav, rest);
    }

    /// <summary>Finds the nearest configuration that defines <paramref name="alias"/> and moves to its target.</summary>
    private static string? ToAlias(Navigator nav, string alias, HashSet<string> seen)
    {
        if (!seen.Add(alias))
            return $"detected alias cycle ({string.Join(" -> ", seen)} -> {alias})";
        while (true)
        {
            if (nav.ToParent() != Status.Success)
                return $"@{alias} is not a valid alias";
            string configPath = nav.ConfigPath(".luaurc");
            if (!File.Exists(configPath))
                continue;
            Dictionary<string, string> aliases;
            try
            {
                aliases = ReadAliases(configPath);
            }
            catch (Exception e) when (e is JsonException or IOException or InvalidOperationException or FormatException)
            {
                return $"could not parse {configPath}: {e.Message}";
            }
            if (!aliases.TryGetValue(alias, out string? value))
                continue;
            value = value.Replace('\\', '/');
            if (value.StartsWith('@'))
            {
                int slash = value.IndexOf('/');
                string next = (slash < 0 ? value[1..] : value[1..slash]).ToLowerInvariant();
                string? error = ToAlias(nav, next, seen);
                return error ?? ThroughPath(nav, slash < 0 ? "" : value[(slash + 1)..]);
            }
            if (Path.IsPathRooted(value))
            {
                return nav.JumpTo(value) == Status.Success ? null : $"could not jump to alias \"{value}\"";
            }
            // A relative alias is relative to the folder holding the configuration file.
            return ThroughPath(nav, value);
        }
    }

    private static Dictionary<string, string> ReadAliases(string configPath)
    {
        var options = new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };
        using var doc = JsonDocument.Parse(File.ReadAllBytes(configPath), options);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("aliases", out var aliases) && aliases.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in aliases.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.String)
                    result[p.Name.ToLowerInvariant()] = p.Value.GetString()!;
            }
        }
        return result;
    }

    private static string? ThroughPath(Navigator nav, string path)
    {
        string? previous = null;
        foreach (string component in path.Split('/'))
        {
            if (component.Length == 0 || component == ".")
                continue;
            if (component == "..")
            {
                var s = nav.ToParent();
                if (s != Status.Success)
                    return (previous is null ? "could not get parent of requiring context" : $"could not get parent of component \"{previous}\"")
                        + (s == Status.Ambiguous ? " (ambiguous)" : "");
            }
            else
            {
                var s = nav.ToChild(component);
                if (s != Status.Success)
                    return $"could not resolve child component \"{component}\"" + (s == Status.Ambiguous ? " (ambiguous)" : "");
            }
            previous = component;
        }
        return null;
    }

    /// <summary>A position in the file system as a module path (no extension) and the file or folder it names.</summary>
    private sealed class Navigator
    {
        private string _modulePath = "";

        /// <summary>The file of the module (or its folder, when it has no init file); null when nothing is there.</summary>
        public string? RealPath { get; private set; }

        public Status ResetTo(string filePath)
        {
            _modulePath = ModulePathOf(Normalize(filePath));
            return Update(ambiguityIsFine: false);
        }

        public Status JumpTo(string path)
        {
            _modulePath = ModulePathOf(Normalize(path));
            return Update(ambiguityIsFine: false);
        }

        public Status ToParent()
        {
            // The root of the file system has no parent (relative paths are checked through their full form).
            if (Path.GetDirectoryName(Path.GetFullPath(_modulePath.Length == 0 ? "." : _modulePath)) is null)
                return Status.NotFound;
            string parent = Normalize(_modulePath + "/..");
            _modulePath = parent;
            // Going up a tree is never ambiguous.
            var s = Update(ambiguityIsFine: true);
            return s == Status.Ambiguous ? Status.Success : s;
        }

        public Status ToChild(string name)
        {
            if (name == ".config")
                return Status.NotFound;
            _modulePath = Normalize(_modulePath + "/" + name);
            return Update(ambiguityIsFine: false);
        }

        /// <summary>Where a configuration file named <paramref name="fileName"/> for this position would be.</summary>
        public string ConfigPath(string fileName)
        {
            string directory = RealPath ?? _modulePath;
            foreach (var suffix in s_initSuffixes)
            {
                if (directory.EndsWith(suffix, StringComparison.Ordinal))
                    return directory[..^suffix.Length] + "/" + fileName;
            }
            foreach (var suffix in s_suffixes)
            {
                if (directory.EndsWith(suffix, StringComparison.Ordinal))
                    return directory[..^suffix.Length] + "/" + fileName;
            }
            return directory + "/" + fileName;
        }

        private Status Update(bool ambiguityIsFine)
        {
            var (status, real) = Resolve(_modulePath);
            RealPath = status == Status.Success || ambiguityIsFine ? real ?? _modulePath : null;
            return status;
        }

        private static (Status, string?) Resolve(string modulePath)
        {
            bool found = false;
            string? real = null;
            int slash = modulePath.LastIndexOf('/');
            string last = slash < 0 ? modulePath : modulePath[(slash + 1)..];
            if (last != "init")
            {
                foreach (var suffix in s_suffixes)
                {
                    if (File.Exists(modulePath + suffix))
                    {
                        if (found)
                            return (Status.Ambiguous, null);
                        real = modulePath + suffix;
                        found = true;
                    }
                }
            }
            if (Directory.Exists(modulePath.Length == 0 ? "." : modulePath))
            {
                if (found)
                    return (Status.Ambiguous, null);
                real = modulePath;
                foreach (var suffix in s_initSuffixes)
                {
                    if (File.Exists(modulePath + suffix))
                    {
                        if (real != modulePath)
                            return (Status.Ambiguous, null);
                        real = modulePath + suffix;
                    }
                }
                found = true;
            }
            return found ? (Status.Success, real) : (Status.NotFound, null);
        }

        /// <summary>The module path of a file: the path without <c>.luau</c>/<c>.lua</c>, or without <c>/init.luau</c>.</summary>
        private static string ModulePathOf(string filePath)
        {
            foreach (var suffix in s_initSuffixes)
            {
                if (filePath.EndsWith(suffix, StringComparison.Ordinal))
                    return filePath[..^suffix.Length];
            }
            foreach (var suffix in s_suffixes)
            {
                if (filePath.EndsWith(suffix, StringComparison.Ordinal))
                    return filePath[..^suffix.Length];
            }
            return filePath;
        }

        /// <summary>Collapses <c>.</c> and <c>..</c> components, keeping a relative path relative (<c>./</c> prefix).</summary>
        private static string Normalize(string path)
        {
            path = path.Replace('\\', '/');
            bool absolute = path.StartsWith('/');
            string root = "";
            if (absolute)
                root = "/";
            else if (path.Length >= 3 && path[1] == ':' && path[2] == '/')
            {
                root = path[..3];
                absolute = true;
                path = path[3..];
            }
            var parts = new List<string>();
            foreach (var p in path.Split('/'))
            {
                if (p.Length == 0 || p == ".")
                    continue;
                if (p == "..")
                {
                    if (parts.Count > 0 && parts[^1] != "..")
                        parts.RemoveAt(parts.Count - 1);
                    else if (!absolute)
                        parts.Add("..");
                    continue;
                }
                parts.Add(p);
            }
            string joined = string.Join('/', parts);
            if (absolute)
                return root + joined;
            if (parts.Count == 0)
                return ".";
            return parts[0] == ".." ? joined : "./" + joined;
        }
    }
}

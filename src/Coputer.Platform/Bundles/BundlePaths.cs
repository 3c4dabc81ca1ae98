namespace Coputer.Platform.Bundles;

/// <summary>The rules a file path inside a program must follow.</summary>
public static class BundlePaths
{
    /// <summary>The entry point every program has, first in its bundle.</summary>
    public const string Entrypoint = "main.luau";

    /// <summary>
    /// Why <paramref name="path"/> cannot name a file in a program, or null if it can: it must be relative, use
    /// <c>/</c> separators, have no empty, <c>.</c> or <c>..</c> parts, no backslash, NUL or control characters,
    /// only Latin-1 characters (the bundle format's file names are Latin-1), and stay within the length and depth caps.
    /// A top-level <c>init.luau</c> is refused, as in the original.
    /// </summary>
    public static string? Validate(string path, BundleLimits? limits = null)
    {
        limits ??= BundleLimits.Default;
        if (path.Length == 0)
            return "empty file name";
        string shown = Show(path);
        if (path.Length > limits.MaxPathLength)
            return $"file name too long ({path.Length} characters, at most {limits.MaxPathLength}): {shown}";
        foreach (char c in path)
        {
            if (c == '\0')
                return $"file name contains NUL: {shown}";
            if (c < 0x20 || c is >= '\x7f' and <= '\x9f')
                return $"file name contains a control character: {shown}";
            if (c == '\\')
                return $"file name contains a backslash: {shown}";
            if (c > 0xff)
                return $"file name is not Latin-1: {shown}";
        }
        if (path[0] == '/')
            return $"file name is absolute: {shown}";
        if (path.Length >= 2 && path[1] == ':')
            return $"file name has a drive letter: {shown}";
        int depth = 0;
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0)
                return $"file name has an empty part: {shown}";
            if (part is "." or "..")
                return $"file name has a '{part}' part: {shown}";
            depth++;
        }
        if (depth - 1 > limits.MaxPathDepth)
            return $"file name nests {depth - 1} directories (at most {limits.MaxPathDepth}): {shown}";
        if (path == "init.luau")
            return "invalid filename: init.luau";
        return null;
    }

    /// <summary>A path as it appears in an error message: quoted, with unprintable characters escaped.</summary>
    internal static string Show(string path)
    {
        var sb = new System.Text.StringBuilder(path.Length + 2);
        sb.Append('"');
        foreach (char c in path.Length > 300 ? path[..300] : path)
        {
            if (c < 0x20 || c is >= '\x7f' and <= '\x9f' || c == '"' || c == '\\')
                sb.Append($"\\x{(int)c:x2}");
            else
                sb.Append(c);
        }
        if (path.Length > 300)
            sb.Append("...");
        return sb.Append('"').ToString();
    }
}

namespace Coputer.Platform.Identity;

/// <summary>
/// Program names: 1 to 31 lowercase letters, digits and hyphens, starting and ending with a letter or digit and
/// with no two hyphens in a row, so that <c>{name}-{id}</c> is one valid DNS label and never looks like an
/// internationalised (<c>xn--</c>) one.
/// </summary>
public static class ProgramName
{
    /// <summary>The longest name: 63 characters of a DNS label, less a hyphen and the 31-character id.</summary>
    public const int MaxLength = 63 - 1 - PublisherId.TextLength;

    /// <summary>Why <paramref name="name"/> is not a program name, or null if it is one.</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return "a program name cannot be empty";
        if (name.Length > MaxLength)
            return $"program name '{Shorten(name)}' is {name.Length} characters long (at most {MaxLength})";
        foreach (char c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
                return $"program name '{Shorten(name)}' may only contain lowercase letters, digits and hyphens";
        }
        if (name[0] == '-' || name[^1] == '-')
            return $"program name '{name}' must start and end with a letter or digit";
        if (name.Contains("--", StringComparison.Ordinal))
            return $"program name '{name}' must not contain two hyphens in a row";
        return null;
    }

    private static string Shorten(string name)
    {
        var shown = name.Length > 40 ? name[..40] + "..." : name;
        return new string(shown.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}

/// <summary>A program's address: <c>{name}-{id}</c>, one DNS label of at most 63 characters (for example a host name's first label).</summary>
public readonly record struct ProgramLabel(string Name, PublisherId Publisher)
{
    /// <summary>Parses <c>{name}-{id}</c>: the last 31 characters are the id, after a hyphen.</summary>
    public static bool TryParse(string? label, out ProgramLabel result)
    {
        result = default;
        if (label is null || label.Length < PublisherId.TextLength + 2 || label.Length > 63)
            return false;
        int split = label.Length - PublisherId.TextLength - 1;
        if (label[split] != '-' || !PublisherId.TryParse(label[(split + 1)..], out var id))
            return false;
        string name = label[..split];
        if (ProgramName.Validate(name) is not null)
            return false;
        result = new ProgramLabel(name, id);
        return true;
    }

    public override string ToString() => $"{Name}-{Publisher}";
}

using Coputer.Platform.Identity;

namespace Coputer.Platform.Execution;

/// <summary>Which program to run or resolve: a publisher's name (its current version) or an exact version by hash.</summary>
public readonly record struct ProgramRef
{
    private ProgramRef(PublisherId publisher, string? name, Hash256 hash)
    {
        Publisher = publisher;
        Name = name;
        Hash = hash;
    }

    /// <summary>The publisher, for a reference by name.</summary>
    public PublisherId Publisher { get; }

    /// <summary>The program name, or null for a reference by hash.</summary>
    public string? Name { get; }

    /// <summary>The program hash, for a reference by hash.</summary>
    public Hash256 Hash { get; }

    /// <summary>Whether this names an exact version.</summary>
    public bool IsHash => Name is null;

    /// <summary>The current version of <paramref name="name"/> published by <paramref name="publisher"/>.</summary>
    public static ProgramRef ByName(PublisherId publisher, string name) => new(publisher, name, default);

    /// <summary>The current version of <paramref name="name"/> published by <paramref name="publisher"/>.</summary>
    public static ProgramRef ByName(PublisherKey publisher, string name) => new(publisher.Id, name, default);

    /// <summary>Exactly the program with hash <paramref name="hash"/> (a preview, or an old version).</summary>
    public static ProgramRef ByHash(Hash256 hash) => new(default, null, hash);

    /// <summary>Parses a program label <c>{name}-{id}</c>, or a program hash (hex or base 36).</summary>
    public static bool TryParse(string? text, out ProgramRef reference)
    {
        reference = default;
        if (ProgramLabel.TryParse(text, out var label))
        {
            reference = ByName(label.Publisher, label.Name);
            return true;
        }
        if (Hash256.TryParse(text, out var hash))
        {
            reference = ByHash(hash);
            return true;
        }
        return false;
    }

    public override string ToString() => IsHash ? Hash.ToString() : $"{Name}-{Publisher}";
}

using Coputer.Platform.Identity;

namespace Coputer.Platform.Policy;

/// <summary>
/// What a node's operator allows: whose programs it stores and serves, which programs it refuses, how much each
/// publisher may store and run, and how many connections one peer may hold. The defaults accept everyone with a
/// storage quota and no run quota; <see cref="NodeConfigFile"/> reads all of it from the node's configuration file.
/// </summary>
public sealed record NodePolicy
{
    /// <summary>Everyone allowed, the default quotas.</summary>
    public static NodePolicy Default { get; } = new();

    /// <summary>The only publishers accepted, or null for everyone (the default).</summary>
    public IReadOnlySet<PublisherId>? AllowedPublishers { get; init; }

    /// <summary>Publishers never accepted, even when also allowed.</summary>
    public IReadOnlySet<PublisherId> DeniedPublishers { get; init; } = new HashSet<PublisherId>();

    /// <summary>Programs (bundle hashes) never stored, fetched or run, whoever publishes them.</summary>
    public IReadOnlySet<Hash256> DeniedPrograms { get; init; } = new HashSet<Hash256>();

    /// <summary>The most bundle bytes one publisher's programs may take in the store (0: no limit). Default 256 MiB.</summary>
    public long StorageBytesPerPublisher { get; init; } = 256L << 20;

    /// <summary>
    /// The most runs a minute one publisher's programs may start on this node (0: no limit, the default). Cached
    /// answers and runs shared with an identical request do not count; past the quota a request is answered
    /// <see cref="Runtime.RunStatus.QuotaExceeded"/> until the minute's allowance refills.
    /// </summary>
    public int RunsPerMinutePerPublisher { get; init; }

    /// <summary>The most connections one authenticated peer may hold open to this node at once. Default 4.</summary>
    public int ConnectionsPerPeer { get; init; } = 4;

    /// <summary>Whether any rule names publishers, so that requests by hash need their publisher looked up.</summary>
    public bool RestrictsPublishers => AllowedPublishers is not null || DeniedPublishers.Count > 0;

    /// <summary>Why <paramref name="publisher"/> is refused, or null when it is accepted.</summary>
    public string? RefusePublisher(PublisherId publisher)
    {
        if (DeniedPublishers.Contains(publisher))
            return $"this node does not accept programs of publisher {publisher}";
        if (AllowedPublishers is not null && !AllowedPublishers.Contains(publisher))
            return $"this node accepts programs only from the publishers its operator lists, and {publisher} is not one";
        return null;
    }

    /// <summary>Why <paramref name="program"/> is refused, or null when it is accepted.</summary>
    public string? RefuseProgram(Hash256 program) =>
        DeniedPrograms.Contains(program) ? $"this node does not store or serve program {program}" : null;
}

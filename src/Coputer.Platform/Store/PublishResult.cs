namespace Coputer.Platform.Store;

/// <summary>How a publication ended.</summary>
public enum PublishStatus
{
    /// <summary>Stored: the name now points at the record's program.</summary>
    Published,

    /// <summary>This exact record was already stored; nothing changed (publishing is idempotent).</summary>
    AlreadyPublished,

    /// <summary>Refused; <see cref="PublishResult.Reason"/> and <see cref="PublishResult.Message"/> say why. Nothing was stored.</summary>
    Refused,
}

/// <summary>Why a publication was refused.</summary>
public enum PublishRefusal
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary>The record could not be decoded (malformed, non-canonical, unknown schema, bad name).</summary>
    MalformedRecord,

    /// <summary>The signature is not the record's publisher's.</summary>
    BadSignature,

    /// <summary>The record's sequence is not above the stored one (a replay or an old record).</summary>
    StaleSequence,

    /// <summary>The bundle could not be read (malformed, or over a cap).</summary>
    BadBundle,

    /// <summary>The bundle's hash is not the one the record names.</summary>
    BundleMismatch,

    /// <summary>No bundle was given and the node does not have the program the record names.</summary>
    MissingBundle,

    /// <summary>The node's operator does not accept this publisher or program.</summary>
    Denied,

    /// <summary>Storing the bundle would take the publisher past its storage quota on this node.</summary>
    QuotaExceeded,
}

/// <summary>The outcome of <c>NodeStore.Publish</c>.</summary>
public sealed record PublishResult(PublishStatus Status, PublishRefusal Reason, string Message)
{
    /// <summary>The program the name points at after a successful publication.</summary>
    public Hash256 Program { get; init; }

    /// <summary>The program's address, <c>{name}-{id}</c>, after a successful publication.</summary>
    public string? Label { get; init; }

    /// <summary>Whether the record is now stored (new or already there).</summary>
    public bool Succeeded => Status != PublishStatus.Refused;

    internal static PublishResult Refuse(PublishRefusal reason, string message) => new(PublishStatus.Refused, reason, message);
}

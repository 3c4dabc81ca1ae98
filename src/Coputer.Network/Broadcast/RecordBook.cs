using Coputer.Platform;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;

namespace Coputer.Network.Broadcast;

/// <summary>Two validly signed records of one publisher for one name and sequence that name different programs.</summary>
public sealed record Equivocation(SignedRecord First, SignedRecord Second);

/// <summary>
/// The publication records a node has accepted from the broadcast: for each program (publisher and name) the
/// record with the highest sequence. A record is taken only once its signature verifies. Two different records
/// with one sequence are kept as proof that the publisher equivocated.
/// </summary>
public sealed class RecordBook
{
    private readonly Dictionary<(PublisherKey Publisher, string Name), SignedRecord> _latest = [];
    private readonly List<Equivocation> _equivocations = [];

    public int Count => _latest.Count;

    public IReadOnlyList<Equivocation> Equivocations => _equivocations;

    public IEnumerable<SignedRecord> Records => _latest.Values;

    /// <summary>Decodes <paramref name="payload"/> and checks its signature; null when either fails.</summary>
    public static SignedRecord? Verify(byte[] payload)
    {
        try
        {
            var record = SignedRecord.Decode(payload);
            return record.VerifySignature() ? record : null;
        }
        catch (RecordException)
        {
            return null;
        }
    }

    /// <summary>Takes a verified record: it replaces the held one only with a higher sequence.</summary>
    /// <returns>Whether the record is now the latest for its program.</returns>
    public bool Apply(SignedRecord record)
    {
        var key = (record.Record.Publisher, record.Record.Name);
        if (!_latest.TryGetValue(key, out var held) || record.Record.Sequence > held.Record.Sequence)
        {
            _latest[key] = record;
            return true;
        }
        if (record.Record.Sequence == held.Record.Sequence && record.Record.Program != held.Record.Program)
            _equivocations.Add(new Equivocation(held, record));
        return false;
    }

    /// <summary>The latest record for a program, if held.</summary>
    public SignedRecord? Find(PublisherKey publisher, string name) => _latest.GetValueOrDefault((publisher, name));

    /// <summary>The program hash the latest record for a program points to.</summary>
    public Hash256? Resolve(PublisherKey publisher, string name) => Find(publisher, name)?.Record.Program;
}

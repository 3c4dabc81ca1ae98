using Coputer.Platform;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;

namespace Coputer.Network.Broadcast;

/// <summary>Two validly signed records of one publisher for one name and sequence that name different programs.</summary>
public sealed record Equivocation(SignedRecord First, SignedRecord Second);

/// <summary>
/// The publication records a node has accepted from the broadcast: for each program (publisher and name) the
/// record with the highest sequence. A record is taken only once its signature verifies. Two different records
/// with one sequence are kept as proof that the publisher equivocated: one proof per (publisher, name, sequence,
/// pair of programs), at most <see cref="MaxEquivocations"/> of them, so a publisher signing many conflicting
/// records cannot grow the book without bound.
/// </summary>
public sealed class RecordBook
{
    /// <summary>Most equivocation proofs kept; later ones are counted in <see cref="EquivocationsDropped"/>.</summary>
    public const int MaxEquivocations = 1024;

    private readonly Dictionary<(PublisherId Publisher, string Name), SignedRecord> _latest = [];
    private readonly List<Equivocation> _equivocations = [];
    private readonly HashSet<(PublisherKey, string, long, Hash256, Hash256)> _proven = [];

    public int Count => _latest.Count;

    /// <summary>The proofs held: pairs of validly signed records of one publisher, name and sequence naming different programs.</summary>
    public IReadOnlyList<Equivocation> Equivocations => _equivocations;

    /// <summary>Distinct equivocations seen after <see cref="MaxEquivocations"/> proofs were held (not kept).</summary>
    public long EquivocationsDropped { get; private set; }

    /// <summary>The publishers the held proofs are against, each once.</summary>
    public IEnumerable<PublisherKey> Equivocators => _equivocations.Select(e => e.First.Record.Publisher).Distinct();

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
        var key = (record.Record.Publisher.Id, record.Record.Name);
        if (!_latest.TryGetValue(key, out var held) || record.Record.Sequence > held.Record.Sequence)
        {
            _latest[key] = record;
            return true;
        }
        if (record.Record.Sequence == held.Record.Sequence && record.Record.Program != held.Record.Program)
            Prove(held, record);
        return false;
    }

    private void Prove(SignedRecord held, SignedRecord other)
    {
        var r = held.Record;
        // The pair in a fixed order, so A-then-B and B-then-A are one proof.
        var (low, high) = r.Program.CompareTo(other.Record.Program) < 0 ? (r.Program, other.Record.Program) : (other.Record.Program, r.Program);
        if (_proven.Contains((r.Publisher, r.Name, r.Sequence, low, high)))
            return;
        if (_equivocations.Count >= MaxEquivocations)
        {
            EquivocationsDropped++;
            return;
        }
        _proven.Add((r.Publisher, r.Name, r.Sequence, low, high));
        _equivocations.Add(new Equivocation(held, other));
    }

    /// <summary>The latest record for a program, if held.</summary>
    public SignedRecord? Find(PublisherKey publisher, string name) => Find(publisher.Id, name);

    /// <summary>The latest record for a program named by its publisher's id, if held.</summary>
    public SignedRecord? Find(PublisherId publisher, string name) => _latest.GetValueOrDefault((publisher, name));

    /// <summary>The latest records that name <paramref name="program"/>.</summary>
    public IEnumerable<SignedRecord> Naming(Hash256 program) => _latest.Values.Where(r => r.Record.Program == program);

    /// <summary>The program hash the latest record for a program points to.</summary>
    public Hash256? Resolve(PublisherKey publisher, string name) => Find(publisher, name)?.Record.Program;
}

using System.Formats.Cbor;
using Coputer.Platform.Identity;

namespace Coputer.Platform.Records;

/// <summary>
/// A publication: "publisher P's program called N is now the program with hash H", numbered by a sequence that
/// only grows. Encoded canonically in CBOR (a map with integer keys: 0 schema version, 1 publisher key, 2 name,
/// 3 program hash, 4 sequence) and signed with Ed25519 as a <see cref="SignedRecord"/>. A rollback is simply a
/// new record with a higher sequence and an older hash.
/// </summary>
public sealed class PublicationRecord
{
    /// <summary>The schema version this node writes and accepts.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>A record for <paramref name="publisher"/>'s program <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is not a valid program name, or the sequence is below 1.</exception>
    public PublicationRecord(PublisherKey publisher, string name, Hash256 program, long sequence)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        if (ProgramName.Validate(name) is { } error)
            throw new ArgumentException(error, nameof(name));
        if (sequence < 1)
            throw new ArgumentException("The sequence starts at 1.", nameof(sequence));
        Publisher = publisher;
        Name = name;
        Program = program;
        Sequence = sequence;
    }

    /// <summary>The publisher, whose key must have signed the record.</summary>
    public PublisherKey Publisher { get; }

    /// <summary>The program's name (see <see cref="ProgramName"/>).</summary>
    public string Name { get; }

    /// <summary>The program version the name points to.</summary>
    public Hash256 Program { get; }

    /// <summary>Higher than every earlier record for the same name (1 for the first).</summary>
    public long Sequence { get; }

    /// <summary>The program's address, <c>{name}-{id}</c>.</summary>
    public ProgramLabel Label => new(Name, Publisher.Id);

    /// <summary>The canonical CBOR encoding, which the signature covers.</summary>
    public byte[] Encode()
    {
        var w = new CborWriter(CborConformanceMode.Canonical);
        w.WriteStartMap(5);
        w.WriteInt32(0);
        w.WriteInt32(CurrentSchemaVersion);
        w.WriteInt32(1);
        w.WriteByteString(Publisher.Bytes);
        w.WriteInt32(2);
        w.WriteTextString(Name);
        w.WriteInt32(3);
        w.WriteByteString(Program.ToArray());
        w.WriteInt32(4);
        w.WriteInt64(Sequence);
        w.WriteEndMap();
        return w.Encode();
    }

    /// <summary>Signs the record with <paramref name="publisher"/>, which must hold this record's publisher key.</summary>
    public SignedRecord Sign(Publisher publisher)
    {
        if (!publisher.Key.Equals(Publisher))
            throw new ArgumentException("The record names another publisher.", nameof(publisher));
        var body = Encode();
        return new SignedRecord(this, body, publisher.Sign(SignedRecord.SignedMessage(body)));
    }

    /// <summary>Decodes a record body, refusing anything but its canonical encoding.</summary>
    internal static PublicationRecord Decode(byte[] body)
    {
        var r = new CborReader(body, CborConformanceMode.Canonical);
        int? count = r.ReadStartMap();
        if (count != 5)
            throw new RecordException("a record has exactly five fields");
        Expect(r, 0);
        int version = r.ReadInt32();
        if (version != CurrentSchemaVersion)
            throw new RecordException($"unknown record schema version {version} (this node reads version {CurrentSchemaVersion})");
        Expect(r, 1);
        var key = PublisherKey.FromBytes(r.ReadByteString()) ?? throw new RecordException("the publisher is not a valid Ed25519 public key");
        Expect(r, 2);
        string name = r.ReadTextString();
        if (ProgramName.Validate(name) is { } nameError)
            throw new RecordException(nameError);
        Expect(r, 3);
        var hash = r.ReadByteString();
        if (hash.Length != Hash256.Size)
            throw new RecordException("the program hash must have 32 bytes");
        Expect(r, 4);
        long sequence = r.ReadInt64();
        if (sequence < 1)
            throw new RecordException("the sequence must be at least 1");
        r.ReadEndMap();
        if (r.BytesRemaining != 0)
            throw new RecordException("extra bytes after the record");
        var record = new PublicationRecord(key, name, new Hash256(hash), sequence);
        // Canonical mode checks ordering and lengths; re-encoding also rules out any other spelling of the same record.
        if (!record.Encode().AsSpan().SequenceEqual(body))
            throw new RecordException("the record is not canonically encoded");
        return record;
    }

    private static void Expect(CborReader r, int key)
    {
        if (r.ReadInt32() != key)
            throw new RecordException($"expected field {key}");
    }

    public override string ToString() => $"{Label} #{Sequence} -> {Program}";
}

/// <summary>A publication record, or its encoding, that cannot be accepted; the message says why.</summary>
public sealed class RecordException(string message) : Exception(message);

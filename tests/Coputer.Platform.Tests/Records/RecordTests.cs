using System.Formats.Cbor;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;
using Coputer.Platform.Store;

namespace Coputer.Platform.Tests.Records;

public class RecordTests
{
    private static readonly Hash256 SomeProgram = Hash256.Of("program"u8);

    [Fact]
    public void EncodingIsCanonicalCbor()
    {
        using var publisher = Publisher.FromSeed(new byte[32]);
        var record = new PublicationRecord(publisher.Key, "site", SomeProgram, 7);
        var body = record.Encode();
        var r = new CborReader(body, CborConformanceMode.Canonical);
        Assert.Equal(5, r.ReadStartMap());
        Assert.Equal(0, r.ReadInt32());
        Assert.Equal(1, r.ReadInt32());
        Assert.Equal(1, r.ReadInt32());
        Assert.Equal(publisher.Key.Bytes.ToArray(), r.ReadByteString());
        Assert.Equal(2, r.ReadInt32());
        Assert.Equal("site", r.ReadTextString());
        Assert.Equal(3, r.ReadInt32());
        Assert.Equal(SomeProgram.ToArray(), r.ReadByteString());
        Assert.Equal(4, r.ReadInt32());
        Assert.Equal(7, r.ReadInt64());
        r.ReadEndMap();
        var signed = record.Sign(publisher);
        var decoded = SignedRecord.Decode(signed.Encode());
        Assert.True(decoded.VerifySignature());
        Assert.Equal(signed.Encode(), decoded.Encode());
        Assert.Equal("site", decoded.Record.Name);
        Assert.Equal(7, decoded.Record.Sequence);
    }

    [Fact]
    public void ForgedSignatureIsRefused()
    {
        using var node = new TestNode();
        var bundle = TestPrograms.Load("web1");
        var signed = new PublicationRecord(node.Publisher.Key, "web", bundle.Hash, 1).Sign(node.Publisher).Encode();
        signed[^1] ^= 1;
        var result = node.Service.Publish(signed, bundle.Encode());
        Assert.Equal(PublishRefusal.BadSignature, result.Reason);
        Assert.Null(node.Service.Resolve(ProgramRef.ByName(node.Publisher.Key, "web")));
        Assert.False(node.Service.Store.HasProgram(bundle.Hash));
    }

    [Fact]
    public void RecordSignedByAnotherKeyIsRefused()
    {
        using var node = new TestNode();
        using var mallory = Publisher.Generate();
        var bundle = TestPrograms.Load("web1");
        var honest = new PublicationRecord(node.Publisher.Key, "web", bundle.Hash, 1);
        // Mallory signs a record that claims to be the node's publisher's.
        var body = honest.Encode();
        var forged = new SignedRecordBuilder(body, mallory.Sign(SignedRecordBuilder.Message(body))).Encode();
        var result = node.Service.Publish(forged, bundle.Encode());
        Assert.Equal(PublishRefusal.BadSignature, result.Reason);
        Assert.Throws<ArgumentException>(() => honest.Sign(mallory));
    }

    [Fact]
    public void ReplayedAndLowerSequencesAreRefused()
    {
        using var node = new TestNode();
        var v1 = TestPrograms.Load("web1");
        var v2 = TestPrograms.Load("web2");
        var first = new PublicationRecord(node.Publisher.Key, "web", v1.Hash, 5).Sign(node.Publisher).Encode();
        Assert.Equal(PublishStatus.Published, node.Service.Publish(first, v1.Encode()).Status);
        // The same record again changes nothing.
        Assert.Equal(PublishStatus.AlreadyPublished, node.Service.Publish(first, v1.Encode()).Status);
        var second = new PublicationRecord(node.Publisher.Key, "web", v2.Hash, 6).Sign(node.Publisher).Encode();
        Assert.Equal(PublishStatus.Published, node.Service.Publish(second, v2.Encode()).Status);
        // Replaying the older record, or a new one with a sequence not above 6, is refused.
        var replay = node.Service.Publish(first, v1.Encode());
        Assert.Equal(PublishRefusal.StaleSequence, replay.Reason);
        Assert.Contains("at sequence 6", replay.Message);
        var same = new PublicationRecord(node.Publisher.Key, "web", v1.Hash, 6).Sign(node.Publisher).Encode();
        Assert.Equal(PublishRefusal.StaleSequence, node.Service.Publish(same, []).Reason);
        Assert.Equal(v2.Hash, node.Service.Resolve(ProgramRef.ByName(node.Publisher.Key, "web"))!.Program);
    }

    [Fact]
    public void MalformedNamesAreRefused()
    {
        using var publisher = Publisher.Generate();
        Assert.Throws<ArgumentException>(() => new PublicationRecord(publisher.Key, "../../etc", SomeProgram, 1));
        // A record encoded by hand with a bad name, properly signed, is still refused.
        var w = new CborWriter(CborConformanceMode.Canonical);
        w.WriteStartMap(5);
        w.WriteInt32(0);
        w.WriteInt32(1);
        w.WriteInt32(1);
        w.WriteByteString(publisher.Key.Bytes);
        w.WriteInt32(2);
        w.WriteTextString("Bad/Name");
        w.WriteInt32(3);
        w.WriteByteString(SomeProgram.ToArray());
        w.WriteInt32(4);
        w.WriteInt64(1);
        w.WriteEndMap();
        var body = w.Encode();
        var signed = new SignedRecordBuilder(body, publisher.Sign(SignedRecordBuilder.Message(body))).Encode();
        var e = Assert.Throws<RecordException>(() => SignedRecord.Decode(signed));
        Assert.Contains("lowercase letters, digits and hyphens", e.Message);
        using var node = new TestNode();
        Assert.Equal(PublishRefusal.MalformedRecord, node.Service.Publish(signed, []).Reason);
    }

    [Fact]
    public void NonCanonicalAndMalformedEncodingsAreRefused()
    {
        using var publisher = Publisher.Generate();
        var good = new PublicationRecord(publisher.Key, "site", SomeProgram, 1).Sign(publisher).Encode();
        Assert.Throws<RecordException>(() => SignedRecord.Decode([]));
        Assert.Throws<RecordException>(() => SignedRecord.Decode(good[..^1]));
        Assert.Throws<RecordException>(() => SignedRecord.Decode([.. good, 0]));
        Assert.Throws<RecordException>(() => SignedRecord.Decode(new byte[600]));
        var random = new Random(7);
        for (int i = 0; i < 2000; i++)
        {
            var bytes = (byte[])good.Clone();
            bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            try
            {
                var decoded = SignedRecord.Decode(bytes);
                // A flip that still decodes must break the signature (it landed in the record or the signature).
                Assert.False(decoded.VerifySignature() && !bytes.AsSpan().SequenceEqual(good));
            }
            catch (RecordException)
            {
            }
        }
    }

    [Fact]
    public void RollbackPointsTheNameAtAnOlderVersion()
    {
        using var node = new TestNode();
        var v1 = TestPrograms.Load("web1");
        var v2 = TestPrograms.Load("web2");
        node.Publish("web", v1);
        node.Publish("web", v2);
        // Sequence 3 points back at version 1: no bundle needed, the node has it.
        var rollback = new PublicationRecord(node.Publisher.Key, "web", v1.Hash, 3).Sign(node.Publisher);
        Assert.Equal(PublishStatus.Published, node.Service.Publish(rollback.Encode(), []).Status);
        Assert.Equal(v1.Hash, node.Service.Resolve(ProgramRef.ByName(node.Publisher.Key, "web"))!.Program);
        var history = node.Service.ListVersions(node.Publisher.Key.Id, "web");
        Assert.Equal([3L, 2L, 1L], history.Select(v => v.Sequence));
        Assert.Equal([v1.Hash, v2.Hash, v1.Hash], history.Select(v => v.Program));
        // Every version stays runnable by its hash.
        Assert.NotNull(node.Service.Resolve(ProgramRef.ByHash(v2.Hash)));
        // A record for a program the node never received needs its bundle.
        var unknown = new PublicationRecord(node.Publisher.Key, "web", SomeProgram, 4).Sign(node.Publisher);
        Assert.Equal(PublishRefusal.MissingBundle, node.Service.Publish(unknown.Encode(), []).Reason);
    }

    [Fact]
    public void BundleMustMatchTheRecord()
    {
        using var node = new TestNode();
        var v1 = TestPrograms.Load("web1");
        var v2 = TestPrograms.Load("web2");
        var record = new PublicationRecord(node.Publisher.Key, "web", v1.Hash, 1).Sign(node.Publisher).Encode();
        Assert.Equal(PublishRefusal.BundleMismatch, node.Service.Publish(record, v2.Encode()).Reason);
        Assert.Equal(PublishRefusal.BadBundle, node.Service.Publish(record, [1, 2, 3]).Reason);
        Assert.False(node.Service.Store.HasProgram(v1.Hash));
        Assert.False(node.Service.Store.HasProgram(v2.Hash));
    }

    /// <summary>Writes a signed record's wire form around any body and signature, as an attacker could.</summary>
    private sealed class SignedRecordBuilder(byte[] body, byte[] signature)
    {
        public static byte[] Message(byte[] body) => [.. "coputer-record-v1\0"u8.ToArray(), .. body];

        public byte[] Encode()
        {
            var w = new CborWriter(CborConformanceMode.Canonical);
            w.WriteStartArray(2);
            w.WriteByteString(body);
            w.WriteByteString(signature);
            w.WriteEndArray();
            return w.Encode();
        }
    }
}

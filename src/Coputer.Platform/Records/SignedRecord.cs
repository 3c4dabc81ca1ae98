using System.Formats.Cbor;

namespace Coputer.Platform.Records;

/// <summary>
/// A publication record with its publisher's Ed25519 signature. On the wire it is a CBOR array of the record's
/// canonical encoding (a byte string) and the 64-byte signature, which covers the ASCII tag
/// <c>coputer-record-v1</c>, a NUL and the record's encoding. Decoding checks the structure; call
/// <see cref="VerifySignature"/> before trusting it (the store does, before storing anything).
/// </summary>
public sealed class SignedRecord
{
    /// <summary>The most bytes a signed record may have on the wire.</summary>
    public const int MaxEncodedLength = 512;

    private readonly byte[] _body;
    private readonly byte[] _signature;

    internal SignedRecord(PublicationRecord record, byte[] body, byte[] signature)
    {
        Record = record;
        _body = body;
        _signature = signature;
    }

    /// <summary>The record.</summary>
    public PublicationRecord Record { get; }

    /// <summary>The signature (64 bytes).</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>Whether the signature is the record's publisher's signature of this record.</summary>
    public bool VerifySignature() => Record.Publisher.Verify(SignedMessage(_body), _signature);

    /// <summary>The wire form.</summary>
    public byte[] Encode()
    {
        var w = new CborWriter(CborConformanceMode.Canonical);
        w.WriteStartArray(2);
        w.WriteByteString(_body);
        w.WriteByteString(_signature);
        w.WriteEndArray();
        return w.Encode();
    }

    /// <summary>Decodes the wire form, refusing anything malformed, non-canonical or over the size cap.</summary>
    /// <exception cref="RecordException">The bytes are not a well-formed signed record; the message says why.</exception>
    public static SignedRecord Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length == 0)
            throw new RecordException("empty record");
        if (encoded.Length > MaxEncodedLength)
            throw new RecordException($"a signed record has at most {MaxEncodedLength} bytes, this one {encoded.Length}");
        try
        {
            var r = new CborReader(encoded.ToArray(), CborConformanceMode.Canonical);
            if (r.ReadStartArray() != 2)
                throw new RecordException("a signed record is an array of the record and its signature");
            var body = r.ReadByteString();
            var signature = r.ReadByteString();
            r.ReadEndArray();
            if (r.BytesRemaining != 0)
                throw new RecordException("extra bytes after the signed record");
            if (signature.Length != 64)
                throw new RecordException($"an Ed25519 signature has 64 bytes, this one {signature.Length}");
            return new SignedRecord(PublicationRecord.Decode(body), body, signature);
        }
        catch (CborContentException e)
        {
            throw new RecordException($"malformed record: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            throw new RecordException($"malformed record: {e.Message}");
        }
    }

    internal static byte[] SignedMessage(ReadOnlySpan<byte> body)
    {
        var tag = "coputer-record-v1\0"u8;
        var message = new byte[tag.Length + body.Length];
        tag.CopyTo(message);
        body.CopyTo(message.AsSpan(tag.Length));
        return message;
    }

    public override string ToString() => Record.ToString();
}

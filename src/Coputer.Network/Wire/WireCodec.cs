using System.Text;
using Coputer.Platform;

namespace Coputer.Network.Wire;

/// <summary>
/// The binary schema of wire messages: <c>version:u8 ‖ type:u8 ‖ fields</c>. Decoding treats input as
/// untrusted: every length is checked against the remaining bytes and a cap, booleans are 0 or 1, addresses
/// are printable ASCII, and trailing bytes are refused, so one message has exactly one encoding.
/// </summary>
public static class WireCodec
{
    public const byte Version = 1;
    public const int MaxMessageSize = 8 * 1024;
    public const int MaxAddressLength = 255;
    public const int MaxPeersPerMessage = 32;
    public const int MaxPayloadSize = 1024;
    public const int MaxIdsPerMessage = 64;

    private enum MessageType : byte
    {
        Join = 1,
        ForwardJoin = 2,
        Neighbor = 3,
        NeighborReply = 4,
        Disconnect = 5,
        Shuffle = 6,
        ShuffleReply = 7,
        Gossip = 8,
        IHave = 9,
        Graft = 10,
        Prune = 11,
        Replicate = 12,
        Stored = 13,
        Ping = 14,
        Pong = 15,
        FindNode = 16,
        FindValue = 17,
        FoundNodes = 18,
        FoundValue = 19,
        PutRecord = 20,
        Offer = 21,
    }

    public static byte[] Encode(WireMessage message)
    {
        // version, type and sender lead every message; the type's own fields follow.
        var type = message switch
        {
            Join => MessageType.Join,
            ForwardJoin => MessageType.ForwardJoin,
            Neighbor => MessageType.Neighbor,
            NeighborReply => MessageType.NeighborReply,
            Disconnect => MessageType.Disconnect,
            Shuffle => MessageType.Shuffle,
            ShuffleReply => MessageType.ShuffleReply,
            Gossip => MessageType.Gossip,
            IHave => MessageType.IHave,
            Graft => MessageType.Graft,
            Prune => MessageType.Prune,
            Replicate => MessageType.Replicate,
            Stored => MessageType.Stored,
            Ping => MessageType.Ping,
            Pong => MessageType.Pong,
            FindNode => MessageType.FindNode,
            FindValue => MessageType.FindValue,
            FoundNodes => MessageType.FoundNodes,
            FoundValue => MessageType.FoundValue,
            PutRecord => MessageType.PutRecord,
            Offer => MessageType.Offer,
            _ => throw new ArgumentException($"no wire encoding for {message.GetType().Name}", nameof(message)),
        };
        var output = new List<byte>(128) { Version, (byte)type };
        WritePeer(output, message.Sender);
        switch (message)
        {
            case ForwardJoin m:
                WritePeer(output, m.Joiner);
                output.Add(m.TimeToLive);
                break;
            case Neighbor m:
                output.Add(m.HighPriority ? (byte)1 : (byte)0);
                break;
            case NeighborReply m:
                output.Add(m.Accepted ? (byte)1 : (byte)0);
                break;
            case Shuffle m:
                WritePeer(output, m.Origin);
                output.Add(m.TimeToLive);
                WritePeers(output, m.Peers);
                break;
            case ShuffleReply m:
                WritePeers(output, m.Peers);
                break;
            case Gossip m:
                WritePayload(output, m.Payload);
                output.Add(m.Round);
                break;
            case Replicate m:
                WritePayload(output, m.Content);
                break;
            case Stored m:
                output.AddRange(m.Id.ToArray());
                break;
            case Offer m:
                output.AddRange(m.Id.ToArray());
                break;
            case IHave m:
                if (m.Ids.Count is 0 or > MaxIdsPerMessage)
                    throw new ArgumentException($"an announcement carries 1 to {MaxIdsPerMessage} ids, not {m.Ids.Count}", nameof(message));
                output.Add(m.Round);
                output.Add((byte)m.Ids.Count);
                foreach (var id in m.Ids)
                    output.AddRange(id.ToArray());
                break;
            case Graft m:
                output.AddRange(m.Id.ToArray());
                output.Add(m.Round);
                break;
            case Ping m:
                WriteRequestId(output, m.RequestId);
                break;
            case Pong m:
                WriteRequestId(output, m.RequestId);
                break;
            case FindNode m:
                WriteRequestId(output, m.RequestId);
                output.AddRange(m.Target.ToArray());
                break;
            case FindValue m:
                WriteRequestId(output, m.RequestId);
                output.AddRange(m.Key.ToArray());
                break;
            case FoundNodes m:
                WriteRequestId(output, m.RequestId);
                WritePeers(output, m.Peers);
                break;
            case FoundValue m:
                WriteRequestId(output, m.RequestId);
                output.AddRange(m.Key.ToArray());
                output.Add(m.Payload is null ? (byte)0 : (byte)1);
                if (m.Payload is not null)
                    WritePayload(output, m.Payload);
                break;
            case PutRecord m:
                WritePayload(output, m.Payload);
                break;
        }
        if (output.Count > MaxMessageSize)
        {
            throw new ArgumentException($"message of {output.Count} bytes exceeds the {MaxMessageSize}-byte cap", nameof(message));
        }
        return [.. output];
    }

    public static WireMessage Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxMessageSize)
        {
            throw new WireFormatException($"message of {data.Length} bytes exceeds the {MaxMessageSize}-byte cap", 0);
        }
        var reader = new Reader(data);
        var version = reader.Byte("version");
        if (version != Version)
        {
            throw new WireFormatException($"unsupported wire version {version}", 0);
        }
        var type = reader.Byte("message type");
        WireMessage message = (MessageType)type switch
        {
            MessageType.Join => new Join(reader.Peer()),
            MessageType.ForwardJoin => new ForwardJoin(reader.Peer(), reader.Peer(), reader.Byte("time to live")),
            MessageType.Neighbor => new Neighbor(reader.Peer(), reader.Bool("priority")),
            MessageType.NeighborReply => new NeighborReply(reader.Peer(), reader.Bool("accepted")),
            MessageType.Disconnect => new Disconnect(reader.Peer()),
            MessageType.Shuffle => new Shuffle(reader.Peer(), reader.Peer(), reader.Byte("time to live"), reader.Peers()),
            MessageType.ShuffleReply => new ShuffleReply(reader.Peer(), reader.Peers()),
            MessageType.Gossip => new Gossip(reader.Peer(), reader.Payload(), reader.Byte("round")),
            MessageType.IHave => new IHave(reader.Peer(), reader.Byte("round"), reader.Ids()),
            MessageType.Graft => new Graft(reader.Peer(), reader.Hash("message id"), reader.Byte("round")),
            MessageType.Prune => new Prune(reader.Peer()),
            MessageType.Replicate => new Replicate(reader.Peer(), reader.Payload()),
            MessageType.Stored => new Stored(reader.Peer(), reader.Hash("content id")),
            MessageType.Ping => new Ping(reader.Peer(), reader.UInt64("request id")),
            MessageType.Pong => new Pong(reader.Peer(), reader.UInt64("request id")),
            MessageType.FindNode => new FindNode(reader.Peer(), reader.UInt64("request id"), reader.Hash("target")),
            MessageType.FindValue => new FindValue(reader.Peer(), reader.UInt64("request id"), reader.Hash("key")),
            MessageType.FoundNodes => new FoundNodes(reader.Peer(), reader.UInt64("request id"), reader.Peers()),
            MessageType.FoundValue => new FoundValue(reader.Peer(), reader.UInt64("request id"), reader.Hash("key"), reader.Bool("payload flag") ? reader.Payload() : null),
            MessageType.PutRecord => new PutRecord(reader.Peer(), reader.Payload()),
            MessageType.Offer => new Offer(reader.Peer(), reader.Hash("content id")),
            _ => throw new WireFormatException($"unknown message type {type}", 1),
        };
        reader.End();
        return message;
    }

    private static void WritePeer(List<byte> output, PeerInfo peer)
    {
        if (!IsValidAddress(peer.Address))
        {
            throw new ArgumentException($"invalid peer address '{peer.Address}'", nameof(peer));
        }
        output.AddRange(peer.Id.Hash.ToArray());
        output.Add((byte)peer.Address.Length);
        output.AddRange(Encoding.ASCII.GetBytes(peer.Address));
    }

    private static void WriteRequestId(List<byte> output, ulong id)
    {
        for (var shift = 56; shift >= 0; shift -= 8)
            output.Add((byte)(id >> shift));
    }

    private static void WritePayload(List<byte> output, byte[] payload)
    {
        if (payload.Length is 0 or > MaxPayloadSize)
            throw new ArgumentException($"a payload has 1 to {MaxPayloadSize} bytes, not {payload.Length}", nameof(payload));
        output.Add((byte)(payload.Length >> 8));
        output.Add((byte)payload.Length);
        output.AddRange(payload);
    }

    private static void WritePeers(List<byte> output, IReadOnlyList<PeerInfo> peers)
    {
        if (peers.Count > MaxPeersPerMessage)
        {
            throw new ArgumentException($"{peers.Count} peers exceed the {MaxPeersPerMessage}-peer cap", nameof(peers));
        }
        output.Add((byte)peers.Count);
        foreach (var peer in peers)
        {
            WritePeer(output, peer);
        }
    }

    /// <summary>An address is 1 to 255 printable ASCII characters without spaces (host:port).</summary>
    public static bool IsValidAddress(string address)
    {
        if (address.Length is 0 or > MaxAddressLength)
        {
            return false;
        }
        foreach (var c in address)
        {
            if (!IsAddressCharacter(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Printable ASCII other than the space.</summary>
    private static bool IsAddressCharacter(int c) => c is > ' ' and <= '~';

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _offset;

        public byte Byte(string what)
        {
            if (_offset >= _data.Length)
            {
                throw new WireFormatException($"message ends before its {what}", _offset);
            }
            return _data[_offset++];
        }

        public ulong UInt64(string what)
        {
            if (_data.Length - _offset < sizeof(ulong))
                throw new WireFormatException($"message ends inside its {what}", _offset);
            var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(_data.Slice(_offset, sizeof(ulong)));
            _offset += sizeof(ulong);
            return value;
        }

        public bool Bool(string what)
        {
            var at = _offset;
            return Byte(what) switch
            {
                0 => false,
                1 => true,
                var b => throw new WireFormatException($"{what} flag must be 0 or 1, not {b}", at),
            };
        }

        public PeerInfo Peer()
        {
            if (_data.Length - _offset < Hash256.Size)
            {
                throw new WireFormatException("message ends inside a node id", _offset);
            }
            var id = new NodeId(new Hash256(_data.Slice(_offset, Hash256.Size)));
            _offset += Hash256.Size;
            var lengthAt = _offset;
            int length = Byte("address length");
            if (length == 0)
            {
                throw new WireFormatException("empty peer address", lengthAt);
            }
            if (_data.Length - _offset < length)
            {
                throw new WireFormatException($"address of {length} bytes runs past the end", lengthAt);
            }
            var bytes = _data.Slice(_offset, length);
            for (var i = 0; i < bytes.Length; i++)
            {
                if (!IsAddressCharacter(bytes[i]))
                {
                    throw new WireFormatException("peer address must be printable ASCII without spaces", _offset + i);
                }
            }
            _offset += length;
            return new PeerInfo(id, Encoding.ASCII.GetString(bytes));
        }

        public Hash256 Hash(string what)
        {
            if (_data.Length - _offset < Hash256.Size)
                throw new WireFormatException($"message ends inside a {what}", _offset);
            var hash = new Hash256(_data.Slice(_offset, Hash256.Size));
            _offset += Hash256.Size;
            return hash;
        }

        public byte[] Payload()
        {
            var lengthAt = _offset;
            var length = Byte("payload length") << 8;
            length |= Byte("payload length");
            if (length is 0 or > MaxPayloadSize)
                throw new WireFormatException($"a payload has 1 to {MaxPayloadSize} bytes, not {length}", lengthAt);
            if (_data.Length - _offset < length)
                throw new WireFormatException($"payload of {length} bytes runs past the end", lengthAt);
            var payload = _data.Slice(_offset, length).ToArray();
            _offset += length;
            return payload;
        }

        public IReadOnlyList<Hash256> Ids()
        {
            var countAt = _offset;
            int count = Byte("id count");
            if (count is 0 or > MaxIdsPerMessage)
                throw new WireFormatException($"an announcement carries 1 to {MaxIdsPerMessage} ids, not {count}", countAt);
            var ids = new Hash256[count];
            for (var i = 0; i < count; i++)
                ids[i] = Hash("message id");
            return ids;
        }

        public IReadOnlyList<PeerInfo> Peers()
        {
            var countAt = _offset;
            int count = Byte("peer count");
            if (count > MaxPeersPerMessage)
            {
                throw new WireFormatException($"{count} peers exceed the {MaxPeersPerMessage}-peer cap", countAt);
            }
            var peers = new PeerInfo[count];
            for (var i = 0; i < count; i++)
            {
                peers[i] = Peer();
            }
            return peers;
        }

        public readonly void End()
        {
            if (_offset != _data.Length)
            {
                throw new WireFormatException($"{_data.Length - _offset} trailing bytes after the message", _offset);
            }
        }
    }
}

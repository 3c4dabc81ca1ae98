using Coputer.Network.Wire;
using Coputer.Platform;

namespace Coputer.Network.Tests;

public class WireCodecTests
{
    private static PeerInfo Peer(int n) =>
        new(new NodeId(Hash256.Of(BitConverter.GetBytes(n))), $"127.0.0.{n % 250 + 1}:{7000 + n}");

    private static readonly WireMessage[] s_samples =
    [
        new Join(Peer(1)),
        new ForwardJoin(Peer(1), Peer(2), 6),
        new Neighbor(Peer(3), true),
        new NeighborReply(Peer(4), false),
        new Disconnect(Peer(5)),
        new Shuffle(Peer(6), Peer(7), 3, [Peer(8), Peer(9), Peer(10)]),
        new ShuffleReply(Peer(11), []),
        new Gossip(Peer(12), [1, 2, 3, 4, 5], 7),
        new IHave(Peer(13), 2, [Hash256.Of([1]), Hash256.Of([2])]),
        new Graft(Peer(14), Hash256.Of([3]), 9),
        new Prune(Peer(15)),
        new Replicate(Peer(16), [9, 8, 7]),
        new Stored(Peer(17), Hash256.Of([4])),
        new Ping(Peer(18), 1),
        new Pong(Peer(19), ulong.MaxValue),
        new FindNode(Peer(20), 77, Hash256.Of([5])),
        new FindValue(Peer(21), 78, Hash256.Of([6])),
        new FoundNodes(Peer(22), 79, [.. Enumerable.Range(30, 20).Select(Peer)]),
        new FoundNodes(Peer(23), 80, []),
        new FoundValue(Peer(24), 81, Hash256.Of([7]), [1, 2, 3]),
        new FoundValue(Peer(25), 82, Hash256.Of([8]), null),
        new PutRecord(Peer(26), [4, 5, 6]),
        new Offer(Peer(27), Hash256.Of([5])),
    ];

    public static TheoryData<WireMessage> Samples() => [.. s_samples];

    [Theory]
    [MemberData(nameof(Samples))]
    public void EveryMessageRoundTrips(WireMessage message)
    {
        var bytes = WireCodec.Encode(message);
        var decoded = WireCodec.Decode(bytes);
        Assert.Equal(message.GetType(), decoded.GetType());
        Assert.Equal(bytes, WireCodec.Encode(decoded));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void EveryTruncationIsRefusedWithItsOffset(WireMessage message)
    {
        var bytes = WireCodec.Encode(message);
        for (var length = 0; length < bytes.Length; length++)
        {
            var error = Assert.Throws<WireFormatException>(() => WireCodec.Decode(bytes.AsSpan(0, length)));
            Assert.InRange(error.Offset, 0, length);
        }
    }

    [Fact]
    public void StrictFieldsAreRefused()
    {
        var neighbor = WireCodec.Encode(new Neighbor(Peer(1), true));
        neighbor[^1] = 2;
        Assert.Contains("must be 0 or 1", Assert.Throws<WireFormatException>(() => WireCodec.Decode(neighbor)).Message);

        var join = WireCodec.Encode(new Join(Peer(1)));
        Assert.Contains("trailing", Assert.Throws<WireFormatException>(() => WireCodec.Decode([.. join, 0])).Message);

        join[0] = 9;
        Assert.Contains("version", Assert.Throws<WireFormatException>(() => WireCodec.Decode(join)).Message);

        var shuffle = WireCodec.Encode(new ShuffleReply(Peer(1), []));
        shuffle[^1] = WireCodec.MaxPeersPerMessage + 1;
        Assert.Contains("cap", Assert.Throws<WireFormatException>(() => WireCodec.Decode(shuffle)).Message);

        var announcement = WireCodec.Encode(new IHave(Peer(1), 0, [Hash256.Of([1])]));
        announcement[^(Hash256.Size + 1)] = 0;
        Assert.Contains("1 to", Assert.Throws<WireFormatException>(() => WireCodec.Decode(announcement[..^Hash256.Size])).Message);

        var gossip = WireCodec.Encode(new Gossip(Peer(1), [1, 2], 0));
        gossip[^5] = 0xFF; // payload length high byte: far over the cap
        Assert.Contains("1 to", Assert.Throws<WireFormatException>(() => WireCodec.Decode(gossip)).Message);
        Assert.Throws<ArgumentException>(() => WireCodec.Encode(new Gossip(Peer(1), [], 0)));
        Assert.Throws<ArgumentException>(() => WireCodec.Encode(new Gossip(Peer(1), new byte[WireCodec.MaxPayloadSize + 1], 0)));

        var found = WireCodec.Encode(new FoundValue(Peer(1), 5, Hash256.Of([1]), null));
        found[^1] = 2;
        Assert.Contains("must be 0 or 1", Assert.Throws<WireFormatException>(() => WireCodec.Decode(found)).Message);
        found[^1] = 1; // says a payload follows, but none does
        Assert.Throws<WireFormatException>(() => WireCodec.Decode(found));
        var nodes = WireCodec.Encode(new FoundNodes(Peer(1), 5, []));
        nodes[^1] = WireCodec.MaxPeersPerMessage + 1;
        Assert.Contains("cap", Assert.Throws<WireFormatException>(() => WireCodec.Decode(nodes)).Message);
        Assert.Throws<ArgumentException>(() => WireCodec.Encode(new FoundNodes(Peer(1), 5, [.. Enumerable.Range(0, WireCodec.MaxPeersPerMessage + 1).Select(Peer)])));
        Assert.Throws<ArgumentException>(() => WireCodec.Encode(new PutRecord(Peer(1), [])));

        Assert.Throws<WireFormatException>(() => WireCodec.Decode(new byte[WireCodec.MaxMessageSize + 1]));
        Assert.Throws<ArgumentException>(() => WireCodec.Encode(new Join(new PeerInfo(Peer(1).Id, "bad address"))));
    }

    /// <summary>Seeded random and mutated inputs: each either decodes to a message that re-encodes identically or is refused with a located error.</summary>
    [Fact]
    public void FuzzedInputsNeverCrash()
    {
        var random = new Random(1010);
        var seeds = s_samples.Select(WireCodec.Encode).ToArray();
        int decoded = 0, refused = 0;
        for (var i = 0; i < 20_000; i++)
        {
            byte[] input;
            if (i % 4 == 0)
            {
                input = new byte[random.Next(0, 300)];
                random.NextBytes(input);
                if (input.Length > 1)
                {
                    input[0] = WireCodec.Version;
                    input[1] = (byte)random.Next(0, 23);
                }
            }
            else
            {
                input = [.. seeds[random.Next(seeds.Length)]];
                for (var flips = random.Next(1, 4); flips > 0 && input.Length > 0; flips--)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }
                if (random.Next(4) == 0)
                {
                    input = input[..random.Next(input.Length + 1)];
                }
            }
            try
            {
                var message = WireCodec.Decode(input);
                Assert.Equal(input, WireCodec.Encode(message));
                decoded++;
            }
            catch (WireFormatException error)
            {
                Assert.InRange(error.Offset, 0, input.Length);
                refused++;
            }
        }
        Assert.True(decoded > 100 && refused > 100, $"decoded {decoded}, refused {refused}");
    }
}

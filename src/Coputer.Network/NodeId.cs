using Coputer.Platform;
using Coputer.Platform.Identity;
using NSec.Cryptography;

namespace Coputer.Network;

/// <summary>A node's identity on the network: the SHA3-256 hash of its Ed25519 public key.</summary>
public readonly record struct NodeId(Hash256 Hash) : IComparable<NodeId>
{
    public const int PublicKeySize = 32;

    /// <summary>The id of the node holding the given raw Ed25519 public key.</summary>
    public static NodeId FromPublicKey(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != PublicKeySize)
        {
            throw new ArgumentException($"an Ed25519 public key is {PublicKeySize} bytes, not {publicKey.Length}", nameof(publicKey));
        }
        return new NodeId(Hash256.Of(publicKey));
    }

    public int CompareTo(NodeId other) => Hash.CompareTo(other.Hash);

    public override string ToString() => Hash.ToString()[..16];
}

/// <summary>
/// A node's Ed25519 key pair and the id derived from it. The key is a platform <see cref="Publisher"/> key (the same
/// NSec Ed25519 key and key file format), so a node's key is kept on disk like a publisher's.
/// </summary>
public sealed class NodeIdentity : IDisposable
{
    private readonly Publisher _key;

    public NodeIdentity(Publisher key)
    {
        _key = key;
        PublicKey = key.Key.Bytes.ToArray();
        Id = NodeId.FromPublicKey(PublicKey);
    }

    public NodeId Id { get; }

    public byte[] PublicKey { get; }

    public static NodeIdentity Generate() => new(Publisher.Generate());

    /// <summary>The identity kept in <paramref name="path"/> (a key file), created there first if it does not exist.</summary>
    public static NodeIdentity LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            using var fresh = Publisher.Generate();
            KeyFile.Write(path, fresh);
        }
        return new NodeIdentity(KeyFile.Read(path));
    }

    public byte[] Sign(ReadOnlySpan<byte> data) => _key.Sign(data);

    /// <summary>Checks an Ed25519 signature by the holder of <paramref name="publicKey"/>.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != NodeId.PublicKeySize || signature.Length != SignatureAlgorithm.Ed25519.SignatureSize)
        {
            return false;
        }
        if (!NSec.Cryptography.PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var key) || key is null)
        {
            return false;
        }
        return SignatureAlgorithm.Ed25519.Verify(key, data, signature);
    }

    public void Dispose() => _key.Dispose();
}

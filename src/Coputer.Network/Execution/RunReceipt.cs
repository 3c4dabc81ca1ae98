using System.Buffers.Binary;
using System.Text;
using Coputer.Platform;

namespace Coputer.Network.Execution;

/// <summary>
/// A runner's signed statement of one run: "runtime V, running program P on input I, produced output O in N
/// instructions". Binary form: <c>tag ‖ runner key (32) ‖ runtime length (u8) ‖ runtime (ASCII) ‖ program (32) ‖
/// input (32) ‖ output (32) ‖ instructions (u64 big-endian) ‖ signature (64)</c>; the Ed25519 signature covers
/// everything before it, including the tag <c>coputer-receipt-v1</c> and a NUL, so a receipt cannot pass for
/// any other signed object. Two receipts for one (program, input) with different outputs are a proof of a lie
/// (or of non-determinism) that anyone can check.
/// </summary>
public sealed class RunReceipt
{
    public const int MaxRuntimeLength = 64;
    private const int SignatureSize = 64;
    private static readonly byte[] s_tag = Encoding.ASCII.GetBytes("coputer-receipt-v1\0");

    private readonly byte[] _encoded;

    private RunReceipt(byte[] runnerKey, string runtime, Hash256 program, Hash256 input, Hash256 output, ulong instructions, byte[] encoded)
    {
        RunnerKey = runnerKey;
        Runner = NodeId.FromPublicKey(runnerKey);
        Runtime = runtime;
        Program = program;
        Input = input;
        Output = output;
        Instructions = instructions;
        _encoded = encoded;
    }

    public byte[] RunnerKey { get; }

    public NodeId Runner { get; }

    public string Runtime { get; }

    public Hash256 Program { get; }

    public Hash256 Input { get; }

    public Hash256 Output { get; }

    public ulong Instructions { get; }

    public byte[] Encode() => (byte[])_encoded.Clone();

    /// <summary>Signs a receipt with the runner's node key.</summary>
    public static RunReceipt Sign(NodeIdentity runner, string runtime, Hash256 program, Hash256 input, Hash256 output, ulong instructions)
    {
        if (runtime.Length is 0 or > MaxRuntimeLength || !runtime.All(c => c is > ' ' and <= '~'))
            throw new ArgumentException($"a runtime version is 1 to {MaxRuntimeLength} printable ASCII characters", nameof(runtime));
        var body = Body(runner.PublicKey, runtime, program, input, output, instructions);
        var encoded = new byte[body.Length + SignatureSize];
        body.CopyTo(encoded, 0);
        runner.Sign(body).CopyTo(encoded, body.Length);
        return new RunReceipt(runner.PublicKey, runtime, program, input, output, instructions, encoded);
    }

    /// <summary>Decodes a receipt and checks its signature; a clear error for anything else.</summary>
    /// <exception cref="FormatException">The bytes are not a validly signed receipt.</exception>
    public static RunReceipt Decode(ReadOnlySpan<byte> data)
    {
        var fixedSize = s_tag.Length + NodeId.PublicKeySize + 1 + 3 * Hash256.Size + 8 + SignatureSize;
        if (data.Length < fixedSize + 1 || data.Length > fixedSize + MaxRuntimeLength)
            throw new FormatException($"a receipt has {fixedSize + 1} to {fixedSize + MaxRuntimeLength} bytes, not {data.Length}");
        if (!data[..s_tag.Length].SequenceEqual(s_tag))
            throw new FormatException("not a receipt (wrong tag)");
        var at = s_tag.Length;
        var key = data.Slice(at, NodeId.PublicKeySize).ToArray();
        at += NodeId.PublicKeySize;
        int runtimeLength = data[at++];
        if (runtimeLength is 0 or > MaxRuntimeLength || data.Length != fixedSize + runtimeLength)
            throw new FormatException("the runtime version's length does not match the receipt's size");
        var runtimeBytes = data.Slice(at, runtimeLength);
        foreach (var b in runtimeBytes)
        {
            if (b is <= (byte)' ' or > (byte)'~')
                throw new FormatException("the runtime version must be printable ASCII");
        }
        var runtime = Encoding.ASCII.GetString(runtimeBytes);
        at += runtimeLength;
        var program = new Hash256(data.Slice(at, Hash256.Size));
        var input = new Hash256(data.Slice(at + Hash256.Size, Hash256.Size));
        var output = new Hash256(data.Slice(at + 2 * Hash256.Size, Hash256.Size));
        at += 3 * Hash256.Size;
        var instructions = BinaryPrimitives.ReadUInt64BigEndian(data.Slice(at, 8));
        at += 8;
        if (!NodeIdentity.Verify(key, data[..at], data[at..]))
            throw new FormatException("the receipt's signature does not verify");
        return new RunReceipt(key, runtime, program, input, output, instructions, data.ToArray());
    }

    private static byte[] Body(byte[] key, string runtime, Hash256 program, Hash256 input, Hash256 output, ulong instructions)
    {
        var body = new byte[s_tag.Length + key.Length + 1 + runtime.Length + 3 * Hash256.Size + 8];
        var at = 0;
        s_tag.CopyTo(body, at);
        at += s_tag.Length;
        key.CopyTo(body, at);
        at += key.Length;
        body[at++] = (byte)runtime.Length;
        Encoding.ASCII.GetBytes(runtime, body.AsSpan(at));
        at += runtime.Length;
        program.CopyTo(body.AsSpan(at));
        input.CopyTo(body.AsSpan(at + Hash256.Size));
        output.CopyTo(body.AsSpan(at + 2 * Hash256.Size));
        at += 3 * Hash256.Size;
        BinaryPrimitives.WriteUInt64BigEndian(body.AsSpan(at), instructions);
        return body;
    }
}

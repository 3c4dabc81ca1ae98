using Coputer.Network.Wire;
using Coputer.Platform;
using Coputer.Platform.Execution;
using Coputer.Platform.Runtime;

namespace Coputer.Network.Execution;

/// <summary>
/// A mismatch as it is spread between nodes: two signed receipts of different runners for one program, input and
/// runtime that give different outputs, and the request they answered, so that any node can re-run it and see
/// which runner lied. Binary form (version 1): <c>version ‖ receipt length u16 ‖ receipt ‖ receipt length u16 ‖
/// receipt ‖ request</c> (a <see cref="RunWire"/> request for the program by hash), decoded as untrusted input.
/// </summary>
public sealed record MismatchProof(Disagreement Disagreement, RunRequest Request)
{
    public const byte Version = 1;
    public const int MaxReceiptSize = 1024;
    public const int MaxSize = RunWire.MaxRequestSize + 2 * (MaxReceiptSize + 2) + 1;

    /// <summary>The id nodes remember a proof by (so each passes on a proof once).</summary>
    public Hash256 Id => Hash256.Of(Encode());

    /// <summary>The request as a web request (its input hash is the receipts' input).</summary>
    public WebRequest WebRequest => WebRequest.Create(Request.Method, Request.RequestTarget, Request.Headers, Request.Body);

    /// <summary>Makes the proof of <paramref name="disagreement"/> about <paramref name="request"/>.</summary>
    /// <exception cref="ArgumentException">The receipts do not disagree about that request.</exception>
    public static MismatchProof Create(Disagreement disagreement, RunRequest request)
    {
        var proof = new MismatchProof(disagreement, request with { Target = ProgramRef.ByHash(disagreement.First.Program) });
        if (proof.Problem() is { } problem)
            throw new ArgumentException(problem, nameof(disagreement));
        return proof;
    }

    public byte[] Encode()
    {
        var first = Disagreement.First.Encode();
        var second = Disagreement.Second.Encode();
        var request = RunWire.Encode(Request);
        var output = new byte[1 + 2 + first.Length + 2 + second.Length + request.Length];
        int at = 0;
        output[at++] = Version;
        foreach (var receipt in new[] { first, second })
        {
            output[at++] = (byte)(receipt.Length >> 8);
            output[at++] = (byte)receipt.Length;
            receipt.CopyTo(output, at);
            at += receipt.Length;
        }
        request.CopyTo(output, at);
        return output;
    }

    /// <summary>
    /// Decodes a proof and checks it: both receipts' signatures, that they are of two runners for one program,
    /// input and runtime with different outputs, and that the request is that input for that program.
    /// </summary>
    /// <exception cref="WireFormatException">The bytes are not a valid proof.</exception>
    public static MismatchProof Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxSize)
            throw new WireFormatException($"a proof over {MaxSize} bytes", 0);
        if (data.Length < 1 || data[0] != Version)
            throw new WireFormatException("unknown proof version", 0);
        int at = 1;
        var receipts = new RunReceipt[2];
        for (int i = 0; i < 2; i++)
        {
            if (data.Length - at < 2)
                throw new WireFormatException("a receipt's length expected", at);
            int length = data[at] << 8 | data[at + 1];
            if (length is 0 or > MaxReceiptSize || length > data.Length - at - 2)
                throw new WireFormatException("a receipt's length out of range", at);
            try
            {
                receipts[i] = RunReceipt.Decode(data.Slice(at + 2, length));
            }
            catch (FormatException e)
            {
                throw new WireFormatException("bad receipt: " + e.Message, at + 2);
            }
            at += 2 + length;
        }
        RunRequest request;
        try
        {
            request = RunWire.DecodeRequest(data[at..]);
        }
        catch (WireFormatException e)
        {
            throw new WireFormatException("bad request: " + e.Message, at + e.Offset);
        }
        var proof = new MismatchProof(new Disagreement(receipts[0], receipts[1]), request);
        if (proof.Problem() is { } problem)
            throw new WireFormatException(problem, at);
        return proof;
    }

    private string? Problem()
    {
        if (!Disagreement.IsValid)
            return "the receipts are not of two runners disagreeing about one run";
        if (!Request.Target.IsHash || Request.Target.Hash != Disagreement.First.Program)
            return "the request is not for the receipts' program";
        WebRequest web;
        try
        {
            web = WebRequest;
        }
        catch (ArgumentException e)
        {
            return "the request is not a web request: " + e.Message;
        }
        return web.InputHash == Disagreement.First.Input ? null : "the request is not the receipts' input";
    }
}

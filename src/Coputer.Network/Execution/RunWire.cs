using System.Buffers.Binary;
using System.Text;
using Coputer.Network.Wire;
using Coputer.Platform;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;

namespace Coputer.Network.Execution;

/// <summary>A forwarded run: the program (by hash, or by publisher and name) and the HTTP request it answers.</summary>
public sealed record RunRequest(ProgramRef Target, string Method, string RequestTarget, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body);

/// <summary>The answer to a forwarded run: the runner's signed receipt, the record it resolved a name by (null for a hash), and the outcome's bytes.</summary>
public sealed record RunAnswer(byte[] Receipt, byte[]? Record, byte[] Result);

/// <summary>
/// The binary forms of forwarded runs (version 1), decoded as untrusted input: every length is checked against
/// the remaining bytes and a cap, text is checked, and trailing bytes are refused, so each message has one encoding.
/// Request: <c>version ‖ kind (0 hash, 1 name) ‖ hash (32) | publisher id (31 ASCII) ‖ name length u8 ‖ name ‖
/// method length u8 ‖ method ‖ target length u16 ‖ target ‖ header count u16 ‖ (name u16 ‖ value u16)* ‖ body length
/// u32 ‖ body</c>. Answer: <c>version ‖ receipt length u16 ‖ receipt ‖ record length u16 ‖ record ‖ result</c>.
/// </summary>
public static class RunWire
{
    public const byte Version = 1;
    public const int MaxRequestSize = (1 << 20) + 64 * 1024;
    public const int MaxAnswerSize = 8 << 20;
    public const int MaxHeaders = 100;
    public const int MaxTargetLength = 8 * 1024;
    public const int MaxHeaderLength = 8 * 1024;
    public const int MaxBodySize = 1 << 20;

    public static byte[] Encode(RunRequest request)
    {
        var output = new List<byte>(256 + request.Body.Length) { Version };
        if (request.Target.IsHash)
        {
            output.Add(0);
            output.AddRange(request.Target.Hash.ToArray());
        }
        else
        {
            output.Add(1);
            output.AddRange(Encoding.ASCII.GetBytes(request.Target.Publisher.ToString()));
            WriteText(output, request.Target.Name!, 1);
        }
        WriteText(output, request.Method, 1);
        WriteText(output, request.RequestTarget, 2);
        if (request.Headers.Count > MaxHeaders)
            throw new ArgumentException($"more than {MaxHeaders} headers", nameof(request));
        WriteU16(output, request.Headers.Count);
        foreach (var (name, value) in request.Headers)
        {
            WriteText(output, name, 2);
            WriteText(output, value, 2);
        }
        if (request.Body.Length > MaxBodySize)
            throw new ArgumentException($"a body over {MaxBodySize} bytes", nameof(request));
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)request.Body.Length);
        output.AddRange(length.ToArray());
        output.AddRange(request.Body);
        return [.. output];
    }

    public static RunRequest DecodeRequest(ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxRequestSize)
            throw new WireFormatException($"a run request over {MaxRequestSize} bytes", 0);
        var r = new Reader(data);
        if (r.Byte() != Version)
            throw new WireFormatException("unknown run request version", 0);
        ProgramRef target;
        int at = r.At;
        switch (r.Byte())
        {
            case 0:
                target = ProgramRef.ByHash(new Hash256(r.Bytes(Hash256.Size)));
                break;
            case 1:
                at = r.At;
                if (!PublisherId.TryParse(Encoding.ASCII.GetString(r.Bytes(PublisherId.TextLength)), out var publisher))
                    throw new WireFormatException("not a publisher id", at);
                at = r.At;
                string name = r.Text(1, ProgramName.MaxLength);
                if (ProgramName.Validate(name) is not null)
                    throw new WireFormatException("not a program name", at);
                target = ProgramRef.ByName(publisher, name);
                break;
            default:
                throw new WireFormatException("unknown target kind", at);
        }
        string method = r.Text(1, 32);
        at = r.At;
        if (method.Length == 0 || !method.All(c => c is >= 'A' and <= 'Z'))
            throw new WireFormatException("not a method", at);
        string requestTarget = r.Text(2, MaxTargetLength);
        int count = r.U16();
        if (count > MaxHeaders)
            throw new WireFormatException($"more than {MaxHeaders} headers", r.At - 2);
        var headers = new KeyValuePair<string, string>[count];
        for (int i = 0; i < count; i++)
            headers[i] = new(r.Text(2, MaxHeaderLength), r.Text(2, MaxHeaderLength));
        at = r.At;
        uint bodyLength = r.U32();
        if (bodyLength > MaxBodySize)
            throw new WireFormatException($"a body over {MaxBodySize} bytes", at);
        byte[] body = r.Bytes((int)bodyLength).ToArray();
        r.End();
        return new RunRequest(target, method, requestTarget, headers, body);
    }

    public static byte[] Encode(RunAnswer answer)
    {
        var output = new List<byte>(answer.Result.Length + answer.Receipt.Length + 300) { Version };
        WriteU16(output, answer.Receipt.Length);
        output.AddRange(answer.Receipt);
        WriteU16(output, answer.Record?.Length ?? 0);
        if (answer.Record is not null)
            output.AddRange(answer.Record);
        output.AddRange(answer.Result);
        return [.. output];
    }

    public static RunAnswer DecodeAnswer(ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxAnswerSize)
            throw new WireFormatException($"a run answer over {MaxAnswerSize} bytes", 0);
        var r = new Reader(data);
        if (r.Byte() != Version)
            throw new WireFormatException("unknown run answer version", 0);
        int at = r.At;
        int receiptLength = r.U16();
        if (receiptLength is 0 or > 1024)
            throw new WireFormatException("a receipt's length out of range", at);
        byte[] receipt = r.Bytes(receiptLength).ToArray();
        at = r.At;
        int recordLength = r.U16();
        if (recordLength > 1024)
            throw new WireFormatException("a record's length out of range", at);
        byte[]? record = recordLength == 0 ? null : r.Bytes(recordLength).ToArray();
        byte[] result = r.Rest().ToArray();
        if (result.Length == 0)
            throw new WireFormatException("no result", r.At);
        return new RunAnswer(receipt, record, result);
    }

    private static void WriteText(List<byte> output, string text, int lengthBytes)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        int max = lengthBytes == 1 ? byte.MaxValue : ushort.MaxValue;
        if (bytes.Length > max)
            throw new ArgumentException($"text over {max} bytes", nameof(text));
        if (lengthBytes == 1)
            output.Add((byte)bytes.Length);
        else
            WriteU16(output, bytes.Length);
        output.AddRange(bytes);
    }

    private static void WriteU16(List<byte> output, int value)
    {
        output.Add((byte)(value >> 8));
        output.Add((byte)value);
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private static readonly UTF8Encoding s_strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        private readonly ReadOnlySpan<byte> _data = data;

        public int At { get; private set; }

        public ReadOnlySpan<byte> Bytes(int n)
        {
            if (n < 0 || n > _data.Length - At)
                throw new WireFormatException($"{n} bytes expected, {_data.Length - At} left", At);
            var span = _data.Slice(At, n);
            At += n;
            return span;
        }

        public byte Byte() => Bytes(1)[0];

        public int U16() => BinaryPrimitives.ReadUInt16BigEndian(Bytes(2));

        public uint U32() => BinaryPrimitives.ReadUInt32BigEndian(Bytes(4));

        public string Text(int lengthBytes, int max)
        {
            int start = At;
            int length = lengthBytes == 1 ? Byte() : U16();
            if (length > max)
                throw new WireFormatException($"text over {max} bytes", start);
            var bytes = Bytes(length);
            try
            {
                string text = s_strict.GetString(bytes);
                if (text.Any(c => char.IsControl(c) && c != '\t'))
                    throw new WireFormatException("control characters other than tab in text", start);
                return text;
            }
            catch (DecoderFallbackException)
            {
                throw new WireFormatException("text is not UTF-8", start);
            }
        }

        public ReadOnlySpan<byte> Rest() => Bytes(_data.Length - At);

        public readonly void End()
        {
            if (At != _data.Length)
                throw new WireFormatException("trailing bytes", At);
        }
    }
}

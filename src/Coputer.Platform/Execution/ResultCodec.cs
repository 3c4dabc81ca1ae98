using Coputer.Platform.Runtime;

namespace Coputer.Platform.Execution;

/// <summary>
/// The binary form of deterministic outcomes: in the result cache, and in answers to runs forwarded by the network
/// (where it is untrusted input: anything malformed decodes to null).
/// </summary>
public static class ResultCodec
{
    private const byte Version = 1;

    /// <summary>Encodes a deterministic outcome (ok, program error or limit exceeded).</summary>
    public static byte[] Encode(RunResult result)
    {
        var w = new CanonicalWriter();
        w.Raw([Version, (byte)result.Status, (byte)(result.Limit is { } l ? (int)l + 1 : 0)]);
        w.UInt64((ulong)result.Info.Instructions);
        w.UInt64((ulong)result.Info.PeakMemory);
        if (result.Status == RunStatus.Ok)
        {
            result.Response!.WriteTo(w);
        }
        else
        {
            w.String(result.Error ?? "");
            w.String(result.Traceback ?? "");
        }
        return w.ToArray();
    }

    /// <summary>Decodes an outcome, or null if the bytes are not one this build wrote.</summary>
    public static RunResult? Decode(byte[] bytes, Hash256 program, Hash256 input)
    {
        try
        {
            var r = new CanonicalReader(bytes);
            var head = r.Raw(3);
            if (head[0] != Version)
                return null;
            var status = (RunStatus)head[1];
            RunLimit? limit = head[2] == 0 ? null : (RunLimit)(head[2] - 1);
            var info = new RunInfo { Program = program, Input = input, Instructions = (long)r.UInt64(), PeakMemory = (long)r.UInt64(), Cached = true };
            if (status == RunStatus.Ok)
                return new RunResult { Status = status, Response = WebResponse.ReadFrom(ref r), Info = info };
            string error = r.String();
            string traceback = r.String();
            if (status is not (RunStatus.ProgramError or RunStatus.LimitExceeded))
                return null;
            return new RunResult { Status = status, Error = error, Traceback = traceback.Length == 0 ? null : traceback, Limit = limit, Info = info };
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The bytes a result holds in memory, roughly, for the memory cache's bound.</summary>
    internal static long SizeOf(RunResult result) =>
        200 + (result.Response?.Size ?? 0) + 2L * ((result.Error?.Length ?? 0) + (result.Traceback?.Length ?? 0));
}

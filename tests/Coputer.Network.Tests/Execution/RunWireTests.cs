using System.Text;
using Coputer.Network.Execution;
using Coputer.Network.Hosting;
using Coputer.Network.Wire;
using Coputer.Platform;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;
using Coputer.Platform.Runtime;

namespace Coputer.Network.Tests.Execution;

public class RunWireTests
{
    private static readonly PublisherId s_publisher = Publisher.Generate().Key.Id;

    private static readonly RunRequest[] s_requests =
    [
        new(ProgramRef.ByHash(Hash256.Of("p"u8)), "GET", "/", [], []),
        new(ProgramRef.ByName(s_publisher, "blog"), "POST", "/a/b?x=1&y=%20", [new("content-type", "text/plain"), new("x-tab", "a\tb")], Encoding.UTF8.GetBytes("body é")),
    ];

    [Fact]
    public void RequestsAndAnswersRoundTripToTheSameBytes()
    {
        foreach (var request in s_requests)
        {
            var bytes = RunWire.Encode(request);
            var decoded = RunWire.DecodeRequest(bytes);
            Assert.Equal(request.Target, decoded.Target);
            Assert.Equal(bytes, RunWire.Encode(decoded));
        }
        var answer = new RunAnswer(new byte[150], new byte[90], [1, 2, 3]);
        var encoded = RunWire.Encode(answer);
        Assert.Equal(encoded, RunWire.Encode(RunWire.DecodeAnswer(encoded)));
        Assert.Null(RunWire.DecodeAnswer(RunWire.Encode(answer with { Record = null })).Record);
    }

    [Fact]
    public void EveryTruncationIsRefusedWithALocatedError()
    {
        foreach (var request in s_requests)
        {
            var bytes = RunWire.Encode(request);
            for (int n = 0; n < bytes.Length; n++)
                Assert.Throws<WireFormatException>(() => RunWire.DecodeRequest(bytes.AsSpan(0, n)));
            Assert.Throws<WireFormatException>(() => RunWire.DecodeRequest([.. bytes, 0]));
        }
        var answer = RunWire.Encode(new RunAnswer(new byte[150], new byte[90], [1]));
        for (int n = 0; n < answer.Length; n++)
            Assert.Throws<WireFormatException>(() => RunWire.DecodeAnswer(answer.AsSpan(0, n)));
    }

    [Fact]
    public void SeededRandomAndMutatedInputsAreDecodedExactlyOrRefused()
    {
        var random = new Random(11);
        var samples = s_requests.Select(RunWire.Encode).ToArray();
        int accepted = 0;
        for (int i = 0; i < 20_000; i++)
        {
            byte[] input;
            if (i % 4 == 0)
            {
                input = new byte[random.Next(0, 120)];
                random.NextBytes(input);
            }
            else
            {
                input = (byte[])samples[random.Next(samples.Length)].Clone();
                for (int c = random.Next(1, 3); c > 0; c--)
                    input[random.Next(input.Length)] = (byte)random.Next(256);
            }
            RunRequest decoded;
            try
            {
                decoded = RunWire.DecodeRequest(input);
            }
            catch (WireFormatException e)
            {
                Assert.InRange(e.Offset, 0, input.Length);
                continue;
            }
            Assert.Equal(input, RunWire.Encode(decoded));
            accepted++;
        }
        Assert.InRange(accepted, 100, 19_000);
        for (int i = 0; i < 5_000; i++)
        {
            var input = new byte[random.Next(0, 400)];
            random.NextBytes(input);
            try
            {
                RunWire.DecodeAnswer(input);
            }
            catch (WireFormatException)
            {
            }
        }
    }

    [Fact]
    public void ResultBytesFromAPeerNeverThrowWhenDecoded()
    {
        var ok = ResultCodec.Encode(new RunResult { Status = RunStatus.Ok, Response = new WebResponse(200, [new("content-type", "text/plain")], "hi"u8.ToArray()) });
        var error = ResultCodec.Encode(new RunResult { Status = RunStatus.ProgramError, Error = "main.luau:1: boom", Traceback = "tb" });
        Assert.Equal(200, ResultCodec.Decode(ok, default, default)!.Response!.StatusCode);
        var random = new Random(12);
        for (int i = 0; i < 20_000; i++)
        {
            var sample = i % 2 == 0 ? ok : error;
            byte[] input = (byte[])sample.Clone();
            if (i % 5 == 0)
            {
                input = input[..random.Next(input.Length)];
            }
            else
            {
                for (int c = random.Next(1, 3); c > 0; c--)
                    input[random.Next(input.Length)] = (byte)random.Next(256);
            }
            // Either a result or null; never an exception.
            _ = ResultCodec.Decode(input, default, default);
        }
    }

    [Fact]
    public void AnAnswerCountsOnlyWhenReceiptRecordAndResultAllCheck()
    {
        using var runner = NodeIdentity.Generate();
        using var other = NodeIdentity.Generate();
        using var publisher = Publisher.Generate();
        var (record, bundle) = Hosting.TestHosts.Program(publisher, "blog", "hi");
        var input = WebRequest.Create("GET", "/").InputHash;
        var result = ResultCodec.Encode(new RunResult { Status = RunStatus.Ok, Response = new WebResponse(200, [], "hi"u8.ToArray()) });
        var byName = ProgramRef.ByName(publisher.Key, "blog");
        RunAnswer Answer(NodeIdentity signer, Hash256 program, Hash256 forInput, byte[] outcome, byte[]? signedRecord, string runtime = "") =>
            new(RunReceipt.Sign(signer, runtime.Length > 0 ? runtime : ProgramRuntime.Version, program, forInput, Hash256.Of(outcome), 10).Encode(), signedRecord, outcome);

        var good = NetworkHost.CheckAnswer(Answer(runner, bundle.Hash, input, result, record.Encode()), byName, input, runner.Id);
        Assert.Null(good.Refusal);
        Assert.Equal("hi", Encoding.UTF8.GetString(good.Answer!.Result.Response!.Body.Span));
        Assert.False(good.Answer.Result.Info.Cached);
        Assert.Null(NetworkHost.CheckAnswer(Answer(runner, bundle.Hash, input, result, null), ProgramRef.ByHash(bundle.Hash), input, runner.Id).Refusal);

        // Another node's receipt, another input, another runtime, a result the receipt does not cover.
        Assert.Contains("another node", NetworkHost.CheckAnswer(Answer(other, bundle.Hash, input, result, record.Encode()), byName, input, runner.Id).Refusal);
        Assert.Contains("another input", NetworkHost.CheckAnswer(Answer(runner, bundle.Hash, Hash256.Of("x"u8), result, record.Encode()), byName, input, runner.Id).Refusal);
        Assert.Contains("runtime", NetworkHost.CheckAnswer(Answer(runner, bundle.Hash, input, result, record.Encode(), "coputer-0.0-other"), byName, input, runner.Id).Refusal);
        var honest = Answer(runner, bundle.Hash, input, result, record.Encode());
        var swapped = honest with { Result = ResultCodec.Encode(new RunResult { Status = RunStatus.Ok, Response = new WebResponse(200, [], "lie"u8.ToArray()) }) };
        Assert.Contains("does not cover", NetworkHost.CheckAnswer(swapped, byName, input, runner.Id).Refusal);
        // By hash the receipt must name that program; by name the record must name the receipt's program and the name asked for.
        Assert.Contains("another program", NetworkHost.CheckAnswer(Answer(runner, Hash256.Of("z"u8), input, result, null), ProgramRef.ByHash(bundle.Hash), input, runner.Id).Refusal);
        Assert.Contains("record", NetworkHost.CheckAnswer(Answer(runner, Hash256.Of("z"u8), input, result, record.Encode()), byName, input, runner.Id).Refusal);
        Assert.Contains("record", NetworkHost.CheckAnswer(Answer(runner, bundle.Hash, input, result, record.Encode()), ProgramRef.ByName(publisher.Key, "other"), input, runner.Id).Refusal);
        Assert.Contains("no record", NetworkHost.CheckAnswer(Answer(runner, bundle.Hash, input, result, null), byName, input, runner.Id).Refusal);
        // A result that does not decode, though the receipt covers it.
        Assert.Contains("does not decode", NetworkHost.CheckAnswer(Answer(runner, bundle.Hash, input, [9, 9, 9], record.Encode()), byName, input, runner.Id).Refusal);
    }
}

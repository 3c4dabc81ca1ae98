using System.Diagnostics;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json.Nodes;
using Coputer.Luau.Syntax;
using Coputer.Tooling.LanguageServer;

namespace Coputer.Bench;

/// <summary>
/// Language server latency on a large file (5,000 lines by default): parse alone, parse plus diagnostics (what each
/// edit costs before diagnostics are published), the whole analysis the features share, and a full edit round trip
/// through the server (an incremental didChange in, publishDiagnostics out, over in-memory pipes). Medians and 90th
/// percentiles of many runs after a warm-up.
/// </summary>
internal static class LspLatencyBenchmark
{
    public static int Run(string[] args)
    {
        int lines = 5000, runs = 40;
        for (int i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == "--lines")
                lines = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            else if (args[i] == "--runs")
                runs = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
        }
        string text = GenerateSource(lines);
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        Console.WriteLine($"file: {text.Count(c => c == '\n')} lines, {bytes.Length / 1024.0:F0} KiB; {runs} runs after warm-up; {Environment.ProcessorCount} cores");

        Report("parse", runs, () => Parser.Parse(bytes));
        Report("parse + diagnostics (parser, then compiler)", runs, () =>
        {
            var parse = Parser.Parse(bytes, new ParseOptions { CaptureTokens = true });
            if (!parse.HasErrors)
                _ = Coputer.Luau.Compiler.LuauCompiler.Compile(parse);
        });
        Report("analysis (the above + name index), UTF-16", runs, () => DocumentAnalysis.Analyze(text, PositionEncoding.Utf16));
        var analysis = DocumentAnalysis.Analyze(text, PositionEncoding.Utf16);
        Report("semantic tokens (whole file)", runs, () => SemanticTokens.Full(analysis));
        Report("completion at the last line", runs, () => LanguageFeatures.Completion(analysis, new Position(lines - 2, 0)));
        RoundTrip(text, runs);
        return 0;
    }

    private static void Report(string what, int runs, Action action)
    {
        for (int i = 0; i < 5; i++)
            action();
        var times = new List<double>();
        var cpu = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            action();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMilliseconds);
        }
        Print(what, times, cpu);
    }

    // Wall time suffers when other processes share the cores; the process's CPU time per run much less so.
    private static void Print(string what, List<double> times, List<double>? cpu = null)
    {
        times.Sort();
        string cpuText = "";
        if (cpu is not null)
        {
            cpu.Sort();
            cpuText = $"   cpu median {cpu[cpu.Count / 2],7:F2} ms";
        }
        Console.WriteLine($"{what,-48} median {times[times.Count / 2],7:F2} ms   p90 {times[(int)(times.Count * 0.9)],7:F2} ms   min {times[0],7:F2} ms{cpuText}");
    }

    /// <summary>Edits through the server: one keystroke as an incremental change, timed until its diagnostics arrive.</summary>
    private static void RoundTrip(string text, int runs)
    {
        var toServer = new Pipe();
        var fromServer = new Pipe();
        var server = new LuauLanguageServer(toServer.Reader.AsStream(), fromServer.Writer.AsStream());
        var serverTask = Task.Run(() => server.RunAsync());
        var reader = new LspMessageReader(fromServer.Reader.AsStream());
        var input = toServer.Writer.AsStream();

        void Send(JsonObject message)
        {
            byte[] body = Encoding.UTF8.GetBytes(message.ToJsonString());
            input.Write(Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"));
            input.Write(body);
            input.Flush();
        }
        JsonObject Receive() => JsonNode.Parse(reader.ReadAsync().AsTask().GetAwaiter().GetResult()!)!.AsObject();

        Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = "initialize", ["params"] = new JsonObject { ["capabilities"] = new JsonObject() } });
        Receive();
        Send(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "initialized", ["params"] = new JsonObject() });
        Send(new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["method"] = "textDocument/didOpen",
            ["params"] = new JsonObject { ["textDocument"] = new JsonObject { ["uri"] = "file:///bench.luau", ["languageId"] = "luau", ["version"] = 1, ["text"] = text } },
        });
        Receive();

        var times = new List<double>();
        for (int i = 0; i < runs + 5; i++)
        {
            // Type a space at the start of line 100, then delete it: each is one change and one diagnostics message.
            bool insert = i % 2 == 0;
            var change = new JsonObject
            {
                ["range"] = new JsonObject
                {
                    ["start"] = new JsonObject { ["line"] = 100, ["character"] = 0 },
                    ["end"] = new JsonObject { ["line"] = 100, ["character"] = insert ? 0 : 1 },
                },
                ["text"] = insert ? " " : "",
            };
            long start = Stopwatch.GetTimestamp();
            Send(new JsonObject
            {
                ["jsonrpc"] = "2.0",
                ["method"] = "textDocument/didChange",
                ["params"] = new JsonObject
                {
                    ["textDocument"] = new JsonObject { ["uri"] = "file:///bench.luau", ["version"] = i + 2 },
                    ["contentChanges"] = new JsonArray(change),
                },
            });
            var published = Receive();
            if (i >= 5)
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (published["params"]!["diagnostics"]!.AsArray().Count != 0)
                throw new InvalidOperationException("the generated file should have no errors");
        }
        Print("edit round trip (didChange -> publishDiagnostics)", times);
        Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 2, ["method"] = "shutdown" });
        Receive();
        Send(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "exit" });
        serverTask.Wait();
    }

    /// <summary>A deterministic program of about <paramref name="lines"/> lines in the style of real modules: typed functions, tables, loops, strings.</summary>
    internal static string GenerateSource(int lines)
    {
        var text = new StringBuilder();
        text.Append("--!strict\n-- Generated for the language server benchmark.\nlocal Module = {}\n\n");
        int count = 0;
        for (int n = 0; text.Length == 0 || CountLines(text) < lines - 4; n++)
        {
            text.Append($$"""
                export type Item{{n}} = { name: string, count: number, tags: { string }? }

                local function describe{{n}}(item: Item{{n}}, prefix: string?): string
                	local parts = {}
                	for i = 1, item.count do
                		if i % 3 == 0 then
                			table.insert(parts, `{prefix or ""}{item.name}:{i}`)
                		elseif i % 5 == 0 then
                			parts[#parts + 1] = string.format("%s-%d", item.name, i)
                		else
                			continue
                		end
                	end
                	local total = 0
                	for _, tag in item.tags or {} do
                		total += #tag
                	end
                	return table.concat(parts, ", ") .. " (" .. tostring(total) .. ")"
                end

                function Module.run{{n}}(items: { Item{{n}} }): number
                	local sum = 0
                	for index, item in ipairs(items) do
                		sum += if item.count > 10 then item.count * index else #describe{{n}}(item)
                	end
                	return math.floor(sum / math.max(#items, 1))
                end

                """);
            count++;
        }
        text.Append("return Module\n");
        return text.ToString();
    }

    private static int CountLines(StringBuilder text)
    {
        int n = 0;
        foreach (var chunk in text.GetChunks())
            n += chunk.Span.Count('\n');
        return n;
    }
}

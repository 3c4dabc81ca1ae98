using System.Text;
using Coputer.Platform.Bundles;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;
using Coputer.Platform.Runtime;

// A node process for the platform tests that need more than one process:
//   run-suite SUITE_FILE OUT_FILE   runs each program and request of the suite, writes every outcome
//   publish DATA_DIR KEY_FILE FROM TO   publishes programs p{FROM}..p{TO-1}, printing "ack N" after each; before
//                                       each one it reads a line from stdin (once stdin is closed it goes on freely),
//                                       so a test can pace it and kill it inside a chosen publication
return args switch
{
    ["run-suite", var suite, var output] => RunSuite(suite, output),
    ["publish", var data, var key, var from, var to] => Publish(data, key, int.Parse(from), int.Parse(to)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: run-suite SUITE OUT | publish DATA_DIR KEY_FILE FROM TO");
    return 2;
}

// The suite file: blocks separated by lines "=== name limit-instructions method target", then the program source.
static int RunSuite(string suitePath, string outputPath)
{
    var output = new StringBuilder();
    foreach (var block in File.ReadAllText(suitePath).Split("=== ", StringSplitOptions.RemoveEmptyEntries))
    {
        int newline = block.IndexOf('\n');
        var header = block[..newline].Split(' ');
        var source = block[(newline + 1)..];
        var bundle = Bundle.Create([new("main.luau", Encoding.UTF8.GetBytes(source))]);
        var limits = new RunLimits { Instructions = long.Parse(header[1]), MemoryBytes = 32 << 20, ResponseBytes = 1 << 20, WallClock = TimeSpan.FromMinutes(5) };
        var result = ProgramRuntime.Run(new CompiledProgram(bundle), WebRequest.Create(header[2], header[3]), limits);
        output.Append($"{header[0]}\t{result.Status}\t{result.Limit}\t{result.Info.Instructions}\t{result.Error}\t");
        if (result.Response is { } r)
            output.Append($"{r.StatusCode}\t{string.Join(';', r.Headers.Select(h => h.Key + "=" + h.Value))}\t{Convert.ToBase64String(r.Body.Span)}");
        output.Append('\n');
    }
    File.WriteAllText(outputPath, output.ToString());
    return 0;
}

static int Publish(string dataDirectory, string keyFile, int from, int to)
{
    using var publisher = KeyFile.Read(keyFile);
    using var service = ExecutionService.Open(new ExecutionOptions { DataDirectory = dataDirectory, Workers = 1 });
    bool paced = true;
    for (int i = from; i < to; i++)
    {
        if (paced && Console.In.ReadLine() is null)
            paced = false;
        var bundle = Bundle.Create(
        [
            new("main.luau", Encoding.UTF8.GetBytes($"return {{ body = buffer.fromstring(require('./lib').text) }}")),
            new("lib.luau", Encoding.UTF8.GetBytes($"return {{ text = 'program {i}' }}")),
            new("public/data.bin", Enumerable.Range(0, 20000).Select(k => (byte)(k * i)).ToArray()),
        ]);
        var record = new PublicationRecord(publisher.Key, $"p{i}", bundle.Hash, 1).Sign(publisher);
        var result = service.Publish(record.Encode(), bundle.Encode());
        if (!result.Succeeded)
        {
            Console.Error.WriteLine(result.Message);
            return 1;
        }
        Console.Out.WriteLine($"ack {i} {bundle.Hash}");
        Console.Out.Flush();
    }
    return 0;
}

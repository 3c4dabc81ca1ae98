using Coputer.Luau;
using Coputer.Luau.VM;

// A separate process for the engine tests that compare runs across processes:
//   async-http BASE_URL SCRIPT_FILE   runs the script with an async host function get(path) over HTTP, under
//                                     virtual time (the engine's default), printing to standard output
if (args is not ["async-http", var baseUrl, var scriptFile])
{
    Console.Error.WriteLine("usage: async-http BASE_URL SCRIPT_FILE");
    return 2;
}

using var stdout = Console.OpenStandardOutput();
using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = Timeout.InfiniteTimeSpan };
var engine = new LuauEngine(new LuauEngineOptions { Output = stdout });
engine.SetAsyncFunction("get", (a, ct) => new ValueTask<string>(http.GetStringAsync(a[0].ToString(), ct)));
try
{
    await engine.DoStringAsync(File.ReadAllText(scriptFile), chunkName: "=script");
    await engine.State.Tasks.RunUntilIdleAsync();
}
catch (LuauException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
stdout.Flush();
return 0;

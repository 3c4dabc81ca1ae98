using System.Text;
using Coputer.Luau;
using Coputer.Luau.Library;
using Coputer.Luau.VM;
using Coputer.Platform.Bundles;
using Coputer.Platform.Runtime;

namespace Coputer.Gateway.Development;

/// <summary>One test's outcome.</summary>
/// <param name="File">The test file, relative to the program folder.</param>
/// <param name="Name">The name given to <c>test</c> (or <c>(file)</c> when the file itself failed to run).</param>
/// <param name="Passed">Whether it passed.</param>
/// <param name="Error">Why it failed, starting with <c>file:line:</c> where there is one.</param>
/// <param name="Traceback">Where it failed.</param>
/// <param name="Log">What the test printed.</param>
public sealed record TestOutcome(string File, string Name, bool Passed, string? Error, string? Traceback, string Log);

/// <summary>
/// Runs a program's <c>*.test.luau</c> files in the sandbox. Each file gets a fresh deterministic, sandboxed state
/// with <c>test(name, fn)</c>, the <c>expect</c> assertions, request helpers (<c>get</c>, <c>post</c>,
/// <c>request</c>) that run the program for a request exactly as a node would, and <c>require</c> confined to the
/// program's files, so a test can check a module directly. A file registers its tests when it runs; then each
/// test runs on its own, and one failing does not stop the others.
/// </summary>
public static class ProgramTests
{
    /// <summary>The suffix that marks a test file.</summary>
    public const string Suffix = ".test.luau";

    /// <summary>Instructions one test may use by default (the program runs it asks for have their own node limits).</summary>
    public const long DefaultInstructionBudget = 200_000_000;

    private static readonly Lazy<byte[]> s_expectSource = new(() =>
    {
        using var stream = typeof(ProgramTests).Assembly.GetManifestResourceStream("Coputer.Gateway.Development.expect.luau")!;
        var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    });

    /// <summary>The test files of <paramref name="bundle"/>, in path order.</summary>
    public static IReadOnlyList<string> Find(Bundle bundle) =>
        bundle.Files.Select(f => f.Path).Where(p => p.EndsWith(Suffix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();

    /// <summary>Runs every test of <paramref name="file"/>, reporting each as it finishes.</summary>
    /// <param name="program">The program under test.</param>
    /// <param name="file">A test file of the program's bundle.</param>
    /// <param name="report">Called with each outcome.</param>
    /// <param name="cancellation">Stops the tests (each unfinished one fails).</param>
    /// <param name="instructionBudget">Instructions the file's top level, and then each test, may use.</param>
    public static void RunFile(LocalProgram program, string file, Action<TestOutcome> report, CancellationToken cancellation = default, long instructionBudget = DefaultInstructionBudget)
    {
        var source = program.Bundle.Find(file) ?? throw new ArgumentException($"{file} is not in the program", nameof(file));
        var log = new MemoryStream();
        var engine = new LuauEngine(new LuauEngineOptions
        {
            Libraries = LuauLibraries.All,
            Sandbox = true,
            Output = log,
            RunLimits = new() { Instructions = instructionBudget },
            MemoryLimit = program.Limits.MemoryBytes * 4,
            ModuleResolver = new BundleResolver(program.Bundle),
        });
        engine.State.Cancellation = cancellation;
        var tests = new List<(string Name, LuauFunction Body)>();
        var globals = engine.Globals;
        globals["expect"] = engine.Call(engine.Load(s_expectSource.Value, "=expect"))[0];
        engine.SetFunction("test", c =>
        {
            string name = c.CheckString(1).ToString();
            tests.Add((name, c.CheckFunction(2)));
            return c.Return();
        });
        engine.SetFunction("request", c =>
        {
            string method = c.CheckString(1).ToString();
            string target = c.CheckString(2).ToString();
            var options = c[3].AsTable;
            return c.Return(Send(c.State, program, method, target, options?["headers"].AsTable, options?["body"].AsString, cancellation));
        });
        engine.SetFunction("get", c => c.Return(Send(c.State, program, "GET", c.CheckString(1).ToString(), c[2].AsTable, null, cancellation)));
        engine.SetFunction("post", c => c.Return(Send(c.State, program, "POST", c.CheckString(1).ToString(), c[3].AsTable, c.CheckString(2), cancellation)));

        string TakeLog()
        {
            string text = Encoding.UTF8.GetString(log.GetBuffer(), 0, (int)log.Length);
            log.SetLength(0);
            return text;
        }

        try
        {
            engine.Call(engine.Load(source.Content.Span, "@" + file));
        }
        catch (LuauException e)
        {
            report(new TestOutcome(file, "(file)", false, e.Message, Traceback(e), TakeLog()));
            return;
        }
        if (tests.Count == 0)
        {
            report(new TestOutcome(file, "(file)", false, $"{file}: no tests (a test file calls test(name, function() ... end))", null, TakeLog()));
            return;
        }
        foreach (var (name, body) in tests)
        {
            engine.State.StepBudget = instructionBudget;
            try
            {
                engine.Call(body);
                report(new TestOutcome(file, name, true, null, null, TakeLog()));
            }
            catch (LuauTerminatedException) when (!cancellation.IsCancellationRequested)
            {
                report(new TestOutcome(file, name, false, $"{file}: the test used more than {instructionBudget} instructions (an endless loop?)", null, TakeLog()));
            }
            catch (LuauException e)
            {
                report(new TestOutcome(file, name, false, e.Message, Traceback(e), TakeLog()));
            }
        }
    }

    /// <summary>The traceback without the assertion library's own frames, so it starts at the test's line.</summary>
    private static string? Traceback(LuauException e)
    {
        if (e is not LuauRuntimeException { LuauStackTrace.Length: > 0 } r)
            return null;
        var lines = r.LuauStackTrace.Split('\n').Where(l => !l.StartsWith("expect:", StringComparison.Ordinal) && l != "[C] function error");
        return string.Join('\n', lines);
    }

    /// <summary>Runs the program for one request; a failed run is an error in the test that asked for it.</summary>
    private static LuauTable Send(LuauState state, LocalProgram program, string method, string target, LuauTable? headerTable, LuauString? body, CancellationToken cancellation)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (headerTable is not null)
        {
            var key = LuauValue.Nil;
            while (headerTable.Next(key, out key, out var value))
            {
                if (key.AsString is not { } name || value.AsString is not { } text)
                    throw new LuauError("request headers are a table of strings");
                headers.Add(new(name.ToString(), text.ToString()));
            }
        }
        if (!target.StartsWith('/'))
            throw new LuauError($"a request target starts with /, not '{target}'");
        var request = WebRequest.Create(method, target, headers, body is null ? default : body.Span.ToArray());
        var answer = program.Answer(request, cancellation);
        if (answer.Log.Length > 0)
            state.Output.Write(Encoding.UTF8.GetBytes(answer.Log));
        if (!answer.Succeeded)
            throw new LuauError($"{request} failed: {answer.Error}");

        var headerResult = state.CreateTable(0, answer.Headers.Count);
        foreach (var (name, value) in answer.Headers)
        {
            string lower = name.ToLowerInvariant();
            var existing = headerResult[lower].AsString;
            headerResult[lower] = existing is null ? value : existing + ", " + value;
        }
        var response = state.CreateTable(0, 3);
        response["status"] = answer.Status;
        response["headers"] = headerResult;
        response["body"] = LuauString.From(answer.Body.Span);
        return response;
    }

    /// <summary><c>require</c> for tests: <c>./</c> and <c>../</c> paths inside the program, <c>X.luau</c> then <c>X/main.luau</c>.</summary>
    private sealed class BundleResolver(Bundle bundle) : ILuauModuleResolver
    {
        public LuauModuleResolution Resolve(string requirerChunkName, string path)
        {
            if (!path.StartsWith("./", StringComparison.Ordinal) && !path.StartsWith("../", StringComparison.Ordinal))
                return LuauModuleResolution.Failed("require path must start with a valid prefix: ./ or ../");
            var parts = new List<string>(requirerChunkName.TrimStart('@').Split('/'));
            parts.RemoveAt(parts.Count - 1);
            foreach (var part in path.Split('/'))
            {
                if (part is "" or ".")
                    continue;
                if (part == "..")
                {
                    if (parts.Count == 0)
                        return LuauModuleResolution.Failed($"error requiring module: '{path}' is outside the program");
                    parts.RemoveAt(parts.Count - 1);
                    continue;
                }
                parts.Add(part);
            }
            string joined = string.Join('/', parts);
            var file = bundle.Find(joined + ".luau") ?? bundle.Find(joined + "/main.luau");
            if (file is null)
                return LuauModuleResolution.Failed("error requiring module: error finding file");
            return LuauModuleResolution.Found(file.Path, "@" + file.Path, () => file.Content.ToArray());
        }
    }
}

using System.Diagnostics;
using System.Text;
using Coputer.Luau;
using Coputer.Luau.Library;
using Coputer.Luau.VM;
using Coputer.Platform.Bundles;

namespace Coputer.Platform.Runtime;

/// <summary>
/// Runs web programs: each run gets a fresh sandboxed Luau state with the standard libraries, <c>args</c> and a
/// <c>require</c> confined to the program's bundle (and, with <c>@alias/module</c>, to the exact versions of the
/// programs its <c>coputer.json</c> pins), runs <c>main.luau</c> from cached bytecode, and validates
/// what it returns exactly as the original does (section 2.3 of the spec: same checks, same order, same
/// messages). Nothing of the host reaches the program: <c>print</c> goes to the run's log, and <c>os.time</c>,
/// <c>os.clock</c> and <c>math.random</c> are deterministic (the random seed comes from the program and input
/// hashes). Thread-safe: runs share nothing.
/// </summary>
public static class ProgramRuntime
{
    /// <summary>
    /// Identifies what a run computes from a program and input (the engine and this runtime's build): cached
    /// results under another version are never used.
    /// </summary>
    public static string Version { get; } = "web-1-" + typeof(LuauEngine).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..12]
        + "-" + typeof(ProgramRuntime).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..12];

    /// <summary>Runs <paramref name="program"/> for <paramref name="request"/> under <paramref name="limits"/>.</summary>
    /// <param name="program">The program.</param>
    /// <param name="request">The request <c>args.web()</c> describes.</param>
    /// <param name="limits">The deterministic limits, and the wall-clock backstop.</param>
    /// <param name="cancellation">Stops the run (a transient failure, reported as <see cref="RunStatus.Cancelled"/>).</param>
    /// <param name="dependencies">
    /// Finds a program by hash for <c>require("@alias/...")</c>; null, or a null answer, means this node lacks it,
    /// and the run then ends <see cref="RunStatus.NotFound"/> (transient: another node, or a later run, may have it).
    /// </param>
    /// <param name="ilTier">
    /// Whether functions that run hot are compiled to IL (<see cref="LuauEngineOptions.EnableIlTier"/>), in the
    /// background while the interpreter goes on, so no run waits for it. Results, errors, logs and instruction
    /// counts are the same either way; false runs everything in the interpreter.
    /// </param>
    public static RunResult Run(CompiledProgram program, WebRequest request, RunLimits? limits = null, CancellationToken cancellation = default,
        Func<Hash256, CompiledProgram?>? dependencies = null, bool ilTier = true)
    {
        limits ??= RunLimits.Default;
        var clock = Stopwatch.StartNew();
        using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        watchdog.CancelAfter(limits.WallClock);
        var log = new RunLog(limits.LogBytes);
        var run = new ModuleLoader(program, request, limits, dependencies);
        var engine = new LuauEngine(CreateEngineOptions(program.Hash, request.InputHash, limits, log, ilTier));
        var state = engine.State;
        // One allowance for the whole run: the main chunk, the modules it requires and the tasks it starts.
        using var scope = state.BeginRun(new LuauRunLimits { Instructions = limits.Instructions, Cancellation = watchdog.Token });
        RunResult Finish(RunStatus status, WebResponse? response = null, string? error = null, string? traceback = null, RunLimit? limit = null) => new()
        {
            Status = status,
            Response = response,
            Error = error,
            Traceback = traceback,
            Limit = limit,
            Info = new RunInfo
            {
                Program = program.Hash,
                Input = request.InputHash,
                Instructions = Math.Min(scope.InstructionsUsed, limits.Instructions),
                PeakMemory = state.PeakMemoryInUse,
                Duration = clock.Elapsed,
                Log = log.Text,
            },
        };

        var result = Execute();
        // A missing dependency decides the outcome even when the program caught the error: what it did next
        // depended on this node's store, not on the program and its input.
        return run.Missing is { } missing ? Finish(RunStatus.NotFound, error: missing) : result;

        RunResult Execute()
        {
            try
            {
                var main = run.LoadModule(state, program, program.Bundle.Main, out var compileError);
                if (main is null)
                    return Finish(RunStatus.ProgramError, error: compileError);
                var results = state.Call(main);
                // Tasks the program started finish before it answers (virtual time: waits cost nothing).
                state.Tasks.RunUntilIdle();
                foreach (var failed in state.Tasks.TakeUnobservedFailures())
                    log.Write(Encoding.UTF8.GetBytes($"[task failed] {failed.Error}\n"));
                var (response, returnError, limit) = ReturnValidation.ToResponse(results, limits);
                if (returnError is not null)
                    return limit is { } l ? Finish(RunStatus.LimitExceeded, error: returnError, limit: l) : Finish(RunStatus.ProgramError, error: returnError);
                return Finish(RunStatus.Ok, response);
            }
            catch (LuauTerminatedException e)
            {
                if (e.Reason == LuauTerminationReason.Instructions)
                    return Finish(RunStatus.LimitExceeded, error: $"instruction limit exceeded ({limits.Instructions} instructions)", limit: RunLimit.Instructions);
                return cancellation.IsCancellationRequested
                    ? Finish(RunStatus.Cancelled, error: "the run was cancelled")
                    : Finish(RunStatus.Timeout, error: $"the run took longer than {limits.WallClock.TotalSeconds:0.###} s");
            }
            catch (LuauRuntimeException e)
            {
                if (e.Kind == LuauErrorKind.Memory)
                    return Finish(RunStatus.LimitExceeded, error: $"memory limit exceeded ({limits.MemoryBytes} bytes)", traceback: e.LuauStackTrace, limit: RunLimit.Memory);
                string message = e.Message;
                if (message.EndsWith("stack overflow", StringComparison.Ordinal))
                    return Finish(RunStatus.LimitExceeded, error: message + " (call depth limit)", traceback: e.LuauStackTrace, limit: RunLimit.CallDepth);
                return Finish(RunStatus.ProgramError, error: message, traceback: e.LuauStackTrace);
            }
            catch (LuauException e)
            {
                return Finish(RunStatus.ProgramError, error: e.Message);
            }
        }
    }

    /// <summary>
    /// The engine settings every run uses, in one place: the deterministic platform (fixed clocks, a seed from the
    /// program and input, and the engine's managed deterministic mathematics, so <c>math.sin</c> and friends give
    /// the same bits on every machine), the sandbox, the log, the limits and the IL tier.
    /// </summary>
    internal static LuauEngineOptions CreateEngineOptions(Hash256 program, Hash256 input, RunLimits limits, Stream log, bool ilTier = true)
    {
        Span<byte> p = stackalloc byte[Hash256.Size];
        Span<byte> i = stackalloc byte[Hash256.Size];
        program.CopyTo(p);
        input.CopyTo(i);
        ulong seed = BitConverter.ToUInt64(p) ^ BitConverter.ToUInt64(i);
        return new LuauEngineOptions
        {
            Libraries = LuauLibraries.All,
            Platform = new LuauPlatform
            {
                Clock = static () => 0.0,
                UnixTime = static () => 0,
                LocalTimeZone = TimeZoneInfo.Utc,
                RandomSeed = seed,
                DeterministicMath = true,
            },
            Sandbox = true,
            Output = log,
            MemoryLimit = limits.MemoryBytes,
            EnableIlTier = ilTier,
        };
    }

    /// <summary>
    /// One run's modules: the require cache, the chain being loaded, and the <c>args</c> table. Modules are keyed by
    /// program and path, so a dependency's <c>layout.luau</c> is not the program's own.
    /// </summary>
    private sealed class ModuleLoader(CompiledProgram program, WebRequest request, RunLimits limits, Func<Hash256, CompiledProgram?>? dependencies)
    {
        private readonly Dictionary<(Hash256, string), LuauValue> _loaded = [];
        private readonly List<(Hash256, string)> _loading = [];
        private LuauTable? _args;

        /// <summary>Set when a pinned dependency is not on this node (the run's outcome is then not the program's).</summary>
        public string? Missing { get; private set; }

        public LuauFunction? LoadModule(LuauState state, CompiledProgram owner, BundleFile file, out string? error)
        {
            var compiled = owner.GetModule(file);
            if (compiled.Chunk is null)
            {
                error = compiled.Error;
                return null;
            }
            var env = state.CreateSandboxedGlobals();
            env["args"] = _args ??= WebArgs.CreateArgsTable(state, request);
            env["require"] = new HostFunction("require", c => Require(c, owner, file.Path));
            error = null;
            return state.Load(compiled.Chunk, env);
        }

        private int Require(LuauCallContext c, CompiledProgram owner, string requirer)
        {
            var arg = c[1];
            if (arg.Type != LuauType.String)
                throw c.TypeError(1, "string");
            string path = arg.AsString!.ToString().Replace('\\', '/');
            bool fromDependency = path.StartsWith('@');
            if (!fromDependency && !path.StartsWith("./", StringComparison.Ordinal) && !path.StartsWith("../", StringComparison.Ordinal))
                throw new LuauError("require path must start with a valid prefix: ./ or ../");
            if (path.EndsWith(".luau", StringComparison.Ordinal))
                throw new LuauError("error requiring module: consider removing the file extension");
            BundleFile file;
            if (fromDependency)
            {
                (owner, file) = ResolveDependency(owner, path);
            }
            else
            {
                file = Resolve(owner, requirer, path, out string? resolveError) ?? throw new LuauError("error requiring module: " + resolveError);
                if (file.Path == requirer)
                    throw new LuauError("cyclic module dependency: file requires itself");
            }
            var key = (owner.Hash, file.Path);
            if (_loading.Contains(key))
                throw new LuauError("cyclic module dependency: file requires itself indirectly");
            if (_loaded.TryGetValue(key, out var cached))
                return c.Return(cached);
            if (_loading.Count >= limits.RequireDepth)
                throw new LuauError($"error requiring module: modules nest more than {limits.RequireDepth} deep");

            var state = c.State;
            var module = LoadModule(state, owner, file, out string? compileError) ?? throw new LuauError("error requiring module: " + compileError);
            _loading.Add(key);
            LuauValue[] results;
            try
            {
                results = c.Call(module);
            }
            finally
            {
                _loading.RemoveAt(_loading.Count - 1);
            }
            if (results.Length != 1)
                throw new LuauError("module must return a single value");
            var value = results[0];
            if (value.Type is not (LuauType.Table or LuauType.Function))
                throw new LuauError("module must return a table or function");
            _loaded[key] = value;
            return c.Return(value);
        }

        /// <summary>
        /// <c>@alias/path</c>: the module <c>path</c> of the program <paramref name="owner"/>'s manifest pins as
        /// <c>alias</c>, resolved from that program's root like <c>./path</c> from its <c>main.luau</c>.
        /// </summary>
        private (CompiledProgram, BundleFile) ResolveDependency(CompiledProgram owner, string path)
        {
            int slash = path.IndexOf('/');
            string alias = slash < 0 ? path[1..] : path[1..slash];
            string rest = slash < 0 ? "" : path[(slash + 1)..];
            var (manifest, manifestError) = owner.Manifest;
            if (manifest is null)
                throw new LuauError("error requiring module: " + manifestError);
            if (manifest.Find(alias) is not { } dependency)
                throw new LuauError($"error requiring module: no dependency '{alias}' in {BundleManifest.FileName}");
            if (rest.Length == 0)
                throw new LuauError($"error requiring module: name a module of the dependency, for example @{alias}/main");
            var target = dependencies?.Invoke(dependency.Program);
            if (target is null)
            {
                Missing ??= $"program {program.Hash} needs {dependency.Label} at {dependency.Program}, which this node does not have";
                throw new LuauError($"error requiring module: dependency '{alias}' ({dependency.Label}) is not available");
            }
            var file = Resolve(target, "main.luau", "./" + rest, out string? error)
                ?? throw new LuauError($"error requiring module: {error} in dependency '{alias}'");
            return (target, file);
        }

        /// <summary><c>X.luau</c>, then <c>X/main.luau</c>, relative to the requiring file's directory and never outside the bundle.</summary>
        private static BundleFile? Resolve(CompiledProgram owner, string requirer, string path, out string? error)
        {
            var parts = new List<string>(requirer.Split('/'));
            parts.RemoveAt(parts.Count - 1);
            foreach (var part in path.Split('/'))
            {
                if (part is "" or ".")
                    continue;
                if (part == "..")
                {
                    if (parts.Count == 0)
                    {
                        error = $"'{path}' is outside the program";
                        return null;
                    }
                    parts.RemoveAt(parts.Count - 1);
                    continue;
                }
                parts.Add(part);
            }
            error = "error finding file";
            if (parts.Count == 0)
                return null;
            string joined = string.Join('/', parts);
            return owner.Bundle.Find(joined + ".luau") ?? owner.Bundle.Find(joined + "/main.luau");
        }
    }

    /// <summary>Collects <c>print</c> output up to a cap, then notes that the rest was dropped.</summary>
    private sealed class RunLog(int capacity) : Stream
    {
        private readonly MemoryStream _buffer = new();
        private bool _truncated;

        public string Text => Encoding.UTF8.GetString(_buffer.GetBuffer(), 0, (int)_buffer.Length) + (_truncated ? "\n[log truncated]\n" : "");

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            long room = capacity - _buffer.Length;
            if (buffer.Length > room)
            {
                _truncated = true;
                buffer = buffer[..(int)Math.Max(room, 0)];
            }
            _buffer.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _buffer.Length;
        public override long Position { get => _buffer.Length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

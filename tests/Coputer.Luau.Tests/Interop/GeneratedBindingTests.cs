using Coputer.Luau.Interop;
using Coputer.Luau.Library;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.Interop;

/// <summary>
/// The bindings the source generator writes for <see cref="SampleObject"/> and <see cref="Point"/>, used from Luau:
/// every feature, and the error messages a Luau programmer sees.
/// </summary>
public class GeneratedBindingTests
{
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(60);

    private static (LuauEngine Engine, SampleObject Sample) NewEngine()
    {
        var engine = new LuauEngine(new LuauEngineOptions { Platform = LuauPlatform.Deterministic() });
        var sample = new SampleObject();
        engine.SetObject("obj", sample);
        return (engine, sample);
    }

    private static string[] Run(string code)
    {
        var (engine, _) = NewEngine();
        return [.. engine.DoString(code).Select(v => v.ToString())];
    }

    /// <summary>The message of the error <paramref name="code"/> raises, without the chunk position.</summary>
    private static string Error(string code)
    {
        var (engine, _) = NewEngine();
        var e = Assert.Throws<LuauRuntimeException>(() => engine.DoString(code));
        string message = e.Message;
        return message.StartsWith("chunk:", StringComparison.Ordinal) ? message[(message.IndexOf(' ') + 1)..] : message;
    }

    [Fact]
    public void MethodsAreCalledWithColonAndDot()
    {
        Assert.Equal(["5", "5", "Sample"], Run("return obj:Add(2, 3), obj.Add(obj, 2, 3), typeof(obj)"));
    }

    [Fact]
    public void OverloadsAreChosenByCountAndLuauTypes()
    {
        Assert.Equal(["5", "3", "ab", "6"], Run("return obj:Add(2, 3), obj:Add(1.25, 1.25), obj:Add('a', 'b'), obj:Add(1, 2, 3)"));
        Assert.Equal("invalid arguments to 'Add' (no overload takes (boolean, number))", Error("obj:Add(true, 1)"));
    }

    [Fact]
    public void ArgumentErrorsUseTheReferenceWords()
    {
        Assert.Equal("invalid argument #1 to 'Scale' (number expected, got string)", Error("obj:Scale('x')"));
        Assert.Equal("missing argument #1 to 'Scale' (number expected)", Error("obj:Scale()"));
        Assert.Equal("missing argument #1 to 'Join' (string expected)", Error("obj:Join()"));
        Assert.Equal("invalid argument #1 to 'Flip' (boolean expected, got number)", Error("obj:Flip(1)"));
        Assert.Equal("invalid argument #1 to 'TakeByte' (number 300 is out of range for byte)", Error("obj:TakeByte(300)"));
        Assert.Equal("invalid argument #1 to 'TakeByte' (number has no integer representation)", Error("obj:TakeByte(1.5)"));
        Assert.Equal("invalid argument #1 to 'Length' (Point expected, got Sample)", Error("obj:Length(obj)"));
        Assert.Equal("expected ':' not '.' calling member function Scale", Error("obj.Scale(2)"));
    }

    [Fact]
    public void MissingArgumentsAreNumberedFromTheFirstParameter()
    {
        Assert.Equal("missing argument #2 to 'Fill' (number expected)", Error("obj:Fill(buffer.create(1))"));
        Assert.Equal("missing argument #1 to 'Lengths' (table expected)", Error("obj:Lengths()"));
        Assert.Equal("invalid argument #2 to 'Join' (string expected, got boolean)", Error("obj:Join(',', true)"));
    }

    [Fact]
    public void OutAndRefParametersAndTuplesAreExtraResults()
    {
        // The method's result first, then each ref and out parameter's value after the call; a ValueTuple result is
        // one Luau value per element. An out parameter is not an argument; a ref parameter is both.
        Assert.Equal(["true", "4", "false", "3"], Run("local a, b = obj:TryHalf(8) local c, d = obj:TryHalf(7) return a, b, c, d"));
        Assert.Equal(["y", "x"], Run("return obj:Swap('x', 'y')"));
        Assert.Equal(["3", "2"], Run("return obj:Divide(17, 5)"));
        Assert.Equal(["1", "9"], Run("return obj:Range({4, 1, 9})"));
        Assert.Equal(["m", "Blue", "nil", "2.5", "true", "5"], Run("local a, b, c, d, e = obj:Many() return a, b, c, d, e, select('#', obj:Many())"));
        Assert.Equal("missing argument #2 to 'Swap' (string expected)", Error("obj:Swap('x')"));
    }

    [Fact]
    public async Task AnAsyncTupleResultIsSeveralResults()
    {
        var (engine, _) = NewEngine();
        var r = await engine.DoStringAsync("local t = task.spawn(function() return obj:MeasureAsync('abc') end) return t:await()").WaitAsync(s_hangGuard);
        Assert.Equal(["abc", "3"], r.Select(v => v.ToString()));
    }

    [Fact]
    public void OptionalParametersTakeTheirDefaults()
    {
        Assert.Equal(["6", "9", "hello nobody", "hi ann", "hello bob"],
            Run("return obj:Scale(3), obj:Scale(3, 3), obj:Greet(), obj:Greet('ann', 'hi'), obj:Greet('bob', nil)"));
    }

    [Fact]
    public void ParamsArraysTakeTheRemainingArguments()
    {
        Assert.Equal(["0", "6", "a-b-c", ""], Run("return obj:Sum(), obj:Sum(1, 2, 3), obj:Join('-', 'a', 'b', 'c'), obj:Join('-')"));
        Assert.Equal("invalid argument #3 to 'Sum' (number expected, got string)", Error("obj:Sum(1, 2, 'x')"));
    }

    [Fact]
    public void PropertiesReadAndWrite()
    {
        var (engine, sample) = NewEngine();
        var r = engine.DoString("""
            obj.Count = 7
            obj.Note = 'n'
            obj.Limit = 3
            obj.Small = 255
            obj.Big = 2^53
            obj.Single = 0.5
            obj.Money = 12.25
            obj.Secret = 9
            obj.label = 'new label'
            local before = obj.Limit
            obj.Limit = nil
            return obj.Count, obj.Name, obj.Note, before, obj.Limit, obj.Small, obj.Big, obj.Single, obj.Money, obj.Revealed, obj.label
            """);
        Assert.Equal(["7", "sample", "n", "3", "nil", "255", "9007199254740992", "0.5", "12.25", "9", "new label"], r.Select(v => v.ToString()));
        Assert.Equal(7, sample.Count);
        Assert.Equal("new label", sample.Label);
        Assert.Null(sample.Limit);
        Assert.Equal(9007199254740992UL, sample.Big);
    }

    [Fact]
    public void PropertyErrorsSayWhatIsWrong()
    {
        Assert.Equal("property 'Name' of Sample is read-only", Error("obj.Name = 'x'"));
        Assert.Equal("property 'Revealed' of Sample is read-only", Error("obj.Revealed = 1"));
        Assert.Equal("property 'Secret' of Sample is write-only", Error("return obj.Secret"));
        Assert.Equal("invalid value for property 'Count' of Sample (number expected, got string)", Error("obj.Count = 'many'"));
        Assert.Equal("invalid value for property 'Small' of Sample (number -1 is out of range for byte)", Error("obj.Small = -1"));
        Assert.Equal("invalid value for property 'Note' of Sample (string expected, got table)", Error("obj.Note = {}"));
        Assert.Equal("'Hidden' is not a member of Sample", Error("return obj.Hidden"));
        Assert.Equal("'Nope' is not a member of Sample", Error("obj.Nope = 1"));
        Assert.Equal("cannot assign to method 'Add' of Sample", Error("obj.Add = 1"));
        Assert.Equal("attempt to call missing method 'Nope' of Sample", Error("obj:Nope()"));
        Assert.Equal("attempt to call missing method 'Count' of Sample", Error("obj:Count()"));
    }

    [Fact]
    public void EnumsGoByNameAndComeBackAsNames()
    {
        Assert.Equal(["Green", "Blue:10", "Red:0", "Blue", "Green"],
            Run("local s = obj.Shade; obj.Shade = 'Blue'; return s, obj:Describe('Blue'), obj:Describe(0), obj.Shade, obj:Next('Red')"));
        Assert.Equal("invalid argument #1 to 'Describe' ('Purple' is not a member of Shade)", Error("obj:Describe('Purple')"));
        Assert.Equal("invalid argument #1 to 'Describe' (3 is not a value of Shade)", Error("obj:Describe(3)"));
        Assert.Equal("invalid argument #1 to 'Describe' (number expected, got boolean)", Error("obj:Describe(true)"));
    }

    [Fact]
    public void NumbersOfEveryWidthAreRangeChecked()
    {
        Assert.Equal(["9007199254740991", "-5"], Run("return obj:Wide(2^53 - 1), obj:Wide(-5)"));
        Assert.Equal("invalid argument #1 to 'Wide' (number 1.8446744073709552E+19 is out of range for long)", Error("obj:Wide(2^64)"));
        Assert.Equal(["8", "nil"], Run("return obj:Maybe(4), obj:Maybe(nil)"));
    }

    [Fact]
    public void TablesBecomeListsAndDictionariesAndBack()
    {
        Assert.Equal(["6", "A,B", "3", "5", "2:4"], Run("""
            local up = obj:Upper({'a', 'b'})
            local lengths = obj:Lengths({'one', 'three', 'one'})
            local pairs2 = obj:Pairs(2)
            return obj:Total({1, 2, 3}), table.concat(up, ','), lengths.one, lengths.three, pairs2[2][1] .. ':' .. pairs2[2][2]
            """));
        Assert.Equal(["3"], Run("return obj:Score({a = 1, b = 2})"));
        Assert.Equal("invalid argument #1 to 'Total' (element [2]: number expected, got string)", Error("obj:Total({1, 'x'})"));
        Assert.Equal("invalid argument #1 to 'Score' (field [a]: number expected, got boolean)", Error("obj:Score({a = true})"));
        Assert.Equal("invalid argument #1 to 'Total' (table expected, got number)", Error("obj:Total(1)"));
    }

    [Fact]
    public void BuffersBecomeBytesSpansAndMemory()
    {
        Assert.Equal(["3", "2", "1", "6", "7", "7"], Run("""
            local b = buffer.create(3)
            buffer.writeu8(b, 0, 1); buffer.writeu8(b, 1, 2); buffer.writeu8(b, 2, 3)
            local r = obj:Reverse(b)
            local sum = obj:Checksum(b)
            local f = buffer.create(2)
            obj:Fill(f, 7)
            return buffer.readu8(r, 0), buffer.readu8(r, 1), buffer.readu8(r, 2), sum, buffer.readu8(f, 0), buffer.readu8(f, 1)
            """));
        Assert.Equal("invalid argument #1 to 'Checksum' (buffer expected, got string)", Error("obj:Checksum('abc')"));
    }

    [Fact]
    public void ExportedObjectsGoBothWays()
    {
        Assert.Equal(["5", "Point(4, 6)", "Point", "true", "nil", "true"], Run("""
            local p = obj:MakePoint(3, 4)
            local q = p:Offset(obj:MakePoint(1, 2))
            local same = obj:Echo(p) == p
            return obj:Length(p), tostring(q), typeof(q), same, obj:Nothing(), q.X == 4
            """));
        Assert.Equal(["String", "Double", "null", "SampleObject"], Run("return obj:Kind('s'), obj:Kind(1), obj:Kind(nil), obj:Kind(obj)"));
    }

    [Fact]
    public void TheSameObjectIsTheSameUserdata()
    {
        var (engine, sample) = NewEngine();
        engine.Globals["again"] = LuauInterop.ToValue(engine.State, sample);
        Assert.True(engine.DoString("local t = {[obj] = 1}; return obj == again and t[again] == 1")[0].IsTruthy);
        Assert.True(LuauInterop.TryGetObject<SampleObject>(engine.Globals["again"], out var back));
        Assert.Same(sample, back);
    }

    [Fact]
    public void ColonCallsAndDotCallsOfEveryMethodAgree()
    {
        // obj:M() takes the method from the binding's own table (by the compiler's slot hint, or a full lookup when
        // the hint misses, as it must for some of this many names): for every method, called without arguments, the
        // colon call and obj.M(obj) succeed or fail alike, with the same message. (Async methods would wait for
        // host work here; AsyncMethodsSuspendTheCallingTask calls them with a colon.)
        var (engine, _) = NewEngine();
        var methods = typeof(SampleObject).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.Name != "ToString" && !m.Name.EndsWith("Async", StringComparison.Ordinal)).Select(m => m.Name).Distinct().ToArray();
        Assert.True(methods.Length > 20);
        string calls = string.Join("\n", methods.Select(m =>
            $"table.insert(colon, outcome(pcall(function() return obj:{m}() end))) " +
            $"table.insert(dot, outcome(pcall(function() return obj.{m}(obj) end)))"));
        var r = engine.DoString($"local colon, dot = {{}}, {{}}\nlocal function outcome(ok, v) return `{{ok}} {{v}}` end\n{calls}\nreturn table.concat(colon, '|'), table.concat(dot, '|')");
        Assert.Equal(r[1].ToString(), r[0].ToString());
        Assert.Contains("missing argument #1 to 'Scale'", r[0].ToString(), StringComparison.Ordinal);
        Assert.Equal(["3", "false", "hello x", "6", "true"], [.. engine.DoString("return obj:Add(1, 2), obj:Flip(true), obj:Greet('x'), obj:Sum(1, 2, 3), obj.Add == obj.Add").Select(v => v.ToString())]);
    }

    [Fact]
    public void ANewMetatableTakesColonCallsFromTheBinding()
    {
        // Host code that gives the userdata another metatable gets that metatable's __namecall, not the binding's methods.
        var (engine, _) = NewEngine();
        var ud = engine.Globals["obj"].AsUserdata!;
        var mt = engine.State.CreateTable();
        mt["__namecall"] = new HostFunction("__namecall", c => c.Return("replaced " + c.NameCallMethod));
        ud.Metatable = mt;
        Assert.Equal(["replaced Add"], [.. engine.DoString("return obj:Add(1, 2)").Select(v => v.ToString())]);
    }

    [Fact]
    public void TheMetatableIsLocked()
    {
        Assert.Equal(["The metatable is locked"], Run("return getmetatable(obj)"));
    }

    [Fact]
    public async Task AsyncMethodsSuspendTheCallingTask()
    {
        var (engine, _) = NewEngine();
        var results = await engine.DoStringAsync("""
            local a = task.spawn(function() return obj:FetchAsync('a') end)
            local b = task.spawn(function() return obj:DoubleLaterAsync(21) end)
            local ready = obj:ReadyAsync()
            return a:await(), b:await(), ready, obj:FetchAsync('main')
            """).WaitAsync(s_hangGuard);
        Assert.Equal(["value of a", "42", "42", "value of main"], results.Select(v => v.ToString()));
    }

    [Fact]
    public async Task AsyncErrorsAndCancellationReachLuau()
    {
        var (engine, sample) = NewEngine();
        var results = await engine.DoStringAsync("""
            local ok, err = pcall(function() obj:FailAsync() end)
            local t = task.spawn(function() obj:WaitAsync() end)
            t:cancel()
            local ok2, err2 = pcall(function() t:await() end)
            return ok, err, t:status(), ok2, err2
            """).WaitAsync(s_hangGuard);
        var r = results.Select(v => v.ToString()).ToArray();
        Assert.Equal("false", r[0]);
        Assert.Contains("the host failed", r[1]);
        Assert.Equal("cancelled", r[2]);
        Assert.Equal("false", r[3]);
        Assert.Contains("cancelled", r[4]);
        Assert.Equal(1, sample.WaitStarted);
    }

    [Fact]
    public void EventsConnectAndDisconnect()
    {
        var (engine, sample) = NewEngine();
        var r = engine.DoString("""
            local seen = {}
            local c = obj.Changed:Connect(function(value, how) table.insert(seen, how .. value) end)
            local r = obj.Renamed:Connect(function(sender, name) table.insert(seen, typeof(sender) .. ' ' .. name) end)
            obj.Count = 1
            obj:Increment()
            obj:Rename('x')
            local connected = c.Connected
            c:Disconnect()
            c:Disconnect()
            obj:Increment()
            return table.concat(seen, ','), connected, c.Connected
            """);
        Assert.Equal(["set1,set2,Sample x", "true", "false"], r.Select(v => v.ToString()));
        sample.Count = 10;
        Assert.Equal("cannot assign to event 'Changed' of Sample", Error("obj.Changed = 1"));
    }

    [Fact]
    public void EventHandlerErrorsFailTheirOwnTask()
    {
        var (engine, sample) = NewEngine();
        engine.DoString("obj.Changed:Connect(function() error('handler failed') end)");
        sample.Count = 1;
        var failures = engine.State.Tasks.TakeUnobservedFailures();
        Assert.Single(failures);
        Assert.Contains("handler failed", failures[0].ErrorValue.ToString());
    }

    [Fact]
    public void EventsFromAnotherThreadArePostedToTheEngine()
    {
        var (engine, sample) = NewEngine();
        int handlerThread = 0;
        engine.SetFunction("probe", c =>
        {
            handlerThread = Environment.CurrentManagedThreadId;
            return 0;
        });
        engine.DoString("seen = 0 obj.Changed:Connect(function(value) probe() seen = value end)");
        // Raised on the state's own thread while it is idle: the handler runs at once.
        sample.Count = 3;
        Assert.Equal(3, engine.Globals["seen"].Number);
        // Raised on another thread (a thread of its own, so that it is not the state's): the binding posts the raise
        // (the conversions and the handler) to the engine.
        int raiser = 0;
        var other = new Thread(() =>
        {
            raiser = Environment.CurrentManagedThreadId;
            sample.Count = 5;
        });
        other.Start();
        other.Join();
        Assert.Equal(3, engine.Globals["seen"].Number);
        engine.State.Tasks.RunUntilIdle();
        Assert.Equal(5, engine.Globals["seen"].Number);
        Assert.Equal(Environment.CurrentManagedThreadId, handlerThread);
        Assert.NotEqual(raiser, handlerThread);
    }

    [Fact]
    public void EventsRaisedElsewhereDuringARunWaitForTheEngine()
    {
        // While Luau runs on this thread (inside a host function), another thread raises the event: it must not enter
        // the busy state (that throws "running on another thread"); the raise is posted and runs afterwards.
        var (engine, sample) = NewEngine();
        Exception? raiseError = null;
        engine.SetFunction("raiseElsewhere", c =>
        {
            var other = new Thread(() =>
            {
                try
                {
                    sample.Rename("far");
                }
                catch (Exception e)
                {
                    raiseError = e;
                }
            });
            other.Start();
            other.Join();
            return 0;
        });
        var r = engine.DoString("""
            seen = {}
            obj.Renamed:Connect(function(sender, name) table.insert(seen, typeof(sender) .. ' ' .. name) end)
            raiseElsewhere()
            return #seen
            """);
        Assert.Null(raiseError);
        Assert.Equal(0, r[0].Number);
        engine.State.Tasks.RunUntilIdle();
        Assert.Equal(["Sample far"], [.. engine.DoString("return table.unpack(seen)").Select(v => v.ToString())]);
    }

    [Fact]
    public async Task EventsFromManyThreadsReachARunningAsyncCallExactlyOnce()
    {
        // Real time: the Luau code waits in task.wait while eight pool threads raise the event 50 times each. Every
        // raise is either run at once by a thread that could take the idle state, or posted to the async call's
        // driver; none may touch the state while another thread runs it (that would throw "running on another
        // thread" or corrupt it), and every handler runs exactly once.
        var engine = new LuauEngine(new LuauEngineOptions { Platform = LuauPlatform.System });
        var sample = new SampleObject();
        engine.SetObject("obj", sample);
        const int Raisers = 8, Raises = 50;
        var run = engine.DoStringAsync($$"""
            local count, sum = 0, 0
            obj.Changed:Connect(function(value) count += 1 sum += value end)
            local waited = 0
            while count < {{Raisers * Raises}} and waited < 30 do waited += task.wait(0.002) end
            return count, sum
            """).WaitAsync(s_hangGuard);
        await Task.Delay(20);
        await Task.WhenAll(Enumerable.Range(0, Raisers).Select(t => Task.Run(() =>
        {
            for (int i = 1; i <= Raises; i++)
                sample.Count = i;
        })));
        var r = await run;
        Assert.Equal(Raisers * Raises, r[0].Number);
        Assert.Equal(Raisers * Raises * (Raises + 1) / 2, r[1].Number);
    }

    [Fact]
    public void DotNetExceptionsBecomeLuauErrors()
    {
        Assert.Equal(["false", "true"], Run("local ok, e = pcall(function() obj:Throw() end); return ok, string.find(e, 'thrown by .NET', 1, true) ~= nil"));
    }

    [Fact]
    public void TypesExposeConstructorsAndStaticMembers()
    {
        var (engine, _) = NewEngine();
        engine.SetType<Point>();
        engine.SetType<SampleObject>("Sample");
        var r = engine.DoString("""
            local p = Point.new(3, 4)
            local q = Point:new(1, 2)
            Point.Created = 2
            return p.X, q.Y, Point.Distance(Point.Origin, p), Point.Created, typeof(Point), Sample.new():Add(1, 2)
            """);
        Assert.Equal(["3", "2", "5", "2", "Point", "3"], r.Select(v => v.ToString()));
        Assert.Equal(2, Point.Created);
        var e = Assert.Throws<LuauRuntimeException>(() => engine.DoString("Point.new('x', 1)"));
        Assert.EndsWith("invalid argument #1 to 'new' (number expected, got string)", e.Message);
        e = Assert.Throws<LuauRuntimeException>(() => engine.DoString("Point.Distance(Point.Origin)"));
        Assert.EndsWith("missing argument #2 to 'Distance' (Point expected)", e.Message);
        e = Assert.Throws<LuauRuntimeException>(() => engine.DoString("Point.Origin = 1"));
        Assert.EndsWith("property 'Origin' of Point is read-only", e.Message);
    }

    [Fact]
    public void TostringUsesTheObjectsToString()
    {
        Assert.Equal(["Sample", "Point(1, 2)"], Run("return tostring(obj), tostring(obj:MakePoint(1, 2))"));
    }
}

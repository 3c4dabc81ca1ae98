using System.Text;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.VM;

/// <summary>
/// Every recursion a script can drive the engine's .NET code into stops with a catchable "stack overflow" error,
/// on threads with small stacks too (a .NET stack overflow would end the whole process).
/// </summary>
public class StackSafetyTests
{
    public static TheoryData<string, int> Paths()
    {
        string[] scripts =
        [
            "local function f() return coroutine.wrap(f)() end return pcall(f)",
            "local function f() local ok, e = coroutine.resume(coroutine.create(f)) error(e, 0) end return pcall(f)",
            "local function f() return coroutine.wrap(function() return pcall(f) end)() end return f()",
            "local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return pcall(function() return t.x end)",
            "local t = setmetatable({}, {__newindex = function(t, k, v) t[k] = v end}) return pcall(function() t.x = 1 end)",
            "local m = {} m.__add = function(a, b) return a + b end local t = setmetatable({}, m) return pcall(function() return t + 1 end)",
            "local m = {} m.__lt = function(a, b) return a < b end local t = setmetatable({}, m) return pcall(function() return t < t end)",
            "local m = {} m.__concat = function(a, b) return a .. b end local t = setmetatable({}, m) return pcall(function() return t .. 'x' end)",
            "local t = setmetatable({}, {__tostring = function(s) return tostring(s) end}) return pcall(tostring, t)",
            "local t = setmetatable({}, {__tostring = function(s) print(s) return '' end}) return pcall(tostring, t)",
            "local function f() table.sort({2, 1}, function(a, b) f() return a < b end) end return pcall(f)",
            "local function f() string.gsub('a', 'a', f) end return pcall(f)",
            "local function f() local ok, e = xpcall(f, function(m) return m end) if not ok then error(e, 0) end end return pcall(f)",
            "local function f() local ok, e = pcall(f) if not ok then error(e, 0) end end return pcall(f)",
            "local function f() local ok, e = pcall(coroutine.wrap(f)) if not ok then error(e, 0) end end return pcall(f)",
            "local function f() return hostcall(f) end return pcall(f)",
            "local function f() return coroutine.wrap(hostcall)(f) end return pcall(f)",
            "local function f() return loadstring('return ...')(f)() end return pcall(f)",
            "local function f() return f() + 1 end return pcall(f)",
        ];
        var data = new TheoryData<string, int>();
        foreach (var s in scripts)
        {
            data.Add(s, 256 << 10);
            data.Add(s, 1 << 20);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void RecursionEndsWithACatchableError(string source, int stackBytes)
    {
        string result = OnThread(stackBytes, () =>
        {
            var engine = new LuauEngine(new LuauEngineOptions { EnableLoadstring = true });
            engine.SetFunction("hostcall", c => c.Return(c.Call(c[1])));
            var values = engine.DoString(source);
            string rendered = ScriptRunner.Render(engine, values);
            // The state is still usable afterwards.
            Assert.Equal(3, engine.DoString("return 1 + 2")[0].Number);
            return rendered;
        });
        Assert.Contains("stack overflow", result);
        Assert.DoesNotContain("Exception", result);
    }

    [Theory]
    [InlineData("return ", "(", ")", 256 << 10)]
    [InlineData("return ", "(", ")", 1 << 20)]
    [InlineData("return ", "{", "}", 256 << 10)]
    [InlineData("return ", "- ", "1", 1 << 20)]
    [InlineData("local x = ", "not ", "x", 256 << 10)]
    [InlineData("", "do ", "end ", 256 << 10)]
    [InlineData("", "if x then ", "end ", 1 << 20)]
    [InlineData("return ", "function() return ", "end ", 256 << 10)]
    public void DeepNestingIsACompileError(string prefix, string open, string close, int stackBytes)
    {
        var source = new StringBuilder(prefix);
        for (int i = 0; i < 100_000; i++)
            source.Append(open);
        if (open != "- " && open != "not ")
            source.Append('1');
        for (int i = 0; i < 100_000; i++)
            source.Append(open is "- " or "not " ? "" : close);
        if (open is "- " or "not ")
            source.Append(close);
        string message = OnThread(stackBytes, () =>
            Assert.Throws<LuauLoadException>(() => new LuauEngine().Load(source.ToString())).Message);
        Assert.DoesNotContain("Exception", message);
    }

    private static T OnThread<T>(int stackBytes, Func<T> body)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = body();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, stackBytes);
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromMinutes(2)), "hang guard");
        if (failure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        return result;
    }
}

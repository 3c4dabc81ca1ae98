using Coputer.Platform.Runtime;

namespace Coputer.Platform.Tests.Runtime;

/// <summary>The program contract of the spec's sections 2.2 to 2.3 and 3.4: args.web(), the return value and require.</summary>
public class ProgramContractTests
{
    private static RunResult Run(string main, params (string, string)[] modules) => TestPrograms.Run(TestPrograms.FromSource(main, modules));

    private static string Error(string main, params (string, string)[] modules)
    {
        var result = Run(main, modules);
        Assert.True(result.Status == RunStatus.ProgramError, result.ToString());
        return result.Error!;
    }

    private static string Body(string main, params (string, string)[] modules)
    {
        var result = Run(main, modules);
        Assert.True(result.Status == RunStatus.Ok, result.ToString());
        return result.Response!.BodyText;
    }

    [Theory]
    [InlineData("return", "program did not return a single value")]
    [InlineData("return 1, 2", "program did not return a single value")]
    [InlineData("return 'x'", "web program did not return a table")]
    [InlineData("return { statuscode = '200' }", "return statuscode, if provided, must be a number")]
    [InlineData("return { statuscode = 99.9 }", "return statuscode, if provided, must be between 100 and 599")]
    [InlineData("return { statuscode = 600 }", "return statuscode, if provided, must be between 100 and 599")]
    [InlineData("return { statuscode = 0/0 }", "return statuscode, if provided, must be between 100 and 599")]
    [InlineData("return { headers = 'x' }", "return headers, if provided, must be a table")]
    [InlineData("return { headers = { 'a' } }", "header keys must be strings")]
    [InlineData("return { headers = { [1] = 'a' } }", "header keys must be strings")]
    [InlineData("return { headers = { [true] = 'a' } }", "header keys must be strings")]
    [InlineData("return { headers = { a = 1 } }", "header values must be strings")]
    [InlineData("return { body = 'text' }", "return body, if provided, must be a buffer")]
    [InlineData("return { headers = { ['bad name'] = 'x' } }", "header name 'bad name' is not a valid HTTP header name")]
    [InlineData("return { headers = { a = 'x\\r\\nset-cookie: y' } }", "header 'a' has a value with a line break or control character")]
    [InlineData("return { headers = { ['Content-Type'] = 'a', ['content-type'] = 'b' } }", "header 'content-type' is given twice (header names ignore case)")]
    public void ReturnValueErrors(string main, string message) => Assert.Equal(message, Error(main));

    [Fact]
    public void ListHeaderKeysAreNumbersAndRefused()
    {
        // The key is checked before the value, as in the original.
        Assert.Equal("header keys must be strings", Error("return { headers = { [1] = 1 } }"));
    }

    [Fact]
    public void StatusCodeIsTruncatedAndDefaultsTo200()
    {
        var result = Run("return { statuscode = 201.9, body = buffer.fromstring('x') }");
        Assert.Equal(201, result.Response!.StatusCode);
        Assert.Empty(result.Response.Headers);
        Assert.Equal(200, Run("return { body = buffer.create(0) }").Response!.StatusCode);
        Assert.Equal(404, Run("return { statuscode = 404i }").Response!.StatusCode);
        Assert.Equal("return statuscode, if provided, must be between 100 and 599", Error("return { statuscode = 9999999999999i }"));
    }

    [Fact]
    public void DefaultBodyIsTheStatusTextAndKeepsTheProgramsContentType()
    {
        var plain = Run("return { statuscode = 418 }").Response!;
        Assert.Equal("I'm a teapot", plain.BodyText);
        Assert.Equal("text/plain; charset=utf-8", plain.GetHeader("content-type"));
        var html = Run("return { statuscode = 404, headers = { ['Content-Type'] = 'text/html', ['X-A'] = 'b' } }").Response!;
        Assert.Equal("Not Found", html.BodyText);
        Assert.Equal([new("content-type", "text/html"), new("x-a", "b")], html.Headers);
        Assert.Equal("Error 599", Run("return { statuscode = 599 }").Response!.BodyText);
    }

    [Fact]
    public void WebArgsDescribeTheRequest()
    {
        var bundle = TestPrograms.FromSource("""
            local w = args.web()
            local parts = { w.method, w.url.rawpath, w.url.path, w.url.rawquery, buffer.tostring(w.body), tostring(buffer.len(w.body)) }
            for k, v in w.url.query do table.insert(parts, k .. '=' .. table.concat(v, ',')) end
            for k, v in w.headers do table.insert(parts, k .. ':' .. v) end
            table.insert(parts, w.headers['User-Agent'] or 'nil')
            table.insert(parts, w.headers['ACCEPT'] or 'nil')
            table.insert(parts, tostring(w.headers.missing))
            table.insert(parts, tostring(args.web() ~= w))
            return { body = buffer.fromstring(table.concat(parts, '|')) }
            """);
        var result = TestPrograms.Run(bundle, "POST", "/a%2Fb/c?z=1&a=2&a=3&b=x+y&bad=%zz&semi=1;2", headers: [new("User-Agent", "t"), new("Accept", "x"), new("accept", "y")], body: "hello");
        Assert.Equal("POST|/a%2Fb/c?z=1&a=2&a=3&b=x+y&bad=%zz&semi=1;2|/a/b/c|z=1&a=2&a=3&b=x+y&bad=%zz&semi=1;2|hello|5|a=2,3|b=x y|z=1|accept:x, y|user-agent:t|t|x, y|nil|true",
            result.Response!.BodyText);
    }

    [Theory]
    [InlineData("args.web().method = 'x'")]
    [InlineData("args.web().url.path = 'x'")]
    [InlineData("args.web().url.query.a = {}")]
    [InlineData("args.web().headers.x = 'y'")]
    [InlineData("args.web = nil")]
    [InlineData("setmetatable(args.web().headers, nil)")]
    public void WebArgsAreReadOnly(string statement)
    {
        var error = Error(statement + " return {}");
        Assert.True(error.Contains("attempt to modify a readonly table") || error.Contains("protected metatable"), error);
    }

    [Fact]
    public void BodyIsAFreshWritableBuffer()
    {
        var result = TestPrograms.Run(TestPrograms.FromSource("""
            local a, b = args.web().body, args.web().body
            buffer.writeu8(a, 0, 88)
            return { body = buffer.fromstring(buffer.tostring(a) .. '|' .. buffer.tostring(b)) }
            """), "POST", "/", body: "hello");
        Assert.Equal("Xello|hello", result.Response!.BodyText);
    }

    [Fact]
    public void RequireResolvesRelativeToTheRequiringFile()
    {
        var body = Body("return { body = buffer.fromstring(require('./a').name .. require('./dir').name .. require('./dir/b').name) }",
            ("a.luau", "return { name = 'a' }"),
            ("dir/main.luau", "return { name = 'dir' .. require('./c').name }"),
            ("dir/c.luau", "return { name = 'c' }"),
            ("dir/b.luau", "return { name = 'b' .. require('../a').name }"));
        Assert.Equal("adircba", body);
    }

    [Fact]
    public void ModulesRunOnceAndAreShared()
    {
        Assert.Equal("1 true", Body("""
            local a = require('./counter')
            local b = require('./counter')
            return { body = buffer.fromstring(tostring(a.loads()) .. ' ' .. tostring(a == b)) }
            """, ("counter.luau", "local n = 0 n += 1 return { loads = function() return n end }")));
    }

    [Fact]
    public void RequireFileBeforeDirectory()
    {
        Assert.Equal("file", Body("return { body = buffer.fromstring(require('./x').v) }",
            ("x.luau", "return { v = 'file' }"), ("x/main.luau", "return { v = 'dir' }")));
    }

    [Theory]
    [InlineData("require('x')", "require path must start with a valid prefix: ./ or ../")]
    [InlineData("require('/x')", "require path must start with a valid prefix: ./ or ../")]
    [InlineData("require('./lib.luau')", "error requiring module: consider removing the file extension")]
    [InlineData("require('./missing')", "error requiring module: error finding file")]
    [InlineData("require('../outside')", "error requiring module: '../outside' is outside the program")]
    [InlineData("require('./dir/../../x')", "error requiring module: './dir/../../x' is outside the program")]
    [InlineData("require('./main')", "cyclic module dependency: file requires itself")]
    [InlineData("require('./cycle1')", "cyclic module dependency: file requires itself indirectly")]
    [InlineData("require('./two')", "module must return a single value")]
    [InlineData("require('./none')", "module must return a single value")]
    [InlineData("require('./number')", "module must return a table or function")]
    [InlineData("require('./syntax')", "error requiring module: syntax.luau:1: Expected identifier when parsing expression, got ')'")]
    [InlineData("require('./asset')", "error requiring module: error finding file")]
    [InlineData("require(42)", "invalid argument #1 to 'require' (string expected, got number)")]
    public void RequireErrors(string statement, string message)
    {
        var error = Error(statement + " return {}",
            ("lib.luau", "return {}"), ("cycle1.luau", "return require('./cycle2')"), ("cycle2.luau", "return require('./cycle1')"),
            ("two.luau", "return 1, 2"), ("none.luau", "local x = 1"), ("number.luau", "return 5"), ("syntax.luau", "return )"),
            ("asset.txt", "not a module"));
        Assert.EndsWith(message, error);
    }

    [Fact]
    public void RequireWithBackslashes()
    {
        Assert.Equal("ok", Body("return { body = buffer.fromstring(require('.\\\\dir\\\\m').v) }", ("dir/m.luau", "return { v = 'ok' }")));
    }

    [Fact]
    public void ErrorsInModulesKeepTheirPosition()
    {
        var result = Run("local m = require('./lib')\nreturn m.f()", ("lib.luau", "return { f = function()\n  local t = nil\n  return t.x\nend }"));
        Assert.Equal(RunStatus.ProgramError, result.Status);
        Assert.Equal("lib.luau:3: attempt to index nil with 'x'", result.Error);
        Assert.Contains("lib.luau:3", result.Traceback);
        Assert.Contains("main.luau:2", result.Traceback);
    }

    [Fact]
    public void CompileErrorInMainIsAProgramError()
    {
        var result = Run("return {");
        Assert.Equal(RunStatus.ProgramError, result.Status);
        Assert.StartsWith("main.luau:1: ", result.Error);
    }

    [Fact]
    public void ModulesPastTheCompileSizeCapAreRefusedBeforeCompiling()
    {
        // A module of 100 KB (a big literal table) under a 64 KiB cap: refused by size, named, and not compiled.
        var big = "return {" + string.Concat(Enumerable.Repeat("1,", 50_000)) + "}";
        var bundle = TestPrograms.FromSource("local t = require('./data') return { body = buffer.fromstring(tostring(#t)) }", ("data.luau", big));
        var program = new CompiledProgram(bundle, maxModuleSourceBytes: 64 << 10);
        var result = ProgramRuntime.Run(program, WebRequest.Create("GET", "/"));
        Assert.Equal(RunStatus.ProgramError, result.Status);
        Assert.Equal($"main.luau:1: error requiring module: data.luau: module is too large to compile ({big.Length} bytes; the limit is 65536)", result.Error);
        Assert.Equal([$"data.luau: module is too large to compile ({big.Length} bytes; the limit is 65536)"], program.CompileAll());
        // Under the default cap the same program runs.
        var fine = ProgramRuntime.Run(new CompiledProgram(bundle), WebRequest.Create("GET", "/"));
        Assert.True(fine.Status == RunStatus.Ok, fine.ToString());
        Assert.Equal("50000", fine.Response!.BodyText);
    }

    [Fact]
    public void PrintGoesToTheRunLog()
    {
        var result = Run("print('hello', 1, nil) print('second') return {}");
        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.Equal("hello\t1\tnil\nsecond\n", result.Info.Log);
        var flood = TestPrograms.Run(TestPrograms.FromSource("for i = 1, 10000 do print(string.rep('x', 100)) end return {}"), limits: new RunLimits { LogBytes = 1000 });
        Assert.Equal(1000 + "\n[log truncated]\n".Length, flood.Info.Log.Length);
    }

    [Fact]
    public void ClockTimeAndRandomAreDeterministic()
    {
        const string program = "return { body = buffer.fromstring(os.time() .. ' ' .. os.clock() .. ' ' .. math.random(1, 1000000) .. ' ' .. os.date('!%Y')) }";
        var a = Body(program);
        var b = Body(program);
        Assert.Equal(a, b);
        Assert.StartsWith("0 0 ", a);
        Assert.EndsWith(" 1970", a);
        // Another input gives another random sequence, but always the same one for that input.
        var bundle = TestPrograms.FromSource(program);
        var c = TestPrograms.Run(bundle, target: "/other").Response!.BodyText;
        Assert.Equal(c, TestPrograms.Run(bundle, target: "/other").Response!.BodyText);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void GlobalsDoNotLeakBetweenRunsOrModules()
    {
        var bundle = TestPrograms.FromSource("local before = leaked leaked = 1 require('./m') return { body = buffer.fromstring(tostring(before) .. tostring(seen)) }",
            ("m.luau", "seen = leaked return {}"));
        Assert.Equal("nilnil", TestPrograms.Run(bundle).Response!.BodyText);
        Assert.Equal("nilnil", TestPrograms.Run(bundle).Response!.BodyText);
    }

    [Fact]
    public void TasksFinishBeforeTheAnswerOnVirtualTime()
    {
        var result = Run("""
            local out = buffer.create(3)
            task.spawn(function() task.wait(60) buffer.writeu8(out, 0, 65) end)
            task.spawn(function() error('oops') end)
            buffer.writeu8(out, 1, 66)
            return { body = out }
            """);
        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.Equal("AB\0", result.Response!.BodyText);
        Assert.Contains("[task failed] main.luau:3: oops", result.Info.Log);
        Assert.True(result.Info.Duration < TimeSpan.FromSeconds(30));
    }
}

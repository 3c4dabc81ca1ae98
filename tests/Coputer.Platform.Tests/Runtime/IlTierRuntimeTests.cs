using Coputer.Platform.Runtime;

namespace Coputer.Platform.Tests.Runtime;

/// <summary>
/// Runs with the IL tier (the platform's default) against runs without it: the same program, kept compiled across
/// runs as a node keeps it, gives the same response, log, traceback and instruction count every time, whether its
/// hot functions have been compiled yet or not.
/// </summary>
public class IlTierRuntimeTests
{
    private const string Program = """
        local function mix(h, x) return (h * 31 + x) % 1000003 end
        local Point = {}
        Point.__index = Point
        function Point.new(x, y) return setmetatable({x = x, y = y}, Point) end
        function Point:norm2() return self.x * self.x + self.y * self.y end
        local h, parts = 0, {}
        for i = 1, 20000 do
          h = mix(h, Point.new(i % 17, i % 5):norm2())
          if i % 4000 == 0 then parts[#parts + 1] = tostring(h) print(i, h) end
        end
        local route = args.web().url.path
        if route == "/fail" then
          local t = nil
          return t.field
        end
        return { body = buffer.fromstring(table.concat(parts, " ") .. " " .. math.sqrt(h)) }
        """;

    [Theory]
    [InlineData("/")]
    [InlineData("/fail")]
    public void RunsGiveTheSameOutcomeWithTheTierOnAndOff(string path)
    {
        var bundle = TestPrograms.FromSource(Program);
        var withTier = new CompiledProgram(bundle);
        var without = new CompiledProgram(bundle);
        var request = WebRequest.Create("GET", path);
        var reference = ProgramRuntime.Run(without, request, ilTier: false);
        Assert.Equal(path == "/" ? RunStatus.Ok : RunStatus.ProgramError, reference.Status);
        for (int run = 0; run < 6; run++)
        {
            var result = ProgramRuntime.Run(withTier, request);
            Assert.Equal(reference.Status, result.Status);
            Assert.Equal(reference.Response?.BodyText, result.Response?.BodyText);
            Assert.Equal(reference.Error, result.Error);
            Assert.Equal(reference.Traceback, result.Traceback);
            Assert.Equal(reference.Info.Log, result.Info.Log);
            Assert.Equal(reference.Info.Instructions, result.Info.Instructions);
        }
    }
}

using Coputer.Luau.Library;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.Conformance;

/// <summary>
/// The conformance files that exercise numbers (math functions, <c>^</c>, formatting, packing, buffers, vectors)
/// again with the deterministic math the sandbox uses instead of the host's C library. The clocks stay real, since
/// some files compare times.
/// </summary>
public class DeterministicMathConformanceTests
{
    /// <summary>Whether the files run with the IL tier compiling every function (see <see cref="IlTierDeterministicMathConformanceTests"/>).</summary>
    protected virtual bool IlTier => false;

    private LuauState Run(string fileName, ConformanceSetup? setup = null) => ConformanceHarness.Run(fileName, setup, IlTier);

    private static readonly LuauPlatform s_platform = new()
    {
        Clock = LuauPlatform.System.Clock,
        UnixTime = LuauPlatform.System.UnixTime,
        LocalTimeZone = LuauPlatform.System.LocalTimeZone,
        RandomSeed = LuauPlatform.System.RandomSeed,
        TaskTime = LuauPlatform.System.TaskTime,
        DeterministicMath = true,
    };

    public static TheoryData<string> Files => new(
    [
        "basic", "bitwise", "constructs", "events", "literals", "strconv", "strings", "tpack", "vararg",
    ]);

    [Theory]
    [MemberData(nameof(Files))]
    public void Plain(string name) => Run(name + ".luau", new() { Platform = s_platform });

    public static TheoryData<int> OptimizationLevels => new([0, 1, 2]);

    [Theory]
    [MemberData(nameof(OptimizationLevels))]
    public void Math(int level) => Run("math.luau", new()
    {
        Platform = s_platform,
        CompileOptions = new() { OptimizationLevel = level, DebugLevel = 1 },
    });

    [Theory]
    [MemberData(nameof(OptimizationLevels))]
    public void Vector(int level) => Run("vector.luau", new()
    {
        Platform = s_platform,
        CompileOptions = new() { OptimizationLevel = level, DebugLevel = 1 },
        Setup = state =>
        {
            HostTypes.RegisterVectorMetatable(state);
            HostTypes.RegisterNativeHelpers(state);
        },
    });

    [Theory]
    [MemberData(nameof(OptimizationLevels))]
    public void VectorLibrary(int level) => Run("vector_library.luau", new()
    {
        Platform = s_platform,
        CompileOptions = new() { OptimizationLevel = level, DebugLevel = 1 },
        Setup = HostTypes.RegisterNativeHelpers,
    });

    [Fact]
    public void Buffers() => Run("buffers.luau", new() { Platform = s_platform, Setup = HostTypes.RegisterNativeHelpers });
}

/// <summary>The same files with the IL tier on, compiling every function at its first call.</summary>
public sealed class IlTierDeterministicMathConformanceTests : DeterministicMathConformanceTests
{
    protected override bool IlTier => true;
}

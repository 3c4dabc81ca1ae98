using Coputer.Luau.Interop;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.Interop;

/// <summary>A colour, passed to Luau by name.</summary>
public enum Shade
{
    Red,
    Green,
    Blue = 10,
}

/// <summary>A point: an exported object other exported objects take and return.</summary>
[LuauExport]
public partial class Point(double x, double y)
{
    public double X { get; set; } = x;

    public double Y { get; set; } = y;

    public Point Offset(Point by) => new(X + by.X, Y + by.Y);

    // ---- the static side: Point.new(x, y), Point.Origin, Point.Distance(a, b) ----

    public static Point Origin => new(0, 0);

    public static int Created { get; set; }

    public static double Distance(Point a, Point b) => Math.Sqrt(Math.Pow(a.X - b.X, 2) + Math.Pow(a.Y - b.Y, 2));

    public override string ToString() => $"Point({X}, {Y})";
}

/// <summary>The sample class: one member for every feature of the generated bindings.</summary>
[LuauExport("Sample")]
public partial class SampleObject
{
    private int _count;

    // ---- properties ----

    public int Count
    {
        get => _count;
        set
        {
            _count = value;
            Changed?.Invoke(value, "set");
        }
    }

    public string Name { get; } = "sample";

    public string? Note { get; set; }

    public int? Limit { get; set; }

    public Shade Shade { get; set; } = Shade.Green;

    public byte Small { get; set; }

    public ulong Big { get; set; }

    public float Single { get; set; }

    public decimal Money { get; set; }

    public int Secret { private get; set; }

    public int Revealed => Secret;

    [LuauName("label")]
    public string Label { get; set; } = "L";

    [LuauHidden]
    public string Hidden { get; set; } = "hidden";

    // ---- methods and overloads ----

    public int Add(int a, int b) => a + b;

    public double Add(double a, double b) => a + b + 0.5;

    public string Add(string a, string b) => a + b;

    public int Add(int a, int b, int c) => a + b + c;

    public double Scale(double value, double factor = 2) => value * factor;

    public string Greet(string? name = null, string greeting = "hello") => $"{greeting} {name ?? "nobody"}";

    public int Sum(params int[] values) => values.Sum();

    public string Join(string separator, params string[] parts) => string.Join(separator, parts);

    public void Increment() => Count++;

    public string Describe(Shade shade) => $"{shade}:{(int)shade}";

    public Shade Next(Shade shade) => shade == Shade.Red ? Shade.Green : Shade.Blue;

    public long Wide(long value) => value;

    public int TakeByte(byte b) => b;

    public bool Flip(bool b) => !b;

    public int? Maybe(int? value) => value is null ? null : value * 2;

    // ---- tables ----

    public int Total(List<int> values) => values.Sum();

    public string[] Upper(IReadOnlyList<string> words) => [.. words.Select(w => w.ToUpperInvariant())];

    public Dictionary<string, int> Lengths(string[] words) => words.Distinct().ToDictionary(w => w, w => w.Length);

    public int Score(IReadOnlyDictionary<string, int> scores) => scores.Values.Sum();

    public List<List<int>> Pairs(int n) => [.. Enumerable.Range(1, n).Select(i => new List<int> { i, i * i })];

    // ---- buffers ----

    public byte[] Reverse(byte[] data) => [.. data.Reverse()];

    public int Checksum(ReadOnlySpan<byte> data)
    {
        int sum = 0;
        foreach (byte b in data)
            sum += b;
        return sum;
    }

    public void Fill(Memory<byte> data, byte value) => data.Span.Fill(value);

    // ---- objects ----

    public Point MakePoint(double x, double y) => new(x, y);

    public double Length(Point p) => Math.Sqrt((p.X * p.X) + (p.Y * p.Y));

    public Point? Nothing() => null;

    // ---- several results ----

    public bool TryHalf(int n, out int half)
    {
        half = n / 2;
        return n % 2 == 0;
    }

    public void Swap(ref string a, ref string b) => (a, b) = (b, a);

    public int Divide(int a, int b, out int remainder) => Math.DivRem(a, b, out remainder);

    public (int Min, int Max) Range(List<int> values) => (values.Min(), values.Max());

    public (string, Shade, Point?, double, bool) Many() => ("m", Shade.Blue, null, 2.5, true);

    public async Task<(string Key, int Length)> MeasureAsync(string key)
    {
        await Task.Yield();
        return (key, key.Length);
    }

    public LuauValue Echo(LuauValue value) => value;

    public string Kind(object? value) => value?.GetType().Name ?? "null";

    // ---- async ----

    public async Task<string> FetchAsync(string key, CancellationToken cancellationToken)
    {
        await Task.Delay(5, cancellationToken);
        return "value of " + key;
    }

    public async ValueTask<int> DoubleLaterAsync(int n)
    {
        await Task.Yield();
        return n * 2;
    }

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        WaitStarted++;
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    public int WaitStarted { get; private set; }

    public ValueTask<int> ReadyAsync() => new(42);

    public async Task FailAsync()
    {
        await Task.Yield();
        throw new InvalidOperationException("the host failed");
    }

    // ---- events ----

    public event Action<int, string>? Changed;

    public event EventHandler<string>? Renamed;

    public void Rename(string to) => Renamed?.Invoke(this, to);

    public void Throw() => throw new InvalidOperationException("thrown by .NET");
}

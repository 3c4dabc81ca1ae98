using System.IO.Compression;
using System.Text;
using Coputer.Platform.Bundles;

namespace Coputer.Platform.Tests.Bundles;

public class BundleTests
{
    private static readonly byte[] Main = Encoding.UTF8.GetBytes("return { body = buffer.fromstring('hi') }");

    [Fact]
    public void RoundTripKeepsFilesAndIdentity()
    {
        var bundle = TestPrograms.Load("site");
        var bytes = bundle.Encode();
        var read = BundleFormat.Read(bytes);
        Assert.Equal(bundle.Hash, read.Hash);
        Assert.Equal(bundle.Files.Select(f => f.Path), read.Files.Select(f => f.Path));
        foreach (var f in bundle.Files)
            Assert.Equal(f.Content.ToArray(), read.Find(f.Path)!.Content.ToArray());
        Assert.Equal(bytes, read.Encode());
    }

    [Fact]
    public void EmptyFilesRoundTrip()
    {
        var bundle = Bundle.Create([new("main.luau", Main), new("empty.txt", [])]);
        var read = BundleFormat.Read(bundle.Encode());
        Assert.Empty(read.Find("empty.txt")!.Content.ToArray());
        Assert.Equal(bundle.Hash, read.Hash);
    }

    [Fact]
    public void WritesMainFirstThenDirectoryWalkOrder()
    {
        var bundle = Bundle.Create([new("b.luau", Main), new("a.luau", Main), new("a/x.luau", Main), new("main.luau", Main), new("A.txt", Main)]);
        var order = new List<string>();
        var bytes = bundle.Encode();
        for (int at = 0; at < bytes.Length;)
        {
            Assert.True(BundleFormat.TryReadUvarint(bytes.AsSpan(at), out ulong length, out int n));
            int nameEnd = Array.IndexOf(bytes, (byte)0, at + n);
            order.Add(Encoding.Latin1.GetString(bytes, at + n, nameEnd - at - n));
            at += n + (int)length;
        }
        // As Go's filepath.WalkDir visits them: "a" (a directory) sorts before "a.luau".
        Assert.Equal(["main.luau", "A.txt", "a/x.luau", "a.luau", "b.luau"], order);
    }

    [Fact]
    public void IdentityDependsOnContentNotOnTheCompressor()
    {
        var files = new (string, string)[] { ("main.luau", "return require('./lib')"), ("lib.luau", "return {}"), ("public/a.css", "body {}") };
        var optimal = BundleFormat.Read(BundleBytes.Concat(files.Select(f => BundleBytes.Member(f.Item1, Encoding.UTF8.GetBytes(f.Item2))).ToArray()));
        var stored = BundleFormat.Read(BundleBytes.Concat(files.Select(f => BundleBytes.Member(f.Item1, Encoding.UTF8.GetBytes(f.Item2), CompressionLevel.NoCompression)).ToArray()));
        var fastest = BundleFormat.Read(BundleBytes.Concat(files.Select(f => BundleBytes.Member(f.Item1, Encoding.UTF8.GetBytes(f.Item2), CompressionLevel.Fastest)).ToArray()));
        Assert.Equal(optimal.Hash, stored.Hash);
        Assert.Equal(optimal.Hash, fastest.Hash);
        var changed = Bundle.Create(files.Select(f => new KeyValuePair<string, byte[]>(f.Item1, Encoding.UTF8.GetBytes(f.Item2 + " "))));
        Assert.NotEqual(optimal.Hash, changed.Hash);
    }

    [Fact]
    public void CanonicalEncodingIsSpecified()
    {
        var bundle = Bundle.Create([new("main.luau", "x"u8.ToArray())]);
        var expected = new List<byte>();
        expected.AddRange("coputer-program-v1\0"u8.ToArray());
        expected.AddRange(new byte[] { 0, 0, 0, 1, 0, 9 });
        expected.AddRange("main.luau"u8.ToArray());
        expected.AddRange(Hash256.Of("x"u8).ToArray());
        Assert.Equal(expected.ToArray(), Bundle.CanonicalEncoding(bundle.Files));
        Assert.Equal(Hash256.Of(expected.ToArray()), bundle.Hash);
    }

    [Fact]
    public void AssetsAreNotModules()
    {
        var bundle = TestPrograms.Load("site");
        Assert.True(bundle.Find("layout.luau")!.IsModule);
        Assert.False(bundle.Find("public/style.css")!.IsModule);
    }

    public static TheoryData<string, string> HostileNames => new()
    {
        { "/etc/passwd", "file name is absolute" },
        { "../escape.luau", "'..' part" },
        { "a/../../x.luau", "'..' part" },
        { "./main.luau", "'.' part" },
        { "a\\b.luau", "backslash" },
        { "a\u0001b", "control character" },
        { "a//b", "empty part" },
        { "dir/", "empty part" },
        { "C:x", "drive letter" },
        { "init.luau", "invalid filename: init.luau" },
        { new string('a', 300), "file name too long" },
        { string.Join('/', Enumerable.Repeat("d", 20)) + "/x", "nests" },
    };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void HostileNamesAreRefused(string name, string message)
    {
        var bytes = BundleBytes.Concat(BundleBytes.Member("main.luau", Main), BundleBytes.Member(name, "x"u8));
        var e = Assert.Throws<BundleException>(() => BundleFormat.Read(bytes));
        Assert.Contains(message, e.Message);
        Assert.Throws<BundleException>(() => Bundle.Create([new("main.luau", Main), new(name, "x"u8.ToArray())]));
    }

    [Fact]
    public void NulInANameIsRefused()
    {
        // The NUL ends the gzip name field, so what follows is read as compressed data and fails.
        var member = BundleBytes.Member("a\0b.luau", "x"u8);
        var e = Assert.Throws<BundleException>(() => BundleFormat.Read(BundleBytes.Concat(BundleBytes.Member("main.luau", Main), member)));
        Assert.StartsWith("bad bundle:", e.Message);
        Assert.Contains("NUL", Assert.Throws<BundleException>(() => Bundle.Create([new("main.luau", Main), new("a\0b", Main)])).Message);
    }

    [Fact]
    public void DuplicateAndCaseCollidingNamesAreRefused()
    {
        var dup = BundleBytes.Of(("main.luau", "return 1"), ("x.luau", "a"), ("x.luau", "b"));
        Assert.Contains("duplicate file name: \"x.luau\"", Assert.Throws<BundleException>(() => BundleFormat.Read(dup)).Message);
        var cased = BundleBytes.Of(("main.luau", "return 1"), ("Lib.luau", "a"), ("lib.luau", "b"));
        Assert.Contains("differ only in case", Assert.Throws<BundleException>(() => BundleFormat.Read(cased)).Message);
    }

    [Fact]
    public void EntryPointMustBePresentAndFirst()
    {
        Assert.Equal("entrypoint (main.luau) not found", Assert.Throws<BundleException>(() => Bundle.Create([new("lib.luau", Main)])).Message);
        var misplaced = BundleBytes.Of(("lib.luau", "return {}"), ("main.luau", "return 1"));
        Assert.Contains("the first file must be main.luau", Assert.Throws<BundleException>(() => BundleFormat.Read(misplaced)).Message);
        var nested = BundleBytes.Of(("dir/main.luau", "return 1"));
        Assert.Contains("the first file must be main.luau", Assert.Throws<BundleException>(() => BundleFormat.Read(nested)).Message);
    }

    [Fact]
    public void OriginalFramingErrorsKeepTheirMessages()
    {
        Assert.Equal("bad bundle: 0 length", Assert.Throws<BundleException>(() => BundleFormat.Read([])).Message);
        var good = BundleBytes.Of(("main.luau", "return 1"));
        Assert.Equal("bad bundle: file length exceeds bundle length", Assert.Throws<BundleException>(() => BundleFormat.Read(good[..^1])).Message);
        var badCrc = BundleBytes.Concat(BundleBytes.Member("main.luau", Main, crc: 12345));
        Assert.Equal("bad bundle: file \"main.luau\" is corrupt (its compressed data, size or checksum is wrong)", Assert.Throws<BundleException>(() => BundleFormat.Read(badCrc)).Message);
        var shortSize = BundleBytes.Concat(BundleBytes.Member("main.luau", Main, declaredSize: (uint)Main.Length - 1));
        Assert.StartsWith("bad bundle: file \"main.luau\"", Assert.Throws<BundleException>(() => BundleFormat.Read(shortSize)).Message);
        var longSize = BundleBytes.Concat(BundleBytes.Member("main.luau", Main, declaredSize: (uint)Main.Length + 1));
        Assert.StartsWith("bad bundle: file \"main.luau\"", Assert.Throws<BundleException>(() => BundleFormat.Read(longSize)).Message);
    }

    [Fact]
    public void GigabyteGzipBombIsRefusedBeforeInflating()
    {
        var bytes = BundleBytes.Concat(BundleBytes.Member("main.luau", Main), BundleBytes.BombMember("bomb.txt", 1u << 30));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<BundleException>(() => BundleFormat.Read(bytes));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("unpacks to 1073741824 bytes (at most 4194304)", e.Message);
        Assert.True(allocated < 4 * bytes.Length, $"allocated {allocated} bytes");
    }

    [Fact]
    public void BombWithAFalseSizeStopsAtTheDeclaredSize()
    {
        var bytes = BundleBytes.Concat(BundleBytes.Member("main.luau", Main), BundleBytes.BombMember("bomb.txt", 1000));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<BundleException>(() => BundleFormat.Read(bytes));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("unpacks to more than the 1000 bytes it declares", e.Message);
        Assert.True(allocated < 4 * bytes.Length, $"allocated {allocated} bytes");
    }

    [Fact]
    public void HighCompressionRatioIsRefused()
    {
        var zeros = new byte[1 << 20];
        var bytes = BundleBytes.Concat(BundleBytes.Member("main.luau", Main), BundleBytes.Member("zeros.bin", zeros));
        Assert.Contains("compressed", Assert.Throws<BundleException>(() => BundleFormat.Read(bytes)).Message);
        // The same file is fine when it does not compress that well.
        var noise = new byte[1 << 20];
        new Random(1).NextBytes(noise);
        Assert.NotNull(BundleFormat.Read(BundleBytes.Concat(BundleBytes.Member("main.luau", Main), BundleBytes.Member("noise.bin", noise))));
    }

    [Fact]
    public void HundredThousandFilesAreRefused()
    {
        var members = new List<byte[]> { BundleBytes.Member("main.luau", Main) };
        for (int i = 0; i < 100_000; i++)
            members.Add(BundleBytes.Member($"f{i}.txt", []));
        var bytes = BundleBytes.Concat(members.ToArray());
        var e = Assert.Throws<BundleException>(() => BundleFormat.Read(bytes));
        Assert.Equal("bad bundle: more than 1024 files", e.Message);
    }

    [Fact]
    public void TotalSizeCapIsChecked()
    {
        var limits = new BundleLimits { MaxTotalBytes = 100 };
        var bytes = BundleBytes.Of(("main.luau", new string('x', 60)), ("b.txt", new string('y', 60)));
        Assert.Contains("more than 100 bytes", Assert.Throws<BundleException>(() => BundleFormat.Read(bytes, limits)).Message);
    }

    [Fact]
    public void FromDirectorySkipsDotDirectories()
    {
        using var dir = TempDirectory.Create();
        File.WriteAllText(Path.Combine(dir.Path, "main.luau"), "return 1");
        Directory.CreateDirectory(Path.Combine(dir.Path, ".git"));
        File.WriteAllText(Path.Combine(dir.Path, ".git", "HEAD"), "ref");
        Directory.CreateDirectory(Path.Combine(dir.Path, "lib"));
        File.WriteAllText(Path.Combine(dir.Path, "lib", "a.luau"), "return {}");
        var bundle = Bundle.FromDirectory(dir.Path);
        Assert.Equal(["lib/a.luau", "main.luau"], bundle.Files.Select(f => f.Path));
    }

    [Fact]
    public void EmptyDirectoryGivesAClearError()
    {
        using var dir = TempDirectory.Create();
        Assert.Contains("entrypoint (main.luau) not found", Assert.Throws<BundleException>(() => Bundle.FromDirectory(dir.Path)).Message);
    }
}

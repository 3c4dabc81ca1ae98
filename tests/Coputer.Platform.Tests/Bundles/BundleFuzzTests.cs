using Coputer.Platform.Bundles;

namespace Coputer.Platform.Tests.Bundles;

/// <summary>
/// Seeded fuzzing of the bundle reader: every mutation of real bundles must end in a bundle or a
/// <see cref="BundleException"/>, never another exception, a hang or an allocation past the caps. The iteration
/// count is small for CI; set COPUTER_FUZZ_ITERATIONS for a long run.
/// </summary>
public class BundleFuzzTests
{
    private static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("COPUTER_FUZZ_ITERATIONS"), out int n) ? n : 3000;

    [Fact]
    public void MutatedBundlesNeverCrashTheReader()
    {
        var seeds = new[]
        {
            TestPrograms.Load("site").Encode(),
            TestPrograms.Load("web3").Encode(),
            BundleBytes.Of(("main.luau", "return 1"), ("a/b.luau", "return {}"), ("x.txt", new string('z', 5000))),
        };
        var limits = new BundleLimits { MaxFiles = 64, MaxFileBytes = 1 << 16, MaxTotalBytes = 1 << 18 };
        var random = new Random(20261202);
        int accepted = 0;
        for (int i = 0; i < Iterations; i++)
        {
            var bytes = Mutate(seeds[random.Next(seeds.Length)], random);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                BundleFormat.Read(bytes, limits);
                accepted++;
            }
            catch (BundleException)
            {
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 4 * limits.MaxTotalBytes + 64 * bytes.Length, $"iteration {i} allocated {allocated} bytes");
        }
        Assert.True(accepted > 0, "no mutation was accepted: the fuzz is not reaching the inflater");
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = (byte[])seed.Clone();
        switch (random.Next(6))
        {
            case 0:
                for (int k = random.Next(1, 4); k > 0; k--)
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 1:
                return bytes[..random.Next(bytes.Length)];
            case 2:
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                return bytes;
            case 3:
                var junk = new byte[random.Next(1, 64)];
                random.NextBytes(junk);
                return [.. bytes, .. junk];
            case 4:
                var blob = new byte[random.Next(1, 256)];
                random.NextBytes(blob);
                return blob;
            default:
                // Rewrite the first length to something near or beyond the real one.
                bytes[0] = (byte)(bytes[0] + random.Next(-3, 4));
                return bytes;
        }
    }
}

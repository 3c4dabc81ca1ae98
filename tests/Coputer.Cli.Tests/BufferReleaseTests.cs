using System.Diagnostics;
using System.Globalization;

namespace Coputer.Cli.Tests;

/// <summary>
/// Large temporary buffers go back to the operating system: after a 200 MB concatenation fails under a memory limit,
/// the process's resident memory falls back while the script keeps running (a managed array, or one kept by a shared
/// pool, would stay resident until some later full collection, which an idle script never causes).
/// </summary>
public class BufferReleaseTests
{
    private const string Script = """
        local ok, err = pcall(function()
            local s = string.rep("x", 1000000)
            local t = table.create(200, s)
            return table.concat(t)
        end)
        print(ok, err)
        local t0 = os.clock()
        while os.clock() - t0 < 3 do end
        print("done")
        """;

    [Fact]
    public async Task RssFallsBackAfterAFailedConcatenation()
    {
        string path = Path.Combine(Path.GetTempPath(), $"coputer-release-{Environment.ProcessId}.luau");
        await File.WriteAllTextAsync(path, Script);
        try
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "coputer.dll"), "run", "--memory", "150", path })
                psi.ArgumentList.Add(a);
            using var process = Process.Start(psi)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();

            // Resident memory sampled until the script ends (output to a pipe is flushed only at the end).
            var samples = new List<long>();
            while (!process.HasExited)
            {
                if (Resident(process.Id) is long rss and > 0)
                    samples.Add(rss);
                await Task.Delay(50);
            }
            await process.WaitForExitAsync();

            Assert.Equal("false\tnot enough memory\ndone\n", await output);
            Assert.Equal("", await error);
            Assert.Equal(0, process.ExitCode);
            int peakAt = samples.IndexOf(samples.Max());
            long peak = samples[peakAt];
            long after = samples.Skip(peakAt).Min();
            // The builder reached 64 MB before the 128 MB step was refused; that memory is gone again while the
            // script idles.
            Assert.True(peak > after + (40L << 20) && after < 120L << 20,
                $"peak {peak >> 20} MB, then down to {after >> 20} MB; samples (MB): {string.Join(' ', samples.Select(x => x >> 20))}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>VmRSS of a process in bytes, or null once it has ended.</summary>
    private static long? Resident(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) << 10;
            }
        }
        catch (IOException)
        {
        }
        return null;
    }
}

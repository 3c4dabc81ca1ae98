using System.Diagnostics;

namespace Coputer.Platform.Tests;

/// <summary>Starts the test host (a separate node process) with the same dotnet that runs the tests.</summary>
internal static class ProcessHost
{
    public static Process Start(params string[] arguments)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Coputer.Platform.TestHost.dll");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var info = new ProcessStartInfo(dotnet)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(dll);
        foreach (var a in arguments)
            info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start the test host");
    }

    public static void RunToEnd(params string[] arguments)
    {
        using var p = Start(arguments);
        p.StandardInput.Close();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill();
            throw new TimeoutException("the test host did not finish");
        }
        Assert.True(p.ExitCode == 0, $"test host exited with {p.ExitCode}: {stderr.Result}");
    }
}

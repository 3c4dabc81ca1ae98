using System.Text;
using Coputer.Platform.Bundles;
using Coputer.Platform.Runtime;

namespace Coputer.Platform.Tests;

/// <summary>The test programs under Programs/ and helpers to build bundles from source text.</summary>
internal static class TestPrograms
{
    public static string Directory(string name) => Path.Combine(AppContext.BaseDirectory, "Programs", name);

    public static Bundle Load(string name) => Bundle.FromDirectory(Directory(name));

    public static Bundle FromSource(string main, params (string Path, string Source)[] others)
    {
        var files = new List<KeyValuePair<string, byte[]>> { new("main.luau", Encoding.UTF8.GetBytes(main)) };
        foreach (var (path, source) in others)
            files.Add(new(path, Encoding.UTF8.GetBytes(source)));
        return Bundle.Create(files);
    }

    public static RunResult Run(Bundle bundle, string method = "GET", string target = "/", RunLimits? limits = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null, string body = "") =>
        ProgramRuntime.Run(new CompiledProgram(bundle), WebRequest.Create(method, target, headers, Encoding.UTF8.GetBytes(body)), limits);

    public static RunResult Run(string main, string method = "GET", string target = "/", RunLimits? limits = null) =>
        Run(FromSource(main), method, target, limits);
}

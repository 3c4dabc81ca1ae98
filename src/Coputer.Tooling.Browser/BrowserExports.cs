using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json.Nodes;
using Coputer.Tooling.Formatting;
using Coputer.Tooling.LanguageServer;

[assembly: SupportedOSPlatform("browser")]

namespace Coputer.Tooling.Browser;

/// <summary>
/// What JavaScript calls: the same formatter and the same diagnostics as <c>coputer fmt</c> and <c>coputer lsp</c>.
/// Answers are JSON strings so the caller needs no marshalling beyond strings.
/// </summary>
public static partial class BrowserExports
{
    public static void Main()
    {
        // Nothing to run at start; the exports are called from JavaScript.
    }

    /// <summary>
    /// Formats Luau source: <c>{"text": formatted}</c>, <c>{"errors": [...]}</c> when it has syntax errors, or
    /// <c>{"failure": why}</c>. <paramref name="indentWidth"/> 0 means tabs.
    /// </summary>
    [JSExport]
    public static string Format(string source, int indentWidth)
    {
        var options = FormatOptions.Default with
        {
            IndentType = indentWidth > 0 ? IndentType.Spaces : IndentType.Tabs,
            IndentWidth = indentWidth > 0 ? Math.Min(indentWidth, 16) : 4,
        };
        var result = LuauFormatter.Format(Encoding.UTF8.GetBytes(source), options);
        if (result.Output is not null)
            return new JsonObject { ["text"] = Encoding.UTF8.GetString(result.Output) }.ToJsonString();
        if (result.Failure is not null)
            return new JsonObject { ["failure"] = result.Failure }.ToJsonString();
        return new JsonObject { ["errors"] = new JsonArray([.. result.Errors.Select(e => (JsonNode)e.ToString())]) }.ToJsonString();
    }

    /// <summary>The diagnostics the language server would publish, as a JSON array of protocol diagnostics (UTF-16 positions).</summary>
    [JSExport]
    public static string Diagnostics(string source) =>
        LanguageFeatures.Diagnostics(DocumentAnalysis.Analyze(source, PositionEncoding.Utf16)).ToJsonString();
}

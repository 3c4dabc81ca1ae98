using System.Globalization;
using System.Text.RegularExpressions;
using Coputer.Platform;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;
using Coputer.Platform.Store;

namespace Coputer.Gateway.Pages;

/// <summary>A publisher and the programs of theirs a node lists.</summary>
public sealed record PublisherListing(PublisherKey Publisher, IReadOnlyList<ProgramVersion> Programs);

/// <summary>What a program failed with, as the development error page shows it.</summary>
public sealed record ProgramFailure(string Title, string Message, string? Traceback, string? Log, string Request, IReadOnlyList<SourceLine>? Source, string? SourcePath);

/// <summary>One line of source around an error.</summary>
public sealed record SourceLine(int Number, string Text, bool IsErrorLine);

/// <summary>
/// The node's own pages: home, profiles and errors. Every value that comes from a program, a publisher or a request
/// is escaped; error pages on a node say nothing about the node's internals or the program's error.
/// </summary>
public static partial class NodePages
{
    /// <summary>The <c>Content-Security-Policy</c> of the node's pages (inline styles only; development pages may also run their reload script).</summary>
    public const string Policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>The policy of development pages, which carry the reload script.</summary>
    public const string DevelopmentPolicy = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'";

    private const string Style = """
        :root { color-scheme: light dark; --fg: #1b1f24; --muted: #59636e; --bg: #ffffff; --panel: #f4f6f8; --line: #d8dee4; --accent: #0b5cad; --bad: #b42318; --mark: #fff1c2; }
        @media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --panel: #161b22; --line: #30363d; --accent: #58a6ff; --bad: #ff7b72; --mark: #3d2e00; } }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
        header { border-bottom: 1px solid var(--line); background: var(--panel); }
        header div, main, footer { max-width: 60rem; margin: 0 auto; padding: 0 1.25rem; }
        header div { display: flex; gap: 1rem; align-items: baseline; padding-top: .8rem; padding-bottom: .8rem; }
        header strong { font-size: 1.1rem; }
        header span { color: var(--muted); }
        main { padding-top: 1.5rem; padding-bottom: 2rem; }
        h1 { font-size: 1.7rem; margin: .2rem 0 .6rem; line-height: 1.25; }
        h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; }
        a { color: var(--accent); }
        code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; }
        pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; font-size: .9rem; }
        .muted { color: var(--muted); }
        .stats { display: flex; flex-wrap: wrap; gap: .8rem; margin: 1rem 0; padding: 0; list-style: none; }
        .stats li { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .5rem .9rem; }
        .stats b { display: block; font-size: 1.3rem; }
        .status { font-size: 4rem; font-weight: 700; color: var(--muted); margin: 1rem 0 0; line-height: 1; }
        .error { color: var(--bad); }
        .source { padding: 0; }
        .source div { display: flex; white-space: pre; padding: 0 1rem; }
        .source .at { background: var(--mark); }
        .source .n { color: var(--muted); width: 3.5rem; flex: none; text-align: right; padding-right: 1rem; user-select: none; }
        footer { color: var(--muted); font-size: .9rem; padding-bottom: 2rem; }
        """;

    /// <summary>A whole page: the node's header, <paramref name="body"/> (markup already escaped) and an optional script.</summary>
    public static string Layout(string title, string host, string body, string? script = null) => $"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{Html.Escape(title)}</title>
        <style>{Style}</style>
        </head>
        <body>
        <header><div><strong>Coputer</strong><span>{Html.Escape(host)}</span></div></header>
        <main>
        {body}
        </main>
        <footer>Served by a Coputer node: signed Luau programs, run in a deterministic sandbox.</footer>
        {script}
        </body>
        </html>
        """;

    /// <summary>The home page: what the node is, what it hosts, and how to publish to it.</summary>
    public static string Home(Links links, ExecutionStats stats, TimeSpan uptime, IReadOnlyList<PublisherListing> publishers, bool truncated, bool publishAllowed)
    {
        var h = new Html();
        h.Raw("<h1>A Coputer node</h1>");
        h.Raw("<p>This node stores Luau programs that their publishers signed, runs them in a deterministic sandbox and serves " +
              "them on the web. The same program and request give the same answer on every node, so answers are cached. Each program " +
              "has its own address, <code>{name}-{publisher}.").Text(links.Host).Raw("</code>; each publisher has a profile at " +
              "<code>{publisher}.").Text(links.Host).Raw("</code>.</p>");
        int programs = publishers.Sum(p => p.Programs.Count);
        h.Raw("<ul class=\"stats\">");
        Stat(h, programs.ToString(CultureInfo.InvariantCulture) + (truncated ? "+" : ""), programs == 1 ? "program" : "programs");
        Stat(h, publishers.Count.ToString(CultureInfo.InvariantCulture) + (truncated ? "+" : ""), publishers.Count == 1 ? "publisher" : "publishers");
        Stat(h, stats.Runs.ToString(CultureInfo.InvariantCulture), "runs");
        Stat(h, stats.CacheHits.ToString(CultureInfo.InvariantCulture), "answers from the cache");
        Stat(h, FormatUptime(uptime), "up");
        h.Raw("</ul>");

        h.Raw("<h2>Programs</h2>");
        ProgramsTable(h, links, publishers, truncated, "Nothing is published here yet.");

        h.Raw("<h2>Publish a program</h2>");
        if (publishAllowed)
        {
            h.Raw("<p>With the <code>coputer</code> command:</p><pre>coputer keys new\ncoputer new mysite\ncoputer dev mysite          # work on it at http://localhost:8080/\ncoputer publish mysite --node ")
                .Text(links.Home.TrimEnd('/')).Raw("</pre><p>The node checks the publication's signature before it stores anything. " +
                "Publishing again replaces the version a name serves; every version stays reachable by its hash.</p>");
        }
        else
        {
            h.Raw("<p>This node does not accept publications.</p>");
        }

        h.Raw("<h2>For operators</h2><ul><li>").Link(links.Home + "health", "/health").Raw(" says whether the node is serving.</li><li>")
            .Link(links.Home + "metrics", "/metrics").Raw(" has Prometheus metrics.</li><li>")
            .Link(links.Home + "network", "/network").Raw(" shows the node's peers and the programs it holds.</li><li>Without wildcard DNS, programs are also at <code>")
            .Text(links.Home).Raw("p/{publisher}/{name}/</code>; programs reached that way share one origin.</li></ul>");
        return Layout("Coputer node at " + links.Host, links.Host, h.ToString());
    }

    /// <summary>A publisher's profile: their key, and each program with its versions.</summary>
    public static string Profile(Links links, PublisherKey publisher, IReadOnlyList<(ProgramVersion Current, IReadOnlyList<ProgramVersion> Versions)> programs)
    {
        var h = new Html();
        h.Raw("<h1>Publisher <span class=\"mono\">").Text(publisher.Id.ToString()).Raw("</span></h1>");
        h.Raw("<p>Public key <code>").Text(publisher.ToString()).Raw("</code>. Every program below was signed with it.</p>");
        h.Raw("<h2>Programs</h2>");
        if (programs.Count == 0)
            h.Raw("<p class=\"muted\">This publisher has no programs on this node.</p>");
        foreach (var (current, versions) in programs)
        {
            h.Raw("<h3>").Link(links.Program(current.Label), current.Name).Raw("</h3>");
            h.Raw("<table><tr><th>Version</th><th>Program hash</th><th></th></tr>");
            foreach (var v in versions)
            {
                h.Raw("<tr><td>#").Text(v.Sequence.ToString(CultureInfo.InvariantCulture)).Raw("</td><td class=\"mono\">").Text(ShortHash(v.Program))
                    .Raw("</td><td>").Link(links.Preview(v.Program), v.Sequence == current.Sequence ? "current, by hash" : "preview")
                    .Raw("</td></tr>");
            }
            h.Raw("</table>");
        }
        return Layout($"Publisher {publisher.Id}", links.Host, h.ToString());
    }

    /// <summary>A plain error page: the status, a title and a sentence, and the request id to quote.</summary>
    public static string Error(string host, int status, string title, string message, string requestId, string? script = null)
    {
        var h = new Html();
        h.Raw("<p class=\"status\">").Text(status.ToString(CultureInfo.InvariantCulture)).Raw("</p>");
        h.Element("h1", title).Element("p", message);
        h.Raw("<p class=\"muted\">Request id <code>").Text(requestId).Raw("</code></p>");
        return Layout($"{status} {title}", host, h.ToString(), script);
    }

    /// <summary>The development error page: the error, the source line with its neighbours, the traceback and what the program printed.</summary>
    public static string DevelopmentError(string host, ProgramFailure failure, string requestId, string? script)
    {
        var h = new Html();
        h.Element("h1", failure.Title, "error");
        h.Raw("<pre class=\"error\">").Text(failure.Message).Raw("</pre>");
        if (failure.Source is { Count: > 0 } lines)
        {
            h.Element("h2", failure.SourcePath);
            h.Raw("<pre class=\"source\">");
            foreach (var line in lines)
            {
                h.Raw(line.IsErrorLine ? "<div class=\"at\">" : "<div>").Raw("<span class=\"n\">").Text(line.Number.ToString(CultureInfo.InvariantCulture))
                    .Raw("</span><span>").Text(line.Text).Raw("</span></div>");
            }
            h.Raw("</pre>");
        }
        if (!string.IsNullOrWhiteSpace(failure.Traceback))
            h.Element("h2", "Traceback").Raw("<pre>").Text(failure.Traceback.TrimEnd()).Raw("</pre>");
        if (!string.IsNullOrEmpty(failure.Log))
            h.Element("h2", "Printed").Raw("<pre>").Text(failure.Log.TrimEnd()).Raw("</pre>");
        h.Raw("<p class=\"muted\">").Text(failure.Request).Raw(" · request id <code>").Text(requestId)
            .Raw("</code> · this page reloads when you save a change.</p>");
        return Layout(failure.Title, host, h.ToString(), script);
    }

    /// <summary>
    /// The first (or with <paramref name="last"/>, the last) <c>path.luau:line:</c> position in an error message,
    /// for showing the source around it.
    /// </summary>
    public static (string Path, int Line)? FindPosition(string? message, bool last = false)
    {
        if (message is null)
            return null;
        var m = last ? PositionPattern().Matches(message).LastOrDefault() ?? Match.Empty : PositionPattern().Match(message);
        return m.Success && int.TryParse(m.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int line) ? (m.Groups[1].Value, line) : null;
    }

    /// <summary>The lines around <paramref name="line"/> (1-based) of <paramref name="source"/>.</summary>
    public static IReadOnlyList<SourceLine> Around(string source, int line, int context = 3)
    {
        var lines = source.Replace("\r\n", "\n").Split('\n');
        int first = Math.Max(1, line - context), last = Math.Min(lines.Length, line + context);
        var result = new List<SourceLine>();
        for (int n = first; n <= last; n++)
            result.Add(new SourceLine(n, lines[n - 1].Replace("\t", "    "), n == line));
        return result;
    }

    [GeneratedRegex(@"([A-Za-z0-9_./-]+\.luau):(\d+):")]
    private static partial Regex PositionPattern();

    private static void Stat(Html h, string value, string label) => h.Raw("<li><b>").Text(value).Raw("</b>").Text(label).Raw("</li>");

    /// <summary>The first 12 hex digits of a program hash.</summary>
    public static string ShortHash(Hash256 hash) => hash.ToString()[..12];

    private static string FormatUptime(TimeSpan t) =>
        t.TotalDays >= 1 ? $"{(int)t.TotalDays} d {t.Hours} h" : t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes} min" : $"{(int)t.TotalMinutes} min";

    /// <summary>The programs of <paramref name="publishers"/>, one row each (name, publisher, version and hash), or <paramref name="empty"/> when there are none.</summary>
    private static void ProgramsTable(Html h, Links links, IReadOnlyList<PublisherListing> publishers, bool truncated, string empty)
    {
        if (publishers.Count == 0)
        {
            h.Raw("<p class=\"muted\">").Text(empty).Raw("</p>");
            return;
        }
        h.Raw("<table><tr><th>Program</th><th>Publisher</th><th>Version</th></tr>");
        foreach (var p in publishers)
        {
            foreach (var v in p.Programs)
            {
                h.Raw("<tr><td>").Link(links.Program(v.Label), v.Name).Raw("</td><td>").Link(links.Profile(p.Publisher.Id), p.Publisher.Id.ToString(), "mono")
                    .Raw("</td><td class=\"mono\">#").Text(v.Sequence.ToString(CultureInfo.InvariantCulture)).Raw(" ")
                    .Link(links.Preview(v.Program), ShortHash(v.Program)).Raw("</td></tr>");
            }
        }
        h.Raw("</table>");
        if (truncated)
            h.Raw("<p class=\"muted\">Only the first publishers are listed.</p>");
    }
}

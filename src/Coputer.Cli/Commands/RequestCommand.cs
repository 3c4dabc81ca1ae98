using System.CommandLine;
using System.Text;
using Coputer.Gateway.Development;
using Coputer.Platform.Runtime;

namespace Coputer.Cli.Commands;

/// <summary>
/// <c>coputer request DIR TARGET [-X METHOD] [-H 'Name: value']... [-d DATA]</c>: runs one request through the same
/// runtime and limits as a node and prints the response the way <c>curl -i</c> does. What the program printed goes
/// to stderr, so stdout is exactly the response.
/// </summary>
internal static class RequestCommand
{
    public static Command Create()
    {
        var directory = new Argument<string>("dir") { Description = "The program folder (with main.luau at its top)." };
        var target = new Argument<string>("target") { Description = "The request target, for example / or /search?q=luau." };
        var method = new Option<string?>("--request", "-X") { Description = "The method (default GET, or POST with --data)." };
        var headers = new Option<string[]>("--header", "-H") { Description = "A request header, 'Name: value' (repeatable).", AllowMultipleArgumentsPerToken = false };
        var data = new Option<string?>("--data", "-d") { Description = "The request body; @FILE reads it from a file." };
        var node = LocalPrograms.NodeOption();
        var command = new Command("request", """
            Run one request through the program in DIR, with the runtime and limits of a node, and print the response
            as curl -i does: the status line, the headers, a blank line and the body. Exits 0 when the program
            answered; 1 with the error and its traceback on stderr when it failed. Programs the folder's
            coputer.json pins are fetched by hash from --node and checked.

            Examples:
              coputer request site /
              coputer request site /contact -X POST -H 'Content-Type: application/x-www-form-urlencoded' -d 'name=Ada'
            """)
        {
            directory,
            target,
            method,
            headers,
            data,
            node,
        };
        command.SetAction(p => Run(p.GetValue(directory)!, p.GetValue(target)!, p.GetValue(method), p.GetValue(headers) ?? [], p.GetValue(data),
            Console.OpenStandardOutput(), p.InvocationConfiguration.Error, p.GetValue(node)));
        return command;
    }

    /// <summary>Runs the request; returns the exit code.</summary>
    internal static int Run(string directory, string target, string? method, string[] headerTexts, string? data, Stream stdout, TextWriter stderr, string? node = null)
    {
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var text in headerTexts)
        {
            int colon = text.IndexOf(':');
            if (colon <= 0)
            {
                stderr.WriteLine($"-H '{text}': a header is 'Name: value'");
                return 1;
            }
            headers.Add(new(text[..colon].Trim(), text[(colon + 1)..].Trim()));
        }
        byte[] body = [];
        if (data is not null)
        {
            if (data.StartsWith('@'))
            {
                try
                {
                    body = File.ReadAllBytes(data[1..]);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    stderr.WriteLine($"{data[1..]}: cannot read: {e.Message}");
                    return 1;
                }
            }
            else
            {
                body = Encoding.UTF8.GetBytes(data);
            }
        }
        method ??= data is null ? "GET" : "POST";
        if (method.Length == 0 || !method.All(c => char.IsAsciiLetterUpper(c) || c == '-'))
        {
            stderr.WriteLine($"-X {method}: a method is upper-case letters, for example GET or POST");
            return 1;
        }
        if (!target.StartsWith('/'))
        {
            stderr.WriteLine($"{target}: a request target starts with /, for example /about");
            return 1;
        }

        if (LocalPrograms.Load(directory, node, stderr) is not { } program)
            return 1;
        var answer = program.Answer(WebRequest.Create(method, target, headers, body));
        if (answer.Log.Length > 0)
            stderr.Write(answer.Log);
        if (!answer.Succeeded)
        {
            ReportFailure(answer.Error!, answer.Traceback, stderr);
            return 1;
        }
        var head = new StringBuilder();
        head.Append("HTTP/1.1 ").Append(answer.Status).Append(' ').Append(WebResponse.StatusText(answer.Status)).Append("\r\n");
        foreach (var (name, value) in answer.Headers)
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        head.Append("\r\n");
        stdout.Write(Encoding.UTF8.GetBytes(head.ToString()));
        stdout.Write(answer.Body.Span);
        stdout.Flush();
        return 0;
    }

    /// <summary>A failed run: its error on one line (it starts with file:line when it has one), then the traceback.</summary>
    internal static void ReportFailure(string error, string? traceback, TextWriter stderr)
    {
        stderr.WriteLine(error);
        if (!string.IsNullOrEmpty(traceback))
        {
            stderr.WriteLine("traceback:");
            stderr.Write(traceback.EndsWith('\n') ? traceback : traceback + "\n");
        }
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using Coputer.Platform.Identity;

namespace Coputer.Platform.Policy;

/// <summary>A configuration file that cannot be read or is not valid; the message names the file and the key.</summary>
public sealed class NodeConfigException(string message) : Exception(message);

/// <summary>
/// The node's one configuration file (<c>node.json</c> in its data directory unless told otherwise): JSON with
/// comments, every key optional, unknown keys refused so a typo is not silently ignored. A node that finds no file
/// writes <see cref="DefaultText"/> there, so the operator has every setting in front of them with its default.
/// </summary>
public static class NodeConfigFile
{
    /// <summary>The file's name in the data directory.</summary>
    public const string FileName = "node.json";

    /// <summary>Files above this size are refused (the file holds settings, not data).</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>The file a node writes when it has none: every setting, at its default, with what it means.</summary>
    public const string DefaultText = """
        // Configuration of this coputer node. Every key is optional: a missing key keeps the default shown here.
        // Changes take effect when the node starts.
        {
          "publishers": {
            // Publisher ids (the 31 characters after the last '-' of {name}-{id}) whose programs this node stores,
            // fetches from peers and serves. An empty list accepts everyone.
            "allow": [],
            // Publishers whose programs are never accepted, even when allowed above.
            "deny": []
          },
          "programs": {
            // Program hashes (64 hex digits) never stored, fetched or run, whoever publishes them.
            "deny": []
          },
          "quotas": {
            // Bundle bytes one publisher's programs may take in the store, in MiB (0: no limit).
            "storageMegabytesPerPublisher": 256,
            // Runs a minute one publisher's programs may start here; cached answers do not count (0: no limit).
            "runsPerMinutePerPublisher": 0
          },
          "peers": {
            // Connections one authenticated peer may hold open to this node at once.
            "maxConnections": 4
          }
        }

        """;

    /// <summary>
    /// Reads the policy from <paramref name="path"/>, first writing <see cref="DefaultText"/> there when there is
    /// no such file.
    /// </summary>
    /// <exception cref="NodeConfigException">The file cannot be read or written, or is not valid.</exception>
    public static NodePolicy LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                var temporary = path + ".new";
                File.WriteAllText(temporary, DefaultText);
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process wrote it first; read theirs.
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new NodeConfigException($"{path}: cannot write the default configuration: {e.Message}");
            }
        }
        return Load(path);
    }

    /// <summary>Reads the policy from <paramref name="path"/>.</summary>
    /// <exception cref="NodeConfigException">The file cannot be read or is not valid.</exception>
    public static NodePolicy Load(string path)
    {
        byte[] bytes;
        try
        {
            using var file = File.OpenRead(path);
            if (file.Length > MaxBytes)
                throw new NodeConfigException($"{path}: {file.Length:N0} bytes is too large for a configuration file (at most {MaxBytes:N0})");
            bytes = new byte[file.Length];
            file.ReadExactly(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NodeConfigException($"{path}: cannot read the configuration: {e.Message}");
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses a configuration; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="NodeConfigException">The text is not valid JSON or not a valid configuration.</exception>
    public static NodePolicy Parse(ReadOnlySpan<byte> utf8, string source)
    {
        if (utf8.StartsWith("\uFEFF"u8))
            utf8 = utf8[3..];
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            int valid = 0;
            while (Rune.DecodeFromUtf8(utf8[valid..], out _, out int used) == System.Buffers.OperationStatus.Done)
                valid += used;
            int line = utf8[..valid].Count((byte)'\n') + 1;
            throw new NodeConfigException($"{source}:{line}: not valid UTF-8 (byte {valid + 1})");
        }
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 8 });
        JsonDocument document;
        try
        {
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $":{line + 1}:{(e.BytePositionInLine ?? 0) + 1}" : "";
            throw new NodeConfigException($"{source}{where}: not valid JSON: {FirstSentence(e.Message)}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new NodeConfigException($"{source}: the configuration is a JSON object ({{ ... }}), not {Kind(root)}");
            var policy = NodePolicy.Default;
            foreach (var section in root.EnumerateObject())
            {
                var s = section.Value;
                switch (section.Name)
                {
                    case "publishers":
                        foreach (var entry in Members(s, source, "publishers"))
                        {
                            switch (entry.Name)
                            {
                                case "allow":
                                    var allowed = Publishers(entry.Value, source, "publishers.allow");
                                    policy = policy with { AllowedPublishers = allowed.Count == 0 ? null : allowed };
                                    break;
                                case "deny":
                                    policy = policy with { DeniedPublishers = Publishers(entry.Value, source, "publishers.deny") };
                                    break;
                                default:
                                    throw Unknown(source, "publishers", entry.Name, "allow, deny");
                            }
                        }
                        break;
                    case "programs":
                        foreach (var entry in Members(s, source, "programs"))
                        {
                            if (entry.Name != "deny")
                                throw Unknown(source, "programs", entry.Name, "deny");
                            policy = policy with { DeniedPrograms = Programs(entry.Value, source, "programs.deny") };
                        }
                        break;
                    case "quotas":
                        foreach (var entry in Members(s, source, "quotas"))
                        {
                            switch (entry.Name)
                            {
                                case "storageMegabytesPerPublisher":
                                    policy = policy with { StorageBytesPerPublisher = Count(entry.Value, source, "quotas.storageMegabytesPerPublisher", 1 << 24) << 20 };
                                    break;
                                case "runsPerMinutePerPublisher":
                                    policy = policy with { RunsPerMinutePerPublisher = (int)Count(entry.Value, source, "quotas.runsPerMinutePerPublisher", 100_000_000) };
                                    break;
                                default:
                                    throw Unknown(source, "quotas", entry.Name, "storageMegabytesPerPublisher, runsPerMinutePerPublisher");
                            }
                        }
                        break;
                    case "peers":
                        foreach (var entry in Members(s, source, "peers"))
                        {
                            if (entry.Name != "maxConnections")
                                throw Unknown(source, "peers", entry.Name, "maxConnections");
                            long n = Count(entry.Value, source, "peers.maxConnections", 1024);
                            if (n < 1)
                                throw new NodeConfigException($"{source}: peers.maxConnections must be at least 1, not 0");
                            policy = policy with { ConnectionsPerPeer = (int)n };
                        }
                        break;
                    default:
                        throw Unknown(source, null, section.Name, "publishers, programs, quotas, peers");
                }
            }
            return policy;
        }
    }

    private static JsonElement.ObjectEnumerator Members(JsonElement element, string source, string path) =>
        element.ValueKind == JsonValueKind.Object
            ? element.EnumerateObject()
            : throw new NodeConfigException($"{source}: {path} is an object ({{ ... }}), not {Kind(element)}");

    private static HashSet<PublisherId> Publishers(JsonElement list, string source, string path)
    {
        var set = new HashSet<PublisherId>();
        int i = 0;
        foreach (var text in Strings(list, source, path))
        {
            if (!PublisherId.TryParse(text.Trim(), out var id))
                throw new NodeConfigException($"{source}: {path}[{i}]: '{Shorten(text)}' is not a publisher id ({PublisherId.TextLength} lowercase base-36 characters)");
            set.Add(id);
            i++;
        }
        return set;
    }

    private static HashSet<Hash256> Programs(JsonElement list, string source, string path)
    {
        var set = new HashSet<Hash256>();
        int i = 0;
        foreach (var text in Strings(list, source, path))
        {
            if (!Hash256.TryParse(text.Trim(), out var hash))
                throw new NodeConfigException($"{source}: {path}[{i}]: '{Shorten(text)}' is not a program hash (64 hex digits)");
            set.Add(hash);
            i++;
        }
        return set;
    }

    private static IEnumerable<string> Strings(JsonElement list, string source, string path)
    {
        if (list.ValueKind != JsonValueKind.Array)
            throw new NodeConfigException($"{source}: {path} is a list ([ ... ]), not {Kind(list)}");
        int i = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
                throw new NodeConfigException($"{source}: {path}[{i}] is a string, not {Kind(item)}");
            yield return item.GetString()!;
            i++;
        }
    }

    private static long Count(JsonElement value, string source, string path, long max)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long n))
            throw new NodeConfigException($"{source}: {path} is a whole number, not {Kind(value)}");
        if (n < 0 || n > max)
            throw new NodeConfigException($"{source}: {path} is {n.ToString(CultureInfo.InvariantCulture)}; it must be between 0 and {max.ToString("N0", CultureInfo.InvariantCulture)}");
        return n;
    }

    private static NodeConfigException Unknown(string source, string? section, string key, string known) =>
        new($"{source}: unknown setting '{(section is null ? "" : section + ".")}{Shorten(key)}' (known here: {known})");

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => $"the string \"{Shorten(e.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Shorten(e.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
        _ => "null",
    };

    private static string Shorten(string s)
    {
        var sb = new StringBuilder();
        foreach (var c in s.Length > 80 ? s[..80] : s)
            sb.Append(char.IsControl(c) ? '?' : c);
        return s.Length > 80 ? sb.Append("...").ToString() : sb.ToString();
    }

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd();
    }
}

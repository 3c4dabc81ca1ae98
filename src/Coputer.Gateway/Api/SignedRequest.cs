using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Coputer.Platform.Identity;

namespace Coputer.Gateway.Api;

/// <summary>
/// A request signed by a publisher, for what only they may see (their program's logs). The
/// <c>Authorization</c> header is <c>Coputer-Signature key={id}, time={unix seconds}, signature={base64url}</c>,
/// and the Ed25519 signature covers the ASCII tag <c>coputer-logs-v1</c>, a NUL, the program label, a NUL and the
/// time. The node accepts it within a window around its own clock; a replay inside that window can only read the
/// same logs again.
/// </summary>
public static class SignedRequest
{
    /// <summary>The authorization scheme.</summary>
    public const string Scheme = "Coputer-Signature";

    /// <summary>The <c>Authorization</c> value for reading <paramref name="label"/>'s logs at <paramref name="now"/>.</summary>
    public static string Create(Publisher publisher, string label, DateTimeOffset now)
    {
        long time = now.ToUnixTimeSeconds();
        var signature = publisher.Sign(Message(label, time));
        return $"{Scheme} key={publisher.Key.Id}, time={time.ToString(CultureInfo.InvariantCulture)}, signature={Base64Url.EncodeToString(signature)}";
    }

    /// <summary>Why <paramref name="authorization"/> does not prove <paramref name="owner"/> asked for <paramref name="label"/>, or null when it does.</summary>
    public static string? Verify(string? authorization, string label, PublisherKey owner, DateTimeOffset now, TimeSpan window)
    {
        if (string.IsNullOrEmpty(authorization))
            return "this needs a request signed by the program's publisher (coputer logs signs it with your key)";
        if (!authorization.StartsWith(Scheme + " ", StringComparison.Ordinal))
            return $"the authorization scheme must be {Scheme}";
        string? key = null, time = null, signature = null;
        foreach (var part in authorization[(Scheme.Length + 1)..].Split(','))
        {
            var kv = part.Trim();
            int eq = kv.IndexOf('=');
            if (eq < 0)
                return "malformed authorization";
            string value = kv[(eq + 1)..];
            switch (kv[..eq])
            {
                case "key": key = value; break;
                case "time": time = value; break;
                case "signature": signature = value; break;
            }
        }
        if (key is null || time is null || signature is null)
            return "the authorization needs key, time and signature";
        if (key != owner.Id.ToString())
            return "the request is not signed by the program's publisher";
        if (!long.TryParse(time, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds))
            return "malformed time";
        var at = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799));
        if ((at - now).Duration() > window)
            return "the signed time is too far from the node's clock (check the clock of this machine)";
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(signature);
        }
        catch (FormatException)
        {
            return "malformed signature";
        }
        return owner.Verify(Message(label, seconds), bytes) ? null : "the signature does not match";
    }

    private static byte[] Message(string label, long time) => Encoding.UTF8.GetBytes($"coputer-logs-v1\0{label}\0{time.ToString(CultureInfo.InvariantCulture)}");
}

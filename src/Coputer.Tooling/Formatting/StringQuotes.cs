using System.Text;

namespace Coputer.Tooling.Formatting;

/// <summary>
/// Changes the quotes of a quoted string literal without changing its value: escapes stay as written, except that a
/// quote escaped in the old style is unescaped where the new quote makes the escape unnecessary, and the new quote is
/// escaped where it occurs bare.
/// </summary>
internal static class StringQuotes
{
    /// <summary>The literal (with its quotes) requoted per <paramref name="style"/>; other literals are returned as they are.</summary>
    public static byte[] Requote(ReadOnlySpan<byte> literal, QuoteStyle style)
    {
        if (literal.Length < 2 || (literal[0] != '"' && literal[0] != '\''))
            return literal.ToArray();
        ReadOnlySpan<byte> body = literal[1..^1];

        // How many of each quote the value holds (escaped or not).
        int doubles = 0, singles = 0;
        for (int i = 0; i < body.Length; i++)
        {
            byte b = body[i];
            if (b == '\\' && i + 1 < body.Length)
            {
                i++;
                b = body[i];
                if (b == '"')
                    doubles++;
                else if (b == '\'')
                    singles++;
                continue;
            }
            if (b == '"')
                doubles++;
            else if (b == '\'')
                singles++;
        }

        byte quote = style switch
        {
            QuoteStyle.ForceDouble => (byte)'"',
            QuoteStyle.ForceSingle => (byte)'\'',
            QuoteStyle.AutoPreferDouble => doubles > singles ? (byte)'\'' : (byte)'"',
            _ => singles > doubles ? (byte)'"' : (byte)'\'',
        };
        byte other = quote == '"' ? (byte)'\'' : (byte)'"';

        var result = new List<byte>(literal.Length + 4) { quote };
        for (int i = 0; i < body.Length; i++)
        {
            byte b = body[i];
            if (b == '\\' && i + 1 < body.Length)
            {
                byte next = body[i + 1];
                if (next == other)
                    result.Add(other);
                else
                {
                    result.Add(b);
                    result.Add(next);
                }
                i++;
                continue;
            }
            if (b == quote)
                result.Add((byte)'\\');
            result.Add(b);
        }
        result.Add(quote);
        return [.. result];
    }

    public static string Requote(string literal, QuoteStyle style) => Encoding.UTF8.GetString(Requote(Encoding.UTF8.GetBytes(literal), style));
}

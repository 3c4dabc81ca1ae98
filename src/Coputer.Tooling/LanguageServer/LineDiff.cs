namespace Coputer.Tooling.LanguageServer;

/// <summary>The changed regions between two lists of lines (Myers' shortest edit script, grouped into hunks).</summary>
internal static class LineDiff
{
    /// <summary>Above this many differing lines the middle is replaced as one hunk, to keep the work bounded.</summary>
    private const int MaxEditDistance = 1000;

    /// <summary>
    /// Hunks in order: lines [OldStart, OldEnd) of <paramref name="a"/> become lines [NewStart, NewEnd) of
    /// <paramref name="b"/>; lines outside every hunk are equal.
    /// </summary>
    public static List<(int OldStart, int OldEnd, int NewStart, int NewEnd)> Hunks(string[] a, string[] b)
    {
        int prefix = 0;
        while (prefix < a.Length && prefix < b.Length && a[prefix] == b[prefix])
            prefix++;
        int suffix = 0;
        while (suffix < a.Length - prefix && suffix < b.Length - prefix && a[^(suffix + 1)] == b[^(suffix + 1)])
            suffix++;
        int n = a.Length - prefix - suffix, m = b.Length - prefix - suffix;
        var hunks = new List<(int, int, int, int)>();
        if (n == 0 && m == 0)
            return hunks;
        var matches = Matches(a, prefix, n, b, prefix, m);
        if (matches is null)
        {
            hunks.Add((prefix, prefix + n, prefix, prefix + m));
            return hunks;
        }

        // Walk the matched pairs; the gaps between them are hunks.
        int x = prefix, y = prefix;
        foreach (var (mx, my) in matches)
        {
            if (mx > x || my > y)
                hunks.Add((x, mx, y, my));
            x = mx + 1;
            y = my + 1;
        }
        if (x < prefix + n || y < prefix + m)
            hunks.Add((x, prefix + n, y, prefix + m));
        return hunks;
    }

    /// <summary>The pairs of equal lines on a shortest edit path, in order; null when the distance is over the limit.</summary>
    private static List<(int X, int Y)>? Matches(string[] a, int aStart, int n, string[] b, int bStart, int m)
    {
        int max = Math.Min(n + m, MaxEditDistance);
        int offset = max + 1;
        var v = new int[2 * max + 3];
        var trace = new List<int[]>();
        for (int d = 0; d <= max; d++)
        {
            trace.Add((int[])v.Clone());
            for (int k = -d; k <= d; k += 2)
            {
                int x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
                int y = x - k;
                while (x < n && y < m && a[aStart + x] == b[bStart + y])
                {
                    x++;
                    y++;
                }
                v[offset + k] = x;
                if (x >= n && y >= m)
                    return Backtrack(trace, offset, a, aStart, n, b, bStart, m, d);
            }
        }
        return null;
    }

    private static List<(int X, int Y)> Backtrack(List<int[]> trace, int offset, string[] a, int aStart, int n, string[] b, int bStart, int m, int distance)
    {
        var pairs = new List<(int, int)>();
        int x = n, y = m;
        for (int d = distance; d > 0; d--)
        {
            var v = trace[d];
            int k = x - y;
            int previousK = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? k + 1 : k - 1;
            int previousX = v[offset + previousK];
            int previousY = previousX - previousK;
            while (x > previousX && y > previousY)
            {
                x--;
                y--;
                pairs.Add((aStart + x, bStart + y));
            }
            x = previousX;
            y = previousY;
        }
        while (x > 0 && y > 0)
        {
            x--;
            y--;
            pairs.Add((aStart + x, bStart + y));
        }
        pairs.Reverse();
        return pairs;
    }
}

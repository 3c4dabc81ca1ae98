namespace Coputer.Luau.Syntax;

/// <summary>
/// A point in source text. <see cref="Line"/> and <see cref="Column"/> are zero-based; the column counts
/// bytes of the UTF-8 source from the start of the line. Messages show both one-based.
/// </summary>
public readonly record struct Position(int Line, int Column) : IComparable<Position>
{
    /// <summary>Orders positions by line, then column.</summary>
    public int CompareTo(Position other) => Line != other.Line ? Line.CompareTo(other.Line) : Column.CompareTo(other.Column);

    /// <summary>Whether <paramref name="a"/> comes before <paramref name="b"/>.</summary>
    public static bool operator <(Position a, Position b) => a.CompareTo(b) < 0;
    /// <summary>Whether <paramref name="a"/> comes after <paramref name="b"/>.</summary>
    public static bool operator >(Position a, Position b) => a.CompareTo(b) > 0;
    /// <summary>Whether <paramref name="a"/> comes before or at <paramref name="b"/>.</summary>
    public static bool operator <=(Position a, Position b) => a.CompareTo(b) <= 0;
    /// <summary>Whether <paramref name="a"/> comes after or at <paramref name="b"/>.</summary>
    public static bool operator >=(Position a, Position b) => a.CompareTo(b) >= 0;

    /// <summary>The position as <c>line,column</c>.</summary>
    public override string ToString() => $"{Line + 1}:{Column + 1}";
}

/// <summary>A half-open span of source text, from <see cref="Begin"/> up to (not including) <see cref="End"/>.</summary>
public readonly record struct Location(Position Begin, Position End)
{
    /// <summary>The location spanning from the start of <paramref name="begin"/> to the end of <paramref name="end"/>.</summary>
    public Location(Location begin, Location end) : this(begin.Begin, end.End) { }

    /// <summary>Whether <paramref name="p"/> lies within this location.</summary>
    public bool Contains(Position p) => Begin <= p && p < End;

    /// <summary>The location as <c>start - end</c>.</summary>
    public override string ToString() => $"{Begin}-{End}";
}

namespace Coputer.Luau.Syntax;

/// <summary>
/// A point in source text. <see cref="Line"/> and <see cref="Column"/> are zero-based; the column counts
/// bytes of the UTF-8 source from the start of the line. Messages show both one-based.
/// </summary>
public readonly record struct Position(int Line, int Column) : IComparable<Position>
{
    public int CompareTo(Position other) => Line != other.Line ? Line.CompareTo(other.Line) : Column.CompareTo(other.Column);

    public static bool operator <(Position a, Position b) => a.CompareTo(b) < 0;
    public static bool operator >(Position a, Position b) => a.CompareTo(b) > 0;
    public static bool operator <=(Position a, Position b) => a.CompareTo(b) <= 0;
    public static bool operator >=(Position a, Position b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Line + 1}:{Column + 1}";
}

/// <summary>A half-open span of source text, from <see cref="Begin"/> up to (not including) <see cref="End"/>.</summary>
public readonly record struct Location(Position Begin, Position End)
{
    public Location(Location begin, Location end) : this(begin.Begin, end.End) { }

    public bool Contains(Position p) => Begin <= p && p < End;

    public override string ToString() => $"{Begin}-{End}";
}

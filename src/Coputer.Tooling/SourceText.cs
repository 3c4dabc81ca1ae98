using Coputer.Luau.Syntax;

namespace Coputer.Tooling;

/// <summary>UTF-8 source with the offset of each line, to turn parser positions (line, byte column) into offsets and back.</summary>
public sealed class SourceText
{
    private readonly int[] _lineStarts;

    public SourceText(byte[] bytes)
    {
        Bytes = bytes;
        var starts = new List<int> { 0 };
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\n')
                starts.Add(i + 1);
        }
        _lineStarts = [.. starts];
    }

    public byte[] Bytes { get; }

    public int LineCount => _lineStarts.Length;

    public int LineStart(int line) => _lineStarts[Math.Clamp(line, 0, _lineStarts.Length - 1)];

    /// <summary>The offset just past the line's last character (before its newline).</summary>
    public int LineEnd(int line) => line + 1 < _lineStarts.Length ? _lineStarts[line + 1] - 1 : Bytes.Length;

    public int Offset(Position p) => Math.Min(LineStart(p.Line) + p.Column, Bytes.Length);

    public Position PositionAt(int offset)
    {
        offset = Math.Clamp(offset, 0, Bytes.Length);
        int line = Array.BinarySearch(_lineStarts, offset);
        if (line < 0)
            line = ~line - 1;
        return new Position(line, offset - _lineStarts[line]);
    }

    public ReadOnlySpan<byte> Slice(Location location)
    {
        int start = Offset(location.Begin);
        return Bytes.AsSpan(start, Math.Max(0, Offset(location.End) - start));
    }

    public ReadOnlySpan<byte> Line(int line) => Bytes.AsSpan(LineStart(line), Math.Max(0, LineEnd(line) - LineStart(line)));
}

namespace Coputer.Luau.Syntax;

/// <summary>
/// A reusable stack for collecting the children of a node before they are copied into an exact-size array. Nested
/// parse functions share one stack: each takes a <see cref="Mark"/>, pushes its items and pops back to the mark, so
/// collecting lists costs no allocation beyond the final array.
/// </summary>
internal sealed class ScratchStack<T>
{
    private T[] _items = [];
    private int _count;

    public int Mark => _count;

    /// <summary>The item at an absolute index (a mark plus an offset).</summary>
    public T this[int index] => _items[index];

    public void Push(T item)
    {
        if (_count == _items.Length)
            Array.Resize(ref _items, Math.Max(16, _items.Length * 2));
        _items[_count++] = item;
    }

    /// <summary>Copies the items pushed since <paramref name="mark"/> into a new array and pops them.</summary>
    public T[] PopToArray(int mark)
    {
        int n = _count - mark;
        if (n == 0)
            return [];
        var result = new T[n];
        Array.Copy(_items, mark, result, 0, n);
        PopTo(mark);
        return result;
    }

    /// <summary>Discards the items pushed since <paramref name="mark"/>.</summary>
    public void PopTo(int mark)
    {
        Array.Clear(_items, mark, _count - mark);
        _count = mark;
    }
}

namespace Coputer.Platform.Execution;

/// <summary>A thread-safe least-recently-used map bounded by the total size of its values.</summary>
internal sealed class LruCache<TKey, TValue>(long maxSize, Func<TValue, long> sizeOf)
    where TKey : notnull
{
    private sealed class Node(TKey key, TValue value, long size)
    {
        public readonly TKey Key = key;
        public readonly TValue Value = value;
        public readonly long Size = size;
        public Node? Prev, Next;
    }

    private readonly Dictionary<TKey, Node> _map = [];
    private Node? _head, _tail;
    private long _size;

    public long Size => _size;

    public int Count
    {
        get
        {
            lock (_map)
                return _map.Count;
        }
    }

    public bool TryGet(TKey key, out TValue value)
    {
        lock (_map)
        {
            if (_map.TryGetValue(key, out var node))
            {
                MoveToFront(node);
                value = node.Value;
                return true;
            }
        }
        value = default!;
        return false;
    }

    public void Set(TKey key, TValue value)
    {
        long size = sizeOf(value);
        if (size > maxSize)
            return;
        lock (_map)
        {
            if (_map.Remove(key, out var old))
                Unlink(old);
            var node = new Node(key, value, size);
            _map[key] = node;
            node.Next = _head;
            if (_head is not null)
                _head.Prev = node;
            _head = node;
            _tail ??= node;
            _size += size;
            while (_size > maxSize && _tail is { } last)
            {
                _map.Remove(last.Key);
                Unlink(last);
            }
        }
    }

    public void Remove(TKey key)
    {
        lock (_map)
        {
            if (_map.Remove(key, out var node))
                Unlink(node);
        }
    }

    private void MoveToFront(Node node)
    {
        if (node == _head)
            return;
        Unlink(node);
        _size += node.Size;
        node.Next = _head;
        node.Prev = null;
        if (_head is not null)
            _head.Prev = node;
        _head = node;
        _tail ??= node;
    }

    private void Unlink(Node node)
    {
        if (node.Prev is not null)
            node.Prev.Next = node.Next;
        else
            _head = node.Next;
        if (node.Next is not null)
            node.Next.Prev = node.Prev;
        else
            _tail = node.Prev;
        node.Prev = node.Next = null;
        _size -= node.Size;
    }
}

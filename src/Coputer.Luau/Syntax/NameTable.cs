namespace Coputer.Luau.Syntax;

/// <summary>
/// Interns identifiers for one parse: every occurrence of the same name yields the same string instance and the same
/// small integer id, so the parser can resolve names with array lookups. Reserved words are entered up front with
/// their token kinds. Identifiers are ASCII (letters, digits, '_'), so a byte compares directly with a char.
/// </summary>
internal sealed class NameTable
{
    private static readonly string[] s_reserved =
    [
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "if", "in",
        "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
    ];

    private struct Entry
    {
        public string Name;
        public uint Hash;
        public TokenKind Kind;
        public int Id;
    }

    // Open addressing with linear probing; slot value is entry index + 1, 0 means empty.
    private int[] _slots;
    private Entry[] _entries;
    private int _count;

    // A table holding just the reserved words, copied by every new table.
    private static readonly NameTable s_template = CreateTemplate();

    private NameTable(int[] slots, Entry[] entries, int count)
    {
        _slots = slots;
        _entries = entries;
        _count = count;
    }

    public NameTable()
        : this((int[])s_template._slots.Clone(), (Entry[])s_template._entries.Clone(), s_template._count)
    {
    }

    private static NameTable CreateTemplate()
    {
        var table = new NameTable(new int[128], new Entry[64], 0);
        for (int i = 0; i < s_reserved.Length; i++)
            table.Add(s_reserved[i], (TokenKind)((int)TokenKind.ReservedAnd + i));
        return table;
    }

    /// <summary>The number of distinct names, which bounds every id handed out.</summary>
    public int Count => _count;

    /// <summary>The name with the given id ("" for -1, the id of a missing attribute name).</summary>
    public string this[int id] => id < 0 ? "" : _entries[id].Name;

    /// <summary>Finds or adds the name spelled by <paramref name="bytes"/>.</summary>
    public (int Id, TokenKind Kind) GetOrAdd(ReadOnlySpan<byte> bytes) => GetOrAdd(bytes, Hash(bytes));

    /// <summary>Finds or adds a name whose <see cref="Hash"/> the caller computed while scanning it.</summary>
    public (int Id, TokenKind Kind) GetOrAdd(ReadOnlySpan<byte> bytes, uint hash)
    {
        int mask = _slots.Length - 1;
        int slot = (int)hash & mask;
        while (true)
        {
            int index = _slots[slot] - 1;
            if (index < 0)
                break;
            ref Entry e = ref _entries[index];
            if (e.Hash == hash && Matches(e.Name, bytes))
                return (e.Id, e.Kind);
            slot = (slot + 1) & mask;
        }

        string name = string.Create(bytes.Length, bytes, static (chars, b) =>
        {
            for (int i = 0; i < chars.Length; i++)
                chars[i] = (char)b[i];
        });
        int id = Insert(name, hash, TokenKind.Name);
        return (id, TokenKind.Name);
    }

    /// <summary>Finds or adds a name given as a string (used for names the parser needs up front, such as "self").</summary>
    public int GetOrAdd(string name)
    {
        Span<byte> buffer = name.Length <= 64 ? stackalloc byte[name.Length] : new byte[name.Length];
        for (int i = 0; i < name.Length; i++)
            buffer[i] = (byte)name[i];
        return GetOrAdd(buffer).Id;
    }

    private void Add(string name, TokenKind kind)
    {
        Span<byte> buffer = stackalloc byte[name.Length];
        for (int i = 0; i < name.Length; i++)
            buffer[i] = (byte)name[i];
        Insert(name, Hash(buffer), kind);
    }

    private int Insert(string name, uint hash, TokenKind kind)
    {
        if ((_count + 1) * 2 > _slots.Length)
            Grow();
        if (_count == _entries.Length)
            Array.Resize(ref _entries, _entries.Length * 2);

        int id = _count++;
        _entries[id] = new Entry { Name = name, Hash = hash, Kind = kind, Id = id };
        Place(id);
        return id;
    }

    private void Place(int index)
    {
        int mask = _slots.Length - 1;
        int slot = (int)_entries[index].Hash & mask;
        while (_slots[slot] != 0)
            slot = (slot + 1) & mask;
        _slots[slot] = index + 1;
    }

    private void Grow()
    {
        _slots = new int[_slots.Length * 2];
        for (int i = 0; i < _count; i++)
            Place(i);
    }

    private static bool Matches(string name, ReadOnlySpan<byte> bytes)
    {
        if (name.Length != bytes.Length)
            return false;
        for (int i = 0; i < bytes.Length; i++)
        {
            if (name[i] != bytes[i])
                return false;
        }
        return true;
    }

    // FNV-1a: cheap and good enough for identifiers, and computable a byte at a time by the lexer.
    public const uint HashSeed = 2166136261;

    public static uint HashStep(uint hash, byte b) => (hash ^ b) * 16777619;

    public static uint Hash(ReadOnlySpan<byte> bytes)
    {
        uint hash = HashSeed;
        foreach (byte b in bytes)
            hash = HashStep(hash, b);
        return hash;
    }
}

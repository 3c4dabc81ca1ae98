namespace Coputer.Luau.VM;

/// <summary>
/// A full userdata: an opaque host object with an optional metatable and a tag (0..127) that hosts use to tell
/// kinds of userdata apart. <c>newproxy</c> creates one with no payload.
/// </summary>
public sealed class LuauUserdata : LuauObject
{
    /// <summary>The largest tag a userdata may have.</summary>
    public const int MaxTag = 127;

    /// <summary>A userdata wrapping <paramref name="payload"/>, with a tag and a metatable.</summary>
    public LuauUserdata(object? payload, int tag = 0, LuauTable? metatable = null)
    {
        if ((uint)tag > MaxTag)
            throw new ArgumentOutOfRangeException(nameof(tag));
        Payload = payload;
        Tag = tag;
        Metatable = metatable;
    }

    /// <summary>The host object carried by this userdata.</summary>
    public object? Payload { get; set; }

    /// <summary>The tag host code gave the userdata (0 by default).</summary>
    public int Tag { get; }

    /// <summary>The userdata's metatable, or null.</summary>
    public LuauTable? Metatable
    {
        get => _metatable;
        set
        {
            _metatable = value;
            NameCallMethods = null;
        }
    }

    private LuauTable? _metatable;

    /// <summary>
    /// Functions that <c>obj:name(...)</c> calls directly, found by name, before the metatable's <c>__namecall</c>
    /// (which then is not called for those names). Set only where <c>__namecall</c> would call the same function for
    /// the same name: the bindings of exported .NET types, which so skip the dispatch on the method name. A new
    /// metatable clears it.
    /// </summary>
    internal LuauTable? NameCallMethods;

    /// <summary>Created by <c>newproxy</c>: <c>typeof</c> ignores its <c>__type</c>.</summary>
    internal bool IsProxy { get; init; }
}

/// <summary>A fixed-size mutable byte array (the <c>buffer</c> type).</summary>
public sealed class LuauBuffer : LuauObject
{
    /// <summary>The largest buffer, 1 GiB.</summary>
    public const int MaxSize = 1 << 30;

    /// <summary>A zero-filled buffer of <paramref name="size"/> bytes.</summary>
    public LuauBuffer(int size) => Data = new byte[size];

    /// <summary>A buffer over <paramref name="data"/> (not copied).</summary>
    public LuauBuffer(byte[] data) => Data = data;

    /// <summary>The buffer's bytes.</summary>
    public byte[] Data { get; }

    /// <summary>The buffer's size in bytes.</summary>
    public int Length => Data.Length;
}

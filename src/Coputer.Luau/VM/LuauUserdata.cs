namespace Coputer.Luau.VM;

/// <summary>
/// A full userdata: an opaque host object with an optional metatable and a tag (0..127) that hosts use to tell
/// kinds of userdata apart. <c>newproxy</c> creates one with no payload.
/// </summary>
public sealed class LuauUserdata : LuauObject
{
    public const int MaxTag = 127;

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

    public int Tag { get; }

    public LuauTable? Metatable { get; set; }

    /// <summary>Created by <c>newproxy</c>: <c>typeof</c> ignores its <c>__type</c>.</summary>
    internal bool IsProxy { get; init; }
}

/// <summary>A fixed-size mutable byte array (the <c>buffer</c> type).</summary>
public sealed class LuauBuffer : LuauObject
{
    /// <summary>The largest buffer, 1 GiB.</summary>
    public const int MaxSize = 1 << 30;

    public LuauBuffer(int size) => Data = new byte[size];

    public LuauBuffer(byte[] data) => Data = data;

    public byte[] Data { get; }

    public int Length => Data.Length;
}

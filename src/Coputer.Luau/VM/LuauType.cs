namespace Coputer.Luau.VM;

/// <summary>The type of a Luau value. The order follows the reference's type tags.</summary>
public enum LuauType : byte
{
    /// <summary>nil.</summary>
    Nil,
    /// <summary>true or false.</summary>
    Boolean,
    /// <summary>A light userdata: a number-like handle with a tag.</summary>
    LightUserdata,
    /// <summary>A double-precision number.</summary>
    Number,

    /// <summary>A 64-bit signed integer (<c>123i</c>, the <c>integer</c> library), distinct from numbers: <c>1i ~= 1</c>.</summary>
    Integer,
    /// <summary>A three-component vector.</summary>
    Vector,
    /// <summary>A string.</summary>
    String,
    /// <summary>A table.</summary>
    Table,
    /// <summary>A Luau or host function.</summary>
    Function,
    /// <summary>A host object with an optional metatable.</summary>
    Userdata,
    /// <summary>A coroutine.</summary>
    Thread,
    /// <summary>A fixed-size byte buffer.</summary>
    Buffer,

    /// <summary>Internal: a closure's upvalue slot that refers to a shared <see cref="Upvalue"/> box. Never seen by scripts.</summary>
    UpvalueRef,
}

/// <summary>The base of every heap object a Luau value can refer to (except strings, which are compared by content).</summary>
public abstract class LuauObject
{
    /// <summary>
    /// A number used to hash the object when it is a table key. It is assigned from the owning state's counter the
    /// first time the object is stored as a key, so hashing and iteration order do not depend on addresses and are
    /// the same in every run. Zero means never used as a key (such an object cannot be in any table).
    /// </summary>
    internal uint KeyId;

    /// <summary>
    /// The number of the last Luau collection of the owning state that marked the object reachable (see
    /// <see cref="GarbageCollector"/>; used only for tables, Luau closures and threads, which one state owns).
    /// </summary>
    internal uint GcEpoch;
}

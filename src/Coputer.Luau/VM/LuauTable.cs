using System.Numerics;
using System.Runtime.CompilerServices;

namespace Coputer.Luau.VM;

/// <summary>A hash node: a key, its value, and the offset to the next node of the same chain (0 ends the chain).</summary>
internal struct TableNode
{
    public LuauValue Value;
    public LuauValue Key;
    public int Next;
}

/// <summary>
/// A Luau table: an array part for keys 1..n and a hash part, with the reference's layout and algorithms, so that
/// the border <c>#t</c> and the order of <c>next</c> are exactly the reference's, and the same in every run.
/// </summary>
/// <remarks>
/// The hash part is a chained scatter table with Brent's variation: a node that is not in its main position
/// is moved away when its main position is claimed. Keys whose value became nil stay in place so traversal can
/// continue past them; they are dropped at the next rehash. Luau's boundary invariant holds: the border of the
/// table is always inside the array part (inserting key <c>sizearray + 1</c> into the hash part grows the array),
/// so <c>#t</c> never looks at the hash part. Object keys are hashed by <see cref="LuauObject.KeyId"/>, a number
/// given from the owning state's counter on first insertion, never by address.
/// </remarks>
public sealed class LuauTable : LuauObject
{
    private const int MaxBits = 26;
    private const int MaxSize = 1 << MaxBits;

    // The shared empty hash part. Lookups may read it; nothing ever writes to it.
    private static readonly TableNode[] s_dummyNodes = new TableNode[1];
    private static readonly LuauValue s_nil = default;

    internal readonly LuauState State;
    internal LuauValue[] Array = [];
    internal TableNode[] Nodes = s_dummyNodes;
    internal byte LSizeNode;

    /// <summary>(node count - 1) truncated to 8 bits, for the compiler's predicted slots.</summary>
    internal byte NodeMask8;

    /// <summary>
    /// With a hash part: every free node is below this index. Without one (or when it is full) a negative value is
    /// the negated border hint of the array part. This sharing is the reference's and affects which border
    /// <c>#t</c> reports for arrays with holes, so it is kept exactly.
    /// </summary>
    private int _lastFreeOrBoundary;

    internal LuauTable? Metatable;

    /// <summary>Bit i set: metamethod i (of the first eight) is known to be absent from this table when it is a metatable.</summary>
    internal byte TmCache = 0xFF;

    /// <summary>Frozen by <c>table.freeze</c>: every write is an error.</summary>
    internal bool IsReadOnly;

    /// <summary>An environment whose globals nothing else can change, so imports and builtins may be used directly.</summary>
    internal bool SafeEnv;

    internal LuauTable(LuauState state, int arraySize = 0, int hashSize = 0)
    {
        State = state;
        if (arraySize > 0)
            SetArrayVector(arraySize);
        if (hashSize > 0)
            SetNodeVector(hashSize);
    }

    /// <summary>The size of the array part.</summary>
    internal int SizeArray => Array.Length;

    private bool HasDummyNodes => ReferenceEquals(Nodes, s_dummyNodes);

    private int SizeNode => 1 << LSizeNode;

    /// <summary>The metatable, or null.</summary>
    public LuauTable? GetMetatable() => Metatable;

    /// <summary>Sets or clears the metatable (like <c>setmetatable</c>, without its checks).</summary>
    public void SetMetatable(LuauTable? metatable)
    {
        if (metatable is not null && metatable.State != State)
            throw new InvalidOperationException("The metatable belongs to another Luau state; values cannot be passed between states.");
        Metatable = metatable;
    }

    /// <summary>True after <c>table.freeze</c>.</summary>
    public bool IsFrozen => IsReadOnly;

    /// <summary>Makes the table read-only, as <c>table.freeze</c> does.</summary>
    public void Freeze() => IsReadOnly = true;

    /// <summary>
    /// For a global table: whether code using it as its environment may call builtins directly and use imports
    /// resolved at load time (the reference's safeenv). Set it to false when something may replace globals behind
    /// the compiler's back (a host that loads code at run time, <c>getfenv</c>/<c>setfenv</c> do this themselves).
    /// </summary>
    public bool IsSafeEnvironment
    {
        get => SafeEnv;
        set => SafeEnv = value;
    }

    /// <summary>Reads without metamethods (like <c>rawget</c>).</summary>
    public LuauValue this[LuauValue key]
    {
        get => Get(in key);
        set => RawSet(key, value);
    }

    /// <summary>Reads a string key without metamethods.</summary>
    public LuauValue this[string key]
    {
        get => GetStr(LuauString.FromUtf8(key));
        set => RawSet(LuauString.FromUtf8(key), value);
    }

    /// <summary>Writes without metamethods (like <c>rawset</c>, which refuses frozen tables).</summary>
    public void RawSet(LuauValue key, LuauValue value)
    {
        if (IsReadOnly)
            throw new RuntimeError("attempt to modify a readonly table");
        State.CheckOwnership(in key);
        State.CheckOwnership(in value);
        Set(in key) = value;
    }

    // ---- hashing ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Murmur3Finalizer(uint h)
    {
        h ^= h >> 16;
        h *= 0x85ebca6bu;
        h ^= h >> 13;
        h *= 0xc2b2ae35u;
        h ^= h >> 16;
        return h;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint HashNumber(double n)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(n);
        return Murmur64BFinalizer((uint)bits, (uint)(bits >> 32) & 0x7fffffff); // the mask makes -0 and 0 collide
    }

    /// <summary>The hash of a 64-bit integer key, as the reference computes it, so that iteration order matches.</summary>
    internal static uint HashInteger(long n) => Murmur64BFinalizer((uint)(ulong)n, (uint)((ulong)n >> 32));

    /// <summary>The finalizer of MurmurHash64B, keeping the low half as the reference does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Murmur64BFinalizer(uint h1, uint h2)
    {
        const uint m = 0x5bd1e995;
        h1 ^= h2 >> 18;
        h1 *= m;
        h2 ^= h1 >> 22;
        h2 *= m;
        h1 ^= h2 >> 17;
        h1 *= m;
        h2 ^= h1 >> 19;
        h2 *= m;
        return h2;
    }

    private static uint HashVector(in LuauValue v)
    {
        uint x = (uint)BitConverter.SingleToInt32Bits(v.VectorX);
        uint y = (uint)BitConverter.SingleToInt32Bits(v.VectorY);
        uint z = v.Extra;
        x = x == 0x80000000 ? 0 : x;
        y = y == 0x80000000 ? 0 : y;
        z = z == 0x80000000 ? 0 : z;
        x ^= x >> 17;
        y ^= y >> 17;
        z ^= z >> 17;
        return (x * 73856093) ^ (y * 19349663) ^ (z * 83492791);
    }

    private uint KeyIdOf(LuauObject o)
    {
        if (o.KeyId == 0)
            o.KeyId = State.NextKeyId();
        return o.KeyId;
    }

    /// <summary>The main position of a key; for an object never used as a key, -1 (it cannot be present).</summary>
    private int MainPosition(in LuauValue key, bool assignId)
    {
        uint h;
        switch (key.Type_)
        {
            case LuauType.Number:
                h = HashNumber(key.N);
                break;
            case LuauType.Integer:
                h = HashInteger(key.Integer);
                break;
            case LuauType.String:
                h = key.UnsafeString.Hash;
                break;
            case LuauType.Boolean:
                h = key.Extra;
                break;
            case LuauType.Vector:
                h = HashVector(in key);
                break;
            case LuauType.LightUserdata:
                h = Murmur3Finalizer((uint)key.LightUserdataPayload);
                break;
            default:
                {
                    var o = (LuauObject)key.O!;
                    if (o.KeyId == 0 && !assignId)
                        return -1;
                    h = Murmur3Finalizer(KeyIdOf(o));
                    break;
                }
        }
        return (int)(h & (uint)(SizeNode - 1));
    }

    /// <summary>Equality of keys: raw equality, except that NaN never appears as a key.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool KeyEquals(in LuauValue nodeKey, in LuauValue key) => LuauValue.RawEquals(in nodeKey, in key);

    // ---- lookup ----

    /// <summary>The slot for integer key <paramref name="key"/>, or a shared nil when absent. Never write through it.</summary>
    internal ref readonly LuauValue GetNum(int key)
    {
        if ((uint)(key - 1) < (uint)Array.Length)
            return ref Array[key - 1];
        if (HasDummyNodes)
            return ref s_nil;
        double nk = key;
        var nodes = Nodes;
        int i = (int)(HashNumber(nk) & (uint)(nodes.Length - 1));
        while (true)
        {
            ref var n = ref nodes[i];
            if (n.Key.Type_ == LuauType.Number && n.Key.N == nk)
                return ref n.Value;
            if (n.Next == 0)
                return ref s_nil;
            i += n.Next;
        }
    }

    /// <summary>The slot for string key <paramref name="key"/>, or a shared nil when absent. Never write through it.</summary>
    internal ref readonly LuauValue GetStr(LuauString key)
    {
        var nodes = Nodes;
        int i = (int)(key.Hash & (uint)(nodes.Length - 1));
        while (true)
        {
            ref var n = ref nodes[i];
            if (n.Key.Type_ == LuauType.String && (ReferenceEquals(n.Key.O, key) || key.Equals(n.Key.UnsafeString)))
                return ref n.Value;
            if (n.Next == 0)
                return ref s_nil;
            i += n.Next;
        }
    }

    /// <summary>The slot for any key, or a shared nil when absent. Never write through it.</summary>
    internal ref readonly LuauValue Get(in LuauValue key)
    {
        switch (key.Type_)
        {
            case LuauType.Nil:
                return ref s_nil;
            case LuauType.String:
                return ref GetStr(key.UnsafeString);
            case LuauType.Number:
                {
                    double d = key.N;
                    int k = (int)d;
                    if (k == d)
                        return ref GetNum(k);
                    break;
                }
        }
        int i = MainPosition(in key, assignId: false);
        if (i < 0)
            return ref s_nil;
        var nodes = Nodes;
        while (true)
        {
            ref var n = ref nodes[i];
            if (KeyEquals(in n.Key, in key))
                return ref n.Value;
            if (n.Next == 0)
                return ref s_nil;
            i += n.Next;
        }
    }

    /// <summary>True when <paramref name="slot"/> is the shared nil returned for absent keys.</summary>
    internal static bool IsAbsent(ref readonly LuauValue slot) => Unsafe.AreSame(in slot, in s_nil);

    // ---- insertion ----

    /// <summary>
    /// The writable slot for <paramref name="key"/>, creating the key if absent. Fails on nil and NaN keys.
    /// Does not check <see cref="IsReadOnly"/>. Invalidates the metamethod cache.
    /// </summary>
    internal ref LuauValue Set(scoped in LuauValue key)
    {
        ref readonly var p = ref Get(in key);
        TmCache = 0;
        if (!IsAbsent(in p))
            return ref Unsafe.AsRef(in p);
        return ref NewKeyChecked(in key);
    }

    internal ref LuauValue NewKeyChecked(scoped in LuauValue key)
    {
        if (key.Type_ == LuauType.Nil)
            throw new RuntimeError("table index is nil");
        if (key.Type_ == LuauType.Number && double.IsNaN(key.N))
            throw new RuntimeError("table index is NaN");
        if (key.Type_ == LuauType.Vector && (float.IsNaN(key.VectorX) || float.IsNaN(key.VectorY) || float.IsNaN(key.VectorZ)))
            throw new RuntimeError("table index contains NaN");
        return ref NewKey(in key);
    }

    /// <summary>The writable slot for an integer key, creating it if absent (no metamethod cache change).</summary>
    internal ref LuauValue SetNum(int key)
    {
        if ((uint)(key - 1) < (uint)Array.Length)
            return ref Array[key - 1];
        ref readonly var p = ref GetNum(key);
        if (!IsAbsent(in p))
            return ref Unsafe.AsRef(in p);
        var k = new LuauValue(key);
        return ref NewKey(in k);
    }

    /// <summary>The writable slot for a string key, creating it if absent. Invalidates the metamethod cache.</summary>
    internal ref LuauValue SetStr(LuauString key)
    {
        ref readonly var p = ref GetStr(key);
        TmCache = 0;
        if (!IsAbsent(in p))
            return ref Unsafe.AsRef(in p);
        var k = new LuauValue(key);
        return ref NewKey(in k);
    }

    /// <summary>
    /// SETTABLEKS's insertion of a string key into the node the compiler predicted, when that node is free and is
    /// the key's main position: the key cannot be in the table (a key whose main position is a node that was never
    /// used cannot have been inserted since the last rehash), and inserting it anywhere else would put it there
    /// too, so this is exactly <see cref="SetStr"/> followed by the store. Returns false, having changed nothing,
    /// otherwise.
    /// </summary>
    internal bool TryInsertAtFreeMainPosition(int slot, LuauString key, in LuauValue value)
    {
        var nodes = Nodes;
        if ((uint)slot >= (uint)nodes.Length || HasDummyNodes)
            return false;
        ref var n = ref nodes[slot];
        if (n.Key.Type_ != LuauType.Nil || (key.Hash & (uint)(nodes.Length - 1)) != (uint)slot)
            return false;
        TmCache = 0;
        n.Key = new LuauValue(key);
        n.Value = value;
        return true;
    }

    private int GetFreePos()
    {
        while (_lastFreeOrBoundary > 0)
        {
            _lastFreeOrBoundary--;
            if (Nodes[_lastFreeOrBoundary].Key.Type_ == LuauType.Nil)
                return _lastFreeOrBoundary;
        }
        return -1;
    }

    /// <summary>Inserts a key known to be absent and valid; returns its (nil) value slot.</summary>
    private ref LuauValue NewKey(scoped in LuauValue key)
    {
        // The boundary invariant: key sizearray+1 never goes to the hash part; grow the array instead.
        if (key.Type_ == LuauType.Number && key.N == Array.Length + 1)
        {
            Rehash(in key);
            return ref ArrayOrNewKey(in key);
        }

        int mp = MainPosition(in key, assignId: true);
        var nodes = Nodes;
        if (nodes[mp].Value.Type_ != LuauType.Nil || HasDummyNodes)
        {
            int free = GetFreePos();
            if (free < 0)
            {
                Rehash(in key);
                return ref ArrayOrNewKey(in key);
            }
            var mk = nodes[mp].Key;
            int other = MainPosition(in mk, assignId: true);
            if (other != mp)
            {
                // The colliding node is out of its main position: move it to the free node and take its place.
                while (other + nodes[other].Next != mp)
                    other += nodes[other].Next;
                nodes[other].Next = free - other;
                nodes[free] = nodes[mp];
                if (nodes[mp].Next != 0)
                {
                    nodes[free].Next += mp - free;
                    nodes[mp].Next = 0;
                }
                nodes[mp].Value = default;
            }
            else
            {
                // The colliding node is in its main position: the new key goes to the free node.
                if (nodes[mp].Next != 0)
                    nodes[free].Next = mp + nodes[mp].Next - free;
                nodes[mp].Next = free - mp;
                mp = free;
            }
        }
        nodes[mp].Key = key;
        return ref nodes[mp].Value;
    }

    private ref LuauValue ArrayOrNewKey(scoped in LuauValue key)
    {
        if (key.Type_ == LuauType.Number)
        {
            double n = key.N;
            int k = (int)n;
            if (k == n && (uint)(k - 1) < (uint)Array.Length)
                return ref Array[k - 1];
        }
        return ref NewKey(in key);
    }

    // ---- rehash ----

    private static int ArrayIndex(double key)
    {
        int i = (int)key;
        return i == key ? i : -1;
    }

    private static int CeilLog2(int x) => x <= 1 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)(x - 1));

    private static int ComputeSizes(Span<int> nums, ref int narray)
    {
        int a = 0, na = 0, n = 0;
        for (int i = 0, twotoi = 1; twotoi / 2 < narray; i++, twotoi *= 2)
        {
            if (nums[i] > 0)
            {
                a += nums[i];
                if (a > twotoi / 2)
                {
                    n = twotoi;
                    na = a;
                }
            }
            if (a == narray)
                break;
        }
        narray = n;
        return na;
    }

    private static int CountInt(double key, Span<int> nums)
    {
        int k = ArrayIndex(key);
        if (0 < k && k <= MaxSize)
        {
            nums[CeilLog2(k)]++;
            return 1;
        }
        return 0;
    }

    private int NumUseArray(Span<int> nums)
    {
        int ause = 0;
        int i = 1;
        var array = Array;
        for (int lg = 0, ttlg = 1; lg <= MaxBits; lg++, ttlg *= 2)
        {
            int lc = 0;
            int lim = ttlg;
            if (lim > array.Length)
            {
                lim = array.Length;
                if (i > lim)
                    break;
            }
            for (; i <= lim; i++)
            {
                if (array[i - 1].Type_ != LuauType.Nil)
                    lc++;
            }
            nums[lg] += lc;
            ause += lc;
        }
        return ause;
    }

    private int NumUseHash(Span<int> nums, ref int nasize)
    {
        int totaluse = 0, ause = 0;
        var nodes = Nodes;
        int i = SizeNode;
        while (i-- > 0)
        {
            ref var n = ref nodes[i];
            if (n.Value.Type_ != LuauType.Nil)
            {
                if (n.Key.Type_ == LuauType.Number)
                    ause += CountInt(n.Key.N, nums);
                totaluse++;
            }
        }
        nasize += ause;
        return totaluse;
    }

    private void SetArrayVector(int size)
    {
        if (size > MaxSize)
            throw new RuntimeError("table overflow");
        State.ChargeMemory(MemoryCost.Values(size) - MemoryCost.Values(Array.Length));
        var bigger = new LuauValue[size];
        Array.AsSpan(0, Math.Min(Array.Length, size)).CopyTo(bigger);
        Array = bigger;
    }

    private void SetNodeVector(int size)
    {
        int lsize;
        if (size == 0)
        {
            if (!HasDummyNodes)
                State.ChargeMemory(-NodeBytes(Nodes.Length));
            Nodes = s_dummyNodes;
            lsize = 0;
        }
        else
        {
            lsize = CeilLog2(size);
            if (lsize > MaxBits)
                throw new RuntimeError("table overflow");
            size = 1 << lsize;
            State.ChargeMemory(NodeBytes(size) - (HasDummyNodes ? 0 : NodeBytes(Nodes.Length)));
            Nodes = new TableNode[size];
        }
        LSizeNode = (byte)lsize;
        NodeMask8 = (byte)((1 << lsize) - 1);
        _lastFreeOrBoundary = size;
    }

    private void Resize(int nasize, int nhsize)
    {
        if (nasize > MaxSize || nhsize > MaxSize)
            throw new RuntimeError("table overflow");
        int oldasize = Array.Length;
        var oldNodes = Nodes;
        bool oldDummy = HasDummyNodes;
        int oldhsize = oldDummy ? 0 : oldNodes.Length;
        if (nasize > oldasize)
            SetArrayVector(nasize);
        SetNodeVector(nhsize);
        if (nasize < oldasize)
        {
            // Shrink the array: move the vanishing slice into the hash part first.
            var oldArray = Array;
            Array = oldArray[..nasize];
            State.ChargeMemory(MemoryCost.Values(nasize) - MemoryCost.Values(oldasize));
            for (int i = nasize; i < oldasize; i++)
            {
                if (oldArray[i].Type_ != LuauType.Nil)
                {
                    var k = new LuauValue(i + 1);
                    NewKey(in k) = oldArray[i];
                }
            }
        }
        // Re-insert the old hash part, from the last node down (the reference's order).
        if (!oldDummy)
        {
            for (int i = oldhsize - 1; i >= 0; i--)
            {
                ref var old = ref oldNodes[i];
                if (old.Value.Type_ != LuauType.Nil)
                    ArrayOrNewKey(in old.Key) = old.Value;
            }
        }
    }

    /// <summary>Grows <paramref name="size"/> until the border is guaranteed to be inside an array of that size.</summary>
    private int AdjustArraySize(int size, in LuauValue extraKey, bool hasExtraKey)
    {
        bool tbound = !HasDummyNodes || size < Array.Length;
        int ekindex = hasExtraKey && extraKey.Type_ == LuauType.Number ? ArrayIndex(extraKey.N) : -1;
        while (size + 1 == ekindex || (tbound && GetNum(size + 1).Type_ != LuauType.Nil))
            size++;
        return size;
    }

    private void Rehash(in LuauValue extraKey)
    {
        Span<int> nums = stackalloc int[MaxBits + 1];
        nums.Clear();
        int nasize = NumUseArray(nums);
        int totaluse = nasize;
        totaluse += NumUseHash(nums, ref nasize);
        if (extraKey.Type_ == LuauType.Number)
            nasize += CountInt(extraKey.N, nums);
        totaluse++;
        int na = ComputeSizes(nums, ref nasize);
        int nh = totaluse - na;

        int nadjusted = AdjustArraySize(nasize, in extraKey, true);
        int aextra = nadjusted - nasize;
        if (aextra != 0)
        {
            nh -= aextra;
            // Hash nodes are about twice the size of array slots: spend the saving on a larger array.
            nasize = nadjusted + aextra;
            nasize = AdjustArraySize(nasize, in extraKey, true);
        }
        Resize(nasize, nh);
    }

    /// <summary>Resizes the array part (as <c>table.create</c> and SETLIST do), keeping the border invariant.</summary>
    internal void ResizeArray(int nasize)
    {
        int nsize = HasDummyNodes ? 0 : SizeNode;
        int asize = AdjustArraySize(nasize, default, false);
        Resize(asize, nsize);
    }

    internal void ResizeHash(int nhsize) => Resize(Array.Length, nhsize);

    // ---- border ----

    private void MaybeSetBoundary(int boundary)
    {
        if (_lastFreeOrBoundary <= 0)
            _lastFreeOrBoundary = -boundary;
    }

    private int GetBoundaryHint() => _lastFreeOrBoundary < 0 ? -_lastFreeOrBoundary : Array.Length;

    private int UpdateBoundary(int boundary)
    {
        var array = Array;
        if (boundary < array.Length && array[boundary - 1].Type_ == LuauType.Nil)
        {
            if (boundary >= 2 && array[boundary - 2].Type_ != LuauType.Nil)
            {
                MaybeSetBoundary(boundary - 1);
                return boundary - 1;
            }
        }
        else if (boundary + 1 < array.Length && array[boundary].Type_ != LuauType.Nil && array[boundary + 1].Type_ == LuauType.Nil)
        {
            MaybeSetBoundary(boundary + 1);
            return boundary + 1;
        }
        return 0;
    }

    /// <summary>The border <c>#t</c> without metamethods (the reference's <c>luaH_getn</c>).</summary>
    public int Length()
    {
        var array = Array;
        int boundary = GetBoundaryHint();
        if (boundary > 0)
        {
            if (array[^1].Type_ != LuauType.Nil && HasDummyNodes)
                return array.Length;
            if (boundary < array.Length && array[boundary - 1].Type_ != LuauType.Nil && array[boundary].Type_ == LuauType.Nil)
                return boundary;
            int found = UpdateBoundary(boundary);
            if (found > 0)
                return found;
        }

        int j = array.Length;
        if (j > 0 && array[j - 1].Type_ == LuauType.Nil)
        {
            // Binary search for a border inside the array part.
            int b = 0;
            int rest = j;
            int half;
            while ((half = rest >> 1) != 0)
            {
                if (array[b + half].Type_ != LuauType.Nil)
                    b += half;
                rest -= half;
            }
            int result = (array[b].Type_ != LuauType.Nil ? 1 : 0) + b;
            MaybeSetBoundary(result);
            return result;
        }
        return j;
    }

    // ---- traversal ----

    /// <summary>
    /// The traversal position of <paramref name="key"/>: -1 for nil (the start), an array index, or sizearray plus
    /// a node index. Throws "invalid key to 'next'" for a key not in the table.
    /// </summary>
    private int FindIndex(in LuauValue key)
    {
        if (key.Type_ == LuauType.Nil)
            return -1;
        int i = key.Type_ == LuauType.Number ? ArrayIndex(key.N) : -1;
        if (0 < i && i <= Array.Length)
            return i - 1;
        int n = MainPosition(in key, assignId: false);
        if (n >= 0)
        {
            var nodes = Nodes;
            while (true)
            {
                if (KeyEquals(in nodes[n].Key, in key))
                    return n + Array.Length;
                if (nodes[n].Next == 0)
                    break;
                n += nodes[n].Next;
            }
        }
        throw new RuntimeError("invalid key to 'next'");
    }

    /// <summary>
    /// The entry after <paramref name="key"/> in traversal order (array part, then hash nodes in node order), as
    /// <c>next</c> does. Returns false at the end.
    /// </summary>
    public bool Next(LuauValue key, out LuauValue nextKey, out LuauValue value)
    {
        int i = FindIndex(in key) + 1;
        return NextFrom(i, out nextKey, out value) >= 0;
    }

    /// <summary>
    /// Iterates from traversal position <paramref name="index"/>: finds the first entry at or after it, and returns
    /// its position (so the caller continues from position + 1), or -1 at the end. Used by the interpreter's
    /// in-place loops, which keep the position instead of the key.
    /// </summary>
    internal int NextFrom(int index, out LuauValue key, out LuauValue value)
    {
        var array = Array;
        for (int i = index; i < array.Length; i++)
        {
            if (array[i].Type_ != LuauType.Nil)
            {
                key = new LuauValue(i + 1);
                value = array[i];
                return i;
            }
        }
        var nodes = Nodes;
        int sizeNode = HasDummyNodes ? 0 : nodes.Length;
        for (int i = Math.Max(index - array.Length, 0); i < sizeNode; i++)
        {
            if (nodes[i].Value.Type_ != LuauType.Nil)
            {
                key = nodes[i].Key;
                value = nodes[i].Value;
                return i + array.Length;
            }
        }
        key = default;
        value = default;
        return -1;
    }

    // ---- whole-table operations ----

    /// <summary>Removes every entry, keeping the allocated capacity (<c>table.clear</c>).</summary>
    internal void Clear()
    {
        System.Array.Clear(Array);
        MaybeSetBoundary(0);
        if (!HasDummyNodes)
        {
            System.Array.Clear(Nodes);
            _lastFreeOrBoundary = Nodes.Length;
        }
        TmCache = 0xFF;
    }

    /// <summary>A shallow copy with the same layout (so the same iteration order) and metatable (<c>table.clone</c>).</summary>
    internal LuauTable Clone()
    {
        var t = new LuauTable(State) { Metatable = Metatable, TmCache = TmCache };
        if (Array.Length > 0)
        {
            t.MaybeSetBoundary(GetBoundaryHint());
            State.ChargeMemory(MemoryCost.Values(Array.Length));
            // new + copy rather than Array.Clone (a general runtime call, slower for the small arrays of constructors).
            var array = new LuauValue[Array.Length];
            Array.AsSpan().CopyTo(array);
            t.Array = array;
        }
        if (!HasDummyNodes)
        {
            State.ChargeMemory(NodeBytes(Nodes.Length));
            var nodes = new TableNode[Nodes.Length];
            Nodes.AsSpan().CopyTo(nodes);
            t.Nodes = nodes;
            t.LSizeNode = LSizeNode;
            t.NodeMask8 = NodeMask8;
            t._lastFreeOrBoundary = _lastFreeOrBoundary;
        }
        return t;
    }

    /// <summary>
    /// Makes this (empty) table a copy of <paramref name="source"/> from another state: the same array and hash parts
    /// in the same layout, so lookups, the border and the order of <c>next</c> are exactly the source's, and the same
    /// flags. The metatable and any table among the values still refer to the source's state: the caller replaces
    /// them. Charges nothing; the caller accounts for the memory.
    /// </summary>
    internal void CopyLayoutFrom(LuauTable source)
    {
        Array = source.Array.Length == 0 ? [] : (LuauValue[])source.Array.Clone();
        Nodes = source.HasDummyNodes ? s_dummyNodes : (TableNode[])source.Nodes.Clone();
        LSizeNode = source.LSizeNode;
        NodeMask8 = source.NodeMask8;
        _lastFreeOrBoundary = source._lastFreeOrBoundary;
        TmCache = source.TmCache;
        IsReadOnly = source.IsReadOnly;
        SafeEnv = source.SafeEnv;
    }

    /// <summary>The approximate number of bytes this table holds, for memory accounting.</summary>
    internal long FootprintBytes =>
        MemoryCost.Table + MemoryCost.Values(Array.Length) + (HasDummyNodes ? 0 : NodeBytes(Nodes.Length));

    /// <summary>What a node array of <paramref name="length"/> entries costs.</summary>
    private static long NodeBytes(int length) => MemoryCost.Array((long)length * Unsafe.SizeOf<TableNode>());
}

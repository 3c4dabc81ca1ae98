namespace Coputer.Luau.Library;

/// <summary>
/// The generator behind <c>math.random</c> and <c>math.randomseed</c>: PCG32 (a 64-bit linear congruential
/// state with a permuted 32-bit output, M. O'Neill) with the reference's fixed increment, seeding and ways of
/// turning outputs into numbers, so that a given seed yields the reference's exact sequence.
/// </summary>
/// <remarks>
/// The reference seeds a new state from its address and the clock. Here the creator passes the seed, so the
/// sandbox decides (and can make runs reproducible); nothing reads the clock.
/// </remarks>
internal sealed class LuauRandom
{
    private const ulong Multiplier = 6364136223846793005UL;
    private const ulong Increment = 105; // odd, as PCG requires

    private ulong _state;

    /// <summary>A generator seeded with <paramref name="seed"/>, as <see cref="Seed(ulong)"/> would.</summary>
    public LuauRandom(ulong seed) => Seed(seed);

    /// <summary>The raw 64-bit state (for saving and restoring a generator).</summary>
    public ulong State
    {
        get => _state;
        set => _state = value;
    }

    /// <summary>
    /// Reseeds the generator: zero state, one step, add the seed, one more step. <c>math.randomseed(n)</c> passes
    /// C's <c>(int)n</c> (see <see cref="NativeCasts.ToInt32"/>) sign-extended to 64 bits.
    /// </summary>
    public void Seed(ulong seed)
    {
        _state = 0;
        NextUInt32();
        _state += seed;
        NextUInt32();
    }

    /// <summary><c>math.randomseed(n)</c> for a number argument.</summary>
    public void Seed(double seed) => Seed((ulong)(long)NativeCasts.ToInt32(seed));

    /// <summary>The next 32-bit output: a step of the LCG, then an xorshift and a data-dependent rotation of the old state.</summary>
    public uint NextUInt32()
    {
        ulong old = _state;
        _state = unchecked(old * Multiplier + Increment);
        uint xorShifted = (uint)(((old >> 18) ^ old) >> 27);
        int rotation = (int)(old >> 59);
        return uint.RotateRight(xorShifted, rotation);
    }

    /// <summary><c>math.random()</c>: 64 random bits (low word first) scaled by 2^-64 into [0, 1).</summary>
    /// <remarks>
    /// Converting 64 bits to a double rounds to nearest, so values just below 2^64 round to 2^64 and give
    /// exactly 1.0, as in the reference (which happens with probability about 2^-54).
    /// </remarks>
    public double NextDouble()
    {
        ulong low = NextUInt32();
        ulong high = NextUInt32();
        return Math.ScaleB(low | (high << 32), -64);
    }

    /// <summary>
    /// <c>math.random(m)</c>: an integer in [1, m] from one output, by multiplying and keeping the high word.
    /// The caller converts the argument with C's <c>(int)</c>.
    /// </summary>
    /// <exception cref="LibraryArgumentError">m &lt; 1: argument 1, "interval is empty".</exception>
    public int NextInRange(int upper)
    {
        if (upper < 1)
            throw new LibraryArgumentError(1, "interval is empty");
        ulong scaled = (ulong)(uint)upper * NextUInt32();
        return (int)(1 + (scaled >> 32));
    }

    /// <summary>
    /// <c>math.random(m, n)</c>: an integer in [m, n] from one output. The caller converts the arguments with
    /// C's <c>(int)</c>.
    /// </summary>
    /// <exception cref="LibraryArgumentError">
    /// m &gt; n: argument 2, "interval is empty"; n - m + 1 not representable in 32 bits (only for the full int
    /// range): argument 2, "interval is too large".
    /// </exception>
    public int NextInRange(int lower, int upper)
    {
        if (lower > upper)
            throw new LibraryArgumentError(2, "interval is empty");
        uint span = unchecked((uint)upper - (uint)lower);
        if (span == uint.MaxValue)
            throw new LibraryArgumentError(2, "interval is too large");
        ulong scaled = (ulong)(span + 1) * NextUInt32();
        return unchecked(lower + (int)(scaled >> 32));
    }
}

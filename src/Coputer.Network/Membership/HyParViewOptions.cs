namespace Coputer.Network.Membership;

/// <summary>
/// Parameters of the HyParView membership protocol. The defaults follow iroh-gossip's choices (active 5,
/// passive 30, walks 6 and 3), which are close to the paper's (active log(n)+1, passive k·(log(n)+1)).
/// </summary>
public sealed record HyParViewOptions
{
    /// <summary>Most peers in the active view (the neighbours broadcast runs over).</summary>
    public int ActiveViewSize { get; init; } = 5;

    /// <summary>Most peers in the passive view (the reserve used to replace failed neighbours).</summary>
    public int PassiveViewSize { get; init; } = 30;

    /// <summary>Active random walk length: how far a forward-join travels before the joiner is taken as a neighbour.</summary>
    public byte ActiveRandomWalkLength { get; init; } = 6;

    /// <summary>Passive random walk length: at this remaining hop count a forward-join also puts the joiner in the passive view.</summary>
    public byte PassiveRandomWalkLength { get; init; } = 3;

    /// <summary>How many active-view peers a shuffle carries.</summary>
    public int ShuffleActiveCount { get; init; } = 3;

    /// <summary>How many passive-view peers a shuffle carries.</summary>
    public int ShufflePassiveCount { get; init; } = 4;

    /// <summary>Hops a shuffle walks before it is answered.</summary>
    public byte ShuffleRandomWalkLength { get; init; } = 3;

    /// <summary>Time between a node's shuffles.</summary>
    public TimeSpan ShuffleInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a neighbour request may wait for its reply before the peer is treated as failed.</summary>
    public TimeSpan NeighborTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Time between attempts to fill a short active view from the passive view.</summary>
    public TimeSpan RepairInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Time between join attempts while the node has a short active view and no reserves.</summary>
    public TimeSpan JoinRetryInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Refuses parameters the protocol cannot work with.</summary>
    public void Validate()
    {
        if (ActiveViewSize < 1 || PassiveViewSize < 1)
            throw new ArgumentException("the active and passive views hold at least one peer");
        if (ShuffleActiveCount + ShufflePassiveCount + 1 > Wire.WireCodec.MaxPeersPerMessage)
            throw new ArgumentException("a shuffle would carry more peers than a message may");
        if (PassiveRandomWalkLength > ActiveRandomWalkLength)
            throw new ArgumentException("the passive walk length cannot exceed the active walk length");
    }
}

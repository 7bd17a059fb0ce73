namespace LeaderKv.Cli.Bench.Load;

/// <summary>
/// One benchmark write as the client saw it. <see cref="Index"/>, <see cref="Acks"/> and
/// <see cref="QuorumDelayMs"/> come from the leader's answer and are null when it did not carry them
/// (a failed write, or a seed node that answers only <c>status</c> and <c>quorum_met</c>).
/// </summary>
/// <param name="Sequence">0-based position in the run: write i goes to key i mod keys with value-i.</param>
/// <param name="Key">The key written.</param>
/// <param name="StartMs">When the request was sent, in ms since the run started.</param>
/// <param name="LatencyMs">From sending the request to reading the whole answer.</param>
/// <param name="StatusCode">The HTTP status, or 0 when no answer arrived.</param>
/// <param name="Index">The log index the leader gave the write.</param>
/// <param name="Acks">Follower acks the leader had when it answered.</param>
/// <param name="QuorumDelayMs">Simulated delay of the follower ack that completed the quorum (0 for quorum 0).</param>
/// <param name="Error">Why the write failed, for the first failure's report; null on success.</param>
public readonly record struct WriteSample(
    int Sequence,
    string Key,
    double StartMs,
    double LatencyMs,
    int StatusCode,
    long? Index,
    int? Acks,
    double? QuorumDelayMs,
    string? Error)
{
    /// <summary>A write counts as acknowledged only on 200 with <c>quorum_met</c>, as the seed's client counts 200.</summary>
    public bool Succeeded => StatusCode == 200 && Error is null;

    /// <summary>Our software's share of the latency: what the simulated delay does not explain. Null without a quorum delay.</summary>
    public double? OverheadMs => Succeeded && QuorumDelayMs is { } delay ? LatencyMs - delay : null;
}

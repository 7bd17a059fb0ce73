namespace LeaderKv.Cli.Consistency;

/// <summary>How one follower's <c>/data</c> compares with the leader's.</summary>
/// <param name="Follower">1-based position in the leader's follower list, as the seed numbers them.</param>
/// <param name="Url">The follower's base URL.</param>
/// <param name="Consistent">True when the follower's snapshot equals the leader's.</param>
/// <param name="DifferingKey">A key whose value differs (or is missing on one side); null when consistent.</param>
/// <param name="LeaderValue">That key's value on the leader as JSON text, or "N/A" when the leader lacks it.</param>
/// <param name="FollowerValue">The same on the follower.</param>
/// <param name="Error">Why the follower could not be read; null when it answered.</param>
public sealed record FollowerComparison(
    int Follower,
    Uri Url,
    bool Consistent,
    string? DifferingKey = null,
    string? LeaderValue = null,
    string? FollowerValue = null,
    string? Error = null)
{
    /// <summary>One line in the seed's tests.py wording.</summary>
    public string Describe()
    {
        var who = $"Follower {Follower} ({Url.AbsoluteUri.TrimEnd('/')})";
        if (Error is not null)
        {
            return $"FAILURE: {who} UNREACHABLE: {Error}";
        }

        return Consistent
            ? $"SUCCESS: {who} is consistent."
            : $"FAILURE: {who} MISMATCH. Key '{DifferingKey}': Leader={LeaderValue} vs Follower={FollowerValue}.";
    }
}

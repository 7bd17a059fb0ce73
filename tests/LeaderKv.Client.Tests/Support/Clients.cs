namespace LeaderKv.Client.Tests.Support;

internal static class Clients
{
    /// <summary>
    /// A client over <paramref name="nodes"/>'s fake network, waiting on <paramref name="time"/>. Unknown outcomes are not
    /// retried unless <paramref name="unknownRetries"/> says so, so a test sees each attempt's own answer.
    /// </summary>
    public static LeaderKvClient Over(FakeNodes nodes, RecordingTime time, int maxAttempts = 10, int unknownRetries = 0, params Uri[] given) =>
        new(given.Length > 0 ? given : [FakeNodes.A], new HttpClient(nodes), new LeaderKvClientOptions { Time = time, MaxAttempts = maxAttempts, UnknownOutcomeRetries = unknownRetries });
}

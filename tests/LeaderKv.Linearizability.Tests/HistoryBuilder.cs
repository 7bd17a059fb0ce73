namespace LeaderKv.Linearizability.Tests;

/// <summary>Hand-made histories: each call adds one operation with its interval (an unknown one has no end).</summary>
internal sealed class HistoryBuilder
{
    private readonly List<Operation> _ops = [];

    public IReadOnlyList<Operation> Operations => _ops;

    public int Write(int client, long from, long? to, string value, Outcome outcome = Outcome.Ok, string key = "k") =>
        Add(new Operation { Id = _ops.Count, Client = client, Key = key, Kind = OperationKind.Write, Value = value, Outcome = outcome, InvokedAt = from, CompletedAt = outcome == Outcome.Unknown ? null : to });

    public int Read(int client, long from, long to, string? seen, string key = "k") =>
        Add(new Operation { Id = _ops.Count, Client = client, Key = key, Kind = OperationKind.Read, Value = seen, Outcome = Outcome.Ok, InvokedAt = from, CompletedAt = to });

    public int Cas(int client, long from, long? to, string? expected, string value, bool swapped, Outcome outcome = Outcome.Ok, string key = "k") =>
        Add(new Operation
        {
            Id = _ops.Count, Client = client, Key = key, Kind = OperationKind.CompareAndSet, Expected = expected, Value = value, Swapped = swapped,
            Outcome = outcome, InvokedAt = from, CompletedAt = outcome == Outcome.Unknown ? null : to,
        });

    public CheckResult Check(long maxSteps = 1_000_000) => LinearizabilityChecker.Check(_ops, new CheckOptions { MaxStepsPerKey = maxSteps });

    private int Add(Operation op)
    {
        _ops.Add(op);
        return op.Id;
    }
}

namespace LeaderKv.Cli.Bench.Progress;

/// <summary>Where the benchmark reports how far it has come: a live display on a terminal, plain lines elsewhere.</summary>
public interface IBenchProgress
{
    /// <summary>Runs the whole benchmark inside the display (a live display must own the terminal while it runs).</summary>
    Task<T> RunAsync<T>(Func<Task<T>> body);

    /// <summary>A line for one pass of writes; <paramref name="completed"/> is polled, so writers never call into the display.</summary>
    IProgressLine Start(string label, int total, Func<int> completed);

    /// <summary>Something worth saying between passes (cluster start, a node that failed).</summary>
    void Note(string text);
}

/// <summary>One pass's line in the progress display.</summary>
public interface IProgressLine : IDisposable
{
    /// <summary>What the pass is doing now that the writes are done (checking followers...).</summary>
    void Status(string text);

    /// <summary>The pass is over; <paramref name="summary"/> is its headline figures.</summary>
    void Complete(string summary);
}

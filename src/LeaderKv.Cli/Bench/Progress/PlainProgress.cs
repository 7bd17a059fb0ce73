namespace LeaderKv.Cli.Bench.Progress;

/// <summary>
/// Progress for logs (CI, a redirected stdout): one line when a pass starts, one per stage, one with its
/// figures, and a line per quarter of the writes so a slow pass still shows it is alive.
/// </summary>
public sealed class PlainProgress(TextWriter output) : IBenchProgress
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private readonly TextWriter _output = TextWriter.Synchronized(output);

    public Task<T> RunAsync<T>(Func<Task<T>> body) => body();

    public IProgressLine Start(string label, int total, Func<int> completed)
    {
        _output.WriteLine($"[{label}] {total} writes...");
        return new Line(_output, label, total, completed);
    }

    public void Note(string text) => _output.WriteLine(text);

    private sealed class Line : IProgressLine
    {
        private readonly TextWriter _output;
        private readonly string _label;
        private readonly Timer _timer;
        private readonly int _total;
        private readonly Func<int> _completed;
        private int _quartersReported;

        public Line(TextWriter output, string label, int total, Func<int> completed)
        {
            _output = output;
            _label = label;
            _total = total;
            _completed = completed;
            _timer = new Timer(_ => Report(), null, PollInterval, PollInterval);
        }

        public void Status(string text)
        {
            _timer.Change(Timeout.Infinite, Timeout.Infinite);
            _output.WriteLine($"[{_label}] {text}");
        }

        public void Complete(string summary) => _output.WriteLine($"[{_label}] {summary}");

        public void Dispose() => _timer.Dispose();

        /// <summary>Timer callbacks may overlap; Interlocked keeps each quarter to one line.</summary>
        private void Report()
        {
            var quarter = (int)(4L * _completed() / _total);
            var reported = Volatile.Read(ref _quartersReported);
            if (quarter > reported && quarter < 4 && Interlocked.CompareExchange(ref _quartersReported, quarter, reported) == reported)
            {
                _output.WriteLine($"[{_label}] {_completed()}/{_total} writes");
            }
        }
    }
}

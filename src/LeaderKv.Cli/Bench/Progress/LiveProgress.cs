using Spectre.Console;

namespace LeaderKv.Cli.Bench.Progress;

/// <summary>A Spectre.Console progress bar per pass, for a terminal.</summary>
public sealed class LiveProgress(IAnsiConsole console) : IBenchProgress
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private ProgressContext? _context;

    public Task<T> RunAsync<T>(Func<Task<T>> body) =>
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                _context = context;
                try
                {
                    return await body().ConfigureAwait(false);
                }
                finally
                {
                    _context = null;
                }
            });

    public IProgressLine Start(string label, int total, Func<int> completed)
    {
        var context = _context ?? throw new InvalidOperationException("Start is only valid inside RunAsync.");
        var task = context.AddTask(Markup.Escape(label), maxValue: total);
        return new Line(task, label, completed);
    }

    /// <summary>A finished task whose description is the note: the live display owns the terminal, so nothing may print beside it.</summary>
    public void Note(string text)
    {
        if (_context is { } context)
        {
            var task = context.AddTask(Markup.Escape(text), maxValue: 1);
            task.Value = 1;
            task.StopTask();
        }
        else
        {
            console.WriteLine(text);
        }
    }

    private sealed class Line : IProgressLine
    {
        private readonly ProgressTask _task;
        private readonly string _label;
        private readonly Func<int> _completed;
        private readonly Timer _timer;

        public Line(ProgressTask task, string label, Func<int> completed)
        {
            _task = task;
            _label = label;
            _completed = completed;
            _timer = new Timer(_ => _task.Value = _completed(), null, PollInterval, PollInterval);
        }

        public void Status(string text)
        {
            _timer.Change(Timeout.Infinite, Timeout.Infinite);
            _task.Value = _completed();
            _task.Description = Markup.Escape($"{_label}: {text}");
        }

        public void Complete(string summary)
        {
            _task.Value = _task.MaxValue;
            _task.Description = Markup.Escape($"{_label}: {summary}");
            _task.StopTask();
        }

        public void Dispose() => _timer.Dispose();
    }
}

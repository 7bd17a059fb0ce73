using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LeaderKv.Cluster.Tests.Security;

/// <summary>Collects a node's log lines so a test can check what an operator would read.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Lines => [.. _lines];

    public bool Contains(LogLevel level, string text) =>
        _lines.Any(line => line.Level == level && line.Message.Contains(text, StringComparison.Ordinal));

    /// <summary>Registers this provider with a node's services.</summary>
    public void AddTo(IServiceCollection services) => services.AddLogging(logging => logging.AddProvider(this));

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                sink._lines.Enqueue((logLevel, exception is null ? formatter(state, exception) : $"{formatter(state, exception)} {exception}"));
            }
        }
    }
}

using LeaderKv.Core;
using LeaderKv.Node.Endpoints;
using LeaderKv.Node.Replication;

namespace LeaderKv.Node.Faults;

/// <summary>
/// A deliberate bug for UNSAFE_TEST_STALE_READS: <c>GET /kv/{key}</c> answers from a copy of the
/// table taken one to two refresh periods ago, and ignores <c>minIndex</c> — what a store that
/// reads from a lagging replica and claims to be caught up would do. It exists so that a test can
/// show `leaderkv verify` catching non-linearizable reads; nothing else should ever turn it on.
/// </summary>
internal sealed class StaleTable(INodeStore store, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);

    private Dictionary<string, VersionedValue> _served = new(StringComparer.Ordinal);

    public bool TryGet(string key, out VersionedValue value) => Volatile.Read(ref _served).TryGetValue(key, out value);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var next = new Dictionary<string, VersionedValue>(StringComparer.Ordinal);
        using var timer = new PeriodicTimer(Refresh, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                // Serve what was copied one period ago, then copy the table for the next period.
                Volatile.Write(ref _served, next);
                next = store.Read(table => table.Entries.ToDictionary(e => e.Key, e => new VersionedValue(e.Value.Value.ToArray(), e.Value.Index), StringComparer.Ordinal));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}

/// <summary>Answers single-key reads from <see cref="StaleTable"/> before the real endpoint sees them.</summary>
internal sealed class StaleReadMiddleware(RequestDelegate next, StaleTable stale)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (!HttpMethods.IsGet(context.Request.Method) || path is null || !path.StartsWith("/kv/", StringComparison.Ordinal) || path.Length == 4)
        {
            await next(context);
            return;
        }

        var key = Uri.UnescapeDataString(path[4..]);
        if (!stale.TryGet(key, out var value))
        {
            await Problems.KeyNotFound(key).ExecuteAsync(context);
            return;
        }

        await new RawJsonResult(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("key", key);
            writer.WritePropertyName("value");
            writer.WriteRawValue(value.Value.Span, skipInputValidation: true);
            writer.WriteNumber("index", value.Index);
            writer.WriteEndObject();
        }).ExecuteAsync(context);
    }
}

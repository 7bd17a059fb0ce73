using System.Text.Json;

namespace LeaderKv.Node.Faults;

/// <summary>
/// The incoming half: a replication request from a dropped peer has its connection aborted (the
/// sender sees a network error, as across a partition), one from a delayed peer waits first. The
/// sender is the message's <c>from</c> (in the query for snapshots). Runs before the signature check
/// so a cut peer costs nothing; with no faults set it only compares the path.
/// </summary>
internal sealed class IncomingFaults(RequestDelegate next, FaultState faults, TimeProvider time)
{
    /// <summary>Enough of a body to find <c>from</c>: the codec writes it near the start of every message.</summary>
    private const int SenderScanBytes = 4096;

    public async Task InvokeAsync(HttpContext context)
    {
        var plan = faults.Plan;
        if (plan.IsEmpty || !context.Request.Path.StartsWithSegments("/replicate", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var sender = await SenderAsync(context.Request, context.RequestAborted);
        if (sender is not null && plan.DelayFor(sender) is { } delay && delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time, context.RequestAborted);
            plan = faults.Plan;
        }

        if (sender is not null && plan.Drop.Contains(sender))
        {
            context.Abort();
            return;
        }

        await next(context);
    }

    private static async Task<string?> SenderAsync(HttpRequest request, CancellationToken token)
    {
        if (request.Query.TryGetValue("from", out var from) && from.Count == 1)
        {
            return from[0];
        }

        request.EnableBuffering();
        var buffer = new byte[SenderScanBytes];
        var read = 0;
        while (read < buffer.Length && await request.Body.ReadAsync(buffer.AsMemory(read), token) is var n and > 0)
        {
            read += n;
        }

        request.Body.Position = 0;
        return FindFrom(buffer.AsSpan(0, read));
    }

    /// <summary>The top-level <c>from</c> string of a (possibly truncated) JSON object, or null.</summary>
    internal static string? FindFrom(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock: false, state: default);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("from"u8))
                {
                    return reader.Read() && reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }

                if (reader.CurrentDepth >= 1 && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    // A nested value cannot hold the top-level sender; skipping needs the whole value, which a truncated scan may lack.
                    if (!reader.TrySkip())
                    {
                        return null;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: the replication endpoint itself answers it with a problem.
        }

        return null;
    }
}

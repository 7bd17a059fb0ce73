using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace LeaderKv.Client;

/// <summary>
/// Writes: put and delete, conditional or not, each with an <c>Idempotency-Key</c> of its own (the
/// caller's, or a new one), sent unchanged on every attempt. Because the leader answers a repeated
/// key with the first write's outcome instead of writing again, a write whose outcome was unknown
/// (no answer, a 500, a leader change) is retried safely, up to <see cref="LeaderKvClientOptions.UnknownOutcomeRetries"/> times.
/// </summary>
public sealed partial class LeaderKvClient
{
    private const string IdempotencyKeyHeader = "Idempotency-Key";
    private const string IdempotentReplayedHeader = "Idempotent-Replayed";

    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/> through the leader; returns once it is committed.</summary>
    /// <exception cref="LeaderKvRejectedException">Nothing was written: a retry is safe.</exception>
    /// <exception cref="LeaderKvOutcomeUnknownException">The write may or may not survive, even after the retries: read before writing again.</exception>
    public Task<WriteResult> PutAsync(string key, JsonElement value, CancellationToken token = default) =>
        PutAsync(key, value, new WriteOptions(), token);

    /// <summary>As <see cref="PutAsync(string, JsonElement, CancellationToken)"/>, with a condition, a time-to-live or an idempotency key of your own.</summary>
    /// <exception cref="LeaderKvConditionFailedException">The condition did not hold: nothing was changed.</exception>
    public Task<WriteResult> PutAsync(string key, JsonElement value, WriteOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return WriteAsync(WriteOp.Put, key, JsonBody(writer => value.WriteTo(writer)), options, token);
    }

    /// <summary>As <see cref="PutAsync(string, JsonElement, CancellationToken)"/>, with the value as JSON text (validated).</summary>
    public Task<WriteResult> PutJsonAsync(string key, string json, CancellationToken token = default) =>
        PutJsonAsync(key, json, new WriteOptions(), token);

    /// <summary>As <see cref="PutJsonAsync(string, string, CancellationToken)"/>, with a condition, a time-to-live or an idempotency key of your own.</summary>
    /// <exception cref="LeaderKvConditionFailedException">The condition did not hold: nothing was changed.</exception>
    public Task<WriteResult> PutJsonAsync(string key, string json, WriteOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(json);
        return WriteAsync(WriteOp.Put, key, JsonBody(writer => writer.WriteRawValue(json)), options, token);
    }

    /// <summary>
    /// Deletes <paramref name="key"/> through the leader (<c>DELETE /kv/{key}</c>); returns once the delete is
    /// committed and applied. <see cref="WriteResult.Existed"/> says whether the key was there.
    /// </summary>
    /// <exception cref="LeaderKvConditionFailedException">The condition (<see cref="WriteOptions.IfIndex"/>) did not hold: nothing was changed.</exception>
    public Task<WriteResult> DeleteAsync(string key, WriteOptions? options = null, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        options ??= new WriteOptions();
        if (options.CreateOnly || options.TimeToLive is not null)
        {
            throw new ArgumentException("A delete takes neither CreateOnly nor TimeToLive.", nameof(options));
        }

        return WriteAsync(WriteOp.Delete, key, null, options, token);
    }

    private async Task<WriteResult> WriteAsync(WriteOp op, string key, byte[]? value, WriteOptions options, CancellationToken token)
    {
        options.Validate();
        var request = WriteRequest.For(op, key, value, options);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var search = new LeaderSearch(Candidates(), _options);
                var result = await SearchAsync(search, op == WriteOp.Delete ? "delete" : "write", (node, t) => WriteToAsync(node, request, t), token)
                    .ConfigureAwait(false);
                Volatile.Write(ref _leader, result.Leader);
                return result;
            }
            catch (LeaderKvOutcomeUnknownException) when (attempt < _options.UnknownOutcomeRetries && !token.IsCancellationRequested)
            {
                // Same Idempotency-Key: the leader answers with the first attempt's outcome, joins it while it is
                // still in the log, or (if a leader change dropped it) writes it now. Never twice.
                await Task.Delay(Backoff(attempt), _options.Time, token).ConfigureAwait(false);
            }
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var wait = _options.BackoffInitial * Math.Pow(2, attempt);
        return wait < _options.BackoffMax ? wait : _options.BackoffMax;
    }

    private async Task<Step<WriteResult>> WriteToAsync(Uri node, WriteRequest request, CancellationToken token)
    {
        NodeAnswer answer;
        try
        {
            answer = await SendAsync(request.Method, node, request.Path, request.Body, token, request.Headers).ConfigureAwait(false);
        }
        catch (NodeUnreachableException ex) when (!ex.MaybeDelivered)
        {
            Forget(node);
            return new Step<WriteResult>.Skip(ex.Message);
        }
        catch (NodeUnreachableException ex)
        {
            Forget(node);
            throw new LeaderKvOutcomeUnknownException(
                $"The write was sent to {NodeUrl.Format(node)} but no answer arrived ({ex.Message}); it may or may not have been written. Read the key before writing it again.",
                node, index: null, term: null, inner: ex);
        }

        var outcome = answer.Text("outcome");
        if (answer.IsSuccess && outcome is null or "committed")
        {
            return new Step<WriteResult>.Done(new WriteResult(
                answer.Long("index") ?? 0,
                answer.Long("term") ?? 0,
                (int)(answer.Long("acks") ?? 0),
                (int)(answer.Long("required") ?? 0),
                TimeSpan.FromMilliseconds(answer.Double("quorum_delay_ms") ?? 0),
                node)
            {
                Replayed = answer.Replayed,
                Existed = answer.Bool("existed"),
            });
        }

        if (answer.Status == HttpStatusCode.PreconditionFailed)
        {
            throw new LeaderKvConditionFailedException(
                $"{NodeUrl.Format(node)}: {answer.Detail}",
                node, answer.Long("index"), answer.Long("currentIndex") ?? 0, answer.Replayed, answer.ProblemType);
        }

        if (answer.IsNotLeader)
        {
            Forget(node);
            return new Step<WriteResult>.Redirect(answer.LeaderHint, answer.LeaderHint is { } hint
                ? $"not the leader; the leader is {NodeUrl.Format(hint)}"
                : "not the leader, and it names no leader");
        }

        if (answer.Status == HttpStatusCode.ServiceUnavailable)
        {
            Forget(node);
            return new Step<WriteResult>.Wait(answer.RetryAfter, answer.Detail);
        }

        if (outcome == "unknown" || (int)answer.Status >= 500)
        {
            throw new LeaderKvOutcomeUnknownException(
                $"{NodeUrl.Format(node)} answered {(int)answer.Status}: {answer.Detail} The write may or may not survive; read the key before writing it again.",
                node, answer.Long("index"), answer.Long("term"), answer.Status, answer.ProblemType);
        }

        throw new LeaderKvRejectedException(
            $"{NodeUrl.Format(node)} rejected the write with {(int)answer.Status}: {answer.Detail}",
            node, answer.Status, answer.ProblemType);
    }

    private static byte[] JsonBody(Action<Utf8JsonWriter> writeValue)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writeValue(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private enum WriteOp
    {
        Put,
        Delete,
    }

    /// <summary>
    /// One write as sent on every attempt. A plain put goes to the seed's <c>POST /write</c> (any key, in
    /// the body); a conditional put to <c>PUT /kv/{key}</c>; a delete to <c>DELETE /kv/{key}</c>.
    /// </summary>
    private sealed record WriteRequest(HttpMethod Method, string Path, byte[]? Body, IReadOnlyList<KeyValuePair<string, string>> Headers)
    {
        public static WriteRequest For(WriteOp op, string key, byte[]? value, WriteOptions options)
        {
            var headers = new List<KeyValuePair<string, string>>
            {
                new(IdempotencyKeyHeader, options.IdempotencyKey ?? Guid.NewGuid().ToString("N")),
            };
            if (options.IfIndex is { } index)
            {
                headers.Add(new("If-Match", "\"" + index.ToString(CultureInfo.InvariantCulture) + "\""));
            }
            else if (options.CreateOnly)
            {
                headers.Add(new("If-None-Match", "*"));
            }

            var ttl = options.TimeToLive is { } timeToLive
                ? "?ttl=" + ((long)Math.Ceiling(timeToLive.TotalSeconds)).ToString(CultureInfo.InvariantCulture)
                : string.Empty;
            var keyPath = "kv/" + Uri.EscapeDataString(key);
            if (op == WriteOp.Delete)
            {
                return new WriteRequest(HttpMethod.Delete, keyPath, null, headers);
            }

            if (options.IfIndex is null && !options.CreateOnly)
            {
                return new WriteRequest(HttpMethod.Post, "write" + ttl, SeedBody(key, value!), headers);
            }

            return new WriteRequest(HttpMethod.Put, keyPath + ttl, value, headers);
        }

        private static byte[] SeedBody(string key, byte[] value)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("key", key);
                writer.WritePropertyName("value");
                writer.WriteRawValue(value, skipInputValidation: true);
                writer.WriteEndObject();
            }

            return buffer.WrittenSpan.ToArray();
        }
    }
}

using System.Runtime.InteropServices;
using System.Text.Unicode;
using System.Text;
using LeaderKv.Core.Consensus;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Contracts;
using LeaderKv.Node.Observability.OpenApi;
using LeaderKv.Node.Replication;
using LeaderKv.Node.Security;

namespace LeaderKv.Node.Endpoints;

/// <summary>
/// <c>PUT /kv/{key}</c> (the value as the JSON body) and <c>DELETE /kv/{key}</c>, on the leader. Both
/// take a condition (<c>If-Match: "i"</c>, <c>If-Match: *</c>, <c>If-None-Match: *</c>), an
/// <c>Idempotency-Key</c>, and PUT a <c>?ttl=</c> in seconds. The condition is decided when the entry
/// is applied, in index order, so every node reaches the same verdict; such a write (and every
/// delete) is answered once it is committed and applied. Answers as <c>/write</c> gives them
/// (<see cref="WriteAnswers"/>), plus 412 when the condition did not hold.
/// </summary>
internal static class KvWriteEndpoints
{
    public static void MapKvWriteEndpoints(this IEndpointRouteBuilder app, NodeSettings settings)
    {
        app.MapPut("/kv/{key}", PutAsync)
            .RequireApiKey(ApiAccess.ReadWrite)
            .RequireJsonBody()
            .WithBodyLimit(settings.Security.MaxWriteBodyBytes)
            .WithName("PutKey")
            .WithTags("Client")
            .WithSummary("Write a key, the body being its JSON value (on the leader; elsewhere 400 not-leader)")
            .WithDescription("Like POST /write. If-Match: \"i\" writes only if the key is at version i (its index, the ETag of GET /kv/{key}); If-Match: * only if it exists; If-None-Match: * only if it does not (create). The condition is decided when the entry is applied: 412 precondition-failed (with currentIndex) means the write is committed with no effect. Idempotency-Key: a retry with the same key gets the first answer again (Idempotent-Replayed: true) instead of a second write; a retry while the first is in the log waits for its outcome. ?ttl=S: the key expires S seconds after the leader took the write (the leader replicates the expiry as a delete). Answers ETag: the key's new version. 507 disk-full (the leader's disk is full) and quota-exceeded (past MAX_DATA_BYTES): nothing was written. 503 node-stopping: the node stops (a failed fsync); with an index the outcome is unknown.")
            .WithRequestBody<System.Text.Json.JsonElement>("application/json")
            .Produces<WriteAccepted>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status507InsufficientStorage);
        app.MapDelete("/kv/{key}", DeleteAsync)
            .RequireApiKey(ApiAccess.ReadWrite)
            .WithName("DeleteKey")
            .WithTags("Client")
            .WithSummary("Delete a key (on the leader; elsewhere 400 not-leader)")
            .WithDescription("Replicated as a log entry (a tombstone): once applied, GET /data and GET /kv/{key} no longer show the key. Answered once committed and applied; existed says whether the key was there (deleting a missing key is committed and changes nothing). If-Match: \"i\" / * and Idempotency-Key as for PUT; 412 precondition-failed when the condition did not hold. 507 disk-full: the leader's disk is full, nothing was written (deletes are taken past the quota). 503 node-stopping as for PUT.")
            .Produces<WriteAccepted>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status507InsufficientStorage);
    }

    private static async Task<IResult> PutAsync(
        string key, HttpRequest request, ReplicaDriver replica, NodeSettings settings, ILogger<ReplicaDriver> logger, CancellationToken token)
    {
        if (CheckKey(key, settings) is { } badKey)
        {
            return badKey;
        }

        var (ttl, ttlError) = WriteHeaders.TimeToLive(request);
        if (ttlError is not null)
        {
            return Problems.Invalid("ttl", ttlError);
        }

        var (document, error) = await RequestBody.ReadJsonAsync(request, token);
        if (document is null)
        {
            return Problems.MalformedJson(error!);
        }

        byte[] value;
        using (document)
        {
            var raw = JsonMarshal.GetRawUtf8Value(document.RootElement);
            if (!Utf8.IsValid(raw))
            {
                return Problems.Invalid("value", "The value is not valid UTF-8.");
            }

            value = raw.ToArray();
        }

        if (value.Length > settings.Security.MaxValueBytes)
        {
            return Problems.ValueTooLarge(value.Length, settings.Security.MaxValueBytes);
        }

        return await ProposeAsync(WriteCommand.Put(key, value) with { TimeToLive = ttl }, request, replica, settings, logger, token);
    }

    private static async Task<IResult> DeleteAsync(
        string key, HttpRequest request, ReplicaDriver replica, NodeSettings settings, ILogger<ReplicaDriver> logger, CancellationToken token)
    {
        if (CheckKey(key, settings) is { } badKey)
        {
            return badKey;
        }

        if (request.Query.ContainsKey("ttl"))
        {
            return Problems.Invalid("ttl", "A delete takes no ttl.");
        }

        return await ProposeAsync(WriteCommand.Delete(key), request, replica, settings, logger, token);
    }

    private static async Task<IResult> ProposeAsync(
        WriteCommand command, HttpRequest request, ReplicaDriver replica, NodeSettings settings, ILogger logger, CancellationToken token)
    {
        var (condition, field, conditionError) = WriteHeaders.Condition(request);
        if (conditionError is not null)
        {
            return Problems.Invalid(field!, conditionError);
        }

        var (idempotencyKey, idempotencyError) = WriteHeaders.IdempotencyKey(request);
        if (idempotencyError is not null)
        {
            return Problems.Invalid(WriteHeaders.IdempotencyKeyHeader, idempotencyError);
        }

        command = command with { Condition = condition, IdempotencyKey = idempotencyKey };
        var result = await replica.WriteAsync(command, token);
        return WriteAnswers.From(result, command, replica, settings, logger, request.HttpContext.Response);
    }

    private static IResult? CheckKey(string key, NodeSettings settings)
    {
        if (key.Length == 0)
        {
            return Problems.Invalid("key", "The key must not be empty.");
        }

        var bytes = Encoding.UTF8.GetByteCount(key);
        return bytes > settings.Security.MaxKeyBytes
            ? Problems.Invalid("key", $"The key is {bytes} bytes of UTF-8; this node accepts at most {settings.Security.MaxKeyBytes} (MAX_KEY_BYTES).")
            : null;
    }
}

using System.Text.Json;

namespace LeaderKv.Cli.Bench.Load;

/// <summary>
/// The fields of a <c>/write</c> answer the benchmark records, read with a forward-only reader so a
/// reply costs no allocation. Fields a node does not send (the seed answers only <c>status</c> and
/// <c>quorum_met</c>) stay null; a body that is not JSON yields an empty reply, never an exception.
/// </summary>
public readonly record struct WriteReply(long? Index, int? Acks, double? QuorumDelayMs, string? Detail)
{
    public static WriteReply Parse(ReadOnlySpan<byte> json, bool wantDetail)
    {
        long? index = null;
        int? acks = null;
        double? quorumDelay = null;
        string? detail = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return default;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.CurrentDepth != 1)
                {
                    reader.Skip();
                    continue;
                }

                var property = reader;
                reader.Read();
                if (property.ValueTextEquals("index"u8) && reader.TokenType == JsonTokenType.Number)
                {
                    index = reader.GetInt64();
                }
                else if (property.ValueTextEquals("acks"u8) && reader.TokenType == JsonTokenType.Number)
                {
                    acks = reader.GetInt32();
                }
                else if (property.ValueTextEquals("quorum_delay_ms"u8) && reader.TokenType == JsonTokenType.Number)
                {
                    quorumDelay = reader.GetDouble();
                }
                else if (wantDetail && property.ValueTextEquals("detail"u8) && reader.TokenType == JsonTokenType.String)
                {
                    detail = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // A proxy's HTML error page or a truncated body: keep what was read, the status code tells the rest.
        }

        return new WriteReply(index, acks, quorumDelay, detail);
    }
}

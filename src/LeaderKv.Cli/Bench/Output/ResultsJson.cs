using System.Text.Json;
using System.Text.Json.Serialization;

namespace LeaderKv.Cli.Bench.Output;

/// <summary>results.json: the configuration, the machine and every figure of every run (not the samples: see samples.csv).</summary>
public static class ResultsJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void Write(Stream stream, BenchReport report) => JsonSerializer.Serialize(stream, report, Options);
}

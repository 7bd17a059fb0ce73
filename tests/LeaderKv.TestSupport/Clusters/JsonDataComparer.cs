using System.Text.Json;

namespace LeaderKv.TestSupport.Clusters;

/// <summary>Compares two <c>/data</c> snapshots by key and raw JSON value.</summary>
public sealed class JsonDataComparer : IEqualityComparer<Dictionary<string, JsonElement>>
{
    public bool Equals(Dictionary<string, JsonElement>? x, Dictionary<string, JsonElement>? y) =>
        x is not null && y is not null && x.Count == y.Count
        && x.All(pair => y.TryGetValue(pair.Key, out var other) && other.GetRawText() == pair.Value.GetRawText());

    public int GetHashCode(Dictionary<string, JsonElement> obj) => obj.Count;
}

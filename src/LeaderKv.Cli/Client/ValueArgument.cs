using System.Text.Json;
using System.Text.Json.Nodes;

namespace LeaderKv.Cli.Client;

/// <summary>How <c>leaderkv put KEY VALUE</c> reads VALUE.</summary>
public static class ValueArgument
{
    /// <summary>
    /// VALUE as JSON when it is valid JSON (<c>42</c>, <c>true</c>, <c>null</c>, <c>{"a":1}</c>, <c>"quoted"</c>),
    /// otherwise the text itself as a JSON string, so <c>put k hello</c> needs no shell-quoted quotes.
    /// </summary>
    public static JsonNode? Parse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }
}

using System.Text.Json;
using LeaderKv.Cli.Bench.Load;

namespace LeaderKv.Cli.Tests.Bench;

/// <summary>The load's writes are the seed's: key-(i mod keys) and value-i, optionally padded.</summary>
public sealed class WriteBodiesTests
{
    [Theory]
    [InlineData(0, "key-0", "value-0")]
    [InlineData(13, "key-3", "value-13")]
    [InlineData(99, "key-9", "value-99")]
    public void Writes_follow_the_seed_pattern(int sequence, string key, string value)
    {
        var bodies = new WriteBodies(keys: 10, valueBytes: null);

        Assert.Equal(value, JsonDocument.Parse(bodies.ValueJsonOf(sequence)).RootElement.GetString());
        Assert.Equal(key, bodies.KeyOf(sequence));
    }

    [Fact]
    public void Value_bytes_pads_the_value_to_that_length()
    {
        var bodies = new WriteBodies(keys: 10, valueBytes: 64);

        var value = JsonDocument.Parse(bodies.ValueJsonOf(int.MaxValue)).RootElement.GetString()!;

        Assert.Equal(64, value.Length);
        Assert.StartsWith($"value-{int.MaxValue}x", value, StringComparison.Ordinal);
    }
}

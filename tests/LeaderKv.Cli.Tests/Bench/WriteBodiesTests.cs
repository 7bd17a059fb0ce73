using System.Text.Json;
using LeaderKv.Cli.Bench.Load;

namespace LeaderKv.Cli.Tests.Bench;

/// <summary>The load's request bodies are the seed's: key-(i mod keys) and value-i, optionally padded.</summary>
public sealed class WriteBodiesTests
{
    [Theory]
    [InlineData(0, "key-0", "value-0")]
    [InlineData(13, "key-3", "value-13")]
    [InlineData(99, "key-9", "value-99")]
    public void Bodies_follow_the_seed_pattern(int sequence, string key, string value)
    {
        var bodies = new WriteBodies(keys: 10, valueBytes: null);
        var buffer = new byte[bodies.MaxLength];

        var json = JsonDocument.Parse(buffer.AsMemory(0, bodies.Format(sequence, buffer))).RootElement;

        Assert.Equal(key, json.GetProperty("key").GetString());
        Assert.Equal(value, json.GetProperty("value").GetString());
        Assert.Equal(key, bodies.KeyOf(sequence));
    }

    [Fact]
    public void Value_bytes_pads_the_value_to_that_length()
    {
        var bodies = new WriteBodies(keys: 10, valueBytes: 64);
        var buffer = new byte[bodies.MaxLength];

        var json = JsonDocument.Parse(buffer.AsMemory(0, bodies.Format(int.MaxValue, buffer))).RootElement;
        var value = json.GetProperty("value").GetString()!;

        Assert.Equal(64, value.Length);
        Assert.StartsWith($"value-{int.MaxValue}x", value, StringComparison.Ordinal);
    }

    [Fact]
    public void A_buffer_shorter_than_max_length_is_refused()
    {
        var bodies = new WriteBodies(keys: 1, valueBytes: null);

        Assert.ThrowsAny<ArgumentException>(() => bodies.Format(1_000_000, new byte[20]));
    }
}

using System.Globalization;

namespace LeaderKv.Cli.Bench.Load;

/// <summary>
/// The seed's writes, key <c>key-(i mod keys)</c> and value <c>"value-i"</c>. With a value size the
/// value is <c>value-i</c> padded with 'x' to that many characters (bytes: they are ASCII).
/// </summary>
public sealed class WriteBodies
{
    private readonly string[] _keys;
    private readonly int? _valueBytes;

    public WriteBodies(int keys, int? valueBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keys, 1);
        _keys = Enumerable.Range(0, keys).Select(i => $"key-{i}").ToArray();
        _valueBytes = valueBytes;
    }

    public string KeyOf(int sequence) => _keys[sequence % _keys.Length];

    /// <summary>The value of write number <paramref name="sequence"/> as JSON text (a string).</summary>
    public string ValueJsonOf(int sequence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        var value = $"value-{sequence.ToString(CultureInfo.InvariantCulture)}";
        if (_valueBytes is { } size && value.Length < size)
        {
            value = value.PadRight(size, 'x');
        }

        return $"\"{value}\"";
    }
}

using System.Buffers.Text;
using System.Text;

namespace LeaderKv.Cli.Bench.Load;

/// <summary>
/// The seed's write bodies, <c>{"key":"key-(i mod keys)","value":"value-i"}</c>, formatted straight into a
/// caller's buffer so the load loop allocates no strings per write. With a value size the value is
/// <c>value-i</c> padded with 'x' to that many bytes.
/// </summary>
public sealed class WriteBodies
{
    private static readonly byte[] KeyPrefix = "{\"key\":\""u8.ToArray();
    private static readonly byte[] ValuePrefix = "\",\"value\":\"value-"u8.ToArray();
    private static readonly byte[] Suffix = "\"}"u8.ToArray();

    /// <summary>"value-" plus the digits of the largest int.</summary>
    private const int MaxSeedValueBytes = 6 + 10;

    private readonly string[] _keys;
    private readonly byte[][] _keyBytes;
    private readonly int? _valueBytes;

    public WriteBodies(int keys, int? valueBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keys, 1);
        _keys = Enumerable.Range(0, keys).Select(i => $"key-{i}").ToArray();
        _keyBytes = _keys.Select(Encoding.UTF8.GetBytes).ToArray();
        _valueBytes = valueBytes;
        MaxLength = KeyPrefix.Length + _keyBytes.Max(k => k.Length) + ValuePrefix.Length
            + Math.Max(MaxSeedValueBytes, valueBytes ?? 0) + Suffix.Length;
    }

    /// <summary>A buffer this long holds any body <see cref="Format"/> writes.</summary>
    public int MaxLength { get; }

    public string KeyOf(int sequence) => _keys[sequence % _keys.Length];

    /// <summary>Writes body number <paramref name="sequence"/> into <paramref name="buffer"/> and returns its length.</summary>
    public int Format(int sequence, Span<byte> buffer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        var length = Append(buffer, 0, KeyPrefix);
        length = Append(buffer, length, _keyBytes[sequence % _keyBytes.Length]);
        length = Append(buffer, length, ValuePrefix);
        var valueStart = length - "value-".Length;
        if (!Utf8Formatter.TryFormat(sequence, buffer[length..], out var digits))
        {
            throw new ArgumentException($"Buffer of {buffer.Length} bytes is shorter than {MaxLength}.", nameof(buffer));
        }

        length += digits;
        if (_valueBytes is { } size && length - valueStart < size)
        {
            var padding = size - (length - valueStart);
            buffer.Slice(length, padding).Fill((byte)'x');
            length += padding;
        }

        return Append(buffer, length, Suffix);
    }

    private static int Append(Span<byte> buffer, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(buffer[at..]);
        return at + bytes.Length;
    }
}

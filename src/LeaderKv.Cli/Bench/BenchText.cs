using LeaderKv.Core;

namespace LeaderKv.Cli.Bench;

/// <summary>How the benchmark spells its own values in files and on screen, in one place.</summary>
public static class BenchText
{
    public static string Mode(ReplicationMode mode) => mode == ReplicationMode.Ordered ? "ordered" : "unordered";

    public static string Phase(BenchPhase phase) => phase == BenchPhase.Warm ? "warm" : "cold";

    public static string Ms(double? value) => value is { } v ? v.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) : "n/a";

    public static string Number(double? value, string format) =>
        value is { } v ? v.ToString(format, System.Globalization.CultureInfo.InvariantCulture) : "n/a";

    public static string Count(int? value) => value is { } v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : "n/a";
}

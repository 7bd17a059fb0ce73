using System.Text.RegularExpressions;

namespace LeaderKv.Cli.Tests.Support;

/// <summary>The few Dockerfile instructions the tests check (of the final stage: the image that runs).</summary>
internal sealed partial record Dockerfile(IReadOnlyList<int> ExposedPorts, IReadOnlyDictionary<string, string> Environment, IReadOnlyList<string> CopiedPaths)
{
    public static Dockerfile Load(string path)
    {
        // Join continuation lines, then keep the instructions after the last FROM.
        var text = File.ReadAllText(path).Replace("\\\n", " ", StringComparison.Ordinal);
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var copied = lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).SkipLast(1))
            .ToList();
        var finalStage = lines.Skip(lines.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.Ordinal))).ToList();
        var exposed = finalStage.Where(l => l.StartsWith("EXPOSE ", StringComparison.Ordinal))
            .SelectMany(l => l["EXPOSE ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => int.Parse(p.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        var environment = finalStage.Where(l => l.StartsWith("ENV ", StringComparison.Ordinal))
            .SelectMany(l => EnvPair().Matches(l["ENV ".Length..]))
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value);
        return new Dockerfile(exposed, environment, copied);
    }

    [GeneratedRegex(@"(?<name>[A-Za-z_][A-Za-z0-9_]*)=(?<value>\S*)")]
    private static partial Regex EnvPair();
}

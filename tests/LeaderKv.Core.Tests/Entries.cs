using System.Text;

namespace LeaderKv.Core.Tests;

/// <summary>Builds leader histories for tests: writes over a few keys so later writes overwrite earlier ones.</summary>
internal static class Entries
{
    public static LogEntry Make(long index, string key, int value) =>
        new(index, 1, key, Encoding.UTF8.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    public static List<LogEntry> History(int count, int keys) =>
        Enumerable.Range(1, count).Select(i => Make(i, $"k{i % keys}", i)).ToList();

    /// <summary>The state a node serving exactly the first <paramref name="prefix"/> entries must show.</summary>
    public static Dictionary<string, string> StateAfter(IReadOnlyList<LogEntry> history, long prefix)
    {
        var state = new Dictionary<string, string>();
        foreach (var entry in history.Where(e => e.Index <= prefix))
        {
            state[entry.Key] = Encoding.UTF8.GetString(entry.Value.Span);
        }

        return state;
    }

    public static Dictionary<string, string> Snapshot(KeyValueTable table) =>
        table.Entries.ToDictionary(e => e.Key, e => Encoding.UTF8.GetString(e.Value.Value.Span));

    public static List<T> Shuffle<T>(IEnumerable<T> items, Random random)
    {
        var list = items.ToList();
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }

        return list;
    }
}

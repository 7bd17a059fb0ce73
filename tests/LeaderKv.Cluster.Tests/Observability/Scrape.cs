using System.Globalization;

namespace LeaderKv.Cluster.Tests.Observability;

/// <summary>The samples of one <c>/metrics</c> answer, by series (<c>name</c> or <c>name{labels}</c> exactly as written).</summary>
internal sealed class Scrape
{
    private readonly Dictionary<string, double> _samples = new(StringComparer.Ordinal);

    private Scrape(string text)
    {
        Text = text;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            _samples[line[..space]] = line[(space + 1)..] switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                var number => double.Parse(number, CultureInfo.InvariantCulture),
            };
        }
    }

    public string Text { get; }

    public IEnumerable<string> Series => _samples.Keys;

    public static async Task<Scrape> FromAsync(HttpClient http, Uri node)
    {
        using var response = await http.GetAsync(new Uri(node, "/metrics"));
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return new Scrape(await response.Content.ReadAsStringAsync());
    }

    /// <summary>A series that may not exist yet: a histogram has none until its first observation.</summary>
    public double ValueOrZero(string series) => _samples.GetValueOrDefault(series);

    public double this[string series] =>
        _samples.TryGetValue(series, out var value) ? value : throw new KeyNotFoundException($"no series {series} in the scrape:\n{Text}");
}

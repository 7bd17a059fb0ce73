using System.Text;

namespace LeaderKv.Core.Tests.Consensus.ReadIndex;

/// <summary>The sorted key index behind <c>GET /kv</c>: pages in ordinal order, whatever the order keys arrived in.</summary>
public class TableListingTests
{
    [Fact]
    public void Sorted_keys_match_a_sorted_reference_through_random_adds_and_removes_across_many_chunks()
    {
        // Goal: chunk splits and empty chunks never lose, repeat or misorder a key. Method: 5,000 random
        // operations on 3,000 possible keys (several 512-key chunks), checked against SortedSet after each 500.
        var random = new Random(11);
        var keys = new SortedKeys([]);
        var reference = new SortedSet<string>(StringComparer.Ordinal);
        for (var step = 1; step <= 5000; step++)
        {
            var key = $"k{random.Next(3000)}";
            if (random.Next(4) == 0)
            {
                keys.Remove(key);
                reference.Remove(key);
            }
            else
            {
                keys.Add(key);
                reference.Add(key);
            }

            if (step % 500 == 0)
            {
                Assert.Equal(reference, keys.After(null));
                Assert.Equal(reference.Count, keys.Count);
                var pivot = $"k{random.Next(3000)}";
                Assert.Equal(reference.Where(k => string.CompareOrdinal(k, pivot) > 0), keys.After(pivot));
                Assert.Equal(reference.Where(k => string.CompareOrdinal(k, pivot) >= 0), keys.From(pivot));
            }
        }
    }

    [Fact]
    public void A_listing_pages_by_prefix_and_cursor_and_follows_writes_after_the_first_listing()
    {
        var table = new KeyValueTable();
        var index = 0L;
        foreach (var key in new[] { "b/2", "a", "b/1", "b", "c", "b/3" })
        {
            table.Apply(new LogEntry(++index, 1, key, Encoding.UTF8.GetBytes("1")));
        }

        Assert.Equal(["b/1", "b/2"], table.List("b/", null, 2).Select(e => e.Key));
        Assert.Equal(["b/3"], table.List("b/", "b/2", 2).Select(e => e.Key));
        Assert.Equal(["b/1"], table.List("b/", "a", 1).Select(e => e.Key));
        Assert.Equal(["a", "b", "b/1", "b/2", "b/3", "c"], table.List("", null, 100).Select(e => e.Key));

        table.Apply(new LogEntry(++index, 1, "b/0", Encoding.UTF8.GetBytes("2")));
        var page = table.List("b/", null, 100);
        Assert.Equal(["b/0", "b/1", "b/2", "b/3"], page.Select(e => e.Key));
        Assert.Equal(index, page[0].Value.Index);
    }
}

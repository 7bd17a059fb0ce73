using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LeaderKv.Dashboard.Tests;

/// <summary>
/// The dashboard as a person sees it, in a real headless Chromium, against six in-process nodes of a
/// failover cluster (PEERS, W=2). Every assertion waits on what the page renders, never on a clock.
/// </summary>
public sealed class DashboardPageTests(Browser browser) : IClassFixture<Browser>
{
    private static readonly LocatorAssertionsToHaveCountOptions Patiently = new() { Timeout = (float)PeersCluster.Patience.TotalMilliseconds };

    private static readonly LocatorAssertionsToBeVisibleOptions Visibly = new() { Timeout = (float)PeersCluster.Patience.TotalMilliseconds };

    private static readonly LocatorAssertionsToHaveAttributeOptions Attributed = new() { Timeout = (float)PeersCluster.Patience.TotalMilliseconds };

    [Fact]
    public async Task Page_shows_six_nodes_marks_the_leader_shows_a_write_and_its_quorum_and_follows_a_failover()
    {
        await using var cluster = await PeersCluster.StartAsync(new PeersSpec());
        var leader = await cluster.LeaderAsync();
        var viewer = (leader + 1) % cluster.Count;
        var (page, requests) = await browser.OpenAsync(new Uri(cluster.Urls[viewer], "/ui"));

        // Six rows, all up, and exactly the node that /status calls leader marked as leader.
        var rows = page.Locator("#nodes tbody tr");
        await Expect(rows).ToHaveCountAsync(cluster.Count, Patiently);
        await Expect(page.Locator("#nodes tbody tr[data-up='true']")).ToHaveCountAsync(cluster.Count, Patiently);
        var leaderRow = page.Locator("#nodes tbody tr[data-role='leader']");
        await Expect(leaderRow).ToHaveCountAsync(1, Patiently);
        await Expect(leaderRow).ToHaveAttributeAsync("data-node", PeersCluster.IdOf(leader), Attributed);
        await Expect(leaderRow.Locator(".leader-mark")).ToBeVisibleAsync(Visibly);

        // A write shows up in the feed with its key, and its quorum: W=2 followers acked it.
        // A leader just elected may still answer 503 (recovering, or not yet hearing its quorum): that is
        // a rejection, nothing written, so the write is sent again until it commits.
        await PeersCluster.EventuallyAsync(
            async () =>
            {
                using var written = await cluster.WriteAsync(leader, "dashboard-demo", new { n = 1 });
                if (written.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
                {
                    return false;
                }

                written.EnsureSuccessStatusCode();
                return true;
            },
            "the leader to commit the write");

        await Expect(page.Locator("#feed li[data-kind='Write']", new() { HasText = "dashboard-demo" })).ToHaveCountAsync(1, Patiently);
        await Expect(page.Locator("#quorum p", new() { HasText = "dashboard-demo" })).ToBeVisibleAsync(Visibly);
        await Expect(page.Locator("#quorum .chip.acked")).Not.ToHaveCountAsync(0, Patiently);
        var acked = await page.Locator("#quorum .chip.acked").CountAsync();
        Assert.InRange(acked, cluster.Spec.WriteQuorum, cluster.Count - 1);

        for (var i = 0; i < 20; i++)
        {
            using var more = await cluster.WriteAsync(leader, $"key-{i % 5}", i);
            more.EnsureSuccessStatusCode();
        }

        await Expect(page.Locator("#write-stats dd").First).Not.ToHaveTextAsync("0", new() { Timeout = Patiently.Timeout });
        await Screenshot.SaveAsync(page, "dashboard.png");

        // Stop the leader: its row goes down, another node is marked leader, and the feed says so.
        await cluster.KillAsync(leader);
        await Expect(page.Locator($"#nodes tbody tr[data-node='{PeersCluster.IdOf(leader)}']")).ToHaveAttributeAsync("data-up", "false", Attributed);
        var successor = await cluster.LeaderAsync();
        Assert.NotEqual(leader, successor);
        await Expect(leaderRow).ToHaveAttributeAsync("data-node", PeersCluster.IdOf(successor), Attributed);
        await Expect(page.Locator("#feed li[data-kind='BecameLeader']", new() { HasText = $"term" }).Filter(new() { Has = page.Locator($".node:text-is('{PeersCluster.IdOf(successor)}')") }))
            .Not.ToHaveCountAsync(0, Patiently);

        // The page talked to the node that served it and to nothing else.
        lock (requests)
        {
            Assert.All(requests, url => Assert.StartsWith(cluster.Urls[viewer].GetLeftPart(UriPartial.Authority) + "/", url, StringComparison.Ordinal));
        }
    }
}

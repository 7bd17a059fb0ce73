using Microsoft.Playwright;

namespace LeaderKv.Dashboard.Tests;

/// <summary>
/// One headless Chromium for the test class: Debian's <c>chromium</c> package, which .ci/run installs
/// (never <c>playwright install</c>, which would download a browser). A missing browser fails the
/// tests with a message that says so.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Chromium { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"{ChromiumPath} is missing: install Debian's chromium (apt-get install -y --no-install-recommends chromium; .ci/run does).");
        }

        _playwright = await Playwright.CreateAsync();
        Chromium = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Root in a container: no user namespaces for the sandbox, and a small /dev/shm.
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Chromium is not null)
        {
            await Chromium.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>A fresh page that records every URL it requests, to show that it talks to its own node only.</summary>
    public async Task<(IPage Page, List<string> Requests)> OpenAsync(Uri url)
    {
        var context = await Chromium.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        var requests = new List<string>();
        page.Request += (_, request) =>
        {
            lock (requests)
            {
                requests.Add(request.Url);
            }
        };
        await page.GotoAsync(url.ToString());
        return (page, requests);
    }
}

using Microsoft.Playwright;

namespace LeaderKv.Dashboard.Tests;

/// <summary>
/// Saves what a test's page looks like into the test output; with LEADERKV_SCREENSHOT_DIR set
/// (docs/ when refreshing the README's picture), there too.
/// </summary>
internal static class Screenshot
{
    public static async Task SaveAsync(IPage page, string name)
    {
        var bytes = await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true });
        await File.WriteAllBytesAsync(Path.Combine(AppContext.BaseDirectory, name), bytes);
        if (Environment.GetEnvironmentVariable("LEADERKV_SCREENSHOT_DIR") is { Length: > 0 } directory)
        {
            await File.WriteAllBytesAsync(Path.Combine(directory, name), bytes);
        }
    }
}

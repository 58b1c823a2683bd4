using Microsoft.Playwright;

namespace Registry.Api.Tests.Browser;

/// <summary>
/// Debian's Chromium (/usr/bin/chromium, installed by .ci/run) driven by Playwright. Playwright's
/// own browser download is never used. Screenshots go to TestResults/screenshots/ (git-ignored).
/// </summary>
public static class BrowserFixture
{
    public const string Chromium = "/usr/bin/chromium";

    private static readonly string[] Args =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run",
    ];

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"{Chromium} is missing: install Debian's Chromium with `apt-get install -y chromium` (.ci/run does this).");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = Args });
        return (playwright, browser);
    }

    public static string ScreenshotPath(string name)
    {
        var folder = Path.Combine(Registry.Integration.Tests.Infrastructure.RepoPaths.Root, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name + ".png");
    }
}

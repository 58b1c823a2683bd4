using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Registry.Api.Tests.Browser;

/// <summary>
/// Debian's Chromium (/usr/bin/chromium, installed by .ci/run) driven by Playwright. Playwright's
/// own browser download is never used. Screenshots go to TestResults/screenshots/ (git-ignored).
/// </summary>
public static partial class BrowserFixture
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

    /// <summary>Signs a seeded user in with the keyboard only (type, Tab, type, Enter) and returns the page after the login form.</summary>
    public static async Task<IPage> SignInAsync(IBrowser browser, Uri baseAddress, string user)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseAddress.ToString(), Locale = "es-MX" });
        var page = await context.NewPageAsync();
        // Generous waits: CI machines are shared and a first page render can take seconds there.
        page.SetDefaultTimeout(60_000);
        Assertions.SetDefaultExpectTimeout(20_000);
        await page.GotoAsync("/");
        Assert.Matches(LoginUrl(), page.Url);
        // The form's autofocus lands on the user name when Chromium next renders, which on a busy
        // machine can come after the first keystrokes and pull the focus back from the password:
        // the password then stays empty, `required` blocks the submit and the page never leaves
        // /login. Wait for the autofocus first, so every keystroke after it goes where a person's would.
        await Assertions.Expect(page.Locator("#username")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(user);
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.Locator("#password")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(Registry.Integration.Tests.Infrastructure.RegistrySystem.PasswordOf(user));
        await page.Keyboard.PressAsync("Enter");
        await ExpectPathAsync(page, NotLogin());
        return page;
    }

    /// <summary>
    /// Answers the purpose prompt a person, household or lineage page opens with when no purpose was chosen
    /// yet (once per session: the choice is kept), and waits for the page that was asked for.
    /// </summary>
    public static async Task ChoosePurposeAsync(IPage page, string purpose, string thenPath)
    {
        await ExpectPathAsync(page, PurposeUrl());
        await page.Locator("#proposito").SelectOptionAsync(purpose);
        await page.Locator("#continuar").ClickAsync();
        await ExpectPathAsync(page, thenPath);
    }

    /// <summary>
    /// Waits until the page's address matches. Not <c>WaitForURLAsync</c>: its check-then-subscribe
    /// can miss the load event when the navigation lands in between, and then waits out its whole
    /// timeout on a page that has long arrived (microsoft/playwright-dotnet#3364; it failed CI once).
    /// The assertion asks the browser instead, so there is no event to lose.
    /// </summary>
    public static Task ExpectPathAsync(IPage page, Regex url) =>
        Assertions.Expect(page).ToHaveURLAsync(url, new() { Timeout = 60_000 });

    /// <summary>Waits until the page's address ends with <paramref name="path"/>, query string aside.</summary>
    public static Task ExpectPathAsync(IPage page, string path) =>
        ExpectPathAsync(page, new Regex(Regex.Escape(path) + @"(\?.*)?$", RegexOptions.None, TimeSpan.FromSeconds(1)));

    [GeneratedRegex("/proposito")]
    private static partial Regex PurposeUrl();

    [GeneratedRegex("/login")]
    private static partial Regex LoginUrl();

    [GeneratedRegex("^(?!.*/login)")]
    private static partial Regex NotLogin();
}

/// <summary>A test class that drives one Chromium for all its tests, launched before the first and closed after the last.</summary>
public abstract class BrowserTest : IAsyncLifetime
{
    private IPlaywright _playwright = null!;

    protected IBrowser Browser { get; private set; } = null!;

    public virtual async Task InitializeAsync() => (_playwright, Browser) = await BrowserFixture.LaunchAsync();

    public virtual async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}

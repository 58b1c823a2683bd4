using Microsoft.Playwright;
using Registry.Api.Tests.Access;
using Registry.Api.Tests.Infrastructure;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Api.Tests.Browser;

/// <summary>
/// The pages work under their Content-Security-Policy in a real browser: Chromium reports every
/// blocked inline style or script in the console, and none is reported on the main pages.
/// </summary>
[Collection(SeededCollection.Name)]
public sealed class ContentSecurityPolicyTests(SeededRegistry registry) : BrowserTest
{
    private static List<string> WatchViolations(IPage page)
    {
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)) violations.Add($"{page.Url}: {message.Text}");
        };
        return violations;
    }

    private static async Task VisitAsync(IPage page, string path)
    {
        var response = await page.GotoAsync(path);
        Assert.NotNull(response);
        // The policy is really in force on the page (a page without it would pass trivially).
        Assert.Contains("default-src 'self'", await response.HeaderValueAsync("content-security-policy") ?? "", StringComparison.Ordinal);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    [Fact]
    public async Task The_main_pages_raise_no_content_security_policy_violation()
    {
        var anonymous = await (await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = registry.System.ApiAddress!.ToString() })).NewPageAsync();
        var violations = WatchViolations(anonymous);
        await VisitAsync(anonymous, "/login");

        var admin = await BrowserFixture.SignInAsync(Browser, registry.System.ApiAddress!, "admin");
        var adminViolations = WatchViolations(admin);
        foreach (var path in new[]
                 {
                     "/", $"/hogares/{registry.ReynosaHousehold}", $"/personas/{registry.Ximena}",
                     $"/linaje/servicio/{registry.HealthService}", "/extractos", "/revision", "/denegado",
                 })
            await VisitAsync(admin, path);
        // A search as a case manager would run it, with its results page.
        await admin.GotoAsync("/");
        await admin.Locator("#nombre").FillAsync("Ximena Gonsalez");
        await admin.Locator("#proposito").SelectOptionAsync("Seguimiento de caso");
        await admin.Locator("#nombre").PressAsync("Enter");
        await admin.Locator("#households").WaitForAsync();

        var auditor = await BrowserFixture.SignInAsync(Browser, registry.System.ApiAddress!, "auditora");
        var auditorViolations = WatchViolations(auditor);
        await VisitAsync(auditor, "/auditoria");

        var all = violations.Concat(adminViolations).Concat(auditorViolations).ToList();
        Assert.True(all.Count == 0, "CSP violations:\n" + string.Join("\n", all));

        // The watch itself sees a violation when one happens: an inline style added to the page is blocked and reported.
        await auditor.EvaluateAsync("() => { const s = document.createElement('style'); s.textContent = 'body{color:red}'; document.head.appendChild(s); }");
        await Assertions.Expect(auditor.Locator("body")).ToBeVisibleAsync();
        for (var i = 0; i < 50 && auditorViolations.Count == 0; i++) await auditor.WaitForTimeoutAsync(100);
        Assert.NotEmpty(auditorViolations);
    }

    [Fact]
    public async Task The_api_reference_and_the_jobs_dashboard_work_under_their_own_policy()
    {
        var admin = await BrowserFixture.SignInAsync(Browser, registry.System.ApiAddress!, "admin");
        var violations = WatchViolations(admin);
        await admin.GotoAsync("/scalar");
        await admin.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Assertions.Expect(admin.GetByText("/api/households").First).ToBeAttachedAsync();
        await admin.GotoAsync("/hangfire");
        await admin.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Assertions.Expect(admin.Locator("body")).ToContainTextAsync("Registry — jobs");
        Assert.True(violations.Count == 0, "CSP violations:\n" + string.Join("\n", violations));
    }

    [Fact]
    public async Task Chromium_keeps_a_secure_session_cookie_on_plain_http_loopback()
    {
        // A host that marks the session cookie Secure even on http (the production default).
        await using var host = new ApiHost(kestrel: true);
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = host.Address!.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await page.Locator("#username").FillAsync("custodio");
        await page.Locator("#password").FillAsync(RegistrySystem.PasswordOf("custodio"));
        await page.Locator("#login").ClickAsync();
        await BrowserFixture.ExpectPathAsync(page, "/");
        var cookie = Assert.Single(await context.CookiesAsync(), c => c.Name == "registry.session");
        Assert.True(cookie.Secure);
        // The browser sends it back: the next page knows who is signed in.
        await page.GotoAsync("/denegado");
        await Assertions.Expect(page.Locator("form[action='/logout']")).ToBeVisibleAsync();
    }
}

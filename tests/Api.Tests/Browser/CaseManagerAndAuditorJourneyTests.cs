using Microsoft.Playwright;
using Registry.Api.Tests.Infrastructure;

namespace Registry.Api.Tests.Browser;

/// <summary>
/// The web UI in a real browser (Debian's Chromium): a case manager finds a family by a
/// misspelt name and sees services from several agencies; an auditor follows a service back
/// to its file and row; an agency downloads its rejected rows. The steward's scenario, which
/// changes the registry, runs on a registry of its own (<see cref="StewardJourneyTests"/>).
/// </summary>
[Collection(SeededCollection.Name)]
public sealed class CaseManagerAndAuditorJourneyTests(SeededRegistry registry) : BrowserTest
{
    private Task<IPage> SignInAsync(string user) => BrowserFixture.SignInAsync(Browser, registry.System.ApiAddress!, user);

    [Fact]
    public async Task A_case_manager_finds_a_household_by_a_misspelt_name_and_sees_services_from_several_agencies()
    {
        var page = await SignInAsync("gestora.salud");
        await page.Locator("#nombre").FillAsync("Ximena Gonsalez Cantu");
        await page.Locator("#proposito").SelectOptionAsync("Seguimiento de caso");
        await page.Locator("#nombre").PressAsync("Enter");
        await page.Locator("#households").WaitForAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("case-manager-search"), FullPage = true });

        await page.Locator("#households a").First.ClickAsync();
        await BrowserFixture.ExpectPathAsync(page, $"/hogares/{registry.ReynosaHousehold}");
        var timeline = page.Locator("#timeline");
        await Assertions.Expect(timeline).ToContainTextAsync("SSA-TAM");
        await Assertions.Expect(timeline).ToContainTextAsync("DIF-TAM");
        await Assertions.Expect(page.Locator("#sectors section[data-sector=health]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#sectors section[data-sector=social]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#members")).ToContainTextAsync("XIMENA");
        await Assertions.Expect(page.Locator("#gaps")).ToContainTextAsync("Vivienda");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("case-manager-household"), FullPage = true });

        // English on request, same page.
        await page.GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        await Assertions.Expect(page.Locator("h2").First).ToHaveTextAsync("Members");
    }

    [Fact]
    public async Task An_auditor_follows_a_service_event_back_to_its_file_and_row()
    {
        var page = await SignInAsync("auditora");
        // Opened directly (no search before it), the household page first asks why: every read is logged with its purpose.
        await page.GotoAsync($"/hogares/{registry.ReynosaHousehold}");
        await Assertions.Expect(page.Locator("#purpose-why")).ToBeVisibleAsync();
        await BrowserFixture.ChoosePurposeAsync(page, "Auditoría", $"/hogares/{registry.ReynosaHousehold}");
        var row = page.Locator($"#timeline tr[data-service='{registry.HealthService}']");
        await row.GetByRole(AriaRole.Link, new() { Name = "rastrear" }).ClickAsync();
        await BrowserFixture.ExpectPathAsync(page, $"/linaje/servicio/{registry.HealthService}");

        var file = SeededRegistry.Sample("ssa-consultas");
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(file)));
        await Assertions.Expect(page.Locator("#file-name")).ToHaveTextAsync(Path.GetFileName(file));
        await Assertions.Expect(page.Locator("#file-sha256")).ToHaveTextAsync(sha);
        var rowNumber = int.Parse(await page.Locator("#row-number").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        // The row named is the row of the file that carries this service (header is row 0).
        var line = (await File.ReadAllLinesAsync(file))[rowNumber];
        await Assertions.Expect(page.Locator("#row-fields")).ToContainTextAsync(line.Split(',')[0]);
        Assert.Contains(SeededRegistry.XimenaCurp, line, StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("auditor-service-lineage"), FullPage = true });

        // The auditor's own reads are in the access log page.
        await page.GotoAsync($"/auditoria?objetivo={registry.HealthService}");
        await Assertions.Expect(page.Locator("#access-log")).ToContainTextAsync("lineage-service-event");
        await Assertions.Expect(page.Locator("#access-log")).ToContainTextAsync("auditora");
        await Assertions.Expect(page.Locator("#access-log")).ToContainTextAsync("Auditoría");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("auditor-access-log"), FullPage = true });
    }

    [Fact]
    public async Task An_agency_sees_its_extract_status_and_downloads_the_values_it_was_warned_of()
    {
        var page = await SignInAsync("dif.datos");
        Assert.EndsWith("/extractos", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("#extracts")).ToContainTextAsync("apoyos-2026-10.csv");
        await Assertions.Expect(page.Locator("#extracts")).Not.ToContainTextAsync("consultas-2026-10.csv");
        // DIF's sample rejects no row: its impossible birth date and its CURP "XXXX" are left out with a warning each.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Descargar avisos (CSV)" }).ClickAsync());
        var path = await download.PathAsync();
        var csv = await File.ReadAllTextAsync(path);
        Assert.StartsWith("row,field,column,value,reason", csv, StringComparison.Ordinal);
        Assert.Contains("1990-13-01", csv, StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("agency-extracts"), FullPage = true });
    }

}

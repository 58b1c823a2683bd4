using Microsoft.Playwright;
using Registry.Api.Tests.Infrastructure;

namespace Registry.Api.Tests.Browser;

/// <summary>
/// A programme coordinator who is also the case manager of Reynosa follows a gap in a real browser (Debian's Chromium):
/// from the municipality's heatmap to a polígono, to the list of its households with no housing service in the last
/// 12 months, to one household's page. Screenshots of each step.
/// </summary>
[Collection(SeededCollection.Name)]
public sealed class CoordinatorJourneyTests(SeededRegistry registry) : BrowserTest
{
    [Fact]
    public async Task A_coordinator_follows_a_gap_from_the_municipality_chart_to_a_poligono_to_its_households()
    {
        var page = await BrowserFixture.SignInAsync(Browser, registry.System.ApiAddress!, "coordinador.reynosa");
        // "Cobertura" in the top bar; with one municipality, the page opens at that municipality.
        await page.Locator("#nav-coverage").ClickAsync();
        await BrowserFixture.ExpectPathAsync(page, new System.Text.RegularExpressions.Regex("/cobertura\\?municipio=REYNOSA$"));
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Cobertura por territorio");
        await Assertions.Expect(page.Locator("#chart-gaps")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#chart-reached")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#chart-months")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("coordinator-municipality"), FullPage = true });

        // The heatmap's cell of the polígono × housing opens that polígono for that sector.
        await page.Locator("#chart-gaps a.cell[data-area='POLIGONO LAS CUMBRES'][data-sector='housing']").ClickAsync();
        await BrowserFixture.ExpectPathAsync(page, new System.Text.RegularExpressions.Regex("poligono=POLIGONO%20LAS%20CUMBRES.*sector=housing"));
        await Assertions.Expect(page.Locator("#breadcrumbs")).ToContainTextAsync("POLIGONO LAS CUMBRES");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("coordinator-poligono"), FullPage = true });

        await page.Locator("#gaps tr[data-sector='housing'] a.gap-households").ClickAsync();
        await BrowserFixture.ExpectPathAsync(page, new System.Text.RegularExpressions.Regex("/cobertura/hogares\\?"));
        var households = page.Locator("#gap-households a.household");
        await Assertions.Expect(households.First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("coordinator-gap-households"), FullPage = true });

        // Opening one asks the purpose (a household read), then shows the family with housing among its gaps.
        var href = await households.First.GetAttributeAsync("href");
        await households.First.ClickAsync();
        await BrowserFixture.ChoosePurposeAsync(page, "Seguimiento de caso", href!);
        await Assertions.Expect(page.Locator("#gaps")).ToContainTextAsync("Vivienda");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("coordinator-household"), FullPage = true });

        // The same charts in English.
        await page.GotoAsync("/cobertura?municipio=REYNOSA");
        await page.GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Coverage by territory");
        await Assertions.Expect(page.Locator("#chart-gaps")).ToContainTextAsync("Housing");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("coordinator-municipality-en"), FullPage = true });
    }
}

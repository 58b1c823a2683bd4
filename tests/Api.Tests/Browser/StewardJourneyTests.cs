using System.Net.Http.Json;
using System.Text;
using Microsoft.Playwright;
using Registry.Api.Search;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Api.Tests.Browser;

/// <summary>
/// A steward resolves a review task in the browser and the family's household page changes.
/// It changes the registry, so it runs on a registry of its own: DIF's sample, then a clinic
/// visit of Carmen Salinas typed without CURP or second surname and with a slip in her birth
/// day — close enough to ask a steward, not enough to link alone.
/// </summary>
public sealed class StewardJourneyTests : IAsyncLifetime
{
    private const string CarmenCurp = "SAHC830208MTSLRR00";
    private const string SsaVisit =
        """
        ID_PACIENTE,CURP,NOMBRE,PRIMER_APELLIDO,SEGUNDO_APELLIDO,SEXO,FECHA_NACIMIENTO,MUNICIPIO,TIPO_ATENCION,PROGRAMA,FECHA_ATENCION,ESTATUS
        EXP-9001,,CARMEN,SALINAS,,M,18/02/1983,REYNOSA,CONSULTA GENERAL,Atención primaria,12/10/2026,ATENDIDO

        """;

    private readonly RegistryServers _servers = new();
    private RegistrySystem _system = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private string _work = null!;

    public async Task InitializeAsync()
    {
        await _servers.InitializeAsync();
        _system = await RegistrySystem.StartAsync(_servers, realHttp: true);
        await _system.DropAsync("dif-alimentaria", Infrastructure.SeededRegistry.Sample("dif-alimentaria"));
        await _system.WaitForExtractsAsync(1);
        _work = Directory.CreateTempSubdirectory("steward-").FullName;
        var visit = Path.Combine(_work, "consultas-salinas.csv");
        await File.WriteAllTextAsync(visit, SsaVisit, Encoding.UTF8);
        await _system.DropAsync("ssa-consultas", visit);
        await _system.WaitForExtractsAsync(2);
        (_playwright, _browser) = await BrowserFixture.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _system.DisposeAsync();
        await _servers.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task A_steward_resolves_a_review_task_and_the_household_page_changes()
    {
        var household = (await _system.Api.SearchHouseholdsAsync(new { curp = CarmenCurp })).Items.Single().Id;
        var page = await BrowserFixture.SignInAsync(_browser, _system.ApiAddress!, "custodio");

        // Before: the clinic visit is its own person, so Carmen's family shows DIF only.
        await page.GotoAsync($"/hogares/{household}");
        await BrowserFixture.ChoosePurposeAsync(page, "Calidad de datos", $"/hogares/{household}");
        var timeline = page.Locator("#timeline");
        await Assertions.Expect(timeline).ToContainTextAsync("DIF-TAM");
        await Assertions.Expect(timeline).Not.ToContainTextAsync("SSA-TAM");

        // The queue, from the navigation: both sides and the evidence, field by field.
        await page.Locator("#nav-review").ClickAsync();
        await BrowserFixture.ExpectPathAsync(page, "/revision");
        var task = page.Locator("section.review-task");
        await Assertions.Expect(task).ToHaveCountAsync(1);
        await Assertions.Expect(task).ToContainTextAsync("SSA-TAM");
        await Assertions.Expect(task.Locator("table.compare")).ToContainTextAsync("SALINAS");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("steward-review-queue"), FullPage = true });
        var birth = task.Locator("table.compare tr", new() { HasText = "Fecha de nacimiento" });
        await Assertions.Expect(birth).ToContainTextAsync("1983-02-18");
        await Assertions.Expect(birth).ToContainTextAsync("1983-02-08");
        await Assertions.Expect(task.Locator("table.compare tr.agrees")).Not.ToHaveCountAsync(0);

        // Deciding needs a reason; the keyboard reaches the buttons.
        await task.Locator("input[name=reason]").FillAsync("Misma persona: expediente en papel con CURP SAHC830208MTSLRR00");
        await task.Locator("button[value=match]").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#review-done")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("section.review-task")).ToHaveCountAsync(0);

        // After: the family's timeline now carries the clinic visit.
        await page.GotoAsync($"/hogares/{household}");
        await Assertions.Expect(page.Locator("#timeline")).ToContainTextAsync("SSA-TAM");
        await Assertions.Expect(page.Locator("#sectors section[data-sector=health]")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("steward-household-after"), FullPage = true });

        // Her person page keeps the decision: who merged, why.
        await page.GetByRole(AriaRole.Link, new() { Name = "CARMEN SALINAS HERNÁNDEZ" }).ClickAsync();
        var history = page.Locator("#identity-history");
        await Assertions.Expect(history).ToContainTextAsync("Fusión");
        await Assertions.Expect(history).ToContainTextAsync("custodio");
        await Assertions.Expect(history).ToContainTextAsync("expediente en papel");
    }
}

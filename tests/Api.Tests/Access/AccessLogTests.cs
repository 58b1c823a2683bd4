using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Registry.Api.Access;
using Registry.Api.Tests.Infrastructure;

namespace Registry.Api.Tests.Access;

/// <summary>
/// Every read of a person, household or lineage (with its purpose), whom a search returned, every
/// rejected-rows download and every denied attempt leave a row an auditor can find; nobody can change those rows.
/// </summary>
[Collection(SeededCollection.Name)]
public sealed class AccessLogTests(SeededRegistry registry)
{
    private async Task<AccessLogPage> LogFor(Guid target) =>
        (await (await registry.ClientAsync("auditora")).GetFromJsonAsync<AccessLogPage>($"/api/access-log?target={target}&pageSize=500"))!;

    [Fact]
    public async Task Reading_a_household_a_person_and_lineage_is_logged_with_who_role_and_purpose()
    {
        var purpose = "Seguimiento de caso " + Guid.NewGuid().ToString("N")[..6];
        var manager = await registry.ClientAsync("gestora.salud");
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/api/households/{registry.ReynosaHousehold}"))
        {
            request.Headers.Add("X-Purpose", purpose);
            Assert.Equal(HttpStatusCode.OK, (await manager.SendAsync(request)).StatusCode);
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/api/persons/{registry.Ximena}"))
        {
            request.Headers.Add("X-Purpose", purpose);
            Assert.Equal(HttpStatusCode.OK, (await manager.SendAsync(request)).StatusCode);
        }
        var steward = await registry.ClientAsync("custodio");
        Assert.Equal(HttpStatusCode.OK, (await steward.GetAsync($"/api/lineage/service-events/{registry.HealthService}")).StatusCode);

        var household = await LogFor(registry.ReynosaHousehold);
        Assert.Contains(household.Items, e => e is { Subject: "gestora.salud", Role: "case-manager", Kind: AccessKind.Household } && e.Purpose == purpose);
        var person = await LogFor(registry.Ximena);
        Assert.Contains(person.Items, e => e is { Subject: "gestora.salud", Kind: AccessKind.Person } && e.Purpose == purpose);
        var lineage = await LogFor(registry.HealthService);
        Assert.Contains(lineage.Items, e => e is { Subject: "custodio", Role: "steward", Kind: AccessKind.LineageServiceEvent });
    }

    [Fact]
    public async Task A_denied_attempt_is_logged_with_who_what_and_why_and_never_as_a_read()
    {
        var manager = await registry.ClientAsync("gestora.reynosa");
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.GetAsync($"/api/households/{registry.VictoriaHousehold}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.GetAsync($"/hogares/{registry.VictoriaHousehold}")).StatusCode);
        var agency = await registry.ClientAsync("dif.datos");
        Assert.Equal(HttpStatusCode.Forbidden, (await agency.GetAsync($"/api/extracts/{registry.SsaExtract}/rejected.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agency.GetAsync($"/api/lineage/households/{registry.VictoriaHousehold}")).StatusCode);

        var victoria = (await LogFor(registry.VictoriaHousehold)).Items.Where(e => e.Subject is "gestora.reynosa" or "dif.datos").ToList();
        Assert.DoesNotContain(victoria, e => e.Kind != AccessKind.Denied);
        Assert.Contains(victoria, e => e is { Subject: "gestora.reynosa", Role: "case-manager" } &&
                                       e.Detail == $"GET /api/households/{registry.VictoriaHousehold}: outside the reader's territory");
        Assert.Contains(victoria, e => e.Subject == "gestora.reynosa" && e.Detail == $"GET /hogares/{registry.VictoriaHousehold}: outside the reader's territory");
        Assert.Contains(victoria, e => e.Subject == "dif.datos" &&
                                       e.Detail!.StartsWith($"GET /api/lineage/households/{registry.VictoriaHousehold}: role policy lineage requires", StringComparison.Ordinal));
        Assert.Contains((await LogFor(registry.SsaExtract)).Items, e => e is { Subject: "dif.datos", Kind: AccessKind.Denied, AgencyCode: "DIF-TAM" } &&
                                                                        e.Detail!.EndsWith("another agency's data", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_read_without_a_purpose_is_refused_with_a_message_and_writes_nothing()
    {
        var manager = await registry.System.ApiClientAsync("gestora.salud", purpose: null);
        var steward = await registry.System.ApiClientAsync("custodio", purpose: null);
        var before = (await LogFor(registry.Ximena)).Total + (await LogFor(registry.ReynosaHousehold)).Total + (await LogFor(registry.HealthService)).Total;

        foreach (var (client, path) in new[]
                 {
                     (manager, $"/api/households/{registry.ReynosaHousehold}"), (manager, $"/api/persons/{registry.Ximena}"),
                     (steward, $"/api/lineage/service-events/{registry.HealthService}"), (steward, $"/api/persons/{registry.Ximena}/identity-events"),
                 })
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("A purpose is required", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Contains("X-Purpose", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        // A page asks for the purpose first, and comes back to what was asked for.
        using var page = await manager.GetAsync($"/hogares/{registry.ReynosaHousehold}");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal($"/proposito?volver=%2Fhogares%2F{registry.ReynosaHousehold}", page.Headers.Location!.OriginalString);

        var after = (await LogFor(registry.Ximena)).Total + (await LogFor(registry.ReynosaHousehold)).Total + (await LogFor(registry.HealthService)).Total;
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task A_search_logs_whom_it_returned_and_the_log_finds_that_search_by_any_of_them()
    {
        var purpose = "Verificacion " + Guid.NewGuid().ToString("N")[..6];
        var manager = await registry.ClientAsync("gestora.salud");
        foreach (var path in new[] { "/api/households/search", "/api/persons/search" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(new { curp = SeededRegistry.XimenaCurp }) };
            request.Headers.Add("X-Purpose", purpose);
            Assert.Equal(HttpStatusCode.OK, (await manager.SendAsync(request)).StatusCode);
        }

        var household = Assert.Single((await LogFor(registry.ReynosaHousehold)).Items, e => e.Purpose == purpose);
        Assert.Equal((AccessKind.Search, (Guid?)null), (household.Kind, household.TargetId));
        Assert.Equal([registry.ReynosaHousehold], household.ReturnedIds!);
        var person = Assert.Single((await LogFor(registry.Ximena)).Items, e => e.Purpose == purpose);
        Assert.Equal([registry.Ximena], person.ReturnedIds!);
        Assert.DoesNotContain("GOCX", person.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rejected_rows_download_is_logged_before_it_is_sent()
    {
        var agency = await registry.ClientAsync("dif.datos");
        var before = (await LogFor(registry.DifExtract)).Items.Count(e => e.Kind == AccessKind.RejectedRowsCsv);
        using var csv = await agency.GetAsync($"/api/extracts/{registry.DifExtract}/rejected.csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        var downloads = (await LogFor(registry.DifExtract)).Items.Where(e => e.Kind == AccessKind.RejectedRowsCsv).ToList();
        Assert.Equal(before + 1, downloads.Count);
        Assert.Equal(("dif.datos", "agency", "DIF-TAM"), (downloads[0].Subject, downloads[0].Role, downloads[0].AgencyCode));
    }

    [Fact]
    public async Task A_warnings_download_is_logged_before_it_is_sent()
    {
        var agency = await registry.ClientAsync("dif.datos");
        var before = (await LogFor(registry.DifExtract)).Items.Count(e => e.Kind == AccessKind.RowWarningsCsv);
        using var csv = await agency.GetAsync($"/api/extracts/{registry.DifExtract}/warnings.csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        // The DIF sample's planted impossible birth date, as sent: the row itself was accepted.
        Assert.Contains("\"birth_date\",\"FECHA NAC\",\"1990-13-01\"", await csv.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var downloads = (await LogFor(registry.DifExtract)).Items.Where(e => e.Kind == AccessKind.RowWarningsCsv).ToList();
        Assert.Equal(before + 1, downloads.Count);
        Assert.Equal(("dif.datos", "agency", "DIF-TAM"), (downloads[0].Subject, downloads[0].Role, downloads[0].AgencyCode));
    }

    [Fact]
    public async Task A_reader_who_may_not_see_a_sensitive_feeds_sector_cannot_download_its_warnings_and_the_attempt_is_logged()
    {
        // The security agency's extract carries a warned value (an impossible birth date); DIF's data officer may not see security.
        var agency = await registry.ClientAsync("dif.datos");
        using var csv = await agency.GetAsync($"/api/extracts/{registry.SsptExtract}/warnings.csv");
        var body = await csv.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, csv.StatusCode);
        Assert.DoesNotContain("20090230", body, StringComparison.Ordinal);
        Assert.DoesNotContain("birth_date", body, StringComparison.Ordinal);
        var entries = (await LogFor(registry.SsptExtract)).Items.Where(e => e.Subject == "dif.datos").ToList();
        Assert.Contains(entries, e => e.Kind == AccessKind.Denied && e.Detail!.Contains("warnings.csv", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Kind == AccessKind.RowWarningsCsv);
        // Whoever may see it finds the value there (so the refusal above is not vacuous).
        using var allowed = await (await registry.ClientAsync("custodio")).GetAsync($"/api/extracts/{registry.SsptExtract}/warnings.csv");
        Assert.Contains("20090230", await allowed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_auditors_page_shows_denied_attempts_downloads_and_whom_a_search_returned()
    {
        var manager = await registry.ClientAsync("gestora.reynosa");
        await manager.GetAsync($"/api/households/{registry.VictoriaHousehold}");
        await manager.PostAsJsonAsync("/api/households/search", new { curp = SeededRegistry.XimenaCurp });
        await (await registry.ClientAsync("dif.datos")).GetAsync($"/api/extracts/{registry.DifExtract}/rejected.csv");
        var auditor = await registry.ClientAsync("auditora");

        var denied = await auditor.GetStringAsync("/auditoria?tipo=denied");
        Assert.Contains("(denied)", denied, StringComparison.Ordinal);
        Assert.Contains($"GET /api/households/{registry.VictoriaHousehold}: outside the reader&#x27;s territory", denied, StringComparison.Ordinal);
        Assert.Contains("(rejected-rows-csv)", await auditor.GetStringAsync($"/auditoria?objetivo={registry.DifExtract}"), StringComparison.Ordinal);
        // Searching for an id finds the searches that returned it, with the ids they returned.
        var searches = await auditor.GetStringAsync($"/auditoria?tipo=search&objetivo={registry.ReynosaHousehold}");
        Assert.Contains($"<code>{registry.ReynosaHousehold}</code>", searches, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_access_log_refuses_updates_deletes_and_truncation()
    {
        await using var db = new NpgsqlConnection(registry.System.ConnectionString);
        await db.OpenAsync();
        var manager = await registry.ClientAsync("gestora.reynosa");
        await manager.GetAsync($"/api/households/{registry.ReynosaHousehold}");
        foreach (var sql in new[] { "UPDATE access_log SET subject = 'nobody'", "DELETE FROM access_log", "TRUNCATE access_log" })
        {
            await using var command = new NpgsqlCommand(sql, db);
            var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.Contains("append-only", error.MessageText, StringComparison.Ordinal);
        }
        await using var count = new NpgsqlCommand("SELECT count(*) FROM access_log WHERE subject = 'gestora.reynosa'", db);
        Assert.True((long)(await count.ExecuteScalarAsync())! > 0);
    }

    [Fact]
    public async Task The_access_log_is_paged_and_filtered_and_an_oversized_purpose_is_refused()
    {
        var auditor = await registry.ClientAsync("auditora");
        var page = (await auditor.GetFromJsonAsync<AccessLogPage>("/api/access-log?kind=household&pageSize=1"))!;
        Assert.Single(page.Items);
        Assert.True(page.Total >= 1);
        Assert.All((await auditor.GetFromJsonAsync<AccessLogPage>("/api/access-log?kind=search"))!.Items, e => Assert.Equal(AccessKind.Search, e.Kind));
        Assert.Equal(HttpStatusCode.BadRequest, (await auditor.GetAsync("/api/access-log?kind=everything")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await auditor.GetAsync("/api/access-log?pageSize=100000")).StatusCode);

        var manager = await registry.ClientAsync("gestora.reynosa");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/households/{registry.ReynosaHousehold}");
        request.Headers.Add("X-Purpose", new string('x', 5000));
        Assert.Equal(HttpStatusCode.BadRequest, (await manager.SendAsync(request)).StatusCode);
    }
}

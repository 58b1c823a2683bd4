using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Registry.Api.Access;
using Registry.Api.Tests.Infrastructure;

namespace Registry.Api.Tests.Access;

/// <summary>Every read of a person, household or lineage leaves a row an auditor can find; nobody can change those rows.</summary>
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
    public async Task A_denied_read_is_not_logged_as_a_read()
    {
        var before = (await LogFor(registry.VictoriaHousehold)).Items.Count(e => e.Subject == "gestora.reynosa");
        var manager = await registry.ClientAsync("gestora.reynosa");
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.GetAsync($"/api/households/{registry.VictoriaHousehold}")).StatusCode);
        Assert.Equal(before, (await LogFor(registry.VictoriaHousehold)).Items.Count(e => e.Subject == "gestora.reynosa"));
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

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Registry.Api.Tests.Infrastructure;
using Registry.Matching;

namespace Registry.Api.Tests.Models;

/// <summary>The matching model page and API: stewards and admins read it, only admins put a model in force, case managers see nothing.</summary>
[Collection(SeededCollection.Name)]
public sealed class ModelPageTests(SeededRegistry registry)
{
    [Fact]
    public async Task A_steward_sees_the_weights_chart_thresholds_and_the_promise_that_decisions_are_not_redone_and_no_personal_data()
    {
        var steward = await registry.ClientAsync("custodio");

        using var response = await steward.GetAsync("/modelos");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<svg id=\"weights-chart\"", html, StringComparison.Ordinal);
        Assert.Contains("<rect", html, StringComparison.Ordinal);
        Assert.Contains("id=\"link-threshold\">20.0<", html, StringComparison.Ordinal);
        Assert.Contains("nunca en silencio", html, StringComparison.Ordinal);
        Assert.Contains(MatchModel.Default.Version, html, StringComparison.Ordinal);
        Assert.DoesNotContain(SeededRegistry.XimenaCurp, html, StringComparison.Ordinal);
        Assert.DoesNotContain("XIMENA", html.ToUpperInvariant(), StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"promote\"", html, StringComparison.Ordinal); // stewards do not put models in force
    }

    [Fact]
    public async Task A_case_manager_is_refused_the_model_page_and_its_api()
    {
        var caseManager = await registry.ClientAsync("gestora.reynosa");

        Assert.Equal(HttpStatusCode.Forbidden, (await caseManager.GetAsync("/modelos")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await caseManager.GetAsync("/api/models")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await caseManager.GetAsync($"/api/models/{MatchModel.Default.Version}")).StatusCode);
    }

    [Fact]
    public async Task An_admin_puts_a_shadow_model_in_force_with_a_reason_and_stewards_and_case_managers_cannot()
    {
        // A shadow as training leaves one: the starting values under another version (it decides exactly as they do).
        var version = "fs-em-shadow-" + Guid.NewGuid().ToString("N")[..8];
        await using (var db = NpgsqlDataSource.Create(registry.System.ConnectionString))
        await using (var insert = db.CreateCommand("INSERT INTO match_models (version, parameters, trained_on, status) VALUES ($1, $2::jsonb, 'test', 'shadow')"))
        {
            insert.Parameters.AddWithValue(version);
            insert.Parameters.AddWithValue(MatchModelStore.Serialize(MatchModel.Default with { Version = version }));
            await insert.ExecuteNonQueryAsync();
        }
        var body = new { reason = "revisado el informe: la precisión estimada no baja" };

        foreach (var user in new[] { "custodio", "gestora.reynosa" })
        {
            using var refused = await (await registry.ClientAsync(user)).PostAsJsonAsync($"/api/models/{version}/promote", body);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
        var admin = await registry.ClientAsync("admin");
        using var promoted = await admin.PostAsJsonAsync($"/api/models/{version}/promote", body);
        Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);

        var models = JsonDocument.Parse(await admin.GetStringAsync("/api/models")).RootElement.EnumerateArray().ToList();
        Assert.Equal("active", models.Single(m => m.GetProperty("version").GetString() == version).GetProperty("status").GetString());
        Assert.Single(models, m => m.GetProperty("status").GetString() == "active");
        var view = JsonDocument.Parse(await admin.GetStringAsync($"/api/models/{version}")).RootElement;
        Assert.Contains(view.GetProperty("events").EnumerateArray(), e => e.GetProperty("kind").GetString() == "promoted" && e.GetProperty("decidedBy").GetString() == "admin");
        await using var log = NpgsqlDataSource.Create(registry.System.ConnectionString);
        await using var logged = log.CreateCommand("SELECT count(*) FROM access_log WHERE kind = 'match-model-promotion' AND subject = 'admin' AND detail LIKE $1");
        logged.Parameters.AddWithValue($"version={version}%");
        Assert.Equal(1L, await logged.ExecuteScalarAsync());
        using var again = await admin.PostAsJsonAsync($"/api/models/{version}/promote", body);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Npgsql;
using Registry.Api.Access;
using Registry.Api.Tests.Infrastructure;

namespace Registry.Api.Tests.Coverage;

/// <summary>
/// Coverage by territory on the seeded registry (three agencies' samples through the real ingestion path): the aggregates
/// the database keeps as records arrive agree with a recount, what each reader may see of them (territory, grant, households),
/// small cells and what could give them back, and the access log.
/// </summary>
[Collection(SeededCollection.Name)]
public sealed class CoverageTests(SeededRegistry registry)
{
    private static long? Count(JsonElement e) => e.ValueKind == JsonValueKind.Number ? e.GetInt64() : null;
    private static bool Hidden(JsonElement e) => e.ValueKind == JsonValueKind.String && e.GetString() == "<5";

    private async Task<JsonElement> CoverageAsync(string user, string query)
    {
        var client = await registry.ClientAsync(user);
        using var response = await client.GetAsync("/api/coverage?" + query);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{user} {query}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task The_aggregates_kept_as_extracts_arrive_agree_exactly_with_a_full_recount()
    {
        await using var db = new NpgsqlConnection(registry.System.ConnectionString);
        var cells = await db.ExecuteScalarAsync<long>("SELECT count(*) FROM coverage_cells WHERE households <> 0 OR persons <> 0");
        Assert.True(cells > 0, "no coverage cells: the triggers kept nothing");
        var differences = await db.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM (
                (SELECT municipality, poligono, colonia, sector, programme, month, prev_month, households, persons
                   FROM coverage_cells WHERE households <> 0 OR persons <> 0
                 EXCEPT SELECT * FROM registry_coverage_recount())
                UNION ALL
                (SELECT * FROM registry_coverage_recount()
                 EXCEPT SELECT municipality, poligono, colonia, sector, programme, month, prev_month, households, persons FROM coverage_cells)) d
            """);
        var lastDifferences = await db.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM (
                (SELECT municipality, poligono, colonia, sector, last_month, households FROM coverage_last_cells WHERE households <> 0
                 EXCEPT SELECT * FROM registry_coverage_last_recount())
                UNION ALL
                (SELECT * FROM registry_coverage_last_recount()
                 EXCEPT SELECT municipality, poligono, colonia, sector, last_month, households FROM coverage_last_cells)) d
            """);
        Assert.Equal(0, differences);
        Assert.Equal(0, lastDifferences);
    }

    [Fact]
    public async Task The_households_reached_in_Reynosa_are_those_the_registry_holds_counted_from_its_own_tables()
    {
        var report = await CoverageAsync("custodio", "municipality=REYNOSA&from=2022-01&to=2026-12");
        await using var db = new NpgsqlConnection(registry.System.ConnectionString);
        // Independently of the aggregates: households whose (lowest) live municipality is REYNOSA, with a current member served in the period.
        var expected = await db.ExecuteScalarAsync<long>("""
            WITH hh AS (
                SELECT ht.household_id FROM household_territories ht JOIN households h ON h.id = ht.household_id AND h.merged_into IS NULL
                 WHERE ht.ended_at IS NULL AND ht.municipality <> '' GROUP BY ht.household_id HAVING min(ht.municipality) = 'REYNOSA')
            SELECT count(DISTINCT hm.household_id)
              FROM hh JOIN household_members hm ON hm.household_id = hh.household_id AND hm.valid_to IS NULL
              JOIN service_events se ON se.person_id = hm.person_id AND se.superseded_by IS NULL
             WHERE se.service_date >= date '2022-01-01' AND se.service_date < date '2027-01-01'
            """);
        Assert.True(expected >= 5, $"only {expected} households reached in Reynosa: the seeded data cannot show this");
        Assert.Equal(expected, Count(report.GetProperty("total").GetProperty("households")));
        // The DIF rows' polígono, as every agency may have typed it (accents, case), is one area.
        var areas = report.GetProperty("areas").EnumerateArray().Select(a => a.GetProperty("area").GetString()).ToList();
        Assert.Contains("POLIGONO LAS CUMBRES", areas);
        Assert.Equal(areas.Count, areas.Distinct().Count());
    }

    [Fact]
    public async Task Small_counts_read_less_than_five_and_no_total_minus_the_others_gives_one_back()
    {
        var report = await CoverageAsync("custodio", "municipality=REYNOSA");
        var hiddenSeen = 0;
        void CheckGroup(string what, IReadOnlyList<JsonElement> cells)
        {
            foreach (var c in cells)
                if (Count(c) is { } v) Assert.False(v is > 0 and < 5, $"{what}: {v} shown");
            var hidden = cells.Count(Hidden);
            hiddenSeen += hidden;
            Assert.True(hidden != 1, $"{what}: exactly one hidden count, which the others give back");
        }
        var areas = report.GetProperty("areas").EnumerateArray().Append(report.GetProperty("total")).ToList();
        foreach (var measure in new[] { "households", "persons", "newHouseholds", "returningHouseholds" })
            CheckGroup($"areas/{measure}", [.. areas.Select(a => a.GetProperty(measure))]);
        foreach (var a in areas)
            CheckGroup($"new+returning={a.GetProperty("area")}", [a.GetProperty("households"), a.GetProperty("newHouseholds"), a.GetProperty("returningHouseholds")]);
        var breadth = report.GetProperty("breadthByArea").EnumerateArray().Append(report.GetProperty("breadth")).ToList();
        foreach (var measure in new[] { "households", "noSector", "oneSector", "severalSectors" })
            CheckGroup($"breadth/{measure}", [.. breadth.Select(a => a.GetProperty(measure))]);
        foreach (var b in breadth)
            CheckGroup($"breadth row {b.GetProperty("area")}", [b.GetProperty("households"), b.GetProperty("noSector"), b.GetProperty("oneSector"), b.GetProperty("severalSectors")]);
        var gaps = report.GetProperty("gapsByArea").EnumerateArray().ToList();
        foreach (var sector in report.GetProperty("gaps").EnumerateArray())
        {
            var s = sector.GetProperty("sector").GetString();
            CheckGroup($"gaps/{s}", [.. gaps.Where(g => g.GetProperty("sector").GetString() == s).Select(g => g.GetProperty("households")), sector.GetProperty("households")]);
        }
        // The seeded polígonos are small: without hidden counts this test would prove nothing.
        Assert.True(hiddenSeen > 0, "no count was hidden in Reynosa's report");
        // The page shows the same marks.
        var page = await (await registry.ClientAsync("custodio")).GetStringAsync("/cobertura?municipio=REYNOSA");
        Assert.Contains("&lt;5", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_coordinator_sees_the_aggregates_of_their_municipalities_but_opens_no_household_and_sees_nothing_elsewhere()
    {
        var report = await CoverageAsync("coordinadora.lazos", "municipality=reynosa");
        Assert.Equal("REYNOSA", report.GetProperty("municipality").GetString());
        Assert.False(report.GetProperty("opensHouseholds").GetBoolean());
        var coordinator = await registry.ClientAsync("coordinadora.lazos");
        Assert.Equal(HttpStatusCode.Forbidden, (await coordinator.GetAsync("/api/coverage?municipality=MATAMOROS")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await coordinator.GetAsync("/api/coverage/households?municipality=REYNOSA")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await coordinator.GetAsync($"/api/households/{registry.ReynosaHousehold}")).StatusCode);
        var page = await coordinator.GetStringAsync("/cobertura?municipio=REYNOSA");
        Assert.DoesNotContain("/cobertura/hogares", page, StringComparison.Ordinal);
        Assert.DoesNotContain("/hogares/", page, StringComparison.Ordinal);
        Assert.Equal(["REYNOSA", "VICTORIA"], (await coordinator.GetFromJsonAsync<string[]>("/api/coverage/municipalities"))!);
    }

    [Fact]
    public async Task A_coordinator_who_is_also_the_case_manager_lists_the_households_with_a_gap_and_only_those()
    {
        var client = await registry.ClientAsync("coordinador.reynosa");
        var report = await CoverageAsync("coordinador.reynosa", "municipality=REYNOSA");
        Assert.True(report.GetProperty("opensHouseholds").GetBoolean());
        var list = JsonDocument.Parse(await client.GetStringAsync("/api/coverage/households?municipality=REYNOSA&sector=housing")).RootElement;
        var ids = list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("householdId").GetGuid()).ToList();
        Assert.NotEmpty(ids);
        var since = DateOnly.Parse(list.GetProperty("gapWindowFrom").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        await using var db = new NpgsqlConnection(registry.System.ConnectionString);
        var served = await db.QueryAsync<Guid>("""
            SELECT DISTINCT hm.household_id FROM household_members hm
              JOIN service_events se ON se.person_id = hm.person_id AND se.superseded_by IS NULL AND se.sector = 'housing'
             WHERE hm.household_id = ANY (@ids) AND hm.valid_to IS NULL AND se.service_date >= @since
            """, new { ids = ids.ToArray(), since = since.ToDateTime(TimeOnly.MinValue) });
        Assert.Empty(served);
        var outside = await db.QueryAsync<Guid>("""
            SELECT h FROM unnest(@ids) h
             WHERE NOT EXISTS (SELECT 1 FROM household_territories ht WHERE ht.household_id = h AND ht.municipality = 'REYNOSA' AND ht.ended_at IS NULL)
            """, new { ids = ids.ToArray() });
        Assert.Empty(outside);
        // The reported gap count of Reynosa is the length of that list.
        var gap = report.GetProperty("gaps").EnumerateArray().Single(g => g.GetProperty("sector").GetString() == "housing").GetProperty("households");
        if (Count(gap) is { } n) Assert.Equal(n, list.GetProperty("total").GetInt64());
        // And each listed household opens for this reader.
        using var open = await client.GetAsync($"/api/households/{ids[0]}");
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
    }

    [Fact]
    public async Task Programmes_of_health_and_security_stay_with_the_readers_who_hold_the_grant()
    {
        var without = await CoverageAsync("gestora.reynosa", "municipality=REYNOSA&sector=health");
        Assert.DoesNotContain(without.GetProperty("programmes").EnumerateArray(), p => p.GetProperty("sector").GetString() is "health" or "security");
        // Sector counts are not detail: the reader without the grant still sees how many households health reached.
        Assert.Contains(without.GetProperty("sectors").EnumerateArray(), s => s.GetProperty("sector").GetString() == "health");
        var with = await CoverageAsync("gestora.salud", "municipality=REYNOSA&sector=health");
        var healthProgrammes = with.GetProperty("programmes").EnumerateArray().Where(p => p.GetProperty("sector").GetString() == "health")
            .Select(p => p.GetProperty("programme").GetString()!).ToList();
        Assert.NotEmpty(healthProgrammes);
        var manager = await registry.ClientAsync("gestora.reynosa");
        using var refused = await manager.GetAsync($"/api/coverage?municipality=REYNOSA&sector=health&programme={Uri.EscapeDataString(healthProgrammes[0])}");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.DoesNotContain(healthProgrammes[0], await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var page = await manager.GetStringAsync("/cobertura?municipio=REYNOSA&sector=health");
        Assert.DoesNotContain(System.Net.WebUtility.HtmlEncode(healthProgrammes[0]), page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_CSV_holds_the_numbers_of_the_JSON()
    {
        var report = await CoverageAsync("custodio", "municipality=REYNOSA");
        var csv = await (await registry.ClientAsync("custodio")).GetStringAsync("/api/coverage.csv?municipality=REYNOSA");
        Assert.StartsWith("table,area,sector,month,measure,value\n", csv, StringComparison.Ordinal);
        Assert.Contains($"reached,(total),*,,households,{report.GetProperty("total").GetProperty("households")}\n", csv, StringComparison.Ordinal);
        foreach (var g in report.GetProperty("gaps").EnumerateArray())
            Assert.Contains($"gaps_last_12_months,(total),{g.GetProperty("sector").GetString()},,households,{(Hidden(g.GetProperty("households")) ? "<5" : g.GetProperty("households").ToString())}\n", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_coverage_read_is_in_the_access_log_the_household_list_with_the_ids_it_showed()
    {
        var client = await registry.ClientAsync("coordinador.reynosa");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/coverage?municipality=REYNOSA&sector=social")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/cobertura?municipio=REYNOSA")).StatusCode);
        var list = JsonDocument.Parse(await client.GetStringAsync("/api/coverage/households?municipality=REYNOSA&sector=education")).RootElement;
        var shown = list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("householdId").GetGuid()).ToHashSet();
        var lazos = await registry.ClientAsync("coordinadora.lazos");
        Assert.Equal(HttpStatusCode.Forbidden, (await lazos.GetAsync("/api/coverage?municipality=MATAMOROS")).StatusCode);

        var auditor = await registry.ClientAsync("auditora");
        var log = (await auditor.GetFromJsonAsync<AccessLogPage>("/api/access-log?subject=coordinador.reynosa&kind=coverage&pageSize=500"))!;
        Assert.Contains(log.Items, e => e.Detail == "json municipality=REYNOSA " + Period(list) + " sector=social" && e.Role == "coordinator,case-manager");
        Assert.Contains(log.Items, e => e.Detail!.StartsWith("ui municipality=REYNOSA", StringComparison.Ordinal));
        Assert.Contains(log.Items, e => e.Detail!.StartsWith("households municipality=REYNOSA", StringComparison.Ordinal) && e.ReturnedIds!.ToHashSet().SetEquals(shown));
        var denied = (await auditor.GetFromJsonAsync<AccessLogPage>("/api/access-log?subject=coordinadora.lazos&kind=denied&pageSize=500"))!;
        Assert.Contains(denied.Items, e => e.Detail == "GET /api/coverage: outside the reader's territory");
    }

    private static string Period(JsonElement gapList)
    {
        var from = DateOnly.Parse(gapList.GetProperty("gapWindowFrom").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        return $"{from:yyyy-MM}..{from.AddMonths(11):yyyy-MM}";
    }
}

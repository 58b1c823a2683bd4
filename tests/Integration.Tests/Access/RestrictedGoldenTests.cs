using System.Net.Http.Json;
using Npgsql;
using Registry.Api.Persons;
using Registry.Api.Review;
using Registry.Contracts;
using Registry.Extracts;
using Registry.Integration.Tests.Infrastructure;
using Registry.Persons;
using Registry.Resolution;

namespace Registry.Integration.Tests.Access;

/// <summary>
/// The golden record a case manager without a sensitive-sector grant sees is written with the golden record
/// (persons.restricted_*) and read from there: it must stay what the per-request rule gave —
/// nothing a health source alone supplied — through a steward's merge and split, and a person only sensitive
/// sources know stays unfound.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class RestrictedGoldenTests(RegistryServers servers)
{
    [Fact]
    public async Task A_phone_and_birth_date_only_a_clinic_gave_stay_hidden_from_a_case_manager_without_the_grant_through_a_merge_and_a_split()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        await using var db = NpgsqlDataSource.Create(system.ConnectionString);
        // DIF knows her name in Reynosa, no birth date, no phone; a clinic knows the same name with both. Names alone
        // never link, so the clinic's row is a person of its own, which only a health source knows.
        await ResolveAsync(db, "DIF-TAM", "social", Rosa(birth: null, phone: null));
        await ResolveAsync(db, "SSA-TAM", "health", Rosa(new DateOnly(1975, 6, 9), "899-555-0101"));
        var dif = await PersonOfAsync(db, "DIF-TAM");
        var clinic = await PersonOfAsync(db, "SSA-TAM");
        Assert.NotEqual(dif, clinic);
        var manager = await system.ApiClientAsync("gestora.reynosa");
        var granted = await system.ApiClientAsync("gestora.salud");
        var steward = await system.ApiClientAsync("custodio");

        // Before any steward acts: the clinic-only person is not found by the case manager, the granted one finds both.
        Assert.Equal([dif], (await manager.SearchPersonsAsync(new { name = "rosa elena martinez" })).Items.Select(h => h.Id));
        Assert.Equal(new[] { clinic, dif }.Order(), (await granted.SearchPersonsAsync(new { name = "rosa elena martinez" })).Items.Select(h => h.Id).Order());
        Assert.Equal(RestrictedGolden.Hidden, await ViewOfAsync(db, clinic));

        // Merged by a steward: her golden birth date, phone (and names: health outranks DIF) now come from the clinic.
        using (var merge = await steward.PostAsJsonAsync($"/api/persons/{dif}/merge", new MergeRequest(clinic, "same woman, per the DIF file")))
            merge.EnsureSuccessStatusCode();
        Assert.Equal(RestrictedGolden.Own, await ViewOfAsync(db, dif));
        await AssertClinicValuesHiddenAsync(manager, dif);
        var full = (await granted.GetFromJsonAsync<PersonView>($"/api/persons/{dif}"))!;
        Assert.Equal(new DateOnly(1975, 6, 9), full.Person.BirthDate);
        Assert.Equal("899-555-0101", full.Fields.Single(f => f.Field == "phone").Value);
        var grantedHit = Assert.Single((await granted.SearchPersonsAsync(new { name = "rosa elena martinez" })).Items);
        Assert.Equal(new DateOnly(1975, 6, 9), grantedHit.BirthDate);

        // Split again by a steward: the clinic's record becomes a person only a health source knows.
        var clinicRecord = (Guid)(await Scalar(db, "SELECT id FROM source_records WHERE agency_code = 'SSA-TAM'"))!;
        Guid split;
        using (var response = await steward.PostAsJsonAsync($"/api/persons/{dif}/split", new SplitRequest([clinicRecord], "two women after all")))
        {
            response.EnsureSuccessStatusCode();
            split = (await response.Content.ReadFromJsonAsync<SplitResult>())!.NewId;
        }
        Assert.Equal(RestrictedGolden.AsGolden, await ViewOfAsync(db, dif));
        Assert.Equal(RestrictedGolden.Hidden, await ViewOfAsync(db, split));
        await AssertClinicValuesHiddenAsync(manager, dif);
        Assert.Equal([dif], (await manager.SearchPersonsAsync(new { name = "rosa elena martinez" })).Items.Select(h => h.Id));
        Assert.Equal(new[] { dif, split }.Order(), (await granted.SearchPersonsAsync(new { name = "rosa elena martinez" })).Items.Select(h => h.Id).Order());
    }

    [Fact]
    public async Task The_backfill_of_persons_written_outside_the_writer_derives_the_view_the_writer_writes()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        await using var db = NpgsqlDataSource.Create(system.ConnectionString);
        // Three persons: one of DIF only, one of a clinic only, and one of both after a steward's merge.
        await ResolveAsync(db, "DIF-TAM", "social", Rosa(birth: null, phone: null));
        await ResolveAsync(db, "SSA-TAM", "health", Rosa(new DateOnly(1975, 6, 9), "899-555-0101"));
        await new Registry.Review.Stewardship(db).MergeAsync(await PersonOfAsync(db, "DIF-TAM"), await PersonOfAsync(db, "SSA-TAM"), "custodio", "same woman", default);
        await ResolveAsync(db, "DIF-TAM", "social", Rosa(new DateOnly(1990, 3, 4), "899-555-0102") with { GivenNames = "ANA", RecordKey = "ana" });
        await ResolveAsync(db, "SSA-TAM", "health", Rosa(new DateOnly(1980, 1, 2), null) with { GivenNames = "LUCÍA", RecordKey = "lucia" });
        var written = await ViewsAsync(db);
        Assert.Equal([RestrictedGolden.AsGolden, RestrictedGolden.Hidden, RestrictedGolden.Own], written.Select(w => w.View).Order(StringComparer.Ordinal));

        // As a set-based fill leaves persons (the lookup benchmark's): no view derived.
        await Scalar(db, "UPDATE persons SET restricted_view = NULL, restricted_golden = NULL, restricted_name_seen = NULL");
        await using (var connection = await db.OpenConnectionAsync())
            Assert.Equal(3, await RestrictedGoldenBackfill.RunAsync(connection, default));
        Assert.Equal(written, await ViewsAsync(db));
    }

    /// <summary>The person page, search hit and raw answers of a reader without the grant carry neither the clinic's birth date nor its phone.</summary>
    private static async Task AssertClinicValuesHiddenAsync(HttpClient manager, Guid person)
    {
        var view = (await manager.GetFromJsonAsync<PersonView>($"/api/persons/{person}"))!;
        Assert.Null(view.Person.BirthDate);
        Assert.All(view.Fields.Where(f => f.Field is "phone" or "birth_date"), f => Assert.Equal((null, PersonQueries.ReservedNote), (f.Value, f.Note)));
        Assert.Equal("ROSA ELENA MARTINEZ CRUZ", view.Person.FullName);
        var hit = Assert.Single((await manager.SearchPersonsAsync(new { name = "rosa elena martinez" })).Items);
        Assert.Equal((person, (DateOnly?)null), (hit.Id, hit.BirthDate));
        var raw = await manager.GetStringAsync($"/api/persons/{person}") + await manager.GetStringAsync("/api/persons?name=rosa%20elena%20martinez");
        Assert.DoesNotContain("1975-06-09", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("899-555-0101", raw, StringComparison.Ordinal);
    }

    private static SourceRow Rosa(DateOnly? birth, string? phone) => new()
    {
        RowNumber = 1, RecordKey = "rosa" + phone, ContentHash = $"rosa{birth}{phone}", GivenNames = "ROSA ELENA", PaternalSurname = "MARTINEZ",
        MaternalSurname = "CRUZ", BirthDate = birth, Phone = phone, Sex = "M", Municipality = "REYNOSA", Programme = "P", ServiceType = "S",
        ServiceDate = new DateOnly(2026, 10, 1),
    };

    private static async Task ResolveAsync(NpgsqlDataSource db, string agency, string sector, SourceRow row)
    {
        var (id, _) = await new ExtractStore(db).RegisterAsync("feed-" + agency, agency, sector, "f.csv", Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"), 1, "/dev/null", default);
        await new ChunkResolver(db).ApplyAsync(new ResolveSourceRows(id, 0, 1, 1, "feed-" + agency, agency, sector, [row]), default);
    }

    private static async Task<Guid> PersonOfAsync(NpgsqlDataSource db, string agency) =>
        (Guid)(await Scalar(db, $"SELECT person_id FROM source_records WHERE agency_code = '{agency}'"))!;

    private static async Task<string?> ViewOfAsync(NpgsqlDataSource db, Guid person) =>
        await Scalar(db, $"SELECT restricted_view FROM persons WHERE id = '{person}'") as string;

    /// <summary>The stored restricted view of every current person, in id order.</summary>
    private static async Task<List<(Guid Id, string View, string? Golden, bool NameSeen)>> ViewsAsync(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand(
            "SELECT id, restricted_view, restricted_golden::text, restricted_name_seen FROM persons WHERE merged_into IS NULL ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync();
        var views = new List<(Guid, string, string?, bool)>();
        while (await reader.ReadAsync())
            views.Add((reader.GetGuid(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetBoolean(3)));
        return views;
    }

    /// <summary>The first value of a test's own fixed query (no user input), or null.</summary>
    private static async Task<object?> Scalar(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }
}

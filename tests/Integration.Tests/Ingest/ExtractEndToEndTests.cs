using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Registry.Api.Households;
using Registry.Api.Search;
using Registry.Api.Summary;
using Registry.Extracts;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Integration.Tests.Ingest;

/// <summary>The thinnest real path: agency CSV in the inbox → bus → registry → household lookup on the API.</summary>
[Collection(ServersCollection.Name)]
public sealed class ExtractEndToEndTests(RegistryServers servers)
{
    private static string Sample(string feed) => Directory.EnumerateFiles(Path.Combine(RepoPaths.Samples, feed), "*.csv").Single();

    private static int DataLines(string file) => File.ReadLines(file, System.Text.Encoding.Latin1).Skip(1).Count(l => l.Length > 0);

    [Fact]
    public async Task Every_row_of_an_extract_arrives_exactly_once_as_accepted_or_rejected()
    {
        await using var system = await RegistrySystem.StartAsync(servers, chunkSize: 7);
        await system.DropAsync("ssa-consultas", Sample("ssa-consultas"));
        await system.DropAsync("dif-alimentaria", Sample("dif-alimentaria"));

        var extracts = await system.WaitForExtractsAsync(2);

        foreach (var extract in extracts)
        {
            var lines = DataLines(Sample(extract.FeedCode));
            Assert.Equal(ExtractStatus.Resolved, extract.Status);
            Assert.Equal(lines, extract.RowsTotal);
            Assert.Equal(extract.RowsTotal, extract.RowsAccepted + extract.RowsRejected);
            Assert.Equal(extract.RowsAccepted, extract.RowsResolved);
            Assert.True(extract.RowsRejected + extract.Warnings.Values.Sum() > 0, $"{extract.FeedCode}: the sample carries bad rows that must be rejected or bad values that must be warned of");
        }

        // Exactly one source record per accepted row, and one rejected_rows entry per rejected row.
        await using var db = new NpgsqlConnection(system.ConnectionString);
        await db.OpenAsync();
        foreach (var extract in extracts)
        {
            Assert.Equal(extract.RowsAccepted, await Count(db, "SELECT count(*) FROM source_records WHERE extract_id = @id", extract.Id));
            Assert.Equal(extract.RowsRejected, await Count(db, "SELECT count(*) FROM rejected_rows WHERE extract_id = @id", extract.Id));
            Assert.Equal(extract.Warnings.Values.Sum(), await Count(db, "SELECT count(*) FROM row_warnings WHERE extract_id = @id", extract.Id));
        }
    }

    [Fact]
    public async Task Dropping_the_same_extract_again_changes_no_count()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        await system.DropAsync("dif-alimentaria", Sample("dif-alimentaria"));
        await system.WaitForExtractsAsync(1);
        var before = await system.Api.GetFromJsonAsync<RegistrySummary>("/api/summary");

        await system.DropAsync("dif-alimentaria", Sample("dif-alimentaria"), asName: "apoyos-reenviado.csv");
        var extracts = await system.WaitForExtractsAsync(1, receipts: 2);
        var after = await system.Api.GetFromJsonAsync<RegistrySummary>("/api/summary");

        Assert.Equal(2, extracts.Single().Receipts);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task A_re_sent_roster_with_one_changed_and_one_new_row_adds_only_what_changed()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        var original = Sample("dif-alimentaria");
        await system.DropAsync("dif-alimentaria", original);
        var first = (await system.WaitForExtractsAsync(1)).Single();
        var before = await system.Api.GetFromJsonAsync<RegistrySummary>("/api/summary");

        // Next month's roster: the same rows, the first one's status corrected, one new delivery appended.
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        var cp1252 = System.Text.Encoding.GetEncoding(1252);
        var lines = File.ReadAllLines(original, cp1252).Where(l => l.Length > 0).ToList();
        var firstRow = lines[1];
        lines[1] = firstRow.Replace(";ENTREGADO;", ";CANCELADO;", StringComparison.Ordinal);
        lines.Add(firstRow.Replace(";Lazos del Bienestar;", ";Comedor Comunitario;", StringComparison.Ordinal));
        var next = Path.Combine(Path.GetTempPath(), $"apoyos-2026-11-{Guid.NewGuid():N}.csv");
        await File.WriteAllLinesAsync(next, lines, cp1252);
        await system.DropAsync("dif-alimentaria", next);

        var second = (await system.WaitForExtractsAsync(2)).Single(e => e.Id != first.Id);
        var after = await system.Api.GetFromJsonAsync<RegistrySummary>("/api/summary");

        Assert.Equal(ExtractStatus.Resolved, second.Status);
        Assert.Equal(second.RowsTotal, second.RowsAccepted + second.RowsRejected);
        Assert.Equal(first.RowsAccepted - 1, second.RowsUnchanged);
        Assert.Equal(before!.Persons, after!.Persons);
        Assert.Equal(before.ServiceEvents + 1, after.ServiceEvents);

        var curp = firstRow.Split(';')[1];
        var hit = Assert.Single((await system.Api.SearchHouseholdsAsync(new { curp })).Items);
        var household = await system.Api.GetFromJsonAsync<Household360>($"/api/households/{hit.Id}");
        var lazos = household!.Timeline.Where(t => t.Programme == "Lazos del Bienestar" && t.ServiceDate == DateOnly.Parse(firstRow.Split(';')[11], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal("CANCELADO", Assert.Single(lazos, t => household.Members.Any(m => m.PersonId == t.PersonId && m.Curp == curp)).Status);
        File.Delete(next);
    }

    [Fact]
    public async Task A_household_lookup_shows_its_members_and_services_from_both_agencies()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        await system.DropAsync("ssa-consultas", Sample("ssa-consultas"));
        await system.DropAsync("dif-alimentaria", Sample("dif-alimentaria"));
        await system.WaitForExtractsAsync(2);

        // The head of the first DIF family also attends the health clinics (same CURP in both extracts).
        var hits = await system.Api.SearchHouseholdsAsync(new { curp = "GOCX670904MTSNNM02" });
        var household = await system.Api.GetFromJsonAsync<Household360>($"/api/households/{Assert.Single(hits!.Items).Id}");

        Assert.Contains(household!.Members, m => m.Curp == "GOCX670904MTSNNM02" && m.Relationship == "JEFA");
        Assert.True(household.Members.Count > 1);
        Assert.Contains("SSA-TAM", household.Agencies);
        Assert.Contains("DIF-TAM", household.Agencies);
        Assert.Contains("health", household.ServicesBySector.Keys);
        Assert.Contains("social", household.ServicesBySector.Keys);
        Assert.All(household.Timeline, s => Assert.Equal(64, s.FileSha256?.Length));

        // Case managers type names without accents.
        var byName = await system.Api.GetFromJsonAsync<SearchPage<HouseholdHit>>("/api/households?name=ximena gonzalez cantu");
        Assert.Contains(byName!.Items, h => h.Id == household.Id);
    }

    [Fact]
    public async Task A_file_without_the_feeds_columns_is_rejected_whole_with_what_to_fix()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        var file = Path.Combine(Path.GetTempPath(), $"wrong-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, "NOMBRE;APELLIDO;FECHA\nANA;LOPEZ;01/01/2026\n");
        await system.DropAsync("ssa-consultas", file);

        var extract = (await system.WaitForExtractsAsync(1)).Single();

        Assert.Equal(ExtractStatus.Rejected, extract.Status);
        Assert.Contains("ID_PACIENTE", extract.Error, StringComparison.Ordinal);
        Assert.Contains("';'", extract.Error, StringComparison.Ordinal);
        var summary = await system.Api.GetFromJsonAsync<RegistrySummary>("/api/summary");
        Assert.Equal(0, summary!.Persons);
        File.Delete(file);
    }

    [Fact]
    public async Task Rejected_rows_download_as_csv_with_their_error()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        await system.DropAsync("ssa-consultas", Sample("ssa-consultas"));
        var extract = (await system.WaitForExtractsAsync(1)).Single();

        var response = await system.Api.GetAsync($"/api/extracts/{extract.Id}/rejected.csv");
        var csv = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("row,error,raw_line", csv, StringComparison.Ordinal);
        Assert.Contains("required field service_date (column 'FECHA_ATENCION') is empty", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("31/02/1975", csv, StringComparison.Ordinal); // an impossible birth date is a warning, not a rejection
    }

    [Fact]
    public async Task An_extract_whose_parse_was_cut_short_completes_with_exact_counts_after_a_restart()
    {
        await using var system = await RegistrySystem.StartAsync(servers, chunkSize: 5);
        await system.StopWorkersAsync();

        // What a crash mid-file leaves behind: the extract registered and archived, its parse begun, some chunks applied.
        var archived = Path.Combine(Path.GetTempPath(), $"archived-{Guid.NewGuid():N}.csv");
        File.Copy(Sample("ssa-consultas"), archived);
        await using (var db = NpgsqlDataSource.Create(system.ConnectionString))
        {
            var store = new ExtractStore(db);
            var (id, _) = await store.RegisterAsync("ssa-consultas", "SSA-TAM", "health", "consultas.csv", new string('b', 64), 1, archived, default);
            var feed = Registry.Feeds.FeedCatalog.LoadFile(Path.Combine(RepoPaths.Feeds, "ssa-consultas.json"));
            // The crashed parse's lease (one second) has run out by the time the workers start again.
            await store.BeginParseAsync(id, Guid.NewGuid(), TimeSpan.FromSeconds(1), chunkSize: 5, feed.Json, default);
            var firstRows = Registry.Ingest.Feeds.CsvExtractReader.Read(archived, feed).Select(r => r.Accepted).OfType<Registry.Contracts.SourceRow>().Take(5).ToArray();
            await new Registry.Resolution.ChunkResolver(db).ApplyAsync(
                new Registry.Contracts.ResolveSourceRows(id, 0, firstRows[0].RowNumber, firstRows[^1].RowNumber, "ssa-consultas", "SSA-TAM", "health", firstRows), default);
        }

        system.StartWorkers(servers, chunkSize: 5);
        _ = system.WorkerServices;
        var extract = (await system.WaitForExtractsAsync(1)).Single();

        Assert.Equal(ExtractStatus.Resolved, extract.Status);
        Assert.Equal(DataLines(Sample("ssa-consultas")), extract.RowsTotal);
        Assert.Equal(extract.RowsAccepted, extract.RowsResolved);
        await using var check = new NpgsqlConnection(system.ConnectionString);
        await check.OpenAsync();
        Assert.Equal(extract.RowsAccepted, await Count(check, "SELECT count(*) FROM source_records WHERE extract_id = @id", extract.Id));
        File.Delete(archived);
    }

    [Fact]
    public async Task The_FEBRL_extract_of_an_agency_nobody_designed_for_ingests_through_the_same_path()
    {
        var febrl = Path.Combine(RepoPaths.Root, "tests", "Integration.Tests", "Data", "febrl-dataset1.csv");
        await using var system = await RegistrySystem.StartAsync(servers);
        await system.DropAsync("febrl-registro", febrl);

        var extract = (await system.WaitForExtractsAsync(1)).Single();

        Assert.Equal(ExtractStatus.Resolved, extract.Status);
        Assert.Equal(1000, extract.RowsTotal);
        Assert.Equal(1000, extract.RowsAccepted + extract.RowsRejected);
        Assert.Equal(extract.RowsAccepted, extract.RowsResolved);
        await using var db = new NpgsqlConnection(system.ConnectionString);
        await db.OpenAsync();
        Assert.Equal(extract.RowsAccepted, await Count(db, "SELECT count(*) FROM source_records WHERE extract_id = @id", extract.Id));
        // Leading spaces after the commas are not part of the values.
        Assert.Equal(0, await Count(db, "SELECT count(*) FROM source_records WHERE extract_id = @id AND data->>'GivenNames' LIKE ' %'", extract.Id));
    }

    private static async Task<int> Count(NpgsqlConnection db, string sql, Guid id)
    {
        await using var command = new NpgsqlCommand(sql, db);
        command.Parameters.AddWithValue("id", id);
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using Registry.Api.Households;
using Registry.Extracts;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Integration.Tests.Ingest;

/// <summary>
/// Field-level quality through the real pipeline (issue 27, hard rule 8): a row whose birth date is
/// impossible or implausible is accepted, its service stays in the household's history, the bad value is
/// left out of the golden record but kept in lineage, and the acceptance report counts the warning and
/// offers it as CSV (the download logged like the rejected rows').
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class FieldQualityTests(RegistryServers servers)
{
    private const string Header =
        "FOLIO_BENEFICIARIO;CURP;NOMBRE(S);APELLIDO PATERNO;APELLIDO MATERNO;SEXO;FECHA NAC;FOLIO_FAMILIA;PARENTESCO;PROGRAMA;APOYO;FECHA_ENTREGA;ESTATUS;COLONIA;MUNICIPIO;POLIGONO";

    [Fact]
    public async Task A_row_with_a_bad_birth_date_is_accepted_its_service_kept_and_the_value_only_warned_of()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        // One family of DIF: Marta's September delivery with her birth date, her October one with the year mistyped
        // into the future; her son Luis known only from a row whose birth date does not exist.
        var file = Path.Combine(Path.GetTempPath(), $"apoyos-calidad-{Guid.NewGuid():N}.csv");
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        await File.WriteAllTextAsync(file, string.Join("\r\n",
            Header,
            "DIF-7001;;MARTA;SALAZAR;RÍOS;M;1985-03-14;FAM-7000;JEFA;Lazos del Bienestar;Despensa;2026-09-01;ENTREGADO;COL. AZTECA;VICTORIA;Polígono Norte",
            "DIF-7001;;MARTA;SALAZAR;RÍOS;M;2085-03-14;FAM-7000;JEFA;Lazos del Bienestar;Despensa;2026-10-01;ENTREGADO;COL. AZTECA;VICTORIA;Polígono Norte",
            "DIF-7002;;LUIS;SALAZAR;RÍOS;H;2010-02-31;FAM-7000;HIJO;Lazos del Bienestar;Útiles escolares;2026-10-05;ENTREGADO;COL. AZTECA;VICTORIA;Polígono Norte",
            ""), Encoding.GetEncoding(1252));
        await system.DropAsync("dif-alimentaria", file);

        var extract = (await system.WaitForExtractsAsync(1)).Single();

        // Accepted, not rejected; the report counts the warnings per field.
        Assert.Equal((ExtractStatus.Resolved, 3, 3, 0), (extract.Status, extract.RowsTotal, extract.RowsAccepted, extract.RowsRejected));
        Assert.Equal(new Dictionary<string, int> { ["birth_date"] = 2 }, extract.Warnings);

        // The services of both warned rows are in the household's history.
        await using var db = new NpgsqlConnection(system.ConnectionString);
        await db.OpenAsync();
        var householdId = (Guid)(await Scalar(db,
            """
            SELECT DISTINCT hm.household_id FROM household_members hm JOIN source_records sr ON sr.person_id = hm.person_id
             WHERE sr.extract_id = @id
            """, extract.Id))!;
        var household = (await system.Api.GetFromJsonAsync<Household360>($"/api/households/{householdId}"))!;
        Assert.Equal(
            [new DateOnly(2026, 9, 1), new DateOnly(2026, 10, 1), new DateOnly(2026, 10, 5)],
            household.Timeline.Select(t => t.ServiceDate!.Value).Order());

        // The golden record takes the usable birth date only; Luis has none rather than an invented one.
        var marta = Assert.Single(household.Members, m => m.GivenNames == "MARTA");
        var luis = Assert.Single(household.Members, m => m.GivenNames == "LUIS");
        Assert.Equal(new DateOnly(1985, 3, 14), marta.BirthDate);
        Assert.Null(luis.BirthDate);
        Assert.Equal(2, household.Members.Count);

        // Lineage keeps the value as sent, with the reason, on the source record.
        Assert.Equal("2085-03-14", await Scalar(db,
            "SELECT data->'Warnings'->0->>'Value' FROM source_records WHERE extract_id = @id AND row_number = 2", extract.Id));
        Assert.Equal(DBNull.Value, await Scalar(db,
            "SELECT data->>'BirthDate' FROM source_records WHERE extract_id = @id AND row_number = 2", extract.Id));

        // The warnings download like the rejected rows, and the download is in the access log.
        using var response = await system.Api.GetAsync($"/api/extracts/{extract.Id}/warnings.csv");
        var csv = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("row,field,column,value,reason", lines[0]);
        Assert.StartsWith("2,\"birth_date\",\"FECHA NAC\",\"2085-03-14\",\"not a valid date in the feed's formats (yyyy-MM-dd): birth date 2085-03-14 is in the future", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("3,\"birth_date\",\"FECHA NAC\",\"2010-02-31\",", lines[2], StringComparison.Ordinal);
        Assert.Contains("day 31 does not exist in 2010-02", lines[2], StringComparison.Ordinal);
        Assert.Equal(3, lines.Length);
        Assert.Equal(1, await Scalar(db,
            "SELECT count(*)::int FROM access_log WHERE kind = 'row-warnings-csv' AND target_id = @id AND subject = 'admin'", extract.Id));
        File.Delete(file);
    }

    private static async Task<object?> Scalar(NpgsqlConnection db, string sql, Guid id)
    {
        await using var command = new NpgsqlCommand(sql, db);
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteScalarAsync();
    }
}

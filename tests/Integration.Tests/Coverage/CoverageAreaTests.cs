using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Integration.Tests.Coverage;

/// <summary>
/// Coverage by polígono when some households' polígono is not known: they are an area of their own ("", shown as
/// "(sin dato)") with their own counts, and the areas add up to the municipality. The report once keyed its totals
/// by "" too, so that area showed the whole municipality's counts. Both real hosts; a DIF census dropped as DIF drops it.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class CoverageAreaTests(RegistryServers servers)
{
    private const string Header = "FOLIO_BENEFICIARIO;CURP;NOMBRE(S);APELLIDO PATERNO;APELLIDO MATERNO;SEXO;FECHA NAC;FOLIO_FAMILIA;PARENTESCO;PROGRAMA;APOYO;FECHA_ENTREGA;ESTATUS;COLONIA;MUNICIPIO;POLIGONO";

    private static string Row(string folio, string given, string paternal, string maternal, string birth, string family, string poligono) =>
        string.Join(';', folio, "", given, paternal, maternal, "M", birth, family, "JEFA", "Asistencia Alimentaria", "Despensa",
            DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-20).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "ENTREGADO", "COL. CENTRO", "REYNOSA", poligono);

    [Fact]
    public async Task Households_without_a_known_poligono_are_an_area_of_their_own_and_the_areas_add_up_to_the_municipality()
    {
        await using var system = await RegistrySystem.StartAsync(servers, chunkSize: 50,
            settings: new Dictionary<string, string?> { ["Coverage:MinimumCell"] = "2" });
        var path = Path.Combine(Path.GetTempPath(), "registry-tests", Guid.NewGuid().ToString("N")[..8] + "-census.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, Header + "\n" + string.Join("\n",
            Row("DIF-7701", "ANGELA", "VILLARREAL", "TREVIÑO", "1975-02-11", "FAM-A1", "Polígono Las Cumbres"),
            Row("DIF-7702", "BEATRIZ", "CANTU", "ELIZONDO", "1982-06-23", "FAM-B1", "Polígono Las Cumbres"),
            Row("DIF-7703", "CARMEN", "ZAMORA", "OCHOA", "1990-09-30", "FAM-C1", ""),
            Row("DIF-7704", "DOLORES", "IBARRA", "MONTES", "1968-12-02", "FAM-D1", "")) + "\n", Encoding.Latin1);
        await system.DropAsync("dif-alimentaria", path, "census.csv");
        File.Delete(path);
        await system.WaitForExtractsAsync(1);

        using var steward = await system.ApiClientAsync("custodio");
        using var response = await steward.GetAsync("/api/coverage?municipality=REYNOSA");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var report = JsonDocument.Parse(body).RootElement;
        var areas = report.GetProperty("areas").EnumerateArray()
            .ToDictionary(a => a.GetProperty("area").GetString()!, a => a.GetProperty("households").GetInt64());

        // (Counts of 2 and more are shown: the smallest k the setting allows.)
        Assert.Equal(4, report.GetProperty("total").GetProperty("households").GetInt64());
        Assert.Equal(2, areas["POLIGONO LAS CUMBRES"]);
        Assert.Equal(2, areas[""]);
        Assert.Equal(4, areas.Values.Sum());

        // The CSV names that area, and the total apart.
        var csv = await steward.GetStringAsync("/api/coverage.csv?municipality=REYNOSA");
        Assert.Contains("reached,(sin dato),*,,households,2", csv, StringComparison.Ordinal);
        Assert.Contains("reached,(total),*,,households,4", csv, StringComparison.Ordinal);
    }
}

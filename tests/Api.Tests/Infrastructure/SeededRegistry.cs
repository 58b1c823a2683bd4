using System.Net.Http.Json;
using Dapper;
using Npgsql;
using Registry.Api.Search;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Api.Tests.Infrastructure;

/// <summary>
/// One registry for the whole assembly, filled through the real ingestion path with the shipped
/// sample extracts of three agencies (SSA health clinics, DIF food support, SSPT violence prevention —
/// health and security are sensitive sectors, and SSPT's rows are the newest of several DIF persons,
/// so golden fields such as the phone come from it), plus a person only SSPT knows and a clinic row
/// whose misspelt surname becomes a DIF member's golden surname, served on a real
/// loopback port so a browser can reach it. Tests only read (and add access-log rows they
/// filter for), so they can share it.
/// </summary>
public sealed class SeededRegistry : IAsyncLifetime
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<HttpClient>>> _clients = new(StringComparer.Ordinal);

    public RegistryServers Servers { get; } = new();
    public RegistrySystem System { get; private set; } = null!;

    /// <summary>Ximena González Cantú's family (DIF FAM-2300, REYNOSA); she also attends SSA clinics.</summary>
    public Guid ReynosaHousehold { get; private set; }
    public Guid Ximena { get; private set; }
    public Guid VictoriaHousehold { get; private set; }
    /// <summary>A health (sensitive) service of Ximena, from the SSA extract.</summary>
    public Guid HealthService { get; private set; }
    public Guid SsaExtract { get; private set; }
    public Guid DifExtract { get; private set; }
    /// <summary>The SSPT-CEPD (security, sensitive) extract.</summary>
    public Guid SsptExtract { get; private set; }

    public const string XimenaCurp = "GOCX670904MTSNNM02";

    /// <summary>MARÍA GUADALUPE MARTÍNEZ RODRÍGUEZ (DIF, Reynosa) at a clinic, her paternal surname written MARTINES.</summary>
    public const string ClinicSpellingRow =
        "EXP-1990,MARG100510MTSRDDA6,MARÍA GUADALUPE,MARTINES,RODRÍGUEZ,M,10/05/2010,REYNOSA,CONSULTA GENERAL,Atención primaria,20/11/2026,ATENDIDO";

    /// <summary>A row of a person no other agency knows: only a security source supplied their name, phone and address.</summary>
    public const string OnlySsptRow =
        "\"SSP-P-990\",\"\",\"Zacarías\",\"Quintanilla\",\"Yáñez\",\"HOMBRE\",\"20080117\",\"REYNOSA\",\"Polígono Las Cumbres\",\"COL. AZTECA\",\"899-555-0199\",\"PREV\",\"Taller de convivencia escolar\",\"20260915\",\"1\"";

    public static string Sample(string feed) => Directory.EnumerateFiles(Path.Combine(RepoPaths.Samples, feed), "*.csv").Single();

    public async Task InitializeAsync()
    {
        await Servers.InitializeAsync();
        System = await RegistrySystem.StartAsync(Servers, realHttp: true);
        await System.DropAsync("ssa-consultas", Sample("ssa-consultas"));
        await System.DropAsync("dif-alimentaria", Sample("dif-alimentaria"));
        await System.DropAsync("sspt-prevencion", Sample("sspt-prevencion"));
        var extracts = await System.WaitForExtractsAsync(3);
        SsaExtract = extracts.Single(e => e.AgencyCode == "SSA-TAM").Id;
        DifExtract = extracts.Single(e => e.AgencyCode == "DIF-TAM").Id;
        SsptExtract = extracts.Single(e => e.AgencyCode == "SSPT-CEPD").Id;
        // A person only the prevention centre knows, in Reynosa (every SSPT person of the sample is also known to DIF, but for
        // Brenda Castillo, whose row is kept now with its impossible birth date left out).
        var onlySspt = Path.Combine(Path.GetTempPath(), $"atenciones-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(onlySspt, File.ReadLines(Sample("sspt-prevencion")).First() + "\n" + OnlySsptRow + "\n");
        await System.DropAsync("sspt-prevencion", onlySspt, "atenciones-2026-11.csv");
        await System.WaitForExtractsAsync(4);
        File.Delete(onlySspt);
        // A clinic's later visit of a DIF member, her surname misspelt: health outranks DIF for identity fields, so her
        // golden surname comes from the clinic — a value a reader without the grant must not see (nor search by).
        var clinic = Path.Combine(Path.GetTempPath(), $"consultas-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(clinic, File.ReadLines(Sample("ssa-consultas")).First() + "\n" + ClinicSpellingRow + "\n");
        await System.DropAsync("ssa-consultas", clinic, "consultas-2026-11.csv");
        await System.WaitForExtractsAsync(5);
        File.Delete(clinic);

        ReynosaHousehold = (await System.Api.SearchHouseholdsAsync(new { curp = XimenaCurp })).Items.Single().Id;
        VictoriaHousehold = (await System.Api.SearchHouseholdsAsync(new { curp = "MOGA751002MTSRRN09" })).Items.Single().Id;
        await using var db = new NpgsqlConnection(System.ConnectionString);
        Ximena = await db.ExecuteScalarAsync<Guid>("SELECT id FROM persons WHERE curp = @c", new { c = XimenaCurp });
        HealthService = await db.ExecuteScalarAsync<Guid>(
            "SELECT id FROM service_events WHERE person_id = @p AND sector = 'health' ORDER BY service_date LIMIT 1", new { p = Ximena });
    }

    /// <summary>A client signed in as a seeded user of the dev issuer (bearer token), or anonymous for null.</summary>
    public Task<HttpClient> ClientAsync(string? user) =>
        _clients.GetOrAdd(user ?? "(anonymous)", _ => new Lazy<Task<HttpClient>>(() => System.ApiClientAsync(user))).Value;

    public async Task DisposeAsync()
    {
        foreach (var c in _clients.Values) (await c.Value).Dispose();
        await System.DisposeAsync();
        await Servers.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SeededCollection : ICollectionFixture<SeededRegistry>
{
    public const string Name = "seeded";
}

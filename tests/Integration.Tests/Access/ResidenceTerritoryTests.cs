using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Registry.Api.Search;
using Registry.Api.Territory;
using Registry.Extracts;
using Registry.Integration.Tests.Infrastructure;
using Registry.Normalization;

namespace Registry.Integration.Tests.Access;

/// <summary>
/// A case manager's territory follows where people live now (issue 23, point 2): decided by
/// residence-authoritative feeds (DIF's census, ITAVU's dwellings) whose rows corroborate the
/// person's identity, or by a steward; never by one agency row that carries a known CURP and
/// another municipality. Both real hosts; files dropped as DIF drops them.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class ResidenceTerritoryTests(RegistryServers servers)
{
    private const string Header = "FOLIO_BENEFICIARIO;CURP;NOMBRE(S);APELLIDO PATERNO;APELLIDO MATERNO;SEXO;FECHA NAC;FOLIO_FAMILIA;PARENTESCO;PROGRAMA;APOYO;FECHA_ENTREGA;ESTATUS;COLONIA;MUNICIPIO;POLIGONO";
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    private sealed record Member(string Folio, string Given, string Paternal, string Maternal, Sex Sex, DateOnly Birth)
    {
        public string Curp
        {
            get
            {
                // The 17th character tells the century: a digit before 2000, a letter from 2000 on.
                var first17 = Registry.Normalization.Curp.Derive(Paternal, Maternal, Given, Birth, Sex, "TS").First16 + (Birth.Year < 2000 ? "0" : "A");
                return first17 + Registry.Normalization.Curp.CheckDigit(first17);
            }
        }

        public string Row(string family, string relationship, string municipality, DateOnly delivered, bool withName = true) => string.Join(';',
            Folio, Curp, withName ? Given : "", withName ? Paternal : "", withName ? Maternal : "", Sex == Sex.Female ? "M" : "H",
            Birth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), family, relationship, "Asistencia Alimentaria", "Despensa",
            delivered.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "ENTREGADO", "COL. CENTRO", municipality, "");
    }

    private static readonly Member Rosa = new("DIF-9101", "ROSA", "SALAZAR", "IBARRA", Sex.Female, new DateOnly(1981, 3, 14));
    private static readonly Member Ivan = new("DIF-9102", "IVAN", "SALAZAR", "IBARRA", Sex.Male, new DateOnly(2009, 7, 2));

    [Fact]
    public async Task One_agency_row_with_a_known_CURP_and_another_municipality_moves_nobody_and_auditors_see_it()
    {
        await using var system = await RegistrySystem.StartAsync(servers, chunkSize: 50);
        var marta = new Member("DIF-9401", "MARTA", "GARZA", "LEAL", Sex.Female, new DateOnly(1979, 8, 19));
        await DropAsync(system, "census.csv", Rosa.Row("FAM-V1", "JEFA", "VICTORIA", Today.AddDays(-30)), Ivan.Row("FAM-V1", "HIJO", "VICTORIA", Today.AddDays(-30)),
            marta.Row("FAM-R1", "JEFA", "REYNOSA", Today.AddDays(-30)));
        await system.WaitForExtractsAsync(1);
        var (rosa, household) = await PersonAndHouseholdAsync(system, Rosa);
        var (martaId, reynosaHousehold) = await PersonAndHouseholdAsync(system, marta);
        using var reynosa = await system.ApiClientAsync("gestora.reynosa");
        using var victoria = await system.ApiClientAsync("gestor.victoria");

        // The injection: Rosa's valid CURP, no name, MUNICIPIO=REYNOSA, and a Reynosa family's folio.
        await DropAsync(system, "injection.csv", string.Join(';', "DIF-6666", Rosa.Curp, "", "", "", "", "", "FAM-R1", "", "Asistencia Alimentaria", "Despensa",
            Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "ENTREGADO", "", "REYNOSA", ""));
        var extracts = await system.WaitForExtractsAsync(2);
        Assert.All(extracts, e => Assert.Equal((ExtractStatus.Resolved, e.RowsAccepted), (e.Status, e.RowsResolved)));
        Assert.Equal(1, extracts.Single(e => e.FileName == "injection.csv").RowsAccepted);
        Assert.Contains(reynosaHousehold, (await system.Api.SearchPersonsAsync(new { curp = Rosa.Curp })).Items.Single().Households);

        // Reynosa's case manager sees none of Rosa's: person, household, name search, municipality search.
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(reynosa, $"/api/households/{household}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(reynosa, $"/api/persons/{rosa}")).StatusCode);
        Assert.DoesNotContain((await reynosa.GetFromJsonAsync<SearchPage<PersonHit>>("/api/persons?name=rosa%20salazar%20ibarra"))!.Items, p => p.Id == rosa);
        Assert.DoesNotContain((await reynosa.GetFromJsonAsync<SearchPage<HouseholdHit>>("/api/households?name=ivan%20salazar"))!.Items, h => h.Id == household);
        Assert.DoesNotContain((await reynosa.GetFromJsonAsync<SearchPage<PersonHit>>("/api/persons?municipality=Reynosa"))!.Items, p => p.Id == rosa);
        // Nor does the listed membership open the Reynosa family to Victoria's case manager.
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(victoria, $"/api/households/{reynosaHousehold}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(victoria, $"/api/persons/{martaId}")).StatusCode);
        // Each case manager still sees their own.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(victoria, $"/api/persons/{rosa}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(reynosa, $"/api/households/{reynosaHousehold}")).StatusCode);

        // The row is kept, and auditors see that it named another municipality and moved nobody.
        using var auditor = await system.ApiClientAsync("auditora");
        var events = (await auditor.GetFromJsonAsync<TerritoryEventPage>($"/api/territory-events?person={rosa}"))!.Items;
        var ignored = Assert.Single(events, e => e.Cause == "ignored-claim");
        Assert.Equal(("VICTORIA", "REYNOSA", "DIF-TAM", "injection.csv"), (ignored.FromMunicipality, ignored.ToMunicipality, ignored.AgencyCode, ignored.FileName));
        Assert.Contains("identifier", ignored.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.ToMunicipality == "REYNOSA" && e.Cause != "ignored-claim");
        Assert.DoesNotContain((await auditor.GetFromJsonAsync<TerritoryEventPage>($"/api/territory-events?household={reynosaHousehold}"))!.Items,
            e => e.ToMunicipality == "VICTORIA");
        var log = await auditor.GetFromJsonAsync<JsonElement>($"/api/access-log?target={rosa}");
        Assert.Contains(log.GetProperty("items").EnumerateArray(), e => e.GetProperty("kind").GetString() == "territory-events");
    }

    [Fact]
    public async Task A_census_row_that_corroborates_identity_moves_the_household_to_the_new_municipality()
    {
        // No grace: the old municipality's case manager loses the family as soon as it moves.
        await using var system = await RegistrySystem.StartAsync(servers, chunkSize: 50,
            settings: new Dictionary<string, string?> { ["Access:PastMembershipGrace"] = "00:00:00" });
        await DropAsync(system, "census-1.csv", Rosa.Row("FAM-V2", "JEFA", "VICTORIA", Today.AddDays(-60)), Ivan.Row("FAM-V2", "HIJO", "VICTORIA", Today.AddDays(-60)));
        await system.WaitForExtractsAsync(1);
        var (rosa, household) = await PersonAndHouseholdAsync(system, Rosa);
        using var reynosa = await system.ApiClientAsync("gestora.reynosa");
        using var victoria = await system.ApiClientAsync("gestor.victoria");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(victoria, $"/api/households/{household}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(reynosa, $"/api/households/{household}")).StatusCode);

        // DIF's next visit finds the family in Reynosa: names and CURPs agree with the persons.
        await DropAsync(system, "census-2.csv", Rosa.Row("FAM-V2", "JEFA", "REYNOSA", Today), Ivan.Row("FAM-V2", "HIJO", "REYNOSA", Today));
        await system.WaitForExtractsAsync(2);

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(reynosa, $"/api/households/{household}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(reynosa, $"/api/persons/{rosa}")).StatusCode);
        Assert.Contains((await reynosa.GetFromJsonAsync<SearchPage<PersonHit>>("/api/persons?name=rosa%20salazar%20ibarra"))!.Items, p => p.Id == rosa);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(victoria, $"/api/households/{household}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(victoria, $"/api/persons/{rosa}")).StatusCode);
        Assert.Empty((await victoria.GetFromJsonAsync<SearchPage<PersonHit>>("/api/persons?name=rosa%20salazar%20ibarra"))!.Items);

        using var auditor = await system.ApiClientAsync("auditora");
        var moved = Assert.Single((await auditor.GetFromJsonAsync<TerritoryEventPage>($"/api/territory-events?person={rosa}"))!.Items, e => e.Cause == "record");
        Assert.Equal(("VICTORIA", "REYNOSA", "DIF-TAM", "census-2.csv"), (moved.FromMunicipality, moved.ToMunicipality, moved.AgencyCode, moved.FileName));
        var householdEvents = (await auditor.GetFromJsonAsync<TerritoryEventPage>($"/api/territory-events?household={household}"))!.Items;
        Assert.Contains(householdEvents, e => e.FromMunicipality == "VICTORIA" && e.ToMunicipality is null);
        Assert.Contains(householdEvents, e => e.FromMunicipality is null && e.ToMunicipality == "REYNOSA");
    }

    [Fact]
    public async Task A_steward_residence_decision_moves_a_household_and_the_old_municipality_keeps_it_for_the_grace()
    {
        await using var system = await RegistrySystem.StartAsync(servers, chunkSize: 50);
        await DropAsync(system, "census.csv", Rosa.Row("FAM-V3", "JEFA", "VICTORIA", Today.AddDays(-30)), Ivan.Row("FAM-V3", "HIJO", "VICTORIA", Today.AddDays(-30)));
        await system.WaitForExtractsAsync(1);
        var (rosa, household) = await PersonAndHouseholdAsync(system, Rosa);
        using var reynosa = await system.ApiClientAsync("gestora.reynosa");
        using var victoria = await system.ApiClientAsync("gestor.victoria");
        using var steward = await system.ApiClientAsync("custodio");

        // Only stewards decide, with a municipality and a reason.
        Assert.Equal(HttpStatusCode.Forbidden, (await reynosa.PostAsJsonAsync($"/api/households/{household}/residence", new { municipality = "Reynosa", reason = "x" })).StatusCode);
        using (var noReason = await steward.PostAsJsonAsync($"/api/households/{household}/residence", new { municipality = "Reynosa" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
            Assert.Contains("reason", await noReason.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await steward.PostAsJsonAsync($"/api/persons/{Guid.NewGuid()}/residence", new { municipality = "Reynosa", reason = "visita" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(reynosa, $"/api/households/{household}")).StatusCode);

        using var decided = await steward.PostAsJsonAsync($"/api/households/{household}/residence",
            new { municipality = "Reynosa", reason = "Visita domiciliaria: la familia vive en Reynosa desde octubre" });
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Equal(2, (await decided.Content.ReadFromJsonAsync<HouseholdResidenceResult>())!.MembersMoved);

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(reynosa, $"/api/households/{household}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(reynosa, $"/api/persons/{rosa}")).StatusCode);
        // Within the grace (90 days by default) Victoria's case manager still has the case in hand.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(victoria, $"/api/households/{household}")).StatusCode);

        using var auditor = await system.ApiClientAsync("auditora");
        var events = (await auditor.GetFromJsonAsync<TerritoryEventPage>($"/api/territory-events?person={rosa}"))!.Items;
        var decision = Assert.Single(events, e => e.Cause == "steward");
        Assert.Equal(("VICTORIA", "REYNOSA", "custodio"), (decision.FromMunicipality, decision.ToMunicipality, decision.DecidedBy));
        Assert.StartsWith("Visita domiciliaria", decision.Reason, StringComparison.Ordinal);
        Assert.Contains((await auditor.GetFromJsonAsync<TerritoryEventPage>($"/api/territory-events?household={household}"))!.Items,
            e => e.ToMunicipality == "REYNOSA" && e.DecidedBy == "custodio");
        // Case managers do not list territory events.
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(reynosa, "/api/territory-events")).StatusCode);
    }

    [Fact]
    public async Task A_past_membership_stops_granting_after_the_grace()
    {
        await using var system = await RegistrySystem.StartAsync(servers, chunkSize: 50);
        var ana = new Member("DIF-9201", "ANA", "TORRES", "MEDINA", Sex.Female, new DateOnly(1975, 1, 9));
        var luis = new Member("DIF-9202", "LUIS", "TORRES", "MEDINA", Sex.Male, new DateOnly(2001, 4, 21));
        var olga = new Member("DIF-9301", "OLGA", "RUIZ", "CANTU", Sex.Female, new DateOnly(1970, 6, 30));
        var tito = new Member("DIF-9302", "ALBERTO", "RUIZ", "CANTU", Sex.Male, new DateOnly(2002, 11, 5));
        await DropAsync(system, "census-1.csv",
            ana.Row("FAM-A", "JEFA", "VICTORIA", Today.AddDays(-400)), luis.Row("FAM-A", "HIJO", "VICTORIA", Today.AddDays(-400)),
            olga.Row("FAM-B", "JEFA", "VICTORIA", Today.AddDays(-400)), tito.Row("FAM-B", "HIJO", "VICTORIA", Today.AddDays(-400)));
        await system.WaitForExtractsAsync(1);
        // Luis left his mother's household 200 days ago, Alberto 10 days ago; both now live in Reynosa.
        await DropAsync(system, "census-2.csv",
            luis.Row("FAM-C", "JEFE", "REYNOSA", Today.AddDays(-200)), tito.Row("FAM-D", "JEFE", "REYNOSA", Today.AddDays(-10)));
        await system.WaitForExtractsAsync(2);
        var (anaId, familyA) = await PersonAndHouseholdAsync(system, ana);
        var (luisId, _) = await PersonAndHouseholdAsync(system, luis);
        var (titoId, _) = await PersonAndHouseholdAsync(system, tito);
        using var victoria = await system.ApiClientAsync("gestor.victoria");
        using var reynosa = await system.ApiClientAsync("gestora.reynosa");

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(victoria, $"/api/households/{familyA}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(victoria, $"/api/persons/{anaId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(victoria, $"/api/persons/{luisId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(victoria, $"/api/persons/{titoId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(reynosa, $"/api/persons/{luisId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(reynosa, $"/api/persons/{titoId}")).StatusCode);
        // Ana's household never lived in Reynosa, even for the moment Luis was both moving and still listed in it.
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(reynosa, $"/api/households/{familyA}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(reynosa, $"/api/persons/{anaId}")).StatusCode);
    }

    private static async Task DropAsync(RegistrySystem system, string name, params string[] rows)
    {
        var path = Path.Combine(Path.GetTempPath(), "registry-tests", Guid.NewGuid().ToString("N")[..8] + "-" + name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, Header + "\n" + string.Join("\n", rows) + "\n", Encoding.Latin1);
        await system.DropAsync("dif-alimentaria", path, name);
        File.Delete(path);
    }

    /// <summary>The person with this member's CURP and a household of theirs (as an admin finds them; tests call it while there is one).</summary>
    private static async Task<(Guid Person, Guid Household)> PersonAndHouseholdAsync(RegistrySystem system, Member member)
    {
        var hit = (await system.Api.SearchPersonsAsync(new { curp = member.Curp })).Items.Single();
        return (hit.Id, hit.Households.Order().First());
    }

    private static Task<HttpResponseMessage> GetAsync(HttpClient client, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Purpose", "seguimiento de caso");
        return client.SendAsync(request);
    }
}

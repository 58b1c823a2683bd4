using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Registry.Api.Search;
using Registry.Api.Tests.Infrastructure;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Api.Tests.Search;

/// <summary>Search finds people the way case managers type them, stays in their territory, and shrugs off hostile input.</summary>
[Collection(SeededCollection.Name)]
public sealed class SearchTests(SeededRegistry registry)
{
    private async Task<SearchPage<T>> Get<T>(string user, string query) =>
        (await (await registry.ClientAsync(user)).GetFromJsonAsync<SearchPage<T>>(query))!;

    [Theory]
    [InlineData("ximena gonzalez cantu")]      // no accents
    [InlineData("XIMENA GONSALEZ CANTU")]      // misspelt surname
    [InlineData("Ximena González")]            // accents, maternal surname missing
    [InlineData("gonzalez cantu ximena")]      // surname first
    [InlineData("ximena")]                     // one word: no pair of words to block on, trigram similarity alone
    [InlineData("Ximena Gonsales Cantú")]      // blocked on XIMENA + CANTU, ranked by similarity
    [InlineData("ximena gonsales")]            // two words, one misspelt: any one word in the case manager's territory
    public async Task A_misspelt_or_unaccented_name_finds_the_household(string name)
    {
        var page = await Get<HouseholdHit>("gestora.reynosa", "/api/households?name=" + Uri.EscapeDataString(name));
        Assert.Equal(registry.ReynosaHousehold, page.Items[0].Id);
    }

    [Fact]
    public async Task Particles_in_a_compound_given_name_do_not_matter()
    {
        var withParticles = await Get<PersonHit>("custodio", "/api/persons?name=" + Uri.EscapeDataString("María de los Ángeles Hernández"));
        var without = await Get<PersonHit>("custodio", "/api/persons?name=" + Uri.EscapeDataString("maria angeles hernandez"));
        var top = withParticles.Items[0];
        Assert.Equal("HERNÁNDEZ", top.PaternalSurname);
        Assert.Equal(top.Id, without.Items[0].Id);
    }

    [Fact]
    public async Task Search_by_CURP_agency_person_id_municipality_and_poligono()
    {
        var admin = await registry.ClientAsync("admin");
        var byCurp = await admin.SearchPersonsAsync(new { curp = "gocx670904mtsnnm02" });
        Assert.Equal(registry.Ximena, Assert.Single(byCurp.Items).Id);
        var byAgencyId = await admin.SearchPersonsAsync(new { agencyPersonId = "EXP-1001" });
        Assert.Equal(registry.Ximena, Assert.Single(byAgencyId.Items).Id);
        var byAgencyIdAndAgency = await admin.SearchPersonsAsync(new { agencyPersonId = "DIF-5001", agency = "DIF-TAM" });
        Assert.Equal(registry.Ximena, Assert.Single(byAgencyIdAndAgency.Items).Id);
        var householdByCurp = await admin.SearchHouseholdsAsync(new { curp = SeededRegistry.XimenaCurp });
        Assert.Equal(registry.ReynosaHousehold, Assert.Single(householdByCurp.Items).Id);

        var victoria = await Get<HouseholdHit>("admin", "/api/households?municipality=victoria&pageSize=100");
        Assert.Contains(victoria.Items, h => h.Id == registry.VictoriaHousehold);
        Assert.All(victoria.Items, h => Assert.Contains("VICTORIA", h.Municipalities));
        var poligono = await Get<HouseholdHit>("admin", "/api/households?poligono=" + Uri.EscapeDataString("poligono norte") + "&pageSize=100");
        Assert.Equal(victoria.Items.Select(h => h.Id).Order(), poligono.Items.Select(h => h.Id).Order());
    }

    [Fact]
    public async Task A_case_manager_finds_only_households_of_their_municipalities()
    {
        var reynosa = await Get<HouseholdHit>("gestora.reynosa", "/api/households?name=ana laura&pageSize=100");
        var all = await Get<HouseholdHit>("admin", "/api/households?name=ana laura&pageSize=100");
        Assert.NotEmpty(reynosa.Items);
        Assert.True(all.Items.Count > reynosa.Items.Count, "ANA LAURA lives in several municipalities");
        Assert.All(reynosa.Items, h => Assert.Contains("REYNOSA", h.Municipalities));
        var victoria = await Get<HouseholdHit>("gestor.victoria", "/api/households?name=ximena gonzalez cantu");
        Assert.DoesNotContain(victoria.Items, h => h.Id == registry.ReynosaHousehold);
    }

    [Theory]
    [InlineData("ximena gonsales")]   // a misspelt word among two: found by the other word, in the territory's name index
    [InlineData("laura")]             // one word
    public async Task A_case_managers_fallback_search_stays_in_their_territory(string name)
    {
        var reynosa = await Get<HouseholdHit>("gestora.reynosa", "/api/households?name=" + Uri.EscapeDataString(name) + "&pageSize=100");
        Assert.NotEmpty(reynosa.Items);
        Assert.All(reynosa.Items, h => Assert.Contains("REYNOSA", h.Municipalities));
        var victoria = await Get<HouseholdHit>("gestor.victoria", "/api/households?name=" + Uri.EscapeDataString(name) + "&pageSize=100");
        Assert.DoesNotContain(victoria.Items, h => h.Id == registry.ReynosaHousehold);
    }

    [Fact]
    public async Task Results_are_paged()
    {
        var first = await Get<PersonHit>("admin", "/api/persons?municipality=reynosa&pageSize=5");
        var second = await Get<PersonHit>("admin", "/api/persons?municipality=reynosa&pageSize=5&page=2");
        Assert.Equal(5, first.Items.Count);
        Assert.True(first.HasMore);
        Assert.Empty(first.Items.Select(p => p.Id).Intersect(second.Items.Select(p => p.Id)));
    }

    public static readonly TheoryData<string> Injections = new()
    {
        "' OR '1'='1", "'; DROP TABLE persons; --", "x') OR 1=1 --", "%", "_", "\\", "%' OR ''='", "GONZALEZ'; SELECT pg_sleep(5); --",
        "\" OR \"\"=\"", "1; UPDATE access_log SET subject='x'",
    };

    [Theory]
    [InlineData("/api/persons?curp=GOCX670904MTSNNM02")]
    [InlineData("/api/households?curp=GOCX670904MTSNNM02")]
    [InlineData("/api/persons?agencyPersonId=EXP-1001")]
    [InlineData("/api/households?agencyPersonId=DIF-5001&agency=DIF-TAM")]
    public async Task An_identifier_in_a_search_URL_gets_400_saying_to_POST_it(string query)
    {
        using var response = await (await registry.ClientAsync("admin")).GetAsync(query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("not accepted in a URL", body, StringComparison.Ordinal);
        Assert.Contains("POST the criteria as JSON to /api/persons/search or /api/households/search", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Any_criterion_may_be_POSTed_and_finds_what_the_GET_finds()
    {
        var admin = await registry.ClientAsync("admin");
        var byGet = await Get<HouseholdHit>("admin", "/api/households?name=ximena gonzalez cantu&municipality=reynosa");
        var byPost = await admin.SearchHouseholdsAsync(new { name = "ximena gonzalez cantu", municipality = "reynosa" });
        Assert.Equal(byGet.Items.Select(h => h.Id), byPost.Items.Select(h => h.Id));
        Assert.Equal(registry.ReynosaHousehold, byPost.Items[0].Id);
    }

    [Theory]
    [MemberData(nameof(Injections))]
    public async Task SQL_injection_strings_are_searched_for_as_text(string hostile)
    {
        var client = await registry.ClientAsync("admin");
        foreach (var field in new[] { "name", "curp", "address", "municipality", "poligono", "agencyPersonId" })
        {
            var value = field == "curp" ? hostile[..Math.Min(hostile.Length, 18)] : hostile;
            using var response = await client.PostAsJsonAsync("/api/persons/search", new Dictionary<string, string> { [field] = value });
            // Either a clear 400 (too short / not a name) or an ordinary answer that did not match everyone.
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{field}={hostile}: {response.StatusCode}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var page = (await response.Content.ReadFromJsonAsync<SearchPage<PersonHit>>())!;
                Assert.True(page.Items.Count < 5, $"{field}={hostile} matched {page.Items.Count} persons");
            }
        }
        await using var db = new NpgsqlConnection(registry.System.ConnectionString);
        await db.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM persons", db);
        Assert.True((long)(await count.ExecuteScalarAsync())! > 40, "persons table intact");
    }

    [Theory]
    [InlineData("/api/persons")]                                   // no criterion
    [InlineData("/api/households?name=a")]                         // too short to mean anything
    [InlineData("/api/persons?pageSize=1000&name=ximena")]
    [InlineData("/api/persons?page=0&name=ximena")]
    public async Task Unusable_searches_get_a_clear_400(string query)
    {
        using var response = await (await registry.ClientAsync("admin")).GetAsync(query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("detail", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("address")]
    [InlineData("municipality")]
    [InlineData("poligono")]
    public async Task An_oversized_value_gets_400_and_no_query(string field)
    {
        var client = await registry.ClientAsync("admin");
        using var response = await client.GetAsync($"/api/households?{field}={new string('A', 5_000)}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 200 characters", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Past the server's request-line limit the request never reaches the application at all.
        using var huge = await client.GetAsync($"/api/households?{field}={new string('A', 20_000)}");
        Assert.Equal(HttpStatusCode.RequestUriTooLong, huge.StatusCode);
    }

    [Theory]
    [InlineData("curp", "GOCX670904MTSNNM02XXXXXXXX", "curp is at most 18 characters")]
    [InlineData("agencyPersonId", null, "at most 200 characters")]
    [InlineData("name", null, "at most 200 characters")]
    public async Task An_unusable_POSTed_search_gets_a_clear_400(string field, string? value, string expected)
    {
        var client = await registry.ClientAsync("admin");
        using var response = await client.PostAsJsonAsync("/api/households/search", new Dictionary<string, string> { [field] = value ?? new string('A', 5_000) });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Npgsql;
using Registry.Api.Search;
using Registry.Api.Tests.Infrastructure;

namespace Registry.Api.Tests.Households;

/// <summary>What a case manager sees first of a household and a person: the family and its place, in their language — not an id and snake_case.</summary>
[Collection(SeededCollection.Name)]
public sealed class HouseholdHeadingTests(SeededRegistry registry)
{
    [Fact]
    public async Task A_household_page_is_headed_by_the_family_its_members_address_and_territory_with_the_id_in_small_print()
    {
        var client = await registry.ClientAsync("gestora.reynosa");
        var json = JsonDocument.Parse(await client.GetStringAsync($"/api/households/{registry.ReynosaHousehold}")).RootElement;
        var heading = json.GetProperty("heading");
        // Ximena is the head (JEFA) of DIF's FAM-2300.
        Assert.Equal(registry.Ximena, heading.GetProperty("headId").GetGuid());
        var current = json.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("validTo").ValueKind == JsonValueKind.Null);
        Assert.Equal(current, heading.GetProperty("currentMembers").GetInt32());
        Assert.Contains("REYNOSA", heading.GetProperty("municipalities").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("POLIGONO LAS CUMBRES", heading.GetProperty("poligono").GetString());

        var page = System.Net.WebUtility.HtmlDecode(await client.GetStringAsync($"/hogares/{registry.ReynosaHousehold}"));
        var h1 = page[(page.IndexOf("<h1>", StringComparison.Ordinal) + 4)..page.IndexOf("</h1>", StringComparison.Ordinal)];
        Assert.StartsWith("Familia de XIMENA", h1, StringComparison.Ordinal);
        Assert.DoesNotContain(registry.ReynosaHousehold.ToString(), h1, StringComparison.Ordinal);
        Assert.Contains($"{current} integrantes", page, StringComparison.Ordinal);
        Assert.Contains("REYNOSA › POLIGONO LAS CUMBRES", page, StringComparison.Ordinal);
        Assert.Contains($"<small>Id del hogar <code id=\"household-id\">{registry.ReynosaHousehold}</code></small>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_municipality_no_visible_source_reports_is_not_shown_to_a_case_manager_without_the_grant()
    {
        // Where a household lives can rest on the record that created a member — a clinic's, say. Stand-in: the Reynosa household
        // also lives in MATAMOROS, which no source reports for its members.
        await using var db = new NpgsqlConnection(registry.System.ConnectionString);
        await db.ExecuteAsync("INSERT INTO household_territories (household_id, municipality) VALUES (@id, 'MATAMOROS')", new { id = registry.ReynosaHousehold });
        try
        {
            async Task<(string[] Page, string[] Search)> Seen(string user)
            {
                var client = await registry.ClientAsync(user);
                var heading = JsonDocument.Parse(await client.GetStringAsync($"/api/households/{registry.ReynosaHousehold}")).RootElement.GetProperty("heading");
                var search = await client.GetFromJsonAsync<SearchPage<HouseholdHit>>("/api/households?name=" + Uri.EscapeDataString("ximena gonzalez cantu"));
                return ([.. heading.GetProperty("municipalities").EnumerateArray().Select(m => m.GetString()!)],
                    search!.Items.Single(h => h.Id == registry.ReynosaHousehold).Municipalities);
            }
            var caseManager = await Seen("gestora.reynosa");
            Assert.Equal(["REYNOSA"], caseManager.Page);
            Assert.Equal(["REYNOSA"], caseManager.Search);
            var steward = await Seen("custodio");
            Assert.Equal(["MATAMOROS", "REYNOSA"], steward.Page);
            Assert.Equal(["MATAMOROS", "REYNOSA"], steward.Search);
        }
        finally
        {
            await db.ExecuteAsync("DELETE FROM household_territories WHERE household_id = @id AND municipality = 'MATAMOROS'", new { id = registry.ReynosaHousehold });
        }
    }

    [Fact]
    public async Task Golden_record_fields_are_labelled_in_Spanish_and_in_English_with_the_switch()
    {
        var client = await registry.ClientAsync("gestora.salud");
        var page = await client.GetStringAsync($"/personas/{registry.Ximena}");
        Assert.Contains(">Primer apellido</td>", page, StringComparison.Ordinal);
        Assert.Contains(">Fecha de nacimiento</td>", page, StringComparison.Ordinal);
        Assert.DoesNotContain(">paternal_surname</td>", page, StringComparison.Ordinal);
        using var english = new HttpRequestMessage(HttpMethod.Get, $"/personas/{registry.Ximena}");
        english.Headers.Add("Cookie", "registry.lang=en");
        var englishPage = await (await client.SendAsync(english)).Content.ReadAsStringAsync();
        Assert.Contains(">Paternal surname</td>", englishPage, StringComparison.Ordinal);
        Assert.Contains(">Birth date</td>", englishPage, StringComparison.Ordinal);
    }
}

using System.Net.Http.Json;
using Registry.Api.Households;
using Registry.Api.Search;
using Registry.Api.Tests.Infrastructure;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Api.Tests.Access;

/// <summary>Sensitive sectors (health, security): a case manager sees that a service exists, its sector and date — not its agency nor any other detail — unless granted.</summary>
[Collection(SeededCollection.Name)]
public sealed class RedactionTests(SeededRegistry registry)
{
    [Fact]
    public async Task A_case_manager_without_the_grant_sees_health_services_as_sector_and_date_only()
    {
        var client = await registry.ClientAsync("gestora.reynosa");
        var household = (await client.GetFromJsonAsync<Household360>($"/api/households/{registry.ReynosaHousehold}"))!;

        var health = household.Timeline.Where(s => s.Sector == "health").ToList();
        Assert.NotEmpty(health);
        Assert.All(health, s =>
        {
            Assert.True(s.Redacted);
            Assert.Null(s.Programme);
            Assert.Null(s.ServiceType);
            Assert.Null(s.Status);
            Assert.NotNull(s.ServiceDate);
            Assert.Null(s.AgencyCode);
            Assert.Null(s.Id);
            Assert.Null(s.ExtractId);
            Assert.Null(s.FileSha256);
            Assert.Null(s.RowNumber);
        });
        // Nor is the agency named among the household's agencies; DIF, which is not sensitive, is.
        Assert.Equal(["DIF-TAM"], household.Agencies);
        // The same rule in the by-sector view, and social services stay fully visible.
        Assert.All(household.Sectors.Single(s => s.Sector == "health").Services, s => Assert.Null(s.Programme));
        Assert.All(household.Timeline.Where(s => s.Sector == "social"), s => { Assert.False(s.Redacted); Assert.NotNull(s.Programme); });
        // Nothing of the detail leaks anywhere in the raw answer.
        var raw = await client.GetStringAsync($"/api/households/{registry.ReynosaHousehold}");
        Assert.DoesNotContain("Vacunación universal", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("SSA-TAM", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("SSPT-CEPD", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_case_manager_granted_health_and_an_auditor_see_the_programme()
    {
        foreach (var user in new[] { "gestora.salud", "auditora" })
        {
            var client = await registry.ClientAsync(user);
            var household = (await client.GetFromJsonAsync<Household360>($"/api/households/{registry.ReynosaHousehold}"))!;
            var health = household.Timeline.Where(s => s.Sector == "health").ToList();
            Assert.NotEmpty(health);
            Assert.All(health, s => { Assert.False(s.Redacted); Assert.NotNull(s.Programme); });
            Assert.Contains(health, s => s.Programme == "Vacunación universal");
            Assert.All(health, s => Assert.Equal("SSA-TAM", s.AgencyCode));
            Assert.Contains("SSPT-CEPD", household.Agencies);
        }
    }

    [Fact]
    public async Task The_household_page_hides_the_detail_from_a_case_manager_without_the_grant()
    {
        var client = await registry.ClientAsync("gestora.reynosa");
        var html = await client.GetStringAsync($"/hogares/{registry.ReynosaHousehold}");
        Assert.Contains("detalle reservado", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Vacunación universal", html, StringComparison.Ordinal);
        Assert.DoesNotContain("SSA-TAM", html, StringComparison.Ordinal);
        Assert.Contains("Lazos del Bienestar", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Household_360_groups_services_by_sector_and_names_the_sectors_without_recent_service()
    {
        var client = await registry.ClientAsync("custodio");
        var household = (await client.GetFromJsonAsync<Household360>($"/api/households/{registry.ReynosaHousehold}?asOf=2026-11-01"))!;
        Assert.Equal(household.Timeline.Count, household.Sectors.Sum(s => s.Count));
        Assert.Contains(household.Sectors, s => s.Sector == "health");
        Assert.Contains(household.Sectors, s => s.Sector == "social");
        // The samples carry only health, social and security services: the other three sectors are gaps.
        Assert.Contains(household.Sectors, s => s.Sector == "security");
        Assert.Equal(["economy", "education", "housing"], household.SectorsWithoutRecentService.Order(StringComparer.Ordinal).ToArray());
        // Two years on, with nothing new, every sector is a gap.
        var later = (await client.GetFromJsonAsync<Household360>($"/api/households/{registry.ReynosaHousehold}?asOf=2028-12-31"))!;
        Assert.Equal(6, later.SectorsWithoutRecentService.Count);
        Assert.All(household.Members, m => Assert.NotNull(m.ValidFrom));
        Assert.Contains(household.Members, m => m.Relationship == "JEFA");
    }

    [Fact]
    public async Task The_person_page_shows_a_sensitive_record_as_sector_and_date_and_fields_only_from_visible_sources()
    {
        var without = await registry.ClientAsync("gestora.reynosa");
        var person = (await without.GetFromJsonAsync<Registry.Api.Persons.PersonView>($"/api/persons/{registry.Ximena}"))!;
        // Her SSA and SSPT records are listed as "a health / security record on date D", with no id, agency, file or key.
        var reserved = person.Sources.Where(s => s.Reserved).ToList();
        Assert.Contains(reserved, s => s.Sector == "health");
        Assert.Contains(reserved, s => s.Sector == "security");
        Assert.All(reserved, s =>
        {
            Assert.NotNull(s.ServiceDate);
            Assert.Null(s.SourceRecordId);
            Assert.Null(s.AgencyCode);
            Assert.Null(s.FileName);
            Assert.Null(s.MatchedKey);
        });
        Assert.All(person.Sources.Where(s => !s.Reserved), s => Assert.Equal("DIF-TAM", s.AgencyCode));
        // Every golden field comes from DIF; the phone only the prevention centre gave is blank, with the neutral note.
        Assert.All(person.Fields.Where(f => f.Value is not null), f => Assert.Equal("DIF-TAM", f.AgencyCode));
        var phone = Assert.Single(person.Fields, f => f.Field == "phone");
        Assert.Null(phone.Value);
        Assert.Equal(Registry.Api.Persons.PersonQueries.ReservedNote, phone.Note);
        Assert.Equal(SeededRegistry.XimenaCurp, person.Person.Curp);

        // Granted health and security, the same person shows her clinic and prevention-centre records and the phone.
        var with = await registry.ClientAsync("gestora.salud");
        var full = (await with.GetFromJsonAsync<Registry.Api.Persons.PersonView>($"/api/persons/{registry.Ximena}"))!;
        Assert.DoesNotContain(full.Sources, s => s.Reserved);
        Assert.Contains(full.Sources, s => s.AgencyCode == "SSPT-CEPD");
        Assert.Equal("SSPT-CEPD", Assert.Single(full.Fields, f => f.Field == "phone").AgencyCode);

        var html = await without.GetStringAsync($"/personas/{registry.Ximena}");
        Assert.Contains("registro reservado", html, StringComparison.Ordinal);
        Assert.Contains("dato reservado o no disponible", html, StringComparison.Ordinal);
        Assert.DoesNotContain("SSPT-CEPD", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_member_whose_golden_surname_a_clinic_wrote_is_listed_by_the_surname_DIF_wrote_to_a_reader_without_the_grant()
    {
        const string curp = "MARG100510MTSRDDA6";
        foreach (var (user, surname) in new[] { ("gestora.reynosa", "MARTÍNEZ"), ("gestora.salud", "MARTINES") })
        {
            var client = await registry.ClientAsync(user);
            var hit = Assert.Single((await client.SearchHouseholdsAsync(new { curp })).Items);
            Assert.Contains($"MARÍA GUADALUPE {surname} RODRÍGUEZ", hit.MemberNames, StringComparison.Ordinal);
            var household = (await client.GetFromJsonAsync<Household360>($"/api/households/{hit.Id}"))!;
            Assert.Equal(surname, household.Members.Single(m => m.Curp == curp).PaternalSurname);
            var person = Assert.Single((await client.SearchPersonsAsync(new { curp })).Items);
            Assert.Equal(surname, person.PaternalSurname);
        }
    }
}

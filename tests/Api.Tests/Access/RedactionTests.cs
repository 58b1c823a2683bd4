using System.Net.Http.Json;
using Registry.Api.Households;
using Registry.Api.Tests.Infrastructure;

namespace Registry.Api.Tests.Access;

/// <summary>Sensitive sectors (health, security): a case manager sees that a service exists, its sector, agency and date — not its detail — unless granted.</summary>
[Collection(SeededCollection.Name)]
public sealed class RedactionTests(SeededRegistry registry)
{
    [Fact]
    public async Task A_case_manager_without_the_grant_sees_health_services_without_their_programme()
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
            Assert.Equal("SSA-TAM", s.AgencyCode);
        });
        // The same rule in the by-sector view, and social services stay fully visible.
        Assert.All(household.Sectors.Single(s => s.Sector == "health").Services, s => Assert.Null(s.Programme));
        Assert.All(household.Timeline.Where(s => s.Sector == "social"), s => { Assert.False(s.Redacted); Assert.NotNull(s.Programme); });
        // Nothing of the detail leaks anywhere in the raw answer.
        var raw = await client.GetStringAsync($"/api/households/{registry.ReynosaHousehold}");
        Assert.DoesNotContain("Vacunación universal", raw, StringComparison.Ordinal);
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
        }
    }

    [Fact]
    public async Task The_household_page_hides_the_detail_from_a_case_manager_without_the_grant()
    {
        var client = await registry.ClientAsync("gestora.reynosa");
        var html = await client.GetStringAsync($"/hogares/{registry.ReynosaHousehold}");
        Assert.Contains("detalle reservado", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Vacunación universal", html, StringComparison.Ordinal);
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
        // The samples carry only health and social services: the other four sectors are gaps.
        Assert.Equal(["economy", "education", "housing", "security"], household.SectorsWithoutRecentService.Order(StringComparer.Ordinal).ToArray());
        // Two years on, with nothing new, every sector is a gap.
        var later = (await client.GetFromJsonAsync<Household360>($"/api/households/{registry.ReynosaHousehold}?asOf=2028-12-31"))!;
        Assert.Equal(6, later.SectorsWithoutRecentService.Count);
        Assert.All(household.Members, m => Assert.NotNull(m.ValidFrom));
        Assert.Contains(household.Members, m => m.Relationship == "JEFA");
    }
}

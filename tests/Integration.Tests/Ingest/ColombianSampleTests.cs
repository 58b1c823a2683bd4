using System.Net.Http.Json;
using Registry.Api.Households;
using Registry.Api.Summary;
using Registry.Extracts;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Integration.Tests.Ingest;

/// <summary>
/// Medellín's family-accompaniment visits through the real inbox, bus and resolver, in chunks small enough that a
/// child's registro civil and later tarjeta de identidad (one NUIP, two member ids) meet only through the registry.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class ColombianSampleTests(RegistryServers servers)
{
    [Fact]
    public async Task Medellins_visits_resolve_to_thirteen_people_in_four_households_found_by_comuna()
    {
        await using var system = await RegistrySystem.StartAsync(servers, chunkSize: 4);
        await system.DropAsync("medellin-acompanamiento",
            Directory.EnumerateFiles(Path.Combine(RepoPaths.Samples, "medellin-acompanamiento")).Single());

        var extract = (await system.WaitForExtractsAsync(1)).Single();
        Assert.Equal((ExtractStatus.Resolved, 25, 23, 2), (extract.Status, extract.RowsTotal, extract.RowsAccepted, extract.RowsRejected));
        Assert.Equal(1, extract.Warnings.GetValueOrDefault("document_number"));
        Assert.Equal(1, extract.Warnings.GetValueOrDefault("birth_date"));

        var summary = (await system.Api.GetFromJsonAsync<RegistrySummary>("/api/summary"))!;
        Assert.Equal((13, 4), ((int)summary.Persons, (int)summary.Households));

        // The comuna fills the territory slot: comuna 1's family, with JUAN DAVID once although two member ids and two documents.
        var hits = await system.Api.SearchHouseholdsAsync(new { poligono = "1 - Popular" });
        var household = (await system.Api.GetFromJsonAsync<Household360>($"/api/households/{Assert.Single(hits.Items).Id}"))!;
        Assert.Equal(4, household.Members.Count);
    }
}

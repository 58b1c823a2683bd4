using System.Net.Http.Json;
using Registry.Api.Households;
using Registry.Api.Search;
using Registry.Api.Summary;
using Registry.Extracts;
using Registry.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Integration.Tests.Ingest;

/// <summary>
/// Every shipped CSV sample at once, as `make demo` drops them: seven agencies, each typing the same
/// families its own way. Each extract's acceptance report is exact, and one family's household shows
/// services from all six sectors.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class CrossSectorTests(RegistryServers servers, ITestOutputHelper output)
{
    private static readonly Dictionary<string, (int Rows, int Rejected)> Expected = new()
    {
        // Planted impossible birth dates are warnings (their rows accepted), not rejections: ssa 1, dif 1, bienestar 1, sspt 1.
        ["ssa-consultas"] = (47, 1), ["dif-alimentaria"] = (57, 0), ["sep-inscripciones"] = (45, 3),
        ["bienestar-microcreditos"] = (45, 2), ["sspt-prevencion"] = (40, 1), ["itavu-mejoramiento"] = (46, 2),
        ["osc-comedores"] = (50, 2),
    };

    [Fact]
    public async Task Seven_agencies_extracts_resolve_exactly_and_one_household_shows_services_from_every_sector()
    {
        await using var system = await RegistrySystem.StartAsync(servers, chunkSize: 20);
        foreach (var feed in Expected.Keys)
            await system.DropAsync(feed, Directory.EnumerateFiles(Path.Combine(RepoPaths.Samples, feed)).Single());

        var extracts = await system.WaitForExtractsAsync(Expected.Count);

        foreach (var e in extracts.OrderBy(e => e.FeedCode, StringComparer.Ordinal))
        {
            output.WriteLine($"{e.FeedCode,-24} {e.Status,-9} rows {e.RowsTotal,3} = {e.RowsAccepted,3} accepted + {e.RowsRejected} rejected");
            var (rows, rejected) = Expected[e.FeedCode];
            Assert.Equal((ExtractStatus.Resolved, rows, rows - rejected, rejected), (e.Status, e.RowsTotal, e.RowsAccepted, e.RowsRejected));
            Assert.Equal(e.RowsAccepted, e.RowsResolved);
        }
        var summary = (await system.Api.GetFromJsonAsync<RegistrySummary>("/api/summary"))!;
        output.WriteLine($"persons {summary.Persons}, households {summary.Households}, service events {summary.ServiceEvents}");

        // Ximena González Cantú's family: health and DIF by CURP, the others by name, birth date, phone, address.
        var hits = await system.Api.SearchHouseholdsAsync(new { curp = "GOCX670904MTSNNM02" });
        var household = (await system.Api.GetFromJsonAsync<Household360>($"/api/households/{Assert.Single(hits!.Items).Id}"))!;
        output.WriteLine($"household {household.Id}: {string.Join(", ", household.ServicesBySector.Select(s => $"{s.Key} {s.Value}"))}; agencies {string.Join(", ", household.Agencies)}");
        Assert.Equal(HouseholdQueries.SectorOrder.Order(StringComparer.Ordinal), household.ServicesBySector.Keys.Order(StringComparer.Ordinal));
    }
}

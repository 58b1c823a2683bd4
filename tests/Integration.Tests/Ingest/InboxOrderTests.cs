using Npgsql;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Integration.Tests.Ingest;

/// <summary>
/// Files that arrive together are registered — and so resolved — in one order, the feeds' and then the files' names,
/// whatever the moment each one landed: dropped twice, a batch gives the same persons.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class InboxOrderTests(RegistryServers servers)
{
    [Fact]
    public async Task Files_landing_within_the_settle_time_are_registered_in_feed_and_name_order_not_as_they_landed()
    {
        await using var system = await RegistrySystem.StartAsync(servers, settings: new Dictionary<string, string?>
        {
            ["Inbox:SettleTime"] = "00:00:01.500",
        });
        // The security feed's file lands first, then two of the micro-credit feed (earlier in the catalog), the later name first.
        await system.DropAsync("sspt-prevencion", Path.Combine(RepoPaths.Samples, "sspt-prevencion", "atenciones-2026-10.csv"));
        await Task.Delay(400);
        var credits = Path.Combine(RepoPaths.Samples, "bienestar-microcreditos", "cartera-2026-10.tsv");
        await system.DropAsync("bienestar-microcreditos", credits, "cartera-2026-11.tsv");
        await Task.Delay(400);
        var earlier = Path.Combine(Path.GetTempPath(), "cartera-" + Guid.NewGuid().ToString("N")[..8] + ".tsv");
        // Another content (the same bytes would be the same extract): the sample without its last row.
        var lines = File.ReadAllLines(credits);
        await File.WriteAllLinesAsync(earlier, lines[..^1]);
        await system.DropAsync("bienestar-microcreditos", earlier, "cartera-2026-10.tsv");
        File.Delete(earlier);

        await system.WaitForExtractsAsync(3);
        await using var db = new NpgsqlConnection(system.ConnectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT string_agg(file_name, ' ' ORDER BY seq) FROM extracts", db);
        Assert.Equal("cartera-2026-10.tsv cartera-2026-11.tsv atenciones-2026-10.csv", await command.ExecuteScalarAsync());
    }
}

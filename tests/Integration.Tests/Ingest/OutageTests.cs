using Npgsql;
using Registry.Extracts;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Integration.Tests.Ingest;

/// <summary>
/// The database goes away in the middle of a run — a restart, a failover — and comes back: the workers wait
/// (their health says degraded meanwhile) and every extract ends exactly as it would have without the outage,
/// with no one moving messages by hand.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class OutageTests(RegistryServers servers)
{
    private const int ChunkSize = 5;

    [Fact]
    public async Task A_database_outage_mid_run_ends_with_every_extract_exact_and_the_same_persons_as_a_run_without_it()
    {
        var clean = await RunAsync(outage: null);

        await using var outage = DatabaseOutage.For(servers.AdminConnectionString);
        var faulted = await RunAsync(outage);

        Assert.Equal(clean.Persons, faulted.Persons);
        Assert.Equal(clean.Counts, faulted.Counts);
        Assert.Contains("Degraded", faulted.HealthDuringOutage, StringComparison.Ordinal);
    }

    private sealed record RunResult(string[] Persons, string[] Counts, string HealthDuringOutage);

    private async Task<RunResult> RunAsync(DatabaseOutage? outage)
    {
        await using var system = await RegistrySystem.StartAsync(servers, chunkSize: ChunkSize,
            settings: new Dictionary<string, string?>
            {
                ["Inbox:StalledExtractAfter"] = "00:00:05",
                ["Inbox:ParseLease"] = "00:00:03",
            },
            workersVia: outage is null ? null : outage.Through);
        var feeds = Directory.EnumerateDirectories(RepoPaths.Samples).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        foreach (var feed in feeds) await system.DropAsync(feed!, Directory.EnumerateFiles(Path.Combine(RepoPaths.Samples, feed!)).Single());

        var health = "";
        if (outage is not null)
        {
            // Down as soon as the first chunk is applied: the rest of the extracts are being parsed or wait on the queue.
            await using (var db = new NpgsqlConnection(system.ConnectionString))
            {
                await db.OpenAsync();
                await WaitUntilAsync(async () => await Scalar(db, "SELECT count(*) FROM extract_chunks") > 0);
            }
            outage.Begin();
            await Task.Delay(TimeSpan.FromSeconds(8));
            using var workers = system.CreateWorkersClient();
            using (var ready = await workers.GetAsync(new Uri("/health/ready", UriKind.Relative)))
                health = $"{(int)ready.StatusCode} {await ready.Content.ReadAsStringAsync()}";
            await Task.Delay(TimeSpan.FromSeconds(12));
            outage.End();
        }

        var extracts = await system.WaitForExtractsAsync(feeds.Length, timeout: TimeSpan.FromMinutes(3));
        Assert.All(extracts, e =>
        {
            Assert.Equal(ExtractStatus.Resolved, e.Status);
            Assert.Equal(e.RowsTotal, e.RowsAccepted + e.RowsRejected);
            Assert.Equal(e.RowsAccepted, e.RowsResolved);
        });
        await using var check = new NpgsqlConnection(system.ConnectionString);
        await check.OpenAsync();
        // Each accepted row applied once.
        Assert.Equal(extracts.Sum(e => (long)e.RowsAccepted!), await Scalar(check, "SELECT count(*) FROM source_records"));
        Assert.Equal(0, await Scalar(check, "SELECT count(*) FROM (SELECT 1 FROM source_records GROUP BY extract_id, row_number HAVING count(*) > 1) d"));
        return new RunResult(
            await PersonsAsync(check),
            [.. extracts.Select(e => $"{e.FeedCode} {e.RowsTotal} {e.RowsAccepted} {e.RowsRejected} {e.RowsResolved}").Order(StringComparer.Ordinal)],
            health);
    }

    /// <summary>Each person as the sorted (feed, record key) of its source records: the partition of rows into persons.</summary>
    private static async Task<string[]> PersonsAsync(NpgsqlConnection db)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT string_agg(e.feed_code || ':' || sr.record_key, ' ' ORDER BY e.feed_code, sr.record_key)
              FROM source_records sr
              JOIN extracts e ON e.id = sr.extract_id
              JOIN persons p ON p.id = sr.person_id
             GROUP BY coalesce(p.merged_into, p.id)
            """, db);
        var persons = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) persons.Add(reader.GetString(0));
        return [.. persons.Order(StringComparer.Ordinal)];
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the run never started");
            await Task.Delay(20);
        }
    }

    private static async Task<long> Scalar(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

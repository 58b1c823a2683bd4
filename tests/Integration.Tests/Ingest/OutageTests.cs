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

    [Fact]
    public async Task A_frozen_worker_holding_the_resolution_lock_stalls_the_others_only_until_its_session_times_out()
    {
        var (db, extract) = await ResolverRegistry.NewAsync(servers, 1);
        await using var _ = db;
        // The frozen worker's session, with the hosts' limits but a 3-second idle-in-transaction timeout (60 s by default).
        var frozenSettings = new NpgsqlConnectionStringBuilder(servers.AdminConnectionString)
        {
            Database = new NpgsqlConnectionStringBuilder(db.ConnectionString).Database,
            Options = "-c idle_in_transaction_session_timeout=3s",
        };
        Registry.Storage.RegistryStorage.ApplySessionLimits(frozenSettings, frozenSettings.ConnectionString, interactive: false);
        await using var frozen = new NpgsqlConnection(frozenSettings.ConnectionString);
        await frozen.OpenAsync();
        await using var tx = await frozen.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({Registry.Storage.ResolutionLock.Key})", frozen, tx))
            await take.ExecuteNonQueryAsync();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await new Registry.Resolution.ChunkResolver(db).ApplyAsync(ResolverRegistry.Chunk(extract, 0, new Registry.Contracts.SourceRow
        {
            RowNumber = 1, RecordKey = "r1", ContentHash = "1", GivenNames = "ANA", PaternalSurname = "RUIZ", BirthDate = new DateOnly(1990, 1, 1),
        }), default);

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(30));
        await using (var after = new NpgsqlCommand("SELECT 1", frozen, tx))
            await Assert.ThrowsAnyAsync<Exception>(() => after.ExecuteScalarAsync()); // its session was ended, its transaction rolled back
        await using var check = await db.OpenConnectionAsync();
        Assert.Equal(1, await Scalar(check, "SELECT count(*) FROM source_records"));
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

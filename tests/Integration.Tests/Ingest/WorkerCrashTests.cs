using Npgsql;
using Registry.Extracts;
using Registry.Integration.Tests.Infrastructure;
using Registry.Storage;

namespace Registry.Integration.Tests.Ingest;

/// <summary>
/// A worker killed while its chunk consumers are mid-transaction, with the rest of the extract's
/// chunks waiting on the queue. (The parse side of a crash is covered by
/// <c>An_extract_whose_parse_was_cut_short_completes_with_exact_counts_after_a_restart</c>.)
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class WorkerCrashTests(RegistryServers servers)
{
    private const string WaitingOnResolutionLock =
        """
        SELECT pid FROM pg_locks
         WHERE locktype = 'advisory' AND NOT granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
        """;

    [Fact]
    public async Task Chunk_consumers_killed_mid_transaction_leave_an_extract_that_completes_exactly_after_a_restart()
    {
        // A short stall period, so the restarted worker notices the chunks that never came back within the test.
        await using var system = await RegistrySystem.StartAsync(servers, chunkSize: 5,
            settings: new Dictionary<string, string?> { ["Inbox:StalledExtractAfter"] = "00:00:01" });
        var sample = Directory.EnumerateFiles(Path.Combine(RepoPaths.Samples, "ssa-consultas")).Single();

        // The test holds the decision-phase lock: consumers claim their chunk, stage its rows, then wait inside their transaction.
        await using var holder = new NpgsqlConnection(system.ConnectionString);
        await holder.OpenAsync();
        await using var db = NpgsqlDataSource.Create(system.ConnectionString);
        var store = new ExtractStore(db);
        await Execute(holder, $"SELECT pg_advisory_lock({ResolutionLock.Key})");
        await system.DropAsync("ssa-consultas", sample);
        await WaitUntilAsync(async () =>
            (await store.ListAsync(null, 1, default)) is [{ Status: ExtractStatus.Queued }] && (await Pids(holder)).Count > 0);

        // The crash: the workers host goes down while its consumers' database sessions are killed mid-chunk
        // (their transactions roll back). Chunks not yet started stay on the queue for the restarted host;
        // the killed ones are retried after the host's services are disposed and end in the error queue,
        // so the restarted worker must notice the stalled extract and send them again.
        var stopping = system.StopWorkersAsync();
        await Task.Delay(300);
        var killed = await Pids(holder);
        foreach (var pid in killed) await Execute(holder, $"SELECT pg_terminate_backend({pid})");
        await Execute(holder, $"SELECT pg_advisory_unlock({ResolutionLock.Key})");
        await stopping;
        Assert.NotEmpty(killed);
        var appliedBeforeRestart = await Scalar(holder, "SELECT count(*) FROM extract_chunks");
        Assert.True(appliedBeforeRestart < 10, $"{appliedBeforeRestart} of 10 chunks were applied before the restart");
        Assert.NotEqual(ExtractStatus.Resolved, (await store.ListAsync(null, 1, default))[0].Status);

        system.StartWorkers(servers, chunkSize: 5);
        _ = system.WorkerServices;
        var extract = (await system.WaitForExtractsAsync(1)).Single();

        Assert.Equal(ExtractStatus.Resolved, extract.Status);
        Assert.Equal((47, 46, 1), (extract.RowsTotal, extract.RowsAccepted, extract.RowsRejected));
        Assert.Equal(extract.RowsAccepted, extract.RowsResolved);
        Assert.Equal(10, extract.ChunksTotal);
        Assert.Equal(10, await Scalar(holder, "SELECT count(*) FROM extract_chunks"));
        Assert.Equal(46, await Scalar(holder, "SELECT count(*) FROM source_records"));
        Assert.Equal(46, await Scalar(holder, "SELECT count(*) FROM service_events"));
    }

    [Fact]
    public async Task Chunks_re_sent_after_a_crash_hold_the_rows_they_first_held_whatever_the_chunk_size_is_now()
    {
        await using var system = await RegistrySystem.StartAsync(servers, chunkSize: 5,
            settings: new Dictionary<string, string?> { ["Inbox:StalledExtractAfter"] = "00:00:01" });
        var sample = Directory.EnumerateFiles(Path.Combine(RepoPaths.Samples, "ssa-consultas")).Single();
        await using var holder = new NpgsqlConnection(system.ConnectionString);
        await holder.OpenAsync();
        await using var db = NpgsqlDataSource.Create(system.ConnectionString);
        var store = new ExtractStore(db);
        await Execute(holder, $"SELECT pg_advisory_lock({ResolutionLock.Key})");
        await system.DropAsync("ssa-consultas", sample);
        await WaitUntilAsync(async () =>
            (await store.ListAsync(null, 1, default)) is [{ Status: ExtractStatus.Queued }] && (await Pids(holder)).Count > 0);
        var stopping = system.StopWorkersAsync();
        await Task.Delay(300);
        foreach (var pid in await Pids(holder)) await Execute(holder, $"SELECT pg_terminate_backend({pid})");
        await Execute(holder, $"SELECT pg_advisory_unlock({ResolutionLock.Key})");
        await stopping;
        // The chunks still queued are lost too (a broker that lost its queue): only the re-send can bring them back.
        Assert.True(await Registry.ServiceDefaults.BrokerCleanup.DeleteByPrefixAsync([system.QueuePrefix]) > 0);

        // The operator changed the chunk size meanwhile: the missing chunks still go out as the first parse cut them.
        system.StartWorkers(servers, chunkSize: 7);
        _ = system.WorkerServices;
        var extract = (await system.WaitForExtractsAsync(1)).Single();

        Assert.Equal((ExtractStatus.Resolved, 46, 46), (extract.Status, extract.RowsAccepted, extract.RowsResolved));
        Assert.Equal(10, extract.ChunksTotal);
        Assert.Equal(0, await Scalar(holder,
            "SELECT count(*) FROM extract_chunks c JOIN extract_chunk_plan p USING (extract_id, chunk_index) WHERE (c.first_row, c.last_row, c.rows) <> (p.first_row, p.last_row, p.rows)"));
        Assert.Equal(10, await Scalar(holder, "SELECT count(*) FROM extract_chunks"));
        Assert.Equal(46, await Scalar(holder, "SELECT count(*) FROM source_records"));
    }

    [Fact]
    public async Task Two_workers_watching_one_inbox_receive_each_file_once()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        await using var replica = system.AnotherWorkers(servers);
        _ = replica.Services; // started: its scanner watches the same inbox
        var feeds = Directory.EnumerateDirectories(RepoPaths.Samples).Select(Path.GetFileName).ToArray();
        foreach (var feed in feeds) await system.DropAsync(feed!, Directory.EnumerateFiles(Path.Combine(RepoPaths.Samples, feed!)).Single());

        var extracts = await system.WaitForExtractsAsync(feeds.Length);

        Assert.All(extracts, e => Assert.Equal((ExtractStatus.Resolved, 1), (e.Status, e.Receipts)));
    }

    private static async Task<List<int>> Pids(NpgsqlConnection db)
    {
        var pids = new List<int>();
        await using var command = new NpgsqlCommand(WaitingOnResolutionLock, db);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) pids.Add(reader.GetInt32(0));
        return pids;
    }

    private static async Task<long> Scalar(NpgsqlConnection db, string sql) =>
        Convert.ToInt64(await new NpgsqlCommand(sql, db).ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task Execute(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the extract never got mid-way");
            await Task.Delay(100);
        }
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Registry.Contracts;
using Registry.Extracts;
using Registry.Feeds;
using Registry.Ingest.Feeds;
using Registry.Integration.Tests.Infrastructure;
using Registry.Resolution;
using Registry.Storage;
using Registry.SyntheticPopulation;

namespace Registry.Integration.Tests.Resolution;

/// <summary>
/// Chunks resolved in their turn — extracts as registered, each one's chunks in order — give the same persons however
/// they arrive: shuffled, redelivered, on several consumers at once. A chunk whose turn has not come waits while the
/// chunks ahead of it are resolved, and otherwise is handed back to be sent again, having written nothing.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class CanonicalOrderTests(RegistryServers servers)
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task A_chunk_whose_earlier_chunks_are_not_resolved_is_handed_back_having_written_nothing()
    {
        var (db, extract) = await ResolverRegistry.NewAsync(servers, rows: 2);
        await using var _ = db;
        var resolver = new ChunkResolver(db);

        Assert.Equal(ChunkOutcome.NotItsTurn, await resolver.ApplyInTurnAsync(ResolverRegistry.Chunk(extract, 1, Row(2, "LUIS")), Short, default));
        Assert.Equal(0, await CountAsync(db, "SELECT count(*) FROM source_records"));
        Assert.Equal(0, await CountAsync(db, "SELECT count(*) FROM extract_chunks"));

        Assert.Equal(ChunkOutcome.Applied, await resolver.ApplyInTurnAsync(ResolverRegistry.Chunk(extract, 0, Row(1, "ANA")), Short, default));
        Assert.Equal(ChunkOutcome.Applied, await resolver.ApplyInTurnAsync(ResolverRegistry.Chunk(extract, 1, Row(2, "LUIS")), Short, default));
        Assert.Equal(ChunkOutcome.AppliedBefore, await resolver.ApplyInTurnAsync(ResolverRegistry.Chunk(extract, 1, Row(2, "LUIS")), Short, default));
        Assert.Equal(2, await CountAsync(db, "SELECT count(*) FROM source_records"));
    }

    [Fact]
    public async Task A_chunk_waits_in_place_while_the_chunk_ahead_of_it_is_being_resolved()
    {
        var (db, extract) = await ResolverRegistry.NewAsync(servers, rows: 2);
        await using var _ = db;
        var resolver = new ChunkResolver(db);

        var second = resolver.ApplyInTurnAsync(ResolverRegistry.Chunk(extract, 1, Row(2, "LUIS")), TimeSpan.FromSeconds(20), default);
        await Task.Delay(200);
        Assert.False(second.IsCompleted);
        Assert.Equal(ChunkOutcome.Applied, await resolver.ApplyInTurnAsync(ResolverRegistry.Chunk(extract, 0, Row(1, "ANA")), Short, default));
        Assert.Equal(ChunkOutcome.Applied, await second);
    }

    [Fact]
    public async Task Chunks_that_reach_the_queue_in_reverse_order_are_resolved_in_turn_without_waiting_out_their_patience()
    {
        // A patience far past the test's deadline: a chunk that had to give up its wait and go back to the queue would
        // time the test out. Sends racing on the broker reorder an extract's chunks like this under load.
        await using var system = await RegistrySystem.StartAsync(servers,
            settings: new Dictionary<string, string?> { ["Resolution:TurnPatience"] = "00:02:00" });
        const int chunks = 6;
        await using var db = NpgsqlDataSource.Create(system.ConnectionString);
        var store = new ExtractStore(db);
        var (extract, _) = await store.RegisterAsync("ssa-consultas", "SSA-TAM", "health", "t.csv", new string('c', 64), chunks, "/dev/null", null, default);
        await store.FinishParseAsync(extract, chunks, chunks, 0, chunks, 1, default);

        var bus = system.WorkerServices.GetRequiredService<MassTransit.IBus>();
        var options = system.WorkerServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Registry.ServiceDefaults.BusOptions>>().Value;
        var endpoint = await bus.GetSendEndpoint(Registry.ServiceDefaults.RegistryBus.ResolutionAddress(options));
        string[] names = ["ANA", "LUIS", "ROSA", "JUAN", "ELENA", "PEDRO"];
        for (var i = chunks - 1; i >= 0; i--) await endpoint.Send(ResolverRegistry.Chunk(extract, i, Row(i + 1, names[i])));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await CountAsync(db, "SELECT count(*) FROM extract_chunks WHERE completed_at IS NOT NULL") < chunks && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Equal(chunks, await CountAsync(db, "SELECT count(*) FROM extract_chunks WHERE completed_at IS NOT NULL"));
        Assert.Equal(chunks, await CountAsync(db, "SELECT count(*) FROM persons"));
    }

    [Fact]
    public async Task A_later_extract_waits_for_an_earlier_one_still_being_read_and_a_failed_one_holds_no_one_back()
    {
        var (db, first) = await ResolverRegistry.NewAsync(servers, rows: 1);
        await using var _ = db;
        var store = new ExtractStore(db);
        var (second, _) = await store.RegisterAsync("ssa-consultas", "SSA-TAM", "health", "t2.csv", new string('b', 64), 1, "/dev/null", null, default);
        var resolver = new ChunkResolver(db);

        // The first extract's parse has not finished: how many chunks it holds is unknown, so the second's must wait.
        Assert.Equal(ChunkOutcome.NotItsTurn, await resolver.ApplyInTurnAsync(ResolverRegistry.Chunk(second, 0, Row(1, "LUIS")), Short, default));
        // Read, one chunk, not resolved yet: still ahead.
        await store.FinishParseAsync(first, 1, 1, 0, 1, 2000, default);
        Assert.Equal(ChunkOutcome.NotItsTurn, await resolver.ApplyInTurnAsync(ResolverRegistry.Chunk(second, 0, Row(1, "LUIS")), Short, default));
        // Its chunk went to the error queue: the extract shows the failure, and the registry moves on without it.
        await store.RecordChunkFailureAsync(first, 0, 1, 1, "a poison chunk", default);
        Assert.Equal(ChunkOutcome.Applied, await resolver.ApplyInTurnAsync(ResolverRegistry.Chunk(second, 0, Row(1, "LUIS")), Short, default));
    }

    [Fact]
    public async Task A_chunk_scored_before_an_epoch_closed_is_scored_again_in_its_turn_before_the_lock_not_under_it()
    {
        const int epoch = Registry.Resolution.Steps.IdentityLedgerStep.EpochChunks;
        string[] names = ["ANA", "LUIS", "ROSA", "JUAN", "ELENA", "PEDRO", "SOFIA", "RAUL", "CARMEN"];
        var (db, extract) = await ResolverRegistry.NewAsync(servers, rows: epoch + 1);
        await using var _ = db;
        bool IsLast(System.Diagnostics.Activity? chunk) => chunk is not null && Equals(chunk.GetTagItem("registry.extract_id"), extract)
            && Equals(chunk.GetTagItem("registry.chunk_index"), epoch);
        var stopped = new ConcurrentQueue<System.Diagnostics.Activity>();
        var scoredEarly = new TaskCompletionSource();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == ResolutionTelemetry.SourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) =>
                System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span =>
            {
                stopped.Enqueue(span);
                if (span.DisplayName == "staging" && IsLast(span.Parent)) scoredEarly.TrySetResult();
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var resolver = new ChunkResolver(db);
        for (var i = 0; i < epoch - 1; i++)
            Assert.Equal(ChunkOutcome.Applied, await resolver.ApplyInTurnAsync(ResolverRegistry.Chunk(extract, i, Row(i + 1, names[i])), Short, default));

        // The chunk after the epoch's last is scored early, with the epoch still open, and waits for its turn; then the
        // epoch's last chunk closes it.
        var last = resolver.ApplyInTurnAsync(ResolverRegistry.Chunk(extract, epoch, Row(epoch + 1, names[epoch])), TimeSpan.FromSeconds(30), default);
        await scoredEarly.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ChunkOutcome.Applied,
            await resolver.ApplyInTurnAsync(ResolverRegistry.Chunk(extract, epoch - 1, Row(epoch, names[epoch - 1])), Short, default));
        Assert.Equal(1, await CountAsync(db, "SELECT epoch FROM resolution_epoch"));
        Assert.Equal(ChunkOutcome.Applied, await last);

        // Scored twice, both times before the lock: under it, the epoch it was scored in is the one it is decided in.
        var chunk = Assert.Single(stopped, a => a.DisplayName == ResolutionTelemetry.ChunkSpan && IsLast(a));
        var steps = stopped.Where(a => a.TraceId == chunk.TraceId && a != chunk).ToList();
        var lockTaken = Assert.Single(steps, a => a.DisplayName == "lock-wait").StartTimeUtc;
        var scorings = steps.Where(a => a.DisplayName == "prescore").ToList();
        Assert.Equal(2, scorings.Count);
        Assert.All(scorings, s => Assert.True(s.StartTimeUtc + s.Duration <= lockTaken, "a scoring ran under the lock"));
        Assert.Equal(false, Assert.Single(steps, a => a.DisplayName == "rescore").GetTagItem("registry.epoch_closed_meanwhile"));
        Assert.Equal(epoch + 1, await CountAsync(db, "SELECT count(*) FROM persons"));
    }

    [Fact]
    public async Task The_same_extracts_give_the_same_persons_whatever_order_their_chunks_arrive_in_and_on_how_many_consumers()
    {
        var (rows, feeds) = SyntheticExtracts(records: 3000);
        var chunks = new List<(int Extract, int Index, SourceRow[] Rows)>();
        foreach (var (extract, list) in rows.Select((r, i) => (i, r)))
            chunks.AddRange(list.Chunk(60).Select((c, index) => (extract, index, c)));

        // Reference: one consumer, the chunks in their order.
        var (reference, referenceCs, referenceIds) = await RegistryWithExtractsAsync(feeds, chunks);
        await using (reference)
        {
            var resolver = new ChunkResolver(reference);
            foreach (var (e, index, c) in chunks) await resolver.ApplyAsync(ChunkOf(feeds[e], referenceIds[e], index, c), default);
        }
        var expected = await PartitionAsync(referenceCs, referenceIds);

        // The same chunks shuffled, three consumers, each handing back what is not its turn to the end of the queue.
        // (Resolved as they arrive instead, this gives other persons: 1 of 2,600 rows regrouped in one run.)
        var (shuffled, shuffledCs, ids) = await RegistryWithExtractsAsync(feeds, chunks);
        await using (shuffled)
        {
            var queue = new ConcurrentQueue<ResolveSourceRows>(chunks.OrderBy(_ => Random.Shared.Next()).Select(c => ChunkOf(feeds[c.Extract], ids[c.Extract], c.Index, c.Rows)));
            var index = new Registry.Matching.CandidateIndex();
            var handedBack = 0;
            await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
            {
                var resolver = new ChunkResolver(shuffled, index);
                while (queue.TryDequeue(out var chunk))
                    if (await resolver.ApplyInTurnAsync(chunk, TimeSpan.FromMilliseconds(50), default) == ChunkOutcome.NotItsTurn)
                    {
                        Interlocked.Increment(ref handedBack);
                        queue.Enqueue(chunk);
                    }
            })));
            Assert.True(handedBack > 0, "the shuffled chunks were never out of turn: the test shows nothing");

            var actual = await PartitionAsync(shuffledCs, ids);
            Assert.True(expected.Length > 100);
            Assert.True(expected.Length < rows.Sum(r => r.Count), "every row a person of its own: nothing was matched");
            Assert.Equal(expected, actual);
        }
    }

    private static ResolveSourceRows ChunkOf(FeedDefinition feed, Guid extract, int index, SourceRow[] rows) =>
        new(extract, index, rows[0].RowNumber, rows[^1].RowNumber, feed.Code, feed.Agency.Code, feed.Sector, rows);

    /// <summary>A fresh registry with the extracts registered in order, read to their end (their chunks counted).</summary>
    private async Task<(NpgsqlDataSource Db, string ConnectionString, Guid[] Extracts)> RegistryWithExtractsAsync(
        List<FeedDefinition> feeds, List<(int Extract, int Index, SourceRow[] Rows)> chunks)
    {
        var cs = await servers.CreateDatabaseAsync();
        await Migrator.ApplyAsync(cs, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var db = NpgsqlDataSource.Create(cs);
        var store = new ExtractStore(db);
        var ids = new Guid[feeds.Count];
        for (var e = 0; e < feeds.Count; e++)
        {
            var rows = chunks.Where(c => c.Extract == e).Sum(c => c.Rows.Length);
            (ids[e], _) = await store.RegisterAsync(feeds[e].Code, feeds[e].Agency.Code, feeds[e].Sector, $"x{e}.csv", new string((char)('a' + e), 64), rows, "/dev/null", null, default);
            await store.FinishParseAsync(ids[e], rows, rows, 0, chunks.Count(c => c.Extract == e), 60, default);
        }
        return (db, cs, ids);
    }

    /// <summary>The generator's agency extracts (hard profile: typos, missing dates, namesakes), read by the feeds' own reader.</summary>
    private static (List<List<SourceRow>> Rows, List<FeedDefinition> Feeds) SyntheticExtracts(int records)
    {
        var catalog = FeedCatalog.LoadFolder(RepoPaths.Feeds);
        var folder = Path.Combine(Path.GetTempPath(), "canonical-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var summary = SyntheticDataset.Write(folder, new DatasetOptions
            {
                Records = records, Profile = ErrorProfile.Hard, Seed = 7,
                Feeds = [catalog.Find("ssa-consultas")!, catalog.Find("dif-alimentaria")!],
            });
            var rows = new List<List<SourceRow>>();
            var feeds = new List<FeedDefinition>();
            foreach (var extract in summary.Extracts)
            {
                var feed = catalog.Find(extract.FeedCode)!;
                feeds.Add(feed);
                rows.Add([.. ExtractReaders.Read(feed, extract.Path).Where(p => p.Accepted is not null).Select(p => p.Accepted!)]);
            }
            return (rows, feeds);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Each person as the sorted (extract, row) of its source records.</summary>
    private static async Task<string[]> PartitionAsync(string connectionString, Guid[] extracts)
    {
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT string_agg(array_position(@extracts, sr.extract_id) || ':' || sr.row_number, ' '
                              ORDER BY array_position(@extracts, sr.extract_id), sr.row_number)
              FROM source_records sr JOIN persons p ON p.id = sr.person_id
             GROUP BY coalesce(p.merged_into, p.id)
            """, db);
        command.Parameters.AddWithValue("extracts", extracts);
        var persons = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) persons.Add(reader.GetString(0));
        return [.. persons.Order(StringComparer.Ordinal)];
    }

    private static SourceRow Row(int number, string given) => new()
    {
        RowNumber = number, RecordKey = $"r{number}", ContentHash = $"{number}", GivenNames = given, PaternalSurname = "RUIZ",
        BirthDate = new DateOnly(1990, 1, number),
    };

    private static async Task<long> CountAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Registry.Contracts;
using Registry.Extracts;
using Registry.Feeds;
using Registry.Ingest.Feeds;
using Registry.Matching;
using Registry.Resolution;
using Registry.ServiceDefaults;
using Registry.Storage;
using Registry.SyntheticPopulation;

namespace Registry.Benchmarks;

/// <summary>
/// `make cluster-test` (issue 25): a synthetic population's agency extracts through the local cluster
/// (deploy/cluster/cluster.sh: PostgreSQL primary + standby, three RabbitMQ nodes, two workers and two
/// API processes) in three waves, each with a fault injected while its chunks are being resolved:
/// (a) the PostgreSQL primary stopped and the standby promoted, (b) a RabbitMQ node killed with
/// SIGKILL, (c) a workers process killed with SIGKILL. The same waves went first through one workers
/// process without faults into a database of their own (the reference). Then it asserts: every
/// extract resolved (in the database and as both API processes report it), received once,
/// rows = accepted + rejected, every row exactly once as a source record, an unchanged row or a
/// rejected row, and the same partition of rows into persons as a serial replay of the cluster's own chunk
/// order (exactly: chunks resolve in canonical order) and as the reference — up to a bound of borderline rows
/// there, since two workers register files dropped together in either order (docs/operations-cluster.md;
/// --exact asks for equality there too). PASS/FAIL with timings per fault; exit code 1 on any failure.
/// </summary>
public static class ClusterTest
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private sealed record Extract(string Feed, string File, string Path, int Rows);

    private sealed record Wave(string Name, string Fault, List<Extract> Extracts)
    {
        public int Rows => Extracts.Sum(e => e.Rows);
    }

    /// <summary>Timings of one wave: the fault's own duration, how long until a chunk was applied again, until the wave was resolved.</summary>
    private sealed record WaveTiming(string Fault, double InjectedAfter, double FaultSeconds, double? ResumedAfter, double ResolvedAfter, double? RecoverySeconds, string Note);

    public static async Task<int> RunAsync(string[] args)
    {
        var records = BenchArgs.Int(args, "--records", 12000);
        var profile = ErrorProfile.Named(BenchArgs.String(args, "--profile", "typical"));
        var seed = BenchArgs.Int(args, "--seed", 20261123);
        // 0: the node leading the chunks' quorum queue when the fault comes (the hardest one to lose).
        var rabbitNode = BenchArgs.Int(args, "--rabbit-node", 0);
        var waveTimeout = TimeSpan.FromSeconds(BenchArgs.Int(args, "--wave-timeout", 240));
        // Rows a partition may group otherwise than the fault-free runs, per 10,000 (see the comparison below).
        var exact = args.Contains("--exact");
        var tolerance = BenchArgs.Int(args, "--tolerance-per-10k", 50) / 10_000.0;
        var owner = Environment.GetEnvironmentVariable("ConnectionStrings__Registry");
        var workersRole = Environment.GetEnvironmentVariable("ConnectionStrings__RegistryWorkers");
        var amqp = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
        if (string.IsNullOrEmpty(owner) || string.IsNullOrEmpty(workersRole) || string.IsNullOrEmpty(amqp))
        {
            Console.Error.WriteLine("the cluster's settings are not set: run through `make cluster-test` (eval \"$(deploy/cluster/cluster.sh env)\").");
            return 2;
        }
        var root = BenchArgs.RepoRoot();
        var cluster = new Cluster(root);
        var workersDll = Path.Combine(root, "src", "Ingest.Workers", "bin", "Release", "net10.0", "Ingest.Workers.dll");
        var work = Path.Combine(Path.GetTempPath(), "cluster-test-" + Guid.NewGuid().ToString("N")[..8]);
        var total = Stopwatch.StartNew();
        var checks = new Checks();
        string? referenceDb = null, replayDb = null;
        try
        {
            // The extracts: one per feed and quarter. Waves by quarter, as agencies send them: T1, T2, then T3 and T4.
            var catalog = FeedCatalog.LoadFolder(Path.Combine(root, "deploy", "feeds"));
            var summary = SyntheticDataset.Write(Path.Combine(work, "extracts"), new DatasetOptions
            {
                Records = records, Profile = profile, Seed = seed, Feeds = SyntheticDataset.AgencyFeeds(catalog),
            });
            var synthetic = summary.Extracts.Select(e => new Extract(e.FeedCode, e.FileName, e.Path, e.Rows)).ToList();
            // The agencies' hand-written samples too (deploy/samples): they hold the rows a feed rejects.
            var samples = Directory.EnumerateDirectories(Path.Combine(root, "deploy", "samples")).Order(StringComparer.Ordinal)
                .SelectMany(folder => Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal).Select(path => (Feed: catalog.Find(Path.GetFileName(folder))!, Path: path)))
                .Select(x => new Extract(x.Feed.Code, Path.GetFileName(x.Path), x.Path, ExtractReaders.Read(x.Feed, x.Path).Count()))
                .ToList();
            var extracts = synthetic.Concat(samples).ToList();
            var waves = Waves(synthetic, samples);
            var truth = Truth(summary.GroundTruthPath);
            Console.WriteLine($"{summary.Records:N0} rows of {summary.Persons:N0} persons (profile {profile.Name}, seed {seed}) in {synthetic.Count} extracts and " +
                              $"{samples.Sum(e => e.Rows):N0} rows in {samples.Count} sample extracts; " +
                              $"three waves: {string.Join(", ", waves.Select(w => $"{w.Name} {w.Extracts.Count} extracts / {w.Rows:N0} rows → {w.Fault}"))}");

            // 1. The reference: the same waves, one workers process, no fault, its own database and queues.
            Console.WriteLine();
            Console.WriteLine("== reference run: one workers process, no faults");
            referenceDb = "cluster_ref_" + Guid.NewGuid().ToString("N")[..8];
            var referenceCs = new NpgsqlConnectionStringBuilder(owner) { Database = referenceDb }.ConnectionString;
            var referenceSeconds = await ReferenceRunAsync(root, workersDll, referenceCs, amqp, referenceDb, Path.Combine(work, "reference"), waves, waveTimeout);
            if (referenceSeconds is null)
            {
                checks.Fail("reference run", "did not finish (see above)");
                return checks.Report(total.Elapsed, []);
            }

            // 2. The cluster run: a fresh `registry` database, the cluster's four hosts, one fault per wave.
            Console.WriteLine();
            Console.WriteLine("== cluster run: two workers, two APIs, one fault per wave");
            await cluster.RunAsync("reset-registry");
            var clusterCs = new NpgsqlConnectionStringBuilder(owner) { Database = "registry", Timeout = 3, CommandTimeout = 30 }.ConnectionString;
            await using var db = NpgsqlDataSource.Create(clusterCs);
            var timings = new List<WaveTiming>();
            var run = Stopwatch.StartNew();
            var dropped = 0;
            foreach (var wave in waves)
            {
                var before = await RegistryPoll.AppliedRowsAsync(db) ?? 0;
                var waveClock = Stopwatch.StartNew();
                DropAlternating(cluster, wave.Extracts, dropped);
                dropped += wave.Extracts.Count;
                // The fault lands while chunks of this wave are being applied: after a fifth of its rows.
                var triggerAt = before + Math.Max(1, wave.Rows / 5);
                long lastSeen = before;
                while (await RegistryPoll.AppliedRowsAsync(db) is not { } applied || (lastSeen = applied) < triggerAt)
                {
                    if (waveClock.Elapsed > waveTimeout) break;
                    await Task.Delay(100);
                }
                var injectedAfter = waveClock.Elapsed.TotalSeconds;
                var faultClock = Stopwatch.StartNew();
                string note;
                Func<Task<double>>? recover = null;
                Task<double>? restart = null;
                switch (wave.Fault)
                {
                    case Faults.Postgres:
                        note = await cluster.RunAsync("pg-failover");
                        recover = async () => { var sw = Stopwatch.StartNew(); await cluster.RunAsync("pg-rejoin"); return sw.Elapsed.TotalSeconds; };
                        break;
                    case Faults.Rabbit:
                        var node = rabbitNode > 0 ? rabbitNode : await QueueLeaderAsync() ?? 1;
                        note = await cluster.RunAsync("rabbit-kill", node.ToString(C));
                        recover = async () => { var sw = Stopwatch.StartNew(); await cluster.RunAsync("rabbit-start", node.ToString(C)); return sw.Elapsed.TotalSeconds; };
                        break;
                    default:
                        note = await cluster.RunAsync("worker-kill", "1");
                        // A supervisor restarts it a few seconds later (meanwhile the other one goes on); its inbox
                        // waited, its unfinished work is taken up again.
                        restart = Task.Run(async () =>
                        {
                            await Task.Delay(TimeSpan.FromSeconds(3));
                            var sw = Stopwatch.StartNew();
                            await cluster.RunAsync("worker-start", "1");
                            return sw.Elapsed.TotalSeconds;
                        });
                        break;
                }
                var faultSeconds = faultClock.Elapsed.TotalSeconds;
                var atFault = await RegistryPoll.AppliedRowsAsync(db) ?? lastSeen;
                double? resumedAfter = null;
                var resolved = false;
                while (waveClock.Elapsed < waveTimeout + TimeSpan.FromSeconds(injectedAfter))
                {
                    var applied = await RegistryPoll.AppliedRowsAsync(db);
                    if (resumedAfter is null && applied > atFault) resumedAfter = faultClock.Elapsed.TotalSeconds;
                    if (await RegistryPoll.FinishedAsync(db, dropped))
                    {
                        resolved = true;
                        break;
                    }
                    await Task.Delay(200);
                }
                var resolvedAfter = waveClock.Elapsed.TotalSeconds;
                double? recovery = null;
                if (restart is not null) recovery = await restart;
                if (recover is not null) recovery = await recover();
                timings.Add(new WaveTiming(wave.Fault, injectedAfter, faultSeconds, resumedAfter, resolvedAfter, recovery, note));
                Console.WriteLine(string.Create(C,
                    $"  {wave.Name}: fault '{wave.Fault}' at {injectedAfter:F1} s (took {faultSeconds:F1} s); chunks applied again {Fmt(resumedAfter)} after it; " +
                    $"wave {(resolved ? "resolved" : "NOT resolved")} at {resolvedAfter:F1} s{(recovery is { } r ? $"; restored in {r:F1} s" : "")}"));
                if (!resolved)
                {
                    checks.Fail($"{wave.Name} resolved", $"not within {waveTimeout.TotalSeconds:F0} s after the fault: {await RegistryPoll.DescribeAsync(db)}");
                    break;
                }
            }
            Console.WriteLine(string.Create(C, $"  cluster run: {run.Elapsed.TotalSeconds:F0} s (reference {referenceSeconds:F0} s)"));

            // 3. The assertions.
            Console.WriteLine();
            await CheckRegistryAsync(db, extracts, checks);
            await CheckApisAsync(cluster, extracts.Count, checks);
            // The same chunks, applied one by one in the order the cluster resolved them, by one resolver without
            // faults: in canonical order (Resolution:Order) the cluster's persons are exactly these, faults or not.
            // The one-worker reference registered the files in its own order (the cluster's two workers register
            // what each reads first), so there a bound on the rows grouped otherwise and no loss of precision
            // (false merges); --exact demands equality there too.
            replayDb = "cluster_replay_" + Guid.NewGuid().ToString("N")[..8];
            var replayCs = new NpgsqlConnectionStringBuilder(owner) { Database = replayDb }.ConnectionString;
            var replaySeconds = await ReplayAsync(db, replayCs, catalog);
            Console.WriteLine(string.Create(C, $"  replay of the cluster run's chunk order by one resolver: {replaySeconds:F1} s"));
            var clusterPartition = await PartitionAsync(db);
            await using (var replay = NpgsqlDataSource.Create(replayCs))
                ComparePartitions("same persons as a fault-free replay in the cluster's order", await PartitionAsync(replay), clusterPartition, checks,
                    0, truth);
            await using (var reference = NpgsqlDataSource.Create(referenceCs))
                ComparePartitions("same persons as the one-worker reference run", await PartitionAsync(reference), clusterPartition, checks,
                    exact ? 0 : tolerance, truth);
            await CheckQuorumQueueAsync(checks);
            await CheckClusterWholeAsync(cluster, checks);
            return checks.Report(total.Elapsed, timings);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            if (referenceDb is not null)
            {
                await BrokerCleanup.DeleteByPrefixAsync([referenceDb + "-"], Console.Error.WriteLine);
                try
                {
                    await BenchArgs.DropDatabasesAsync(owner, replayDb is null ? [referenceDb] : [referenceDb, replayDb]);
                }
                catch (NpgsqlException ex)
                {
                    Console.Error.WriteLine($"could not drop {referenceDb}: {ex.Message}");
                }
            }
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static class Faults
    {
        public const string Postgres = "PostgreSQL primary stopped, standby promoted";
        public const string Rabbit = "RabbitMQ node killed (SIGKILL)";
        public const string Worker = "workers process killed (SIGKILL)";
    }

    private static string Fmt(double? seconds) => seconds is { } s ? string.Create(C, $"{s:F1} s") : "never";

    /// <summary>Quarter 1 and the samples, quarter 2, then the rest — each wave with its fault.</summary>
    private static List<Wave> Waves(List<Extract> extracts, List<Extract> samples)
    {
        static int Quarter(Extract e) => Regex.Match(e.File, @"-T(\d)\.") is { Success: true } m ? int.Parse(m.Groups[1].Value, C) : 4;
        var ordered = extracts.OrderBy(e => e.File, StringComparer.Ordinal).ToList();
        return
        [
            new Wave("wave 1 (T1 + samples)", Faults.Postgres, [.. ordered.Where(e => Quarter(e) == 1), .. samples]),
            new Wave("wave 2 (T2)", Faults.Rabbit, [.. ordered.Where(e => Quarter(e) == 2)]),
            new Wave("wave 3 (T3+T4)", Faults.Worker, [.. ordered.Where(e => Quarter(e) >= 3)]),
        ];
    }

    /// <summary>Drops a wave the way agencies do (*.part, then rename), alternately into the two workers' inboxes.</summary>
    private static void DropAlternating(Cluster cluster, List<Extract> extracts, int offset)
    {
        for (var i = 0; i < extracts.Count; i++)
        {
            var e = extracts[i];
            var folder = Path.Combine(cluster.Inbox((offset + i) % 2 + 1), e.Feed);
            Drop(folder, e);
        }
    }

    private static void Drop(string folder, Extract e)
    {
        Directory.CreateDirectory(folder);
        File.Copy(e.Path, Path.Combine(folder, e.File + ".part"));
        File.Move(Path.Combine(folder, e.File + ".part"), Path.Combine(folder, e.File));
    }

    // ---------------------------------------------------------------------------------------------
    // The reference run
    // ---------------------------------------------------------------------------------------------

    private static async Task<double?> ReferenceRunAsync(string root, string workersDll, string cs, string amqp, string database, string work,
        List<Wave> waves, TimeSpan waveTimeout)
    {
        var port = BenchArgs.FreePort();
        var start = new ProcessStartInfo("dotnet", [workersDll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        // The environment is the cluster's (chunk size, stall period, quorum queues); the database, queues and folders are its own.
        foreach (var line in File.ReadLines(Path.Combine(root, "deploy", "workers-runtime.env")))
            if (Regex.Match(line, "^([A-Za-z_][A-Za-z0-9_]*)=(.*)$") is { Success: true } m) start.Environment[m.Groups[1].Value] = m.Groups[2].Value;
        start.Environment["ConnectionStrings__Registry"] = cs; // the owner: it migrates its own database at start
        start.Environment["ConnectionStrings__RabbitMq"] = amqp;
        start.Environment["Bus__QueuePrefix"] = database + "-";
        start.Environment["Feeds__DefinitionsPath"] = Path.Combine(root, "deploy", "feeds");
        start.Environment["Inbox__Root"] = Path.Combine(work, "inbox");
        start.Environment["Inbox__ArchiveRoot"] = Path.Combine(work, "archive");
        start.Environment["Telemetry__Exporter"] = "none";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Hangfire__RecurringPulls"] = "false";
        start.Environment["Matching__Training__Schedule"] = "";
        using var workers = Process.Start(start)!;
        workers.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine("[reference workers] " + e.Data); };
        workers.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine("[reference workers] " + e.Data); };
        workers.BeginOutputReadLine();
        workers.BeginErrorReadLine();
        try
        {
            using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) })
            {
                var ready = false;
                for (var i = 0; i < 240 && !ready && !workers.HasExited; i++)
                {
                    try
                    {
                        using var response = await http.GetAsync("/health/ready");
                        ready = response.IsSuccessStatusCode;
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                    }
                    if (!ready) await Task.Delay(500);
                }
                if (!ready)
                {
                    Console.Error.WriteLine("the reference workers process did not become ready");
                    return null;
                }
            }
            await using var db = NpgsqlDataSource.Create(cs);
            var sw = Stopwatch.StartNew();
            var dropped = 0;
            foreach (var wave in waves)
            {
                var waveClock = Stopwatch.StartNew();
                foreach (var e in wave.Extracts) Drop(Path.Combine(work, "inbox", e.Feed), e);
                dropped += wave.Extracts.Count;
                while (!await RegistryPoll.FinishedAsync(db, dropped))
                {
                    if (workers.HasExited || waveClock.Elapsed > waveTimeout)
                    {
                        Console.Error.WriteLine($"{wave.Name} not resolved in the reference run: {await RegistryPoll.DescribeAsync(db)}");
                        return null;
                    }
                    await Task.Delay(200);
                }
                Console.WriteLine(string.Create(C, $"  {wave.Name}: {wave.Rows:N0} rows resolved in {waveClock.Elapsed.TotalSeconds:F1} s"));
            }
            return sw.Elapsed.TotalSeconds;
        }
        finally
        {
            if (!workers.HasExited)
            {
                workers.Kill(entireProcessTree: true);
                await workers.WaitForExitAsync();
            }
        }
    }


    // ---------------------------------------------------------------------------------------------
    // Assertions
    // ---------------------------------------------------------------------------------------------

    private static async Task CheckRegistryAsync(NpgsqlDataSource db, List<Extract> extracts, Checks checks)
    {
        await using var connection = await db.OpenConnectionAsync();
        var statuses = new Dictionary<string, long>();
        await using (var command = new NpgsqlCommand("SELECT status, count(*) FROM extracts GROUP BY status", connection))
        await using (var r = await command.ExecuteReaderAsync())
            while (await r.ReadAsync()) statuses[r.GetString(0)] = r.GetInt64(1);
        var resolved = statuses.GetValueOrDefault("resolved");
        checks.Check("every extract resolved", resolved == extracts.Count && statuses.Values.Sum() == extracts.Count,
            $"{resolved}/{extracts.Count} resolved ({string.Join(", ", statuses.Select(s => $"{s.Value} {s.Key}"))})");

        var receipts = await ScalarAsync(connection, "SELECT count(*) FROM extract_receipts");
        var duplicates = await ScalarAsync(connection, "SELECT count(*) FROM extract_receipts WHERE duplicate");
        checks.Check("each file received once", receipts == extracts.Count && duplicates == 0,
            $"{receipts} receipts for {extracts.Count} files, {duplicates} recorded as duplicates");

        var badCounts = await ScalarAsync(connection, """
            SELECT count(*) FROM extracts e
             WHERE e.rows_total IS DISTINCT FROM e.rows_accepted + e.rows_rejected
                OR e.rows_accepted IS DISTINCT FROM (SELECT count(*) FROM source_records s WHERE s.extract_id = e.id)
                                                 + (SELECT count(*) FROM unchanged_rows u WHERE u.extract_id = e.id)
                OR e.rows_rejected IS DISTINCT FROM (SELECT count(*) FROM rejected_rows j WHERE j.extract_id = e.id)
            """);
        var rows = await ScalarAsync(connection, "SELECT coalesce(sum(rows_total), 0) FROM extracts");
        var accepted = await ScalarAsync(connection, "SELECT coalesce(sum(rows_accepted), 0) FROM extracts");
        var rejected = await ScalarAsync(connection, "SELECT coalesce(sum(rows_rejected), 0) FROM extracts");
        var expectedRows = extracts.Sum(e => e.Rows);
        checks.Check("rows = accepted + rejected", badCounts == 0 && rows == expectedRows && rows == accepted + rejected,
            $"{rows:N0} rows (files hold {expectedRows:N0}) = {accepted:N0} accepted + {rejected:N0} rejected; extracts whose counts disagree with their rows: {badCounts}");

        // Each (extract, row) exactly once across the three places a row can end; each source record one service event at most.
        var doubled = await ScalarAsync(connection, """
            SELECT count(*) FROM (
              SELECT extract_id, row_number FROM (
                SELECT extract_id, row_number FROM source_records
                UNION ALL SELECT extract_id, row_number FROM unchanged_rows
                UNION ALL SELECT extract_id, row_number FROM rejected_rows) x
               GROUP BY 1, 2 HAVING count(*) > 1) d
            """);
        var ended = await ScalarAsync(connection, """
            SELECT (SELECT count(*) FROM source_records) + (SELECT count(*) FROM unchanged_rows) + (SELECT count(*) FROM rejected_rows)
            """);
        var chunkRows = await ScalarAsync(connection, "SELECT coalesce(sum(rows), 0) FROM extract_chunks");
        var chunksExpected = await ScalarAsync(connection, "SELECT coalesce(sum(chunks_total), 0) FROM extracts");
        var chunks = await ScalarAsync(connection, "SELECT count(*) FROM extract_chunks");
        var events = await ScalarAsync(connection, "SELECT count(*) FROM service_events");
        var eventRecords = await ScalarAsync(connection, "SELECT count(DISTINCT source_record_id) FROM service_events");
        checks.Check("each source row applied once", doubled == 0 && ended == rows && chunkRows == accepted && chunks == chunksExpected && events == eventRecords,
            $"{ended:N0} rows ended (as source record, unchanged or rejected), {doubled} more than once; chunks applied {chunks}/{chunksExpected} " +
            $"covering {chunkRows:N0} accepted rows; {events:N0} service events for {eventRecords:N0} source records");
    }

    /// <summary>Both API processes, signed in as admin through the development issuer: the same extracts, all resolved, rows = accepted + rejected.</summary>
    private static async Task CheckApisAsync(Cluster cluster, int expected, Checks checks)
    {
        foreach (var (name, url) in Cluster.Apis)
        {
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
                using var tokenResponse = await http.PostAsync("/auth/token", new FormUrlEncodedContent(
                    [new("username", "admin"), new("password", cluster.Secret("admin"))]));
                tokenResponse.EnsureSuccessStatusCode();
                using var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.RootElement.GetProperty("accessToken").GetString());
                using var list = JsonDocument.Parse(await http.GetStringAsync("/api/extracts?limit=1000"));
                int count = 0, resolved = 0, consistent = 0;
                foreach (var e in list.RootElement.EnumerateArray())
                {
                    count++;
                    if (e.GetProperty("status").GetString() == "resolved") resolved++;
                    if (e.GetProperty("rowsTotal").GetInt32() == e.GetProperty("rowsAccepted").GetInt32() + e.GetProperty("rowsRejected").GetInt32()) consistent++;
                }
                checks.Check($"{name} reports every extract resolved", count == expected && resolved == expected && consistent == expected,
                    $"{count} extracts listed, {resolved} resolved, {consistent} with rows = accepted + rejected ({url})");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
                checks.Fail($"{name} reports every extract resolved", $"{url}: {ex.Message}");
            }
        }
    }

    /// <summary>
    /// Compares two partitions of rows into persons (each row: feed, file, row number → the surviving
    /// person of its source record): which rows sit with other rows than in <paramref name="expected"/>.
    /// Passes when at most <paramref name="tolerance"/> of the rows do and the pairwise precision against the
    /// synthetic population's truth is at most 0.001 lower (false merges are what must not grow); with a
    /// tolerance of 0, when the partitions are equal.
    /// </summary>
    private static void ComparePartitions(string name, Dictionary<string, string> expected, Dictionary<string, string> actual, Checks checks,
        double tolerance, Dictionary<string, string> truth)
    {
        var differing = expected.Keys.Union(actual.Keys).Where(k => expected.GetValueOrDefault(k) != actual.GetValueOrDefault(k)).Order(StringComparer.Ordinal).ToList();
        var (expectedPrecision, expectedRecall) = Score(expected, truth);
        var (actualPrecision, actualRecall) = Score(actual, truth);
        var allowed = (int)Math.Floor(tolerance * expected.Count);
        var detail = string.Create(C, $"expected {expected.Count:N0} rows in {expected.Values.Distinct().Count():N0} persons (precision {expectedPrecision:F4}, recall {expectedRecall:F4}), " +
                                      $"cluster {actual.Count:N0} rows in {actual.Values.Distinct().Count():N0} persons (precision {actualPrecision:F4}, recall {actualRecall:F4}); " +
                                      $"{differing.Count} rows grouped otherwise (allowed {allowed})");
        if (differing.Count > 0)
            detail += "; e.g. " + string.Join(" | ", differing.Take(2).Select(k => $"{k}: expected [{expected.GetValueOrDefault(k) ?? "-"}] cluster [{actual.GetValueOrDefault(k) ?? "-"}]"));
        checks.Check(name, expected.Count == actual.Count && differing.Count <= allowed && actualPrecision >= expectedPrecision - (allowed == 0 ? 1e-9 : 0.001), detail);
    }

    /// <summary>Pairwise precision and recall of a partition against the truth, over the rows the truth knows.</summary>
    private static (double Precision, double Recall) Score(Dictionary<string, string> partition, Dictionary<string, string> truth)
    {
        static long Pairs(IEnumerable<int> sizes) => sizes.Sum(n => (long)n * (n - 1) / 2);
        var rows = partition.Where(p => truth.ContainsKey(p.Key)).ToList();
        var predicted = Pairs(rows.GroupBy(r => r.Value).Select(g => g.Count()));
        var actual = Pairs(rows.GroupBy(r => truth[r.Key]).Select(g => g.Count()));
        var correct = Pairs(rows.GroupBy(r => (r.Value, truth[r.Key])).Select(g => g.Count()));
        return (predicted == 0 ? 1 : (double)correct / predicted, actual == 0 ? 1 : (double)correct / actual);
    }

    /// <summary>The synthetic population's truth: row key (feed/file#row) → true person.</summary>
    private static Dictionary<string, string> Truth(string path) =>
        File.ReadLines(path).Skip(1).Select(line => line.Split(',')).ToDictionary(f => $"{f[0]}/{f[1]}#{f[2]}", f => f[4]);

    /// <summary>
    /// Into a fresh database: the cluster run's extracts registered again, their archived files cut into the
    /// same chunks the workers cut (same chunk size), and the chunks applied serially by one
    /// <see cref="ChunkResolver"/> in the canonical order the cluster resolved them in (extracts by registration,
    /// chunks by index; Resolution:Order).
    /// </summary>
    private static async Task<double> ReplayAsync(NpgsqlDataSource cluster, string replayCs, FeedCatalog catalog)
    {
        var sw = Stopwatch.StartNew();
        await Migrator.ApplyAsync(replayCs, NullLogger.Instance);
        await using var db = NpgsqlDataSource.Create(replayCs);
        await FeedRegistry.SyncAsync(db, catalog, default);
        var store = new ExtractStore(db);
        var extracts = new List<(Guid Id, string Feed, string File, string Sha, long Size, string Archive, int ChunkSize)>();
        // The canonical order the cluster resolved them in: extracts as registered, each one's chunks by index.
        await using (var command = cluster.CreateCommand(
            "SELECT id, feed_code, file_name, sha256, size_bytes, archive_path, coalesce(chunk_size, 0) FROM extracts ORDER BY seq"))
        await using (var r = await command.ExecuteReaderAsync())
            while (await r.ReadAsync()) extracts.Add((r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetString(5), r.GetInt32(6)));
        var chunks = new List<ResolveSourceRows>();
        foreach (var e in extracts)
        {
            var feed = catalog.Find(e.Feed)!;
            var (id, _) = await store.RegisterAsync(feed.Code, feed.Agency.Code, feed.Sector, e.File, e.Sha, e.Size, e.Archive, default);
            var parsed = ExtractReaders.Read(feed, e.Archive).ToList();
            var accepted = parsed.Where(p => p.Accepted is not null).Select(p => p.Accepted!).ToList();
            var size = e.ChunkSize > 0 ? e.ChunkSize : Math.Max(1, accepted.Count);
            var cut = accepted.Chunk(size).Select((rows, c) => new ResolveSourceRows(id, c, rows[0].RowNumber, rows[^1].RowNumber, feed.Code, feed.Agency.Code, feed.Sector, rows)).ToList();
            await store.WriteRejectsAsync(id, [.. parsed.Where(p => p.Rejected is not null).Select(p => p.Rejected!)], default);
            await store.FinishParseAsync(id, parsed.Count, accepted.Count, parsed.Count - accepted.Count, cut.Count, size, default);
            chunks.AddRange(cut);
        }
        var resolver = new ChunkResolver(db, new CandidateIndex());
        foreach (var chunk in chunks)
            await resolver.ApplyAsync(chunk, default);
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>Row key → its person's rows as one canonical string (so equal groups compare equal across databases).</summary>
    private static async Task<Dictionary<string, string>> PartitionAsync(NpgsqlDataSource db)
    {
        var survivor = new Dictionary<Guid, Guid>();
        await using (var merged = db.CreateCommand("SELECT id, merged_into FROM persons WHERE merged_into IS NOT NULL"))
        await using (var reader = await merged.ExecuteReaderAsync())
            while (await reader.ReadAsync()) survivor[reader.GetGuid(0)] = reader.GetGuid(1);
        Guid Survivor(Guid id)
        {
            for (var hops = 0; survivor.TryGetValue(id, out var next) && hops < 1000; hops++) id = next;
            return id;
        }
        var rows = new List<(string Key, Guid Person)>();
        await using (var command = db.CreateCommand("""
            SELECT e.feed_code || '/' || e.file_name || '#' || s.row_number, s.person_id
              FROM source_records s JOIN extracts e ON e.id = s.extract_id
            UNION ALL
            SELECT e.feed_code || '/' || e.file_name || '#' || u.row_number, s.person_id
              FROM unchanged_rows u JOIN extracts e ON e.id = u.extract_id JOIN source_records s ON s.id = u.source_record_id
            """))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) rows.Add((reader.GetString(0), Survivor(reader.GetGuid(1))));
        var groups = rows.GroupBy(r => r.Person).ToDictionary(g => g.Key, g => string.Join(" ", g.Select(r => r.Key).Order(StringComparer.Ordinal)));
        return rows.ToDictionary(r => r.Key, r => groups[r.Person]);
    }

    /// <summary>The chunks' queue as the management API describes it; null when it does not answer.</summary>
    private static async Task<JsonDocument?> ResolutionQueueAsync()
    {
        if (BrokerCleanup.ManagementUri is not { Length: > 0 } raw) return null;
        var uri = new Uri(raw);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(uri.GetLeftPart(UriPartial.Authority)), Timeout = TimeSpan.FromSeconds(10) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(uri.UserInfo))));
            return JsonDocument.Parse(await http.GetStringAsync("/api/queues/%2F/resolve-source-rows"));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            Console.Error.WriteLine($"the management API did not describe resolve-source-rows: {ex.Message}");
            return null;
        }
    }

    /// <summary>The number (1..3) of the node leading the chunks' quorum queue (cluster.sh names them clusterN@localhost).</summary>
    private static async Task<int?> QueueLeaderAsync()
    {
        using var queue = await ResolutionQueueAsync();
        return queue is not null && queue.RootElement.TryGetProperty("leader", out var l)
               && Regex.Match(l.GetString() ?? "", @"^cluster(\d)@") is { Success: true } m ? int.Parse(m.Groups[1].Value, C) : null;
    }

    /// <summary>The chunks' queue is a quorum queue replicated on the three nodes (Bus:QuorumQueues), so losing one node loses no chunk.</summary>
    private static async Task CheckQuorumQueueAsync(Checks checks)
    {
        using var queue = await ResolutionQueueAsync();
        if (queue is null)
        {
            checks.Fail("the chunks' queue is a quorum queue on three nodes", "the management API (RabbitMq__ManagementUri) did not answer");
            return;
        }
        var type = queue.RootElement.TryGetProperty("type", out var t) ? t.GetString() : "?";
        var members = queue.RootElement.TryGetProperty("members", out var m) && m.ValueKind == JsonValueKind.Array ? m.GetArrayLength() : 0;
        var leader = queue.RootElement.TryGetProperty("leader", out var l) ? l.GetString() : "?";
        checks.Check("the chunks' queue is a quorum queue on three nodes", type == "quorum" && members == 3, $"resolve-source-rows: type {type}, {members} members, leader {leader}");
    }

    private static async Task CheckClusterWholeAsync(Cluster cluster, Checks checks)
    {
        var (code, output) = await cluster.TryRunAsync("status");
        checks.Check("cluster whole again (standby streaming, three RabbitMQ nodes, four hosts)", code == 0 && output.Contains("standby", StringComparison.Ordinal),
            string.Join("; ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Replace("[cluster] ", "", StringComparison.Ordinal))));
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), C);
    }

    /// <summary>PASS/FAIL lines, kept in order, and the closing summary.</summary>
    private sealed class Checks
    {
        private readonly List<(string Name, bool Ok, string Detail)> _results = [];

        public void Check(string name, bool ok, string detail)
        {
            _results.Add((name, ok, detail));
            Console.WriteLine($"{(ok ? "PASS" : "FAIL")}  {name}: {detail}");
        }

        public void Fail(string name, string detail) => Check(name, false, detail);


        public int Report(TimeSpan elapsed, List<WaveTiming> timings)
        {
            Console.WriteLine();
            Console.WriteLine("fault                                          injected at  fault took  chunks applied again  wave resolved  restored in");
            foreach (var t in timings)
                Console.WriteLine(string.Create(C,
                    $"{t.Fault,-46} {t.InjectedAfter,9:F1} s {t.FaultSeconds,9:F1} s {(t.ResumedAfter is { } r ? $"{r,17:F1} s" : "            never"),20} {t.ResolvedAfter,12:F1} s {(t.RecoverySeconds is { } s ? $"{s,9:F1} s" : "        -")}"));
            var failed = _results.Count(r => !r.Ok);
            Console.WriteLine();
            Console.WriteLine(failed == 0 && _results.Count > 0
                ? string.Create(C, $"CLUSTER TEST PASSED: {_results.Count} checks in {elapsed.TotalSeconds:F0} s")
                : string.Create(C, $"CLUSTER TEST FAILED: {failed} of {_results.Count} checks failed ({string.Join("; ", _results.Where(r => !r.Ok).Select(r => r.Name))}) in {elapsed.TotalSeconds:F0} s"));
            return failed == 0 && _results.Count > 0 ? 0 : 1;
        }
    }

    /// <summary>deploy/cluster/cluster.sh: its verbs, its inboxes, its API addresses and secrets.</summary>
    private sealed class Cluster(string root)
    {
        private readonly string _state = Path.Combine(root, ".local", "cluster");

        /// <summary>Worker N's inbox root (CLUSTER_SHARED_INBOX=1: one for both, as cluster.sh then starts them).</summary>
        public string Inbox(int worker) =>
            Path.Combine(_state, "inbox", Environment.GetEnvironmentVariable("CLUSTER_SHARED_INBOX") == "1" ? "shared" : $"w{worker}");

        public static IEnumerable<(string Name, string Url)> Apis =>
        [
            ("API 1", $"http://127.0.0.1:{Port("CLUSTER_API_PORTS", 0, 26180)}"),
            ("API 2", $"http://127.0.0.1:{Port("CLUSTER_API_PORTS", 1, 26190)}"),
        ];

        private static int Port(string variable, int index, int fallback) =>
            Environment.GetEnvironmentVariable(variable)?.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { } ports && ports.Length > index
                ? int.Parse(ports[index], C) : fallback;

        public string Secret(string name) =>
            File.ReadLines(Path.Combine(_state, "secrets.env")).Where(l => l.StartsWith(name + "=", StringComparison.Ordinal))
                .Select(l => l[(name.Length + 1)..]).FirstOrDefault() ?? throw new InvalidOperationException($"no {name} in secrets.env");

        /// <summary>Runs a verb; its stderr (the script's messages) is echoed; throws when it fails. Returns its stdout.</summary>
        public async Task<string> RunAsync(params string[] verb)
        {
            var (code, output) = await TryRunAsync(verb);
            if (code != 0) throw new InvalidOperationException($"cluster.sh {string.Join(' ', verb)} exited with {code}");
            return output.Trim();
        }

        public async Task<(int Code, string Output)> TryRunAsync(params string[] verb)
        {
            var start = new ProcessStartInfo("bash", [Path.Combine(root, "deploy", "cluster", "cluster.sh"), .. verb])
            {
                WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var messages = await stderr;
            foreach (var line in messages.Split('\n', StringSplitOptions.RemoveEmptyEntries)) Console.WriteLine("    " + line);
            return (process.ExitCode, (await stdout) + messages);
        }
    }
}

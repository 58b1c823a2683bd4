using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Registry.Feeds;
using Registry.ServiceDefaults;
using Registry.Storage;
using Registry.SyntheticPopulation;

namespace Registry.Benchmarks;

/// <summary>
/// `make bench-faults` (issue 25's fault table, re-measured on one node): the same synthetic population
/// (seven csv-drop feeds, one file per feed and quarter; by default 46,686 rows, profile typical, seed
/// 20261123) through the real workers host (Release build, its own process, the GC settings of
/// deploy/workers-runtime.env and the settings bench-accuracy gives it) into a fresh database per run, the
/// extracts in its inbox before it starts (so every run registers them in one order): clean runs, then per trial one fault injected once the first chunks are applied —
/// (a) the workers host killed with SIGKILL and started again 3 s later, (b) RabbitMQ's beam killed with
/// SIGKILL and started again 15 s later, (c) PostgreSQL stopped (pg_ctl stop -m fast) for 20 s, (d) for
/// 120 s. It stops and kills the servers of deploy/local/services.sh in this checkout only (it checks that
/// the connection strings point at them), and starts them again with `services.sh up`.
/// Per run: every extract resolved with no human action, each file received once, rows = accepted +
/// rejected per extract, each accepted row applied exactly once, the resolution error queue empty, and the
/// partition of rows into persons compared with the first clean run (rows grouped otherwise: 0 expected, chunks
/// resolve in canonical order; the second clean run shows the variation without faults); time to resolve; the workers' /health/ready as polled
/// each second during the fault. A table like the issue's and a last line RESULT ….
/// </summary>
public static class FaultBenchmark
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private sealed record Extract(string Feed, string File, string Path, int Rows);

    private sealed record Fault(string Code, string Label);

    private static readonly Fault[] AllFaults =
    [
        new("workers", "workers host `kill -9`, restarted 3 s later"),
        new("rabbit", "RabbitMQ `kill -9`, back after 15 s"),
        new("pg20", "PostgreSQL stopped for 20 s"),
        new("pg120", "PostgreSQL stopped for 120 s"),
    ];

    /// <summary>What one run measured.</summary>
    private sealed class RunResult
    {
        public required string Name { get; init; }
        public Fault? Fault { get; init; }
        public int Trial { get; init; }
        public string Database { get; init; } = "";
        public bool Resolved { get; set; }
        public bool Exact { get; set; }
        public List<string> Failures { get; } = [];
        public double? InjectedAt { get; set; }
        public long AppliedAtFault { get; set; }
        public double? FaultSeconds { get; set; }       // from the kill/stop until the service answered again
        public double? ResolvedAfter { get; set; }      // from the host ready, the extracts in its inbox
        public double? ResolvedAfterRecovery { get; set; }
        public int? DifferingRows { get; set; }         // against clean run 1
        public string Readiness { get; set; } = "";
        public bool? DegradedSeen { get; set; }
        public string Detail { get; set; } = "";
        public Dictionary<string, string>? Partition { get; set; }
        public (double Precision, double Recall) Score { get; set; }
        public int Persons { get; set; }
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var records = BenchArgs.Int(args, "--records", 46_686);
        var profile = ErrorProfile.Named(BenchArgs.String(args, "--profile", "typical"));
        var seed = BenchArgs.Int(args, "--seed", 20261123);
        var trials = BenchArgs.Int(args, "--trials", 3);
        var cleanRuns = Math.Max(1, BenchArgs.Int(args, "--clean-runs", 2));
        var faultCodes = BenchArgs.String(args, "--faults", "workers,rabbit,pg20,pg120").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // The fault comes once this many rows are applied (the default chunk is 2,000 rows: after the first two chunks).
        var triggerRows = BenchArgs.Int(args, "--trigger-rows", 4000);
        var pgStopMode = BenchArgs.String(args, "--pg-stop-mode", "fast");
        var runTimeout = TimeSpan.FromMinutes(BenchArgs.Int(args, "--run-timeout-minutes", 30));
        var workersPort = BenchArgs.Int(args, "--workers-port", 27181);
        // A run in which no chunk is applied for this long after the fault is over is stuck (a failure): its evidence is kept,
        // then the workers host is restarted once to see whether that alone finishes it.
        var stuckAfter = TimeSpan.FromMinutes(BenchArgs.Int(args, "--stuck-minutes", 5));
        var keepFailed = !args.Contains("--drop-failed");
        // Every run's database kept (to compare partitions by hand), not only the failed ones'.
        var keepAll = args.Contains("--keep");
        var owner = Environment.GetEnvironmentVariable("ConnectionStrings__Registry");
        var amqp = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
        if (string.IsNullOrEmpty(owner) || string.IsNullOrEmpty(amqp))
        {
            Console.Error.WriteLine("ConnectionStrings__Registry / ConnectionStrings__RabbitMq not set: run through `make bench-faults`.");
            return 2;
        }
        var faults = new List<Fault>();
        foreach (var code in faultCodes)
        {
            if (AllFaults.FirstOrDefault(f => f.Code == code) is not { } f)
            {
                Console.Error.WriteLine($"unknown fault '{code}': known are {string.Join(", ", AllFaults.Select(x => x.Code))}");
                return 2;
            }
            faults.Add(f);
        }
        if (pgStopMode is not ("fast" or "immediate"))
        {
            Console.Error.WriteLine("--pg-stop-mode is fast or immediate");
            return 2;
        }
        var root = BenchArgs.RepoRoot();
        var workersDll = Path.Combine(root, "src", "Ingest.Workers", "bin", "Release", "net10.0", "Ingest.Workers.dll");
        if (!File.Exists(workersDll))
        {
            Console.Error.WriteLine($"{workersDll} missing: run through `make bench-faults` (it builds the workers in Release).");
            return 2;
        }
        var services = new LocalServices(root, owner, amqp);
        if (services.Problem() is { } problem)
        {
            Console.Error.WriteLine(problem);
            return 2;
        }

        var started = DateTime.UtcNow;
        var total = Stopwatch.StartNew();
        var work = Path.Combine(root, ".local", "bench-faults", started.ToString("yyyyMMdd-HHmmss", C));
        Directory.CreateDirectory(work);
        var catalog = FeedCatalog.LoadFolder(Path.Combine(root, "deploy", "feeds"));
        var summary = SyntheticDataset.Write(Path.Combine(work, "extracts"), new DatasetOptions
        {
            Records = records, Profile = profile, Seed = seed, Feeds = SyntheticDataset.AgencyFeeds(catalog),
        });
        var extracts = summary.Extracts.Select(e => new Extract(e.FeedCode, e.FileName, e.Path, e.Rows)).ToList();
        var truth = File.ReadLines(summary.GroundTruthPath).Skip(1).Select(line => line.Split(','))
            .ToDictionary(f => $"{f[0]}/{f[1]}#{f[2]}", f => f[4]);
        Console.WriteLine(string.Create(C, $"{summary.Records:N0} rows of {summary.Persons:N0} persons in {summary.Households:N0} households " +
            $"(profile {profile.Name}, seed {seed}, records {records}) in {extracts.Count} extracts of {extracts.Select(e => e.Feed).Distinct().Count()} feeds: " +
            $"{string.Join(", ", extracts.GroupBy(e => e.Feed).Select(g => string.Create(C, $"{g.Key} {g.Sum(e => e.Rows):N0}")))}"));
        Console.WriteLine(string.Create(C, $"PostgreSQL {services.PgDescription}, RabbitMQ {services.RabbitDescription}; workers host on :{workersPort}; " +
            $"fault after {triggerRows:N0} applied rows; PostgreSQL stopped with -m {pgStopMode}; logs and kept databases' notes in {work}"));
        Console.WriteLine($"load: {Uptime()}");

        var runner = new Runner(root, workersDll, owner, amqp, extracts, services, work, workersPort, triggerRows, pgStopMode, runTimeout, stuckAfter, keepFailed, keepAll);
        var results = new List<RunResult>();
        RunResult? reference = null;

        async Task Record(RunResult r)
        {
            if (reference?.Partition is { } expected && r.Partition is { } actual)
                r.DifferingRows = Differing(expected, actual);
            if (r.Partition is not null) r.Score = Score(r.Partition, truth);
            results.Add(r);
            Console.WriteLine(Line(r));
            await Task.CompletedTask;
        }

        // Clean run 1 (the reference), then the trials round by round (each fault once per round), clean run 2 after the first round.
        var first = await runner.RunAsync("clean 1", null, 0);
        reference = first;
        await Record(first);
        if (!first.Exact || first.Partition is null)
        {
            Console.WriteLine("the clean run was not exact: no trial makes sense against it");
        }
        else
        {
            for (var trial = 1; trial <= trials; trial++)
            {
                foreach (var fault in faults)
                {
                    await Record(await runner.RunAsync($"{fault.Code} #{trial}", fault, trial));
                    // Clean reference's partition is kept; each run's own is not needed afterwards.
                    if (results[^1] != reference) results[^1].Partition = null;
                }
                for (var clean = 2; trial == 1 && clean <= cleanRuns; clean++)
                {
                    var again = await runner.RunAsync($"clean {clean}", null, 0);
                    await Record(again);
                    again.Partition = null;
                }
            }
        }

        // The table.
        Console.WriteLine();
        Console.WriteLine($"== runs ({started:yyyy-MM-dd HH:mm} UTC, {total.Elapsed.TotalMinutes:F0} min; load now: {Uptime()})");
        Console.WriteLine("run          exact  rows otherwise  injected at  fault lasted  resolved (from ready)  after recovery  readiness during the fault");
        foreach (var r in results) Console.WriteLine(Line(r));
        var baseline = results.Where(r => r.Fault is null && r != reference).Select(r => r.DifferingRows ?? -1).ToList();
        Console.WriteLine();
        Console.WriteLine("| fault, mid-run | trials | every extract exact | same persons as clean run 1 (rows grouped otherwise) | resolved after (s, from host ready) | workers /health/ready during it |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var cleanRows = results.Where(r => r.Fault is null).ToList();
        Console.WriteLine(string.Create(C, $"| none (clean runs) | {cleanRows.Count} | {cleanRows.Count(r => r.Exact)} | {cleanRows.Count(r => r.DifferingRows == 0)} " +
            $"({string.Join(", ", cleanRows.Select(r => r == reference ? "reference" : r.DifferingRows?.ToString(C) ?? "-"))}) | {string.Join(", ", cleanRows.Select(r => r.ResolvedAfter is { } s ? s.ToString("F0", C) : "-"))} | - |"));
        foreach (var fault in faults)
        {
            var rs = results.Where(r => r.Fault == fault).ToList();
            Console.WriteLine(string.Create(C, $"| {fault.Label} | {rs.Count} | {rs.Count(r => r.Exact)} | {rs.Count(r => r.Exact && r.DifferingRows == 0)} " +
                $"({string.Join(", ", rs.Select(r => r.DifferingRows?.ToString(C) ?? "-"))}) | {string.Join(", ", rs.Select(r => r.ResolvedAfter is { } s ? s.ToString("F0", C) : "-"))} | " +
                $"{(fault.Code == "workers" ? "-" : $"Degraded in {rs.Count(r => r.DegradedSeen == true)}/{rs.Count}")} |"));
        }
        var faultRuns = results.Where(r => r.Fault is not null).ToList();
        foreach (var r in results.Where(r => !r.Exact))
            Console.WriteLine($"FAILED {r.Name} (database {r.Database}): {string.Join("; ", r.Failures)}");
        var pgRuns = faultRuns.Where(r => r.Fault!.Code.StartsWith("pg", StringComparison.Ordinal)).ToList();
        Console.WriteLine();
        Console.WriteLine(string.Create(C,
            $"RESULT runs={results.Count} clean_exact={cleanRows.Count(r => r.Exact)}/{cleanRows.Count} fault_exact={faultRuns.Count(r => r.Exact)}/{faultRuns.Count} " +
            $"same_persons={faultRuns.Count(r => r.Exact && r.DifferingRows == 0)}/{faultRuns.Count} max_rows_otherwise={(faultRuns.Count == 0 ? 0 : faultRuns.Max(r => r.DifferingRows ?? -1))} " +
            $"clean_baseline_rows_otherwise={(baseline.Count == 0 ? "-" : string.Join("/", baseline))} " +
            $"pg_degraded_seen={pgRuns.Count(r => r.DegradedSeen == true)}/{pgRuns.Count} rows={summary.Records} minutes={total.Elapsed.TotalMinutes:F0}"));
        return results.All(r => r.Exact) && faultRuns.Count == faults.Count * trials ? 0 : 1;
    }

    private static string Line(RunResult r) => string.Create(C,
        $"{r.Name,-12} {(r.Exact ? "yes" : "NO"),5}  {(r.DifferingRows is { } d ? d.ToString("N0", C) : "-"),14}  {Secs(r.InjectedAt),11}  {Secs(r.FaultSeconds),12}  " +
        $"{Secs(r.ResolvedAfter),20}  {Secs(r.ResolvedAfterRecovery),14}  {r.Readiness}" +
        $"{(r.Partition is null && r.Score == default ? "" : $"  | pairwise against the truth: precision {r.Score.Precision:F4}, recall {r.Score.Recall:F4}")}" +
        $"{(r.Detail.Length > 0 ? "  | " + r.Detail : "")}");

    private static string Secs(double? s) => s is { } v ? v.ToString("F1", C) + " s" : "-";

    private static string Uptime()
    {
        try
        {
            var load = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"load average {load[0]}, {load[1]}, {load[2]} ({Environment.ProcessorCount} cores)";
        }
        catch (IOException)
        {
            return "?";
        }
    }

    /// <summary>Rows whose person holds other rows than in <paramref name="expected"/> (or that one of the two lacks).</summary>
    private static int Differing(Dictionary<string, string> expected, Dictionary<string, string> actual) =>
        expected.Keys.Union(actual.Keys).Count(k => expected.GetValueOrDefault(k) != actual.GetValueOrDefault(k));

    /// <summary>Pairwise precision and recall of a partition against the synthetic population's truth.</summary>
    private static (double Precision, double Recall) Score(Dictionary<string, string> partition, Dictionary<string, string> truth)
    {
        static long Pairs(IEnumerable<int> sizes) => sizes.Sum(n => (long)n * (n - 1) / 2);
        var rows = partition.Where(p => truth.ContainsKey(p.Key)).ToList();
        var predicted = Pairs(rows.GroupBy(r => r.Value).Select(g => g.Count()));
        var actual = Pairs(rows.GroupBy(r => truth[r.Key]).Select(g => g.Count()));
        var correct = Pairs(rows.GroupBy(r => (r.Value, truth[r.Key])).Select(g => g.Count()));
        return (predicted == 0 ? 1 : (double)correct / predicted, actual == 0 ? 1 : (double)correct / actual);
    }

    /// <summary>One run: a fresh database and queues, the workers host, the extracts dropped, maybe a fault, the checks.</summary>
    private sealed class Runner(string root, string workersDll, string owner, string amqp, List<Extract> extracts, LocalServices services,
        string work, int port, int triggerRows, string pgStopMode, TimeSpan timeout, TimeSpan stuckAfter, bool keepFailed, bool keepAll)
    {
        public async Task<RunResult> RunAsync(string name, Fault? fault, int trial)
        {
            var database = "bench_faults_" + Guid.NewGuid().ToString("N")[..8];
            var result = new RunResult { Name = name, Fault = fault, Trial = trial, Database = database };
            var folder = Path.Combine(work, Regex.Replace(name, "[^a-z0-9]+", "-"));
            Directory.CreateDirectory(folder);
            var log = new WorkersLog(Path.Combine(folder, "workers.log"));
            var cs = new NpgsqlConnectionStringBuilder(owner) { Database = database }.ConnectionString;
            var pollCs = new NpgsqlConnectionStringBuilder(owner) { Database = database, Timeout = 3, CommandTimeout = 30, Pooling = false }.ConnectionString;
            Console.WriteLine();
            Console.WriteLine($"== {name}: database {database} ({DateTime.UtcNow:HH:mm:ss} UTC; {Uptime()})");
            Process? workers = null;
            var failed = false;
            using var stopPolling = new CancellationTokenSource();
            Task? readinessPoll = null;
            var readiness = new List<(double At, string State)>();
            try
            {
                await Migrator.ApplyAsync(cs, NullLogger.Instance);
                // The extracts wait in the inbox before the host starts, as a morning's batch would: its first scan
                // registers them in one order (feed, then file name) every run. Dropped while it runs, a file that
                // lands after the scan passed its folder is registered after later feeds' files — another order of
                // extracts, so (in canonical order) other borderline decisions, faults or not.
                foreach (var e in extracts) Drop(Path.Combine(folder, "inbox", e.Feed), e);
                workers = StartWorkers(cs, database, folder, log);
                if (!await WaitReadyAsync(workers))
                {
                    result.Failures.Add("the workers host did not become ready");
                    failed = true;
                    return result;
                }
                await using var db = NpgsqlDataSource.Create(pollCs);
                var clock = Stopwatch.StartNew();
                readinessPoll = PollReadinessAsync(clock, readiness, stopPolling.Token);
                log.Mark(clock, "workers host ready, extracts in its inbox");

                double? faultStart = null, faultEnd = null;
                if (fault is not null)
                {
                    long applied = 0;
                    while (clock.Elapsed < timeout && (applied = await RegistryPoll.AppliedRowsAsync(db) ?? applied) < triggerRows)
                        await Task.Delay(100);
                    result.InjectedAt = clock.Elapsed.TotalSeconds;
                    result.AppliedAtFault = applied;
                    faultStart = clock.Elapsed.TotalSeconds;
                    log.Mark(clock, $"fault {fault.Code} injected ({applied:N0} rows applied)");
                    switch (fault.Code)
                    {
                        case "workers":
                            var pid = workers.Id;
                            workers.Kill(); // SIGKILL
                            await workers.WaitForExitAsync();
                            workers.Dispose();
                            Console.WriteLine($"  {clock.Elapsed.TotalSeconds:F1} s: workers host (pid {pid}) killed with SIGKILL after {applied:N0} applied rows");
                            await Task.Delay(TimeSpan.FromSeconds(3));
                            workers = StartWorkers(cs, database, folder, log);
                            Console.WriteLine($"  {clock.Elapsed.TotalSeconds:F1} s: workers host started again (pid {workers.Id})");
                            if (!await WaitReadyAsync(workers)) result.Failures.Add("the restarted workers host did not become ready");
                            faultEnd = clock.Elapsed.TotalSeconds;
                            break;
                        case "rabbit":
                            var beam = await services.KillRabbitAsync();
                            Console.WriteLine($"  {clock.Elapsed.TotalSeconds:F1} s: RabbitMQ beam (pid {beam}) killed with SIGKILL after {applied:N0} applied rows");
                            await Task.Delay(TimeSpan.FromSeconds(15));
                            Console.WriteLine($"  {clock.Elapsed.TotalSeconds:F1} s: services.sh up");
                            await services.UpAsync();
                            faultEnd = clock.Elapsed.TotalSeconds;
                            Console.WriteLine($"  {clock.Elapsed.TotalSeconds:F1} s: RabbitMQ answers again");
                            break;
                        default:
                            var seconds = fault.Code == "pg20" ? 20 : 120;
                            await services.StopPostgresAsync(pgStopMode);
                            Console.WriteLine($"  {clock.Elapsed.TotalSeconds:F1} s: PostgreSQL stopped (-m {pgStopMode}) after {applied:N0} applied rows; {seconds} s");
                            await Task.Delay(TimeSpan.FromSeconds(seconds));
                            // services.sh up starts PostgreSQL first, then asks RabbitMQ (slow): the outage ends when PostgreSQL answers.
                            var up = services.UpAsync();
                            while (!up.IsCompleted && await RegistryPoll.AppliedRowsAsync(db) is null) await Task.Delay(200);
                            faultEnd = clock.Elapsed.TotalSeconds;
                            await up;
                            Console.WriteLine($"  {clock.Elapsed.TotalSeconds:F1} s: PostgreSQL started again");
                            break;
                    }
                    result.FaultSeconds = faultEnd - faultStart;
                    log.Mark(clock, $"fault {fault.Code} over");
                }

                // Until every extract has a final status; stuck when no chunk was applied for stuckAfter once the fault is over.
                var lastPrint = TimeSpan.Zero;
                var stuck = false;
                long lastApplied = -1;
                var progressAt = clock.Elapsed;
                while (true)
                {
                    if (await RegistryPoll.AppliedRowsAsync(db) is { } appliedRows && appliedRows != lastApplied)
                    {
                        lastApplied = appliedRows;
                        progressAt = clock.Elapsed;
                    }
                    var since = TimeSpan.FromSeconds(Math.Max(progressAt.TotalSeconds, faultEnd ?? 0));
                    if (clock.Elapsed - since > stuckAfter && !await RegistryPoll.FinishedAsync(db, extracts.Count))
                    {
                        stuck = true;
                        var extractsNow = await RegistryPoll.DescribeAsync(db);
                        var brokerNow = await QueueStateAsync(database + "-resolve-source-rows");
                        string readyNow;
                        lock (readiness) readyNow = readiness.LastOrDefault().State ?? "-";
                        result.Failures.Add(string.Create(C, $"stuck: no chunk applied from {since.TotalSeconds:F0} s to {clock.Elapsed.TotalSeconds:F0} s " +
                            $"({lastApplied:N0} rows applied; {extractsNow}); broker: {brokerNow}; workers /health/ready: {readyNow}"));
                        break;
                    }
                    if (workers.HasExited)
                    {
                        result.Failures.Add($"the workers host exited with code {workers.ExitCode}");
                        break;
                    }
                    if (await RegistryPoll.FinishedAsync(db, extracts.Count))
                    {
                        result.Resolved = true;
                        break;
                    }
                    if (clock.Elapsed > timeout)
                    {
                        result.Failures.Add($"not finished within {timeout.TotalMinutes:F0} min: {await RegistryPoll.DescribeAsync(db)}");
                        break;
                    }
                    if (clock.Elapsed - lastPrint >= TimeSpan.FromSeconds(30))
                    {
                        lastPrint = clock.Elapsed;
                        var state = await RegistryPoll.DescribeAsync(db);
                        var appliedNow = await RegistryPoll.AppliedRowsAsync(db);
                        Console.WriteLine(string.Create(C, $"  {clock.Elapsed.TotalSeconds,6:F0} s  {state}; applied rows {appliedNow:N0}"));
                    }
                    await Task.Delay(500);
                }
                result.ResolvedAfter = result.Resolved ? clock.Elapsed.TotalSeconds : null;
                if (faultEnd is { } end && result.Resolved) result.ResolvedAfterRecovery = result.ResolvedAfter - end;
                if (stuck)
                {
                    Console.WriteLine("  " + result.Failures[^1]);
                    await EvidenceAsync(db, result, log, folder);
                    // What an operator would try first: restart the workers host. Still a failure (a human acted), but it tells what was lost.
                    log.Mark(clock, "stuck: workers host restarted by the benchmark (as an operator would)");
                    workers.Kill();
                    await workers.WaitForExitAsync();
                    workers.Dispose();
                    workers = StartWorkers(cs, database, folder, log);
                    var restartAt = clock.Elapsed;
                    var afterRestart = false;
                    while (clock.Elapsed - restartAt < stuckAfter && !workers.HasExited)
                    {
                        if (afterRestart = await RegistryPoll.FinishedAsync(db, extracts.Count)) break;
                        await Task.Delay(500);
                    }
                    var note = afterRestart
                        ? string.Create(C, $"after the benchmark restarted the workers host (human action) every extract finished {(clock.Elapsed - restartAt).TotalSeconds:F0} s later")
                        : $"still not finished {stuckAfter.TotalMinutes:F0} min after the benchmark restarted the workers host: {await RegistryPoll.DescribeAsync(db)}";
                    result.Failures.Add(note);
                    Console.WriteLine("  " + note);
                }
                log.Mark(clock, "finished");
                await stopPolling.CancelAsync();
                await readinessPoll;
                if (faultStart is { } fs && faultEnd is { } fe)
                {
                    // What the workers said from the fault until a little after the service came back.
                    var during = readiness.Where(x => x.At >= fs && x.At <= fe + 5).Select(x => x.State).ToList();
                    result.Readiness = string.Join(", ", during.GroupBy(s => s).Select(g => $"{g.Key} ×{g.Count()}"));
                    var after = readiness.Where(x => x.At > fe + 5).Select(x => x.State).Distinct().ToList();
                    if (after.Count > 0) result.Readiness += $"; afterwards {string.Join(", ", after)}";
                    result.DegradedSeen = during.Any(s => s.StartsWith("Degraded", StringComparison.Ordinal));
                }

                await CheckAsync(db, result);
                result.Exact = result.Resolved && result.Failures.Count == 0;
                if (result.Exact)
                {
                    result.Partition = await PartitionAsync(db);
                    result.Persons = result.Partition.Values.Distinct().Count();
                }
                else
                {
                    failed = true;
                    await EvidenceAsync(db, result, log, folder);
                }
                Console.WriteLine(string.Create(C,
                    $"  {(result.Exact ? "exact" : "NOT EXACT")}: {result.Detail}{(result.Failures.Count > 0 ? "; FAILURES: " + string.Join("; ", result.Failures) : "")}"));
                return result;
            }
            catch (Exception ex)
            {
                result.Failures.Add($"{ex.GetType().Name}: {ex.Message}");
                failed = true;
                Console.WriteLine($"  run failed: {ex}");
                return result;
            }
            finally
            {
                await stopPolling.CancelAsync();
                if (readinessPoll is not null)
                {
                    try
                    {
                        await readinessPoll;
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
                if (workers is not null)
                {
                    if (!workers.HasExited)
                    {
                        workers.Kill(entireProcessTree: true);
                        await workers.WaitForExitAsync();
                    }
                    workers.Dispose();
                }
                log.Dispose();
                NpgsqlConnection.ClearAllPools();
                if ((failed && keepFailed) || keepAll)
                {
                    Console.WriteLine($"  kept database {database} and {folder} (workers.log, extracts.txt) as evidence");
                }
                else
                {
                    try
                    {
                        // The resolution queue keeps the prefix as given, the endpoint formatter kebab-cases the fault queue's (bench-faults-…).
                        await BrokerCleanup.DeleteByPrefixAsync([database + "-", database.Replace('_', '-') + "-"], Console.Error.WriteLine);
                        await BenchArgs.DropDatabasesAsync(owner, [database]);
                        Directory.Delete(Path.Combine(folder, "archive"), recursive: true);
                    }
                    catch (Exception ex) when (ex is NpgsqlException or IOException or HttpRequestException)
                    {
                        Console.Error.WriteLine($"cleanup of {database}: {ex.Message}");
                    }
                }
            }
        }

        private Process StartWorkers(string cs, string database, string folder, WorkersLog log)
        {
            var start = new ProcessStartInfo("dotnet", [workersDll, "--urls", $"http://127.0.0.1:{port}"])
            {
                WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var line in File.ReadLines(Path.Combine(root, "deploy", "workers-runtime.env")))
                if (Regex.Match(line, "^([A-Za-z_][A-Za-z0-9_]*)=(.*)$") is { Success: true } m) start.Environment[m.Groups[1].Value] = m.Groups[2].Value;
            start.Environment["ConnectionStrings__Registry"] = cs;
            start.Environment["ConnectionStrings__RabbitMq"] = amqp;
            start.Environment["Bus__QueuePrefix"] = database + "-";
            start.Environment["Feeds__DefinitionsPath"] = Path.Combine(root, "deploy", "feeds");
            start.Environment["Inbox__Root"] = Path.Combine(folder, "inbox");
            start.Environment["Inbox__ArchiveRoot"] = Path.Combine(folder, "archive");
            start.Environment["Telemetry__Exporter"] = "none";
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            // No API pulls and no scheduled EM training during the run (as bench-accuracy).
            start.Environment["Hangfire__RecurringPulls"] = "false";
            start.Environment["Matching__Training__Schedule"] = "";
            var process = Process.Start(start)!;
            log.Line($"---- workers host started, pid {process.Id}");
            process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) log.Line(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) log.Line(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }

        private async Task<bool> WaitReadyAsync(Process workers)
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            for (var i = 0; i < 480; i++)
            {
                if (workers.HasExited) return false;
                try
                {
                    using var response = await http.GetAsync("/health/ready");
                    if (response.IsSuccessStatusCode) return true;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                }
                await Task.Delay(500);
            }
            return false;
        }

        /// <summary>The workers' /health/ready once a second: "Healthy", "Degraded (postgresql: …)", "Unhealthy", "no answer".</summary>
        private async Task PollReadinessAsync(Stopwatch clock, List<(double, string)> states, CancellationToken stop)
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(3) };
            while (!stop.IsCancellationRequested)
            {
                var at = clock.Elapsed.TotalSeconds;
                string state;
                try
                {
                    using var response = await http.GetAsync("/health/ready", stop);
                    using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(stop));
                    state = body.RootElement.GetProperty("status").GetString() ?? "?";
                    if (state != "Healthy" && body.RootElement.TryGetProperty("checks", out var checks))
                    {
                        var down = checks.EnumerateObject().Where(c => c.Value.GetProperty("status").GetString() != "Healthy").Select(c => c.Name).ToList();
                        if (down.Count > 0) state += $" ({string.Join("+", down)})";
                    }
                    state = $"{state} {(int)response.StatusCode}";
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
                {
                    state = "no answer";
                }
                lock (states) states.Add((at, state));
                try
                {
                    await Task.Delay(1000, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        private async Task CheckAsync(NpgsqlDataSource db, RunResult result)
        {
            await using var connection = await db.OpenConnectionAsync();
            async Task<long> Scalar(string sql)
            {
                await using var command = new NpgsqlCommand(sql, connection);
                return Convert.ToInt64(await command.ExecuteScalarAsync(), C);
            }
            var statuses = new Dictionary<string, long>();
            await using (var command = new NpgsqlCommand("SELECT status, count(*) FROM extracts GROUP BY status", connection))
            await using (var r = await command.ExecuteReaderAsync())
                while (await r.ReadAsync()) statuses[r.GetString(0)] = r.GetInt64(1);
            var resolved = statuses.GetValueOrDefault("resolved");
            if (resolved != extracts.Count || statuses.Values.Sum() != extracts.Count)
                result.Failures.Add($"{resolved}/{extracts.Count} extracts resolved ({string.Join(", ", statuses.Select(s => $"{s.Value} {s.Key}"))})");
            var receipts = await Scalar("SELECT count(*) FROM extract_receipts");
            var duplicates = await Scalar("SELECT count(*) FROM extract_receipts WHERE duplicate");
            if (receipts != extracts.Count || duplicates != 0)
                result.Failures.Add($"{receipts} receipts for {extracts.Count} files, {duplicates} duplicates");
            // Per extract: rows = accepted + rejected; accepted = its source records + unchanged rows; rejected = its rejected rows.
            var badCounts = await Scalar("""
                SELECT count(*) FROM extracts e
                 WHERE e.rows_total IS DISTINCT FROM e.rows_accepted + e.rows_rejected
                    OR e.rows_accepted IS DISTINCT FROM (SELECT count(*) FROM source_records s WHERE s.extract_id = e.id)
                                                     + (SELECT count(*) FROM unchanged_rows u WHERE u.extract_id = e.id)
                    OR e.rows_rejected IS DISTINCT FROM (SELECT count(*) FROM rejected_rows j WHERE j.extract_id = e.id)
                """);
            var rows = await Scalar("SELECT coalesce(sum(rows_total), 0) FROM extracts");
            var accepted = await Scalar("SELECT coalesce(sum(rows_accepted), 0) FROM extracts");
            var rejected = await Scalar("SELECT coalesce(sum(rows_rejected), 0) FROM extracts");
            var sourceRecords = await Scalar("SELECT count(*) FROM source_records");
            var unchanged = await Scalar("SELECT count(*) FROM unchanged_rows");
            var expectedRows = extracts.Sum(e => e.Rows);
            if (badCounts != 0 || rows != expectedRows || rows != accepted + rejected)
                result.Failures.Add($"{rows:N0} rows (files hold {expectedRows:N0}) vs {accepted:N0} accepted + {rejected:N0} rejected; {badCounts} extracts whose counts disagree with their rows");
            // Each (extract, row) once across the three places a row can end.
            var doubled = await Scalar("""
                SELECT count(*) FROM (
                  SELECT extract_id, row_number FROM (
                    SELECT extract_id, row_number FROM source_records
                    UNION ALL SELECT extract_id, row_number FROM unchanged_rows
                    UNION ALL SELECT extract_id, row_number FROM rejected_rows) x
                   GROUP BY 1, 2 HAVING count(*) > 1) d
                """);
            var chunkRows = await Scalar("SELECT coalesce(sum(rows), 0) FROM extract_chunks");
            var chunksExpected = await Scalar("SELECT coalesce(sum(chunks_total), 0) FROM extracts");
            var chunks = await Scalar("SELECT count(*) FROM extract_chunks");
            var events = await Scalar("SELECT count(*) FROM service_events");
            var eventRecords = await Scalar("SELECT count(DISTINCT source_record_id) FROM service_events");
            if (doubled != 0 || sourceRecords + unchanged != accepted || chunkRows != accepted || chunks != chunksExpected || events != eventRecords)
                result.Failures.Add($"{doubled} (extract, row) more than once; {sourceRecords:N0} source records + {unchanged:N0} unchanged vs {accepted:N0} accepted; " +
                                    $"chunks applied {chunks}/{chunksExpected} covering {chunkRows:N0} rows; {events:N0} service events for {eventRecords:N0} source records");
            var errorQueue = await ErrorQueueDepthAsync(result.Database + "-resolve-source-rows_error");
            if (errorQueue is > 0) result.Failures.Add($"{errorQueue} message(s) in {result.Database}-resolve-source-rows_error");
            var persons = await Scalar("SELECT count(*) FROM persons WHERE merged_into IS NULL");
            var review = await Scalar("SELECT count(*) FROM review_tasks WHERE status = 'open'");
            result.Detail = string.Create(C,
                $"{statuses.GetValueOrDefault("resolved")}/{extracts.Count} resolved, {receipts} receipts; rows {rows:N0} = {accepted:N0} accepted + {rejected:N0} rejected; " +
                $"{sourceRecords:N0} source records + {unchanged:N0} unchanged, {doubled} doubled; chunks {chunks}/{chunksExpected}; error queue {(errorQueue?.ToString(C) ?? "?")}; " +
                $"{persons:N0} persons, {review:N0} open review tasks");
        }

        /// <summary>On a failure: the extracts' state and the end of the workers' log, on the console and in the run's folder.</summary>
        private static async Task EvidenceAsync(NpgsqlDataSource db, RunResult result, WorkersLog log, string folder)
        {
            var lines = new List<string>();
            try
            {
                await using var command = db.CreateCommand("""
                    SELECT feed_code, file_name, status, rows_total, rows_accepted, rows_rejected, rows_resolved, chunks_total,
                           (SELECT count(*) FROM extract_chunks c WHERE c.extract_id = e.id), coalesce(error, '')
                      FROM extracts e WHERE status <> 'resolved' OR rows_resolved IS DISTINCT FROM rows_accepted ORDER BY received_at
                    """);
                await using var r = await command.ExecuteReaderAsync();
                while (await r.ReadAsync())
                    lines.Add(string.Create(C, $"{r.GetString(0)}/{r.GetString(1)} {r.GetString(2)} rows {(r.IsDBNull(3) ? "-" : r.GetInt32(3))} accepted {(r.IsDBNull(4) ? "-" : r.GetInt32(4))} " +
                                              $"rejected {(r.IsDBNull(5) ? "-" : r.GetInt32(5))} resolved {r.GetInt32(6)} chunks {r.GetInt64(8)}/{(r.IsDBNull(7) ? "-" : r.GetInt32(7))} {r.GetString(9)}"));
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                lines.Add("extracts not readable: " + ex.Message);
            }
            await File.WriteAllLinesAsync(Path.Combine(folder, "extracts.txt"), lines);
            Console.WriteLine("  extracts not exact:");
            foreach (var l in lines.Take(40)) Console.WriteLine("    " + l);
            Console.WriteLine("  workers log, last lines:");
            foreach (var l in log.Tail(60)) Console.WriteLine("    " + l);
        }

        /// <summary>The broker's view of a queue: messages ready / unacknowledged and consumers (who would take them).</summary>
        private static async Task<string> QueueStateAsync(string queue)
        {
            if (BrokerCleanup.ManagementUri is not { Length: > 0 } raw) return "management API not configured";
            var uri = new Uri(raw);
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri(uri.GetLeftPart(UriPartial.Authority)), Timeout = TimeSpan.FromSeconds(15) };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                    Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(uri.UserInfo))));
                using var q = JsonDocument.Parse(await http.GetStringAsync("/api/queues/%2F/" + Uri.EscapeDataString(queue)));
                long N(string name) => q.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : -1;
                using var connections = JsonDocument.Parse(await http.GetStringAsync("/api/connections"));
                using var channels = JsonDocument.Parse(await http.GetStringAsync("/api/channels"));
                return string.Create(C, $"{queue}: {N("messages_ready")} ready, {N("messages_unacknowledged")} unacknowledged, {N("consumers")} consumers; " +
                                        $"broker has {connections.RootElement.GetArrayLength()} connection(s), {channels.RootElement.GetArrayLength()} channel(s) with " +
                                        $"{channels.RootElement.EnumerateArray().Sum(c => c.TryGetProperty("consumer_count", out var n) ? n.GetInt32() : 0)} consumer(s)");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
            {
                return "management API: " + ex.Message;
            }
        }

        private static async Task<long?> ErrorQueueDepthAsync(string queue)
        {
            if (BrokerCleanup.ManagementUri is not { Length: > 0 } raw) return null;
            var uri = new Uri(raw);
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri(uri.GetLeftPart(UriPartial.Authority)), Timeout = TimeSpan.FromSeconds(15) };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                    Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(uri.UserInfo))));
                using var response = await http.GetAsync("/api/queues/%2F/" + Uri.EscapeDataString(queue));
                if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return 0;
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                return body.RootElement.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
            {
                return null;
            }
        }

        private static void Drop(string folder, Extract e)
        {
            Directory.CreateDirectory(folder);
            File.Copy(e.Path, Path.Combine(folder, e.File + ".part"));
            File.Move(Path.Combine(folder, e.File + ".part"), Path.Combine(folder, e.File));
        }

        /// <summary>Row key (feed/file#row) → its person's rows as one canonical string, so equal groups compare equal across databases.</summary>
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
    }

    /// <summary>The workers' output into a file, with the benchmark's marks; the last lines kept for evidence.</summary>
    private sealed class WorkersLog(string path) : IDisposable
    {
        private readonly StreamWriter _file = new(path) { AutoFlush = true };
        private readonly Queue<string> _tail = new();

        public void Line(string line)
        {
            var stamped = $"{DateTime.UtcNow:HH:mm:ss.fff} {line}";
            lock (_tail)
            {
                _file.WriteLine(stamped);
                _tail.Enqueue(stamped);
                while (_tail.Count > 400) _tail.Dequeue();
            }
        }

        public void Mark(Stopwatch clock, string what) => Line(string.Create(C, $"==== bench-faults {clock.Elapsed.TotalSeconds:F1} s: {what}"));

        public List<string> Tail(int n)
        {
            lock (_tail) return _tail.Skip(Math.Max(0, _tail.Count - n)).ToList();
        }

        public void Dispose()
        {
            lock (_tail) _file.Dispose();
        }
    }

    /// <summary>
    /// The servers deploy/local/services.sh runs for this checkout (.local/services): PostgreSQL stopped with pg_ctl as
    /// the postgres user, RabbitMQ's beam (its PID file, owned by the rabbitmq user) killed; both started again by
    /// `services.sh up` with the caller's REGISTRY_* ports. Only after checking that the connection strings point at them.
    /// </summary>
    private sealed class LocalServices(string root, string owner, string amqp)
    {
        private readonly string _state = Path.Combine(root, ".local", "services");
        private string PgData => Path.Combine(_state, "postgres", "data");
        private string RabbitPidFile => Path.Combine(_state, "rabbitmq", "rabbitmq.pid");
        private int PgPort => new NpgsqlConnectionStringBuilder(owner).Port;
        private int AmqpPort => new Uri(amqp.Split(',')[0]).Port;

        public string PgDescription => $"127.0.0.1:{PgPort} (data {PgData})";
        public string RabbitDescription => $"127.0.0.1:{AmqpPort} (pid file {RabbitPidFile})";

        private static string PgCtl() =>
            Directory.EnumerateDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "pg_ctl")).Where(File.Exists)
                .OrderBy(p => int.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(p))), out var v) ? v : 0).LastOrDefault()
            ?? throw new InvalidOperationException("no /usr/lib/postgresql/*/bin/pg_ctl");

        /// <summary>Why faults cannot be injected here (the settings point elsewhere than this checkout's services), or null.</summary>
        public string? Problem()
        {
            var pid = Path.Combine(PgData, "postmaster.pid");
            if (!File.Exists(pid)) return $"{pid} missing: this checkout's PostgreSQL (deploy/local/services.sh) does not run";
            var port = File.ReadLines(pid).Skip(3).FirstOrDefault()?.Trim();
            if (port != PgPort.ToString(C))
                return $"ConnectionStrings__Registry names port {PgPort}, this checkout's PostgreSQL listens on {port}: the benchmark only stops its own services";
            var conf = Path.Combine(_state, "rabbitmq", "rabbitmq.conf");
            if (!File.Exists(conf) || !File.ReadLines(conf).Contains($"listeners.tcp.1 = 127.0.0.1:{AmqpPort}"))
                return $"ConnectionStrings__RabbitMq names port {AmqpPort}, not this checkout's RabbitMQ ({conf}): the benchmark only kills its own services";
            // services.sh up (which starts them again) takes its ports from the environment: they must be these.
            if (Environment.GetEnvironmentVariable("REGISTRY_PG_PORT") is var pgEnv && (pgEnv is { Length: > 0 } ? pgEnv : "55432") != PgPort.ToString(C))
                return $"REGISTRY_PG_PORT ({pgEnv ?? "unset: 55432"}) is not the port of ConnectionStrings__Registry ({PgPort}): services.sh up would start another server";
            if (Environment.GetEnvironmentVariable("REGISTRY_AMQP_PORT") is var amqpEnv && (amqpEnv is { Length: > 0 } ? amqpEnv : "55672") != AmqpPort.ToString(C))
                return $"REGISTRY_AMQP_PORT ({amqpEnv ?? "unset: 55672"}) is not the port of ConnectionStrings__RabbitMq ({AmqpPort}): services.sh up would start another server";
            if (amqp.Contains(','))
                return "ConnectionStrings__RabbitMq lists several nodes: this measures a single node";
            if (RabbitPid() is null) return $"{RabbitPidFile} names no live beam of the rabbitmq user";
            return null;
        }

        private int? RabbitPid()
        {
            if (!File.Exists(RabbitPidFile)) return null;
            var text = new string(File.ReadAllText(RabbitPidFile).Where(char.IsAsciiDigit).ToArray());
            if (!int.TryParse(text, out var pid)) return null;
            try
            {
                var comm = File.ReadAllText($"/proc/{pid}/comm").Trim();
                var uid = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
                var rabbitUid = File.ReadLines("/etc/passwd").Select(l => l.Split(':')).First(f => f[0] == "rabbitmq")[2];
                return comm.StartsWith("beam", StringComparison.Ordinal) && uid == rabbitUid ? pid : null;
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        /// <summary>SIGKILL to this checkout's beam (by PID, checked to be a beam of the rabbitmq user); returns the PID.</summary>
        public async Task<int> KillRabbitAsync()
        {
            var pid = RabbitPid() ?? throw new InvalidOperationException("no live beam in " + RabbitPidFile);
            await RunAsync("kill", ["-KILL", pid.ToString(C)]);
            for (var i = 0; i < 100 && File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2].Equals("Z", StringComparison.Ordinal); i++)
                await Task.Delay(100);
            return pid;
        }

        public Task StopPostgresAsync(string mode) =>
            RunAsync("runuser", ["-u", "postgres", "--", PgCtl(), "-D", PgData, "-m", mode, "-w", "-t", "60", "stop"]);

        public Task UpAsync() => RunAsync("bash", [Path.Combine(root, "deploy", "local", "services.sh"), "up"]);

        private static async Task RunAsync(string file, string[] arguments)
        {
            var start = new ProcessStartInfo(file, arguments) { WorkingDirectory = "/", RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var output = (await stdout) + (await stderr);
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {output.Trim()}");
        }
    }
}

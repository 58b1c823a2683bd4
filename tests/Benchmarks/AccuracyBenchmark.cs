using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Registry.Feeds;
using Registry.Storage;
using Registry.SyntheticPopulation;

using Registry.ServiceDefaults;

namespace Registry.Benchmarks;

/// <summary>
/// `make bench-accuracy`: generates agency extracts with ground truth (or takes FEBRL dataset1 or dataset2),
/// starts the real workers host (Release build, its own process) on a fresh database, drops the
/// extracts into its inbox the way agencies do (*.part, then rename), waits until every extract
/// is resolved, then compares the registry with the truth: each accepted row's source record →
/// person (following merged_into to the survivor) against the row's true person. Pairwise
/// precision / recall / F1 over record pairs, the same without the pairs an agency's own person id
/// links trivially, open review tasks, and samples of the errors behind false merges and missed links.
/// </summary>
public static class AccuracyBenchmark
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private sealed record Extract(string Feed, string File, string Path);

    /// <summary>The truth of one row: who it is, its agency person id, the errors the generator put in it.</summary>
    private sealed record TruthRow(string PersonId, string AgencyPersonId, string Household, string Errors);

    /// <summary>What the registry made of one row.</summary>
    private sealed record RegistryRow(string Feed, string File, int Row, Guid Person, string Display, string Rule, double? Score, bool InReview, Guid SourceRecordId);

    public static async Task<int> RunAsync(string[] args)
    {
        var profileName = BenchArgs.String(args, "--profile", "hard");
        var records = BenchArgs.Int(args, "--records", 100_000);
        var seed = BenchArgs.Int(args, "--seed", 20261123);
        var dataset = BenchArgs.String(args, "--dataset", "");
        var timeoutMinutes = BenchArgs.Int(args, "--timeout-minutes", 240);
        var keep = args.Contains("--keep");
        var trained = args.Contains("--trained");
        var pg = Environment.GetEnvironmentVariable("ConnectionStrings__Registry");
        var amqp = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
        if (string.IsNullOrEmpty(pg) || string.IsNullOrEmpty(amqp))
        {
            Console.Error.WriteLine("ConnectionStrings__Registry / ConnectionStrings__RabbitMq not set: run through `make bench-accuracy`.");
            return 2;
        }
        var root = BenchArgs.RepoRoot();
        var workersDll = Path.Combine(root, "src", "Ingest.Workers", "bin", "Release", "net10.0", "Ingest.Workers.dll");
        if (!File.Exists(workersDll))
        {
            Console.Error.WriteLine($"{workersDll} missing: run through `make bench-accuracy` (it builds the workers in Release).");
            return 2;
        }

        var work = Path.Combine(Path.GetTempPath(), "bench-accuracy-" + Guid.NewGuid().ToString("N")[..8]);
        var feeds = FeedCatalog.LoadFolder(Path.Combine(root, "deploy", "feeds"));
        var databases = new List<string>();
        try
        {
            // 1. The extracts and their truth.
            var sw = Stopwatch.StartNew();
            List<Extract> extracts;
            Dictionary<(string Feed, string File, int Row), TruthRow> truth;
            string label;
            if (dataset.Length > 0)
            {
                // FEBRL dataset1 (1,000 rows) and dataset2 (5,000), the same columns and rec-N-org / rec-N-dup-K ids.
                var number = dataset.ToLowerInvariant() switch { "febrl1" => "1", "febrl2" => "2", _ => null };
                if (number is null)
                {
                    Console.Error.WriteLine($"unknown dataset '{dataset}': the ones known are febrl1 and febrl2");
                    return 2;
                }
                var folder = Environment.GetEnvironmentVariable("FEBRL_DIR") ?? Path.Combine(root, "..", "shared", "data", "febrl");
                var name = $"dataset{number}.csv";
                var file = Path.GetFullPath(Path.Combine(folder, name));
                if (!File.Exists(file))
                {
                    Console.Error.WriteLine($"{file} not found (set FEBRL_DIR to the folder holding {name})");
                    return 2;
                }
                extracts = [new Extract("febrl-registro", name, file)];
                truth = FebrlTruth(file, name);
                label = $"FEBRL dataset{number} through feed febrl-registro";
            }
            else
            {
                var profile = ErrorProfile.Named(profileName);
                var summary = SyntheticDataset.Write(Path.Combine(work, "extracts"), new DatasetOptions
                {
                    Records = records, Profile = profile, Seed = seed,
                    // The profile's own agencies (sparse: a kitchen's full-name list and a housing census), else a health and
                    // a social agency of the profile's country (Medellín's for the Colombian population).
                    Feeds = profile.AccuracyFeeds.Count > 0 ? [.. profile.AccuracyFeeds.Select(code => feeds.Find(code)!)]
                        : profile.Country == Countries.Colombia
                        ? [feeds.Find("medellin-salud")!, feeds.Find("medellin-acompanamiento")!]
                        : [feeds.Find("ssa-consultas")!, feeds.Find("dif-alimentaria")!],
                });
                extracts = [.. summary.Extracts.Select(e => new Extract(e.FeedCode, e.FileName, e.Path))];
                truth = GeneratedTruth(summary.GroundTruthPath);
                label = $"synthetic population, profile {profile.Name}, seed {seed}: {summary.Persons:N0} persons in {summary.Households:N0} households";
            }
            Console.WriteLine($"{label}; {truth.Count:N0} rows in {extracts.Count} extracts ({string.Join(", ", extracts.Select(e => $"{e.Feed}/{e.File}"))}); prepared in {sw.Elapsed.TotalSeconds:F1} s");

            var pass = new Pass(root, workersDll, pg, amqp, extracts, truth, TimeSpan.FromMinutes(timeoutMinutes));
            var result = await pass.RunAsync(Path.Combine(work, "pass1"), databases, model: null);
            if (result is null) return 1;
            if (trained)
            {
                // EM on the first registry's own records (the workers' train-model verb), then the same
                // extracts into a fresh registry that starts with that model.
                Console.WriteLine("training the model by EM on the first registry (train-model) …");
                var model = await pass.TrainAsync(databases[^1]);
                if (model is null) return 1;
                Console.WriteLine($"model {model.Value.Version} trained; the same extracts again into a fresh registry that uses it");
                result = await pass.RunAsync(Path.Combine(work, "pass2"), databases, model);
                if (result is null) return 1;
            }
            Console.WriteLine(result);
            return 0;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            if (!keep)
            {
                // Each run's queues and exchanges carry its database name as prefix.
                await BrokerCleanup.DeleteByPrefixAsync(databases.Select(d => d + "-").ToList(), Console.Error.WriteLine);
                await BenchArgs.DropDatabasesAsync(pg, databases);
                try
                {
                    Directory.Delete(work, recursive: true);
                }
                catch (IOException)
                {
                }
            }
            else
            {
                Console.WriteLine($"kept database(s) {string.Join(", ", databases)} and folder {work}");
            }
        }
    }

    /// <summary>One ingestion into a fresh registry through the real workers host, then the comparison with the truth.</summary>
    private sealed class Pass(string root, string workersDll, string pg, string amqp, List<Extract> extracts,
        Dictionary<(string, string, int), TruthRow> truth, TimeSpan timeout)
    {
        /// <returns>The RESULT line, or null when the run failed.</returns>
        public async Task<string?> RunAsync(string work, List<string> databases, (string Version, string Parameters, string TrainedOn)? model)
        {
            var database = "bench_accuracy_" + Guid.NewGuid().ToString("N")[..8];
            databases.Add(database);
            var connectionString = Database(database);
            await Migrator.ApplyAsync(connectionString, NullLogger.Instance);
            await using var db = NpgsqlDataSource.Create(connectionString);
            if (model is { } m)
            {
                // Put in force whatever the gate decided on the first registry: this pass measures the trained model.
                await using var insert = db.CreateCommand("INSERT INTO match_models (version, parameters, trained_on, status) VALUES ($1, $2::jsonb, $3, 'active')");
                insert.Parameters.AddWithValue(m.Version);
                insert.Parameters.AddWithValue(m.Parameters);
                insert.Parameters.AddWithValue(m.TrainedOn);
                await insert.ExecuteNonQueryAsync();
            }
            var inbox = Path.Combine(work, "inbox");
            Directory.CreateDirectory(inbox);
            var port = BenchArgs.FreePort();
            using var workers = StartWorkers(root, workersDll, connectionString, amqp, work, port, database);
            try
            {
                using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) })
                    await WaitReadyAsync(http, workers);
                Console.WriteLine($"database {database}; workers host pid {workers.Id} on :{port}; dropping the extracts into {inbox}");

                // Drop the extracts as agencies do, and wait until every one is resolved.
                var sw = Stopwatch.StartNew();
                foreach (var e in extracts)
                {
                    var folder = Path.Combine(inbox, e.Feed);
                    Directory.CreateDirectory(folder);
                    File.Copy(e.Path, Path.Combine(folder, e.File + ".part"));
                    File.Move(Path.Combine(folder, e.File + ".part"), Path.Combine(folder, e.File));
                }
                if (!await WaitResolvedAsync(db, extracts.Count, workers, sw, timeout)) return null;
                var seconds = sw.Elapsed.TotalSeconds;

                // Compare with the truth.
                var survivor = await SurvivorsAsync(db);
                var rows = await RegistryRowsAsync(db, survivor);
                var rejected = await ScalarAsync(db, "SELECT count(*) FROM rejected_rows");
                var review = await ScalarAsync(db, "SELECT count(*) FROM review_tasks WHERE status = 'open'");
                var persons = await ScalarAsync(db, "SELECT count(*) FROM persons WHERE merged_into IS NULL");
                var merges = await ScalarAsync(db, "SELECT count(*) FROM identity_events WHERE kind = 'merge'");
                var evaluated = rows.Where(r => truth.ContainsKey((r.Feed, r.File, r.Row))).ToList();
                var missing = truth.Count - evaluated.Count - (int)rejected;
                Console.WriteLine($"ingested {rows.Count:N0} rows ({rejected:N0} rejected) in {seconds:F0} s = {rows.Count / seconds:N0} rows/s; " +
                                  $"registry: {persons:N0} persons, {merges:N0} merges, {review:N0} open review tasks; " +
                                  $"true persons among the rows: {evaluated.Select(r => truth[(r.Feed, r.File, r.Row)].PersonId).Distinct().Count():N0}");
                if (missing != 0) Console.WriteLine($"WARNING: {missing:N0} rows of the truth are neither in the registry nor rejected");

                var all = Pairwise(evaluated, truth, excludeSameAgencyId: false);
                var nonTrivial = Pairwise(evaluated, truth, excludeSameAgencyId: true);
                Console.WriteLine(string.Create(C, $"model {(model is null ? "in force (starting values)" : model.Value.Version)}"));
                Console.WriteLine(string.Create(C, $"all record pairs:        precision={all.Precision:F4} recall={all.Recall:F4} f1={all.F1:F4}  (true pairs {all.TruePairs:N0}, predicted {all.PredictedPairs:N0}, correct {all.Correct:N0})"));
                Console.WriteLine(string.Create(C, $"without same-agency-id:  precision={nonTrivial.Precision:F4} recall={nonTrivial.Recall:F4} f1={nonTrivial.F1:F4}  (true pairs {nonTrivial.TruePairs:N0}, predicted {nonTrivial.PredictedPairs:N0}, correct {nonTrivial.Correct:N0})"));
                Console.WriteLine(string.Create(C, $"review tasks open: {review:N0} = {100.0 * review / Math.Max(1, rows.Count):F2} % of records"));
                var inForce = await new Registry.Matching.MatchModelStore(db).CurrentAsync(default);
                await ReviewQueueAsync(db, evaluated, r => truth[(r.Feed, r.File, r.Row)].PersonId, survivor, inForce.LinkThreshold);
                await ErrorAnalysisAsync(db, inForce, evaluated, truth, survivor);
                return string.Create(C, $"RESULT precision={all.Precision:F4} recall={all.Recall:F4} f1={all.F1:F4} review={review} records={rows.Count}");
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

        /// <summary>Runs the workers' <c>train-model</c> verb on a registry and returns the model it stored.</summary>
        public async Task<(string Version, string Parameters, string TrainedOn)?> TrainAsync(string database)
        {
            var start = new ProcessStartInfo("dotnet", [workersDll, "train-model"]) { WorkingDirectory = root, UseShellExecute = false };
            start.Environment["ConnectionStrings__Registry"] = Database(database);
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            // FEBRL dataset2 has 5,000 rows, the default minimum.
            start.Environment["Matching__Training__MinRecords"] = "1000";
            using var train = Process.Start(start)!;
            await train.WaitForExitAsync();
            if (train.ExitCode != 0)
            {
                Console.Error.WriteLine($"train-model exited with code {train.ExitCode}");
                return null;
            }
            await using var db = NpgsqlDataSource.Create(Database(database));
            await using var read = db.CreateCommand("SELECT version, parameters::text, trained_on, status, report->>'decision' FROM match_models ORDER BY created_at DESC LIMIT 1");
            await using var r = await read.ExecuteReaderAsync();
            if (!await r.ReadAsync())
            {
                Console.Error.WriteLine("train-model stored no model");
                return null;
            }
            Console.WriteLine($"gate: {r.GetString(3)} — {(r.IsDBNull(4) ? "no report" : r.GetString(4))}");
            return (r.GetString(0), r.GetString(1), r.GetString(2));
        }

        private string Database(string name) => new NpgsqlConnectionStringBuilder(pg) { Database = name, CommandTimeout = 0 }.ConnectionString;
    }

    private sealed record Scores(long TruePairs, long PredictedPairs, long Correct)
    {
        public double Precision => PredictedPairs == 0 ? 1 : (double)Correct / PredictedPairs;
        public double Recall => TruePairs == 0 ? 1 : (double)Correct / TruePairs;
        public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
    }

    /// <summary>
    /// Pairwise counts from cluster sizes: pairs in a group of n are n(n−1)/2. Without the pairs of
    /// rows sharing (feed, agency person id) — which the deterministic key links by construction —
    /// each count subtracts the pairs inside those sub-groups.
    /// </summary>
    private static Scores Pairwise(List<RegistryRow> rows, Dictionary<(string, string, int), TruthRow> truth, bool excludeSameAgencyId)
    {
        static long Pairs<TKey>(IEnumerable<TKey> keys) where TKey : notnull =>
            keys.GroupBy(k => k).Sum(g => (long)g.Count() * (g.Count() - 1) / 2);
        var t = rows.Select(r => (Row: r, Truth: truth[(r.Feed, r.File, r.Row)])).ToList();
        long truePairs = Pairs(t.Select(x => x.Truth.PersonId));
        long predicted = Pairs(t.Select(x => x.Row.Person));
        long correct = Pairs(t.Select(x => (x.Truth.PersonId, x.Row.Person)));
        if (excludeSameAgencyId)
        {
            truePairs -= Pairs(t.Select(x => (x.Truth.PersonId, x.Row.Feed, x.Truth.AgencyPersonId)));
            predicted -= Pairs(t.Select(x => (x.Row.Person, x.Row.Feed, x.Truth.AgencyPersonId)));
            correct -= Pairs(t.Select(x => (x.Truth.PersonId, x.Row.Person, x.Row.Feed, x.Truth.AgencyPersonId)));
        }
        return new Scores(truePairs, predicted, correct);
    }

    /// <summary>Which errors the rows carry that the registry split from their person, and what the false merges joined.</summary>
    private static async Task ErrorAnalysisAsync(NpgsqlDataSource db, Registry.Matching.MatchModel model, List<RegistryRow> rows, Dictionary<(string, string, int), TruthRow> truth, Func<Guid, Guid> survivor)
    {
        TruthRow T(RegistryRow r) => truth[(r.Feed, r.File, r.Row)];

        // False merges: registry persons holding rows of several true persons.
        var mixed = rows.GroupBy(r => r.Person).Where(g => g.Select(r => T(r).PersonId).Distinct().Count() > 1).ToList();
        var sameHousehold = mixed.Count(g => g.Select(r => T(r).Household).Distinct().Count() == 1);
        Console.WriteLine($"false merges: {mixed.Count:N0} registry persons hold rows of more than one true person ({sameHousehold:N0} of them within one household)");
        var fpRules = mixed.SelectMany(g =>
        {
            var major = g.GroupBy(r => T(r).PersonId).OrderByDescending(x => x.Count()).First().Key;
            return g.Where(r => T(r).PersonId != major);
        }).GroupBy(r => r.Rule).OrderByDescending(x => x.Count());
        Console.WriteLine("  rows on the wrong person, by the rule that put them there: " + string.Join(", ", fpRules.Select(x => $"{x.Key} {x.Count():N0}")));
        foreach (var g in mixed.OrderBy(g => g.Key).Take(8))
        {
            Console.WriteLine($"  registry person …{g.Key.ToString()[^8..]}:");
            foreach (var byTrue in g.GroupBy(r => T(r).PersonId).OrderBy(x => x.Key, StringComparer.Ordinal))
            {
                var r = byTrue.First();
                Console.WriteLine(string.Create(C, $"    true {byTrue.Key} ({byTrue.Count()} rows, {T(r).Household}) e.g. {r.Display} [{r.Rule} {r.Score:F1}] errors {T(r).Errors}"));
            }
        }

        // Missed links: true persons whose rows sit in several registry persons.
        var split = rows.GroupBy(r => T(r).PersonId).Where(g => g.Select(r => r.Person).Distinct().Count() > 1).ToList();
        Console.WriteLine($"missed links: {split.Count:N0} true persons split over several registry persons");
        var tags = new Dictionary<string, int>(StringComparer.Ordinal);
        var fragments = 0;
        var inReview = 0;
        var benign = new List<IGrouping<string, RegistryRow>>();
        string[] harmless = ["none", "curp-missing", "accents-dropped", "mixed-case", "retyped"];
        foreach (var g in split)
        {
            var parts = g.GroupBy(r => r.Person).OrderByDescending(p => p.Count()).ToList();
            var mainErrors = parts[0].SelectMany(r => T(r).Errors.Split('+')).ToHashSet(StringComparer.Ordinal);
            foreach (var part in parts.Skip(1))
            {
                fragments++;
                if (part.Any(r => r.InReview) || parts[0].Any(r => r.InReview)) inReview++;
                // The errors of the split-off fragment (and those of the main part it differs by).
                var partErrors = part.SelectMany(r => T(r).Errors.Split('+')).ToHashSet(StringComparer.Ordinal);
                foreach (var tag in partErrors.Union(mainErrors).Where(e => e is not ("none" or "accents-dropped" or "mixed-case" or "retyped")))
                    tags[tag] = tags.GetValueOrDefault(tag) + 1;
                if (partErrors.Union(mainErrors).All(e => harmless.Contains(e))) benign.Add(g);
            }
        }
        Console.WriteLine($"  {fragments:N0} split-off fragments, {inReview:N0} of them (or their main part) with an open review task");
        await WhyMissedAsync(db, model, split, r => T(r).Errors, survivor);
        Console.WriteLine($"  errors present on either side of a split (a fragment may count several): " +
                          string.Join(", ", tags.OrderByDescending(x => x.Value).Select(x => $"{x.Key} {x.Value:N0}")));
        Console.WriteLine($"  {benign.Count:N0} splits where neither side has more than a missing CURP, dropped accents or mixed case (same name, birth date, sex):");
        foreach (var g in benign.Take(5).Concat(split.Except(benign).OrderBy(g => g.Key, StringComparer.Ordinal).Take(10)))
        {
            Console.WriteLine($"  true {g.Key}:");
            foreach (var part in g.GroupBy(r => r.Person).OrderByDescending(p => p.Count()))
            {
                var r = part.First();
                Console.WriteLine(string.Create(C, $"    registry …{part.Key.ToString()[^8..]} ({part.Count()} rows{(part.Any(x => x.InReview) ? ", in review" : "")}) e.g. {r.Display} [{r.Rule} {r.Score:F1}] errors {T(r).Errors}"));
            }
        }
    }

    /// <summary>
    /// Where each split-off fragment was lost: the best pair sharing a blocking key between its records and its main part's,
    /// scored by the model in force with the registry's term frequencies — never a candidate (no
    /// shared blocking key), below the review threshold, in the review band, or above the link
    /// threshold yet kept apart (a guard, or the pair was never the best candidate).
    /// </summary>
    private static string Show(RegistryRow r) => string.Create(C, $"{r.Display} [{r.Rule} {r.Score:F1}{(r.InReview ? ", in review" : "")}]");

    private static async Task WhyMissedAsync(NpgsqlDataSource db, Registry.Matching.MatchModel model, List<IGrouping<string, RegistryRow>> split, Func<RegistryRow, string> errors, Func<Guid, Guid> survivor)
    {
        // The open review tasks' reasons by pair of (surviving) persons.
        var taskReasons = new Dictionary<(Guid, Guid), string>();
        await using (var tasks = db.CreateCommand("SELECT person_a, person_b, reason FROM review_tasks WHERE status = 'open' AND person_a IS NOT NULL AND person_b IS NOT NULL"))
        await using (var reader = await tasks.ExecuteReaderAsync())
            while (await reader.ReadAsync())
            {
                var (a, b) = (survivor(reader.GetGuid(0)), survivor(reader.GetGuid(1)));
                taskReasons[a.CompareTo(b) < 0 ? (a, b) : (b, a)] = reader.GetString(2);
            }
        var pairs = new List<(Guid[] Part, Guid[] Main, string Errors, string Example, long Lost)>();
        foreach (var g in split)
        {
            var parts = g.GroupBy(r => r.Person).OrderByDescending(p => p.Count()).ToList();
            var main = parts[0].Select(r => r.SourceRecordId).Distinct().Take(6).ToArray();
            pairs.AddRange(parts.Skip(1).Select(p => (p.Select(r => r.SourceRecordId).Distinct().Take(6).ToArray(), main,
                string.Join('+', p.Concat(parts[0]).SelectMany(r => errors(r).Split('+')).Distinct().Order(StringComparer.Ordinal)),
                $"{Show(p.First())} | {Show(parts[0].First())}", (long)p.Count() * parts[0].Count())));
        }
        var ids = pairs.SelectMany(p => p.Part.Concat(p.Main)).Distinct().ToArray();
        var rowOf = split.SelectMany(g => g).GroupBy(r => r.SourceRecordId).ToDictionary(g => g.Key, g => g.First());
        var records = new Dictionary<Guid, Registry.Matching.MatchRecord>();
        await using var connection = await db.OpenConnectionAsync();
        await using (var command = new NpgsqlCommand($"SELECT {Registry.Matching.MatchRecordRows.Columns("m")} FROM match_records m WHERE m.source_record_id = ANY(@ids)", connection))
        {
            command.Parameters.AddWithValue("ids", ids);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var r = Registry.Matching.MatchRecordRows.Read(reader, 0);
                records[r.SourceRecordId] = r;
            }
        }
        await using var tx = await connection.BeginTransactionAsync();
        var tf = await Registry.Matching.TermFrequencies.LoadAsync(connection, tx, records.Values, model, default);
        int unblocked = 0, below = 0, band = 0, above = 0;
        // Which feeds each lost fragment joins (fragment | main part), and why a pair above the link threshold stayed apart.
        var feedsOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var aboveWhy = new Dictionary<string, int>(StringComparer.Ordinal);
        var bandWhy = new Dictionary<string, int>(StringComparer.Ordinal);
        var separatingWhy = new Dictionary<string, int>(StringComparer.Ordinal);
        var unblockedWould = new Dictionary<string, int>(StringComparer.Ordinal);
        var where = new Dictionary<string, int>(StringComparer.Ordinal);
        var separatingExamples = new List<string>();
        string Feeds(Guid[] ids) => string.Join('+', ids.Where(rowOf.ContainsKey).Select(id => rowOf[id].Feed.Split('-')[0]).Distinct().Order(StringComparer.Ordinal));
        // Each count is of fragments; beside it the record pairs the fragments lost (rows of the fragment × rows of the main part).
        var lostPairs = new Dictionary<string, long>(StringComparer.Ordinal);
        long pairsNow = 0;
        void Count(Dictionary<string, int> counts, string key)
        {
            counts[key] = counts.GetValueOrDefault(key) + 1;
            var tagged = RuntimeHelpers.GetHashCode(counts) + "/" + key;
            lostPairs[tagged] = lostPairs.GetValueOrDefault(tagged) + pairsNow;
        }
        var unblockedTags = new Dictionary<string, int>(StringComparer.Ordinal);
        var unblockedExamples = new List<string>();
        var aboveExamples = new List<string>();
        foreach (var (part, main, tags, example, lost) in pairs)
        {
            pairsNow = lost;
            var best = double.MinValue;
            var blocked = false;
            var bestPair = (Guid.Empty, Guid.Empty);
            byte[]? bestVector = null;
            var bestUnblocked = double.MinValue;
            var bestUnblockedClass = "";
            foreach (var a in part.Where(records.ContainsKey).Select(id => records[id]))
            {
                var stored = a.BlockingKeys().ToHashSet(StringComparer.Ordinal);
                var looked = a.QueryKeys().ToHashSet(StringComparer.Ordinal);
                foreach (var b in main.Where(records.ContainsKey).Select(id => records[id]))
                {
                    // Whichever came second looks the other up: either direction blocks the pair.
                    if (!b.BlockingKeys().Any(looked.Contains) && !b.QueryKeys().Any(stored.Contains))
                    {
                        // What the pair would have been, had a key reached it.
                        var unseen = Registry.Matching.Comparisons.Compare(a, b);
                        var unseenScore = model.Score(unseen, a, tf.Lookup);
                        if (unseenScore.Total > bestUnblocked) (bestUnblocked, bestUnblockedClass) = (unseenScore.Total, model.Classify(unseenScore) switch
                        {
                            Registry.Matching.MatchOutcome.Link => "link",
                            _ when unseenScore.Total >= model.LinkThreshold => "names only above link",
                            Registry.Matching.MatchOutcome.Review => "review band",
                            _ => "below review",
                        });
                        continue;
                    }
                    blocked = true;
                    var vector = Registry.Matching.Comparisons.Compare(a, b);
                    var score = model.Score(vector, a, tf.Lookup).Total;
                    if (score > best) (best, bestPair, bestVector) = (score, (a.SourceRecordId, b.SourceRecordId), vector);
                }
            }
            var feedPair = Feeds(part) + " | " + Feeds(main);
            var namesOnly = bestVector is not null && !Registry.Matching.MatchModel.SeparatesNamesakes(bestVector) ? "names only" : "separating evidence";
            var dateless = bestVector is not null && bestVector[(int)Registry.Matching.MatchField.BirthDate] == 0 ? ", a birth date missing" : "";
            Count(where, !blocked ? "no shared blocking key" : best < model.ReviewThreshold ? "below review" : best < model.LinkThreshold ? "review band" : "above link yet apart");
            if (!blocked) Count(feedsOf, feedPair);
            if (!blocked) Count(unblockedWould, bestUnblockedClass);
            else if (best >= model.ReviewThreshold && best < model.LinkThreshold) Count(bandWhy, namesOnly + dateless);
            else if (best >= model.LinkThreshold)
            {
                Count(aboveWhy, $"{namesOnly}{dateless}, {feedPair}");
                if (namesOnly == "separating evidence")
                {
                    var (pa, pb) = (rowOf[bestPair.Item1].Person, rowOf[bestPair.Item2].Person);
                    var reason = taskReasons.GetValueOrDefault(pa.CompareTo(pb) < 0 ? (pa, pb) : (pb, pa), "no open task");
                    Count(separatingWhy, reason);
                    if (separatingExamples.Count < 12)
                        separatingExamples.Add(string.Create(C, $"{Show(rowOf[bestPair.Item1])} | {Show(rowOf[bestPair.Item2])}  [{tags}] best pair {best:F1}, task: {reason}, vector {string.Join("", bestVector!)}"));
                }
            }
            if (!blocked)
            {
                unblocked++;
                foreach (var tag in tags.Split('+').Where(e => e is not ("none" or "accents-dropped" or "mixed-case" or "retyped")))
                    unblockedTags[tag] = unblockedTags.GetValueOrDefault(tag) + 1;
                if (unblockedExamples.Count < 12) unblockedExamples.Add($"{example}  [{tags}]");
            }
            else if (best < model.ReviewThreshold) below++;
            else if (best < model.LinkThreshold) band++;
            else
            {
                above++;
                if (aboveExamples.Count < 8)
                    aboveExamples.Add(string.Create(C, $"{Show(rowOf[bestPair.Item1])} | {Show(rowOf[bestPair.Item2])}  [{tags}] best pair {best:F1}"));
            }
        }
        Console.WriteLine(string.Create(C, $"  record pairs lost: {pairs.Sum(p => p.Lost):N0}"));
        Console.WriteLine(string.Create(C, $"  where the fragments were lost (best pair with the main part): no shared blocking key {unblocked:N0}, " +
                                           $"below review {below:N0}, review band {band:N0}, above link yet apart {above:N0}"));
        string List(Dictionary<string, int> counts) => string.Join("; ", counts.OrderByDescending(x => x.Value)
            .Select(x => $"{x.Key} {x.Value:N0} ({lostPairs.GetValueOrDefault(RuntimeHelpers.GetHashCode(counts) + "/" + x.Key):N0} pairs)"));
        Console.WriteLine("  the same, with the record pairs each lost: " + List(where));
        Console.WriteLine("  no shared blocking key, by feeds (fragment | main part): " + List(feedsOf));
        Console.WriteLine("  no shared blocking key, what the best pair would have been: " + List(unblockedWould));
        Console.WriteLine("  review band, by evidence of the best pair: " + List(bandWhy));
        Console.WriteLine("  above link yet apart, by evidence of the best pair and feeds: " + List(aboveWhy));
        Console.WriteLine("  above link yet apart with separating evidence, by the open task between the two persons: " + List(separatingWhy));
        foreach (var e in separatingExamples) Console.WriteLine("    " + e);
        Console.WriteLine("  errors on either side of a fragment no blocking key reached: " +
                          string.Join(", ", unblockedTags.OrderByDescending(x => x.Value).Select(x => $"{x.Key} {x.Value:N0}")));
        foreach (var e in unblockedExamples) Console.WriteLine("    " + e);
        Console.WriteLine("  above the link threshold yet apart (a guard refused, or the pair was never the row's best candidate):");
        foreach (var e in aboveExamples) Console.WriteLine("    " + e);
    }

    private static Dictionary<(string, string, int), TruthRow> GeneratedTruth(string path)
    {
        var truth = new Dictionary<(string, string, int), TruthRow>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split(',');
            truth[(f[0], f[1], int.Parse(f[2], C))] = new TruthRow(f[4], f[3], f[5], f[6]);
        }
        return truth;
    }

    /// <summary>FEBRL: rec-N-org and rec-N-dup-K are the same person N; rows are numbered from 1 after the header, as the feed reader does.</summary>
    private static Dictionary<(string, string, int), TruthRow> FebrlTruth(string path, string fileName)
    {
        var truth = new Dictionary<(string, string, int), TruthRow>();
        var row = 0;
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            if (line.Trim().Length == 0) continue;
            row++;
            var recId = line.Split(',')[0].Trim();
            var parts = recId.Split('-');
            truth[("febrl-registro", fileName, row)] = new TruthRow("F" + parts[1], recId, "F" + parts[1], parts[2] == "org" ? "original" : "duplicate");
        }
        return truth;
    }

    /// <summary>Each person id → the person it was merged into, followed to the survivor.</summary>
    private static async Task<Func<Guid, Guid>> SurvivorsAsync(NpgsqlDataSource db)
    {
        var survivor = new Dictionary<Guid, Guid>();
        await using (var merged = db.CreateCommand("SELECT id, merged_into FROM persons WHERE merged_into IS NOT NULL"))
        await using (var reader = await merged.ExecuteReaderAsync())
            while (await reader.ReadAsync()) survivor[reader.GetGuid(0)] = reader.GetGuid(1);
        return id =>
        {
            for (var hops = 0; survivor.TryGetValue(id, out var next) && hops < 1000; hops++) id = next;
            return id;
        };
    }

    /// <summary>
    /// The open review queue against the truth, by score band: how many tasks a steward would answer
    /// "match" (the record's true person already has rows on the candidate person) — what moving a
    /// threshold would turn into links or new persons.
    /// </summary>
    private static async Task ReviewQueueAsync(NpgsqlDataSource db, List<RegistryRow> rows, Func<RegistryRow, string> truePerson, Func<Guid, Guid> survivor, double link)
    {
        var byRecord = rows.GroupBy(r => r.SourceRecordId).ToDictionary(g => g.Key, g => truePerson(g.First()));
        var truthOfPerson = rows.GroupBy(r => r.Person).ToDictionary(g => g.Key, g => g.Select(truePerson).ToHashSet(StringComparer.Ordinal));
        var bands = new SortedDictionary<int, (int Tasks, int Matches)>();
        await using var command = db.CreateCommand("SELECT source_record_id, candidate_person_id, score FROM review_tasks WHERE status = 'open'");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            if (!byRecord.TryGetValue(reader.GetGuid(0), out var who)) continue;
            var match = truthOfPerson.TryGetValue(survivor(reader.GetGuid(1)), out var set) && set.Contains(who);
            var band = (int)Math.Floor(reader.GetDouble(2) / 2) * 2;
            var (t, m) = bands.GetValueOrDefault(band);
            bands[band] = (t + 1, m + (match ? 1 : 0));
        }
        Console.WriteLine(string.Create(C, $"  open tasks a steward would answer \"match\", by score (link at {link:F0}): ") +
                          string.Join(", ", bands.Select(b => string.Create(C, $"[{b.Key},{b.Key + 2}) {b.Value.Matches}/{b.Value.Tasks}"))));
    }

    private static async Task<List<RegistryRow>> RegistryRowsAsync(NpgsqlDataSource db, Func<Guid, Guid> survivor)
    {

        var rows = new List<RegistryRow>();
        // Each row of each extract: its own source record, or (unchanged since an earlier extract) the stored one.
        await using var command = db.CreateCommand("""
            SELECT e.feed_code, e.file_name, s.row_number, s.person_id, s.data, d.rule, d.score,
                   EXISTS (SELECT 1 FROM review_tasks t WHERE t.source_record_id = s.id AND t.status = 'open'), s.id
              FROM source_records s JOIN extracts e ON e.id = s.extract_id
              LEFT JOIN match_decisions d ON d.source_record_id = s.id
            UNION ALL
            SELECT e.feed_code, e.file_name, u.row_number, s.person_id, s.data, 'unchanged', NULL, false, s.id
              FROM unchanged_rows u JOIN extracts e ON e.id = u.extract_id JOIN source_records s ON s.id = u.source_record_id
            """);
        await using var rs = await command.ExecuteReaderAsync();
        while (await rs.ReadAsync())
        {
            using var data = JsonDocument.Parse(rs.GetString(4));
            string P(string name) => data.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "-";
            var display = $"{P("GivenNames")} / {P("PaternalSurname")} / {P("MaternalSurname")} {P("Sex")} {P("BirthDate")} {P("Curp")} {P("Municipality")} ({P("AgencyPersonId")})";
            rows.Add(new RegistryRow(rs.GetString(0), rs.GetString(1), rs.GetInt32(2), survivor(rs.GetGuid(3)), display,
                rs.IsDBNull(5) ? "?" : rs.GetString(5), rs.IsDBNull(6) ? null : rs.GetDouble(6), rs.GetBoolean(7), rs.GetGuid(8)));
        }
        return rows;
    }

    private static async Task<bool> WaitResolvedAsync(NpgsqlDataSource db, int expected, Process workers, Stopwatch sw, TimeSpan timeout)
    {
        var lastPrint = TimeSpan.Zero;
        while (sw.Elapsed < timeout)
        {
            if (workers.HasExited)
            {
                Console.Error.WriteLine($"the workers host exited with code {workers.ExitCode}");
                return false;
            }
            await using var command = db.CreateCommand("""
                SELECT count(*), count(*) FILTER (WHERE status = ANY ($1)), coalesce(sum(rows_total), 0),
                       coalesce(sum(rows_accepted), 0), coalesce(sum(rows_resolved), 0), coalesce(sum(rows_rejected), 0)
                  FROM extracts
                """);
            command.Parameters.AddWithValue(Registry.Extracts.ExtractStatus.Finished);
            await using var r = await command.ExecuteReaderAsync();
            await r.ReadAsync();
            var (count, done, total, accepted, resolved, rejected) = (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5));
            if (count == expected && done == expected)
            {
                Console.WriteLine(string.Create(C, $"  {sw.Elapsed.TotalSeconds,6:F0} s  all {expected} extracts resolved: {resolved:N0} rows resolved, {rejected:N0} rejected"));
                return true;
            }
            if (sw.Elapsed - lastPrint >= TimeSpan.FromSeconds(15))
            {
                lastPrint = sw.Elapsed;
                Console.WriteLine(string.Create(C,
                    $"  {sw.Elapsed.TotalSeconds,6:F0} s  extracts {done}/{expected} done ({count} registered); rows parsed {total:N0}, accepted {accepted:N0}, resolved {resolved:N0} ({resolved / sw.Elapsed.TotalSeconds:N0}/s), rejected {rejected:N0}"));
            }
            await Task.Delay(1000);
        }
        Console.Error.WriteLine($"timed out after {timeout.TotalMinutes:F0} minutes");
        return false;
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), C);
    }

    private static Process StartWorkers(string root, string dll, string connectionString, string amqp, string work, int port, string database)
    {
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["ConnectionStrings__Registry"] = connectionString;
        start.Environment["ConnectionStrings__RabbitMq"] = amqp;
        start.Environment["Bus__QueuePrefix"] = database + "-";
        start.Environment["Feeds__DefinitionsPath"] = Path.Combine(root, "deploy", "feeds");
        start.Environment["Inbox__Root"] = Path.Combine(work, "inbox");
        start.Environment["Inbox__ArchiveRoot"] = Path.Combine(work, "archive");
        start.Environment["Telemetry__Exporter"] = "none";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // No API pulls and no scheduled EM training during the run: the benchmark measures the model in force.
        start.Environment["Hangfire__RecurringPulls"] = "false";
        start.Environment["Matching__Training__Schedule"] = "";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine("[workers] " + e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine("[workers] " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitReadyAsync(HttpClient http, Process workers)
    {
        for (var i = 0; i < 240; i++)
        {
            if (workers.HasExited) throw new InvalidOperationException($"the workers host exited during start-up (code {workers.ExitCode})");
            try
            {
                using var response = await http.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(500);
        }
        throw new TimeoutException("the workers host did not become ready in 120 s");
    }
}

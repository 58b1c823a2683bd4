using System.Diagnostics;
using System.Globalization;
using Registry.Contracts;
using Registry.Feeds;
using Registry.Ingest.Feeds;
using Registry.Matching;
using Registry.Resolution;
using Registry.SyntheticPopulation;

namespace Registry.Benchmarks;

/// <summary>
/// `Benchmarks blocks`: how selective the blocking keys are at a given registry size, in memory (no
/// database). Rows arrive in order; each row's candidates are the records before it that share a
/// blocking key, as the resolver's lookup finds them: a key filed by more than <see cref="CandidateIndex.MaxBlockCandidates"/>
/// is generic and finds no one, and a broad key's members count only when <see cref="MatchRecord.NamesNear"/> keeps them
/// (a year key's also only when <see cref="MatchRecord.DatesNear"/> does)
/// (<c>--plain</c>: every block whole). Prints, per key family, the mean and largest block a row meets and
/// how many candidates it adds, and the mean number of distinct candidates per row — the quantity
/// that makes resolution slow down as the registry grows. <c>--source bench</c> takes the rows of
/// bench-resolve, <c>--source synth</c> the synthetic population's extracts (PROFILE), and then also how many rows share a
/// key with an earlier row of their own person (blocking's recall: the resolver links only what blocking brings together)
/// and the rows only one key family brings to their person.
/// </summary>
public static class BlocksBenchmark
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        var records = BenchArgs.Int(args, "--records", 1_000_000);
        var source = BenchArgs.String(args, "--source", "bench");
        var sw = Stopwatch.StartNew();
        // With the synthetic population, each row's true person: how many rows share a key with an earlier row of
        // their own person (the resolver can only link what blocking brings together), and through which key families.
        List<string>? truth = null;
        var rows = source switch
        {
            "bench" => ResolveBenchmark.Rows(0, records, Math.Max(1, (int)(records * 0.6)), 0).ToList(),
            "synth" => SynthRows(records, ErrorProfile.Named(BenchArgs.String(args, "--profile", "typical")), BenchArgs.Int(args, "--seed", 20261123), out truth),
            _ => throw new ArgumentException($"unknown --source '{source}': bench or synth"),
        };
        Console.WriteLine(string.Create(C, $"{rows.Count:N0} rows from {source} in {sw.Elapsed.TotalSeconds:F0} s"));

        var blocks = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var families = new SortedDictionary<string, (long Met, long SizeSum, int Largest, long Added)>(StringComparer.Ordinal);
        var seen = new HashSet<int>();
        long candidates = 0;
        var report = Math.Max(1, rows.Count / 10);
        long windowCandidates = 0;
        var firstOf = new Dictionary<string, int>(StringComparer.Ordinal);
        long recurring = 0, reached = 0;
        var soleFamily = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var reachedBy = new HashSet<string>(StringComparer.Ordinal);
        var surnames = new List<(string?, string?, string, (DateOnly?, DateOnly?))>(rows.Count);
        // --plain: every key's block whole, as rows were looked up before the broad keys kept only near names.
        var broadFilter = !args.Contains("--plain");
        for (var i = 0; i < rows.Count; i++)
        {
            seen.Clear();
            reachedBy.Clear();
            var record = MatchRecord.From(rows[i], Guid.Empty);
            surnames.Add((record.PaternalPhonetic, record.MaternalPhonetic, record.GivenPhonetic, record.KeyDates));
            foreach (var key in record.QueryKeys().Distinct(StringComparer.Ordinal))
            {
                if (!blocks.TryGetValue(key, out var members)) blocks[key] = members = [];
                var family = key[..key.IndexOf(':', StringComparison.Ordinal)];
                var f = families.GetValueOrDefault(family);
                var added = 0;
                var broad = broadFilter && MatchRecord.IsBroadKey(key);
                var year = broad && MatchRecord.IsYearKey(key);
                var givenDate = broadFilter && MatchRecord.IsGivenDateKey(key);
                if (members.Count <= CandidateIndex.MaxBlockCandidates)
                    for (var m = 0; m < members.Count; m++)
                    {
                        var (mp, mm, mg, md) = surnames[members[m]];
                        if (broad && !MatchRecord.NamesNear(record.GivenPhonetic, record.PaternalPhonetic, record.MaternalPhonetic, mg, mp, mm)) continue;
                        if (year && !MatchRecord.DatesNear(record.KeyDates, md)) continue;
                        if (givenDate && !MatchRecord.SurnamesRelated(record.PaternalPhonetic, record.MaternalPhonetic, mp, mm)) continue;
                        if (seen.Add(members[m])) added++;
                        if (truth is not null && truth[members[m]] == truth[i]) reachedBy.Add(family);
                    }
                families[family] = (f.Met + 1, f.SizeSum + members.Count, Math.Max(f.Largest, members.Count), f.Added + added);
            }
            foreach (var key in record.BlockingKeys().Distinct(StringComparer.Ordinal))
            {
                if (!blocks.TryGetValue(key, out var members)) blocks[key] = members = [];
                members.Add(i);
            }
            candidates += seen.Count;
            windowCandidates += seen.Count;
            if (truth is not null && !firstOf.TryAdd(truth[i], i))
            {
                recurring++;
                if (reachedBy.Count > 0) reached++;
                if (reachedBy.Count == 1) soleFamily[reachedBy.First()] = soleFamily.GetValueOrDefault(reachedBy.First()) + 1;
            }
            if ((i + 1) % report == 0)
            {
                Console.WriteLine(string.Create(C, $"  rows {i + 1 - report + 1,9:N0}–{i + 1,9:N0}: {windowCandidates / (double)report,6:F1} distinct candidates a row"));
                windowCandidates = 0;
            }
        }

        Console.WriteLine("key   rows-with-key  mean-block  largest  candidates-added/row");
        foreach (var (family, f) in families)
            Console.WriteLine(string.Create(C, $"{family,-5} {f.Met,13:N0} {f.SizeSum / (double)f.Met,11:F1} {f.Largest,8:N0} {f.Added / (double)rows.Count,21:F2}"));
        if (truth is not null)
        {
            Console.WriteLine(string.Create(C, $"rows of a person seen before: {recurring:N0}; sharing a key with an earlier row of their person: {reached:N0} ({reached / (double)Math.Max(1, recurring):P2})"));
            Console.WriteLine("rows reached through one key family only: " + string.Join(", ", soleFamily.Select(f => string.Create(C, $"{f.Key} {f.Value:N0}"))));
        }
        Console.WriteLine(string.Create(C, $"RESULT candidates_per_row={candidates / (double)rows.Count:F1} rows={rows.Count} blocks={blocks.Count}"));
        return 0;
    }

    /// <summary>The synthetic population's csv-drop extracts, parsed by the feeds' own reader, in file order.</summary>
    private static List<SourceRow> SynthRows(int records, ErrorProfile profile, int seed, out List<string> truth)
    {
        var people = new Dictionary<(string, string, int), string>();
        var (_, extracts) = SynthExtracts(records, profile, seed, people);
        var rows = new List<SourceRow>();
        truth = [];
        foreach (var (feed, file, list) in extracts)
            foreach (var row in list)
            {
                rows.Add(row);
                truth.Add(people[(feed, file, row.RowNumber)]);
            }
        return rows;
    }

    /// <summary>The synthetic population's extracts (feed code, accepted rows), in file order, and the feed catalog.</summary>
    internal static (FeedCatalog Catalog, List<(string FeedCode, List<SourceRow> Rows)> Extracts) SynthExtracts(int records, ErrorProfile profile, int seed)
    {
        var (catalog, extracts) = SynthExtracts(records, profile, seed, null);
        return (catalog, [.. extracts.Select(e => (e.FeedCode, e.Rows))]);
    }

    /// <summary>As above, with each extract's file name, and each row's true person into <paramref name="truth"/> when given.</summary>
    private static (FeedCatalog Catalog, List<(string FeedCode, string File, List<SourceRow> Rows)> Extracts) SynthExtracts(int records, ErrorProfile profile, int seed,
        Dictionary<(string, string, int), string>? truth)
    {
        var root = BenchArgs.RepoRoot();
        var catalog = FeedCatalog.LoadFolder(Path.Combine(root, "deploy", "feeds"));
        // A Colombian population through its own country's agencies (the Mexican ones read no Colombian document).
        var feeds = SyntheticDataset.AgencyFeeds(catalog, profile.Country);
        var folder = Path.Combine(Path.GetTempPath(), "bench-synth-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var summary = SyntheticDataset.Write(folder, new DatasetOptions { Records = records, Profile = profile, Seed = seed, Feeds = feeds });
            var extracts = new List<(string, string, List<SourceRow>)>();
            foreach (var extract in summary.Extracts)
            {
                var feed = catalog.Find(extract.FeedCode)!;
                extracts.Add((extract.FeedCode, extract.FileName, [.. ExtractReaders.Read(feed, extract.Path).Where(r => r.Accepted is not null).Select(r => r.Accepted!)]));
            }
            if (truth is not null)
                foreach (var line in File.ReadLines(summary.GroundTruthPath).Skip(1))
                {
                    var f = line.Split(',');
                    truth[(f[0], f[1], int.Parse(f[2], C))] = f[4];
                }
            return (catalog, extracts);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

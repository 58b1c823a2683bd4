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
/// blocking key, each key taking at most <see cref="CandidateIndex.MaxBlockCandidates"/> of them as
/// the resolver's query does. Prints, per key family, the mean and largest block a row meets and
/// how many candidates it adds, and the mean number of distinct candidates per row — the quantity
/// that makes resolution slow down as the registry grows. <c>--source bench</c> takes the rows of
/// bench-resolve, <c>--source synth</c> the synthetic population's extracts (PROFILE).
/// </summary>
public static class BlocksBenchmark
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        var records = BenchArgs.Int(args, "--records", 1_000_000);
        var source = BenchArgs.String(args, "--source", "bench");
        var sw = Stopwatch.StartNew();
        var rows = source switch
        {
            "bench" => ResolveBenchmark.Rows(0, records, Math.Max(1, (int)(records * 0.6)), 0).ToList(),
            "synth" => SynthRows(records, ErrorProfile.Named(BenchArgs.String(args, "--profile", "typical")), BenchArgs.Int(args, "--seed", 20261123)),
            _ => throw new ArgumentException($"unknown --source '{source}': bench or synth"),
        };
        Console.WriteLine(string.Create(C, $"{rows.Count:N0} rows from {source} in {sw.Elapsed.TotalSeconds:F0} s"));

        var blocks = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var families = new SortedDictionary<string, (long Met, long SizeSum, int Largest, long Added)>(StringComparer.Ordinal);
        var seen = new HashSet<int>();
        long candidates = 0;
        var report = Math.Max(1, rows.Count / 10);
        long windowCandidates = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            seen.Clear();
            var record = MatchRecord.From(rows[i], Guid.Empty);
            foreach (var key in record.QueryKeys().Distinct(StringComparer.Ordinal))
            {
                if (!blocks.TryGetValue(key, out var members)) blocks[key] = members = [];
                var family = key[..key.IndexOf(':', StringComparison.Ordinal)];
                var f = families.GetValueOrDefault(family);
                var added = 0;
                for (var m = 0; m < members.Count && m < CandidateIndex.MaxBlockCandidates; m++)
                    if (seen.Add(members[m])) added++;
                families[family] = (f.Met + 1, f.SizeSum + members.Count, Math.Max(f.Largest, members.Count), f.Added + added);
            }
            foreach (var key in record.BlockingKeys().Distinct(StringComparer.Ordinal))
            {
                if (!blocks.TryGetValue(key, out var members)) blocks[key] = members = [];
                members.Add(i);
            }
            candidates += seen.Count;
            windowCandidates += seen.Count;
            if ((i + 1) % report == 0)
            {
                Console.WriteLine(string.Create(C, $"  rows {i + 1 - report + 1,9:N0}–{i + 1,9:N0}: {windowCandidates / (double)report,6:F1} distinct candidates a row"));
                windowCandidates = 0;
            }
        }

        Console.WriteLine("key   rows-with-key  mean-block  largest  candidates-added/row");
        foreach (var (family, f) in families)
            Console.WriteLine(string.Create(C, $"{family,-5} {f.Met,13:N0} {f.SizeSum / (double)f.Met,11:F1} {f.Largest,8:N0} {f.Added / (double)rows.Count,21:F2}"));
        Console.WriteLine(string.Create(C, $"RESULT candidates_per_row={candidates / (double)rows.Count:F1} rows={rows.Count} blocks={blocks.Count}"));
        return 0;
    }

    /// <summary>The synthetic population's csv-drop extracts, parsed by the feeds' own reader, in file order.</summary>
    private static List<SourceRow> SynthRows(int records, ErrorProfile profile, int seed) =>
        [.. SynthExtracts(records, profile, seed).Extracts.SelectMany(e => e.Rows)];

    /// <summary>The synthetic population's extracts (feed code, accepted rows), in file order, and the feed catalog.</summary>
    internal static (FeedCatalog Catalog, List<(string FeedCode, List<SourceRow> Rows)> Extracts) SynthExtracts(int records, ErrorProfile profile, int seed)
    {
        var root = BenchArgs.RepoRoot();
        var catalog = FeedCatalog.LoadFolder(Path.Combine(root, "deploy", "feeds"));
        var feeds = SyntheticDataset.AgencyFeeds(catalog);
        var folder = Path.Combine(Path.GetTempPath(), "bench-synth-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var summary = SyntheticDataset.Write(folder, new DatasetOptions { Records = records, Profile = profile, Seed = seed, Feeds = feeds });
            var extracts = new List<(string, List<SourceRow>)>();
            foreach (var extract in summary.Extracts)
            {
                var feed = catalog.Find(extract.FeedCode)!;
                extracts.Add((extract.FeedCode, [.. ExtractReaders.Read(feed, extract.Path).Where(r => r.Accepted is not null).Select(r => r.Accepted!)]));
            }
            return (catalog, extracts);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

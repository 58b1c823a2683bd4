using Registry.Feeds;
using Registry.Ingest.Feeds;
using Registry.Matching;
using Registry.SyntheticPopulation;
using Registry.Tests.Feeds;

namespace Registry.Tests.Matching;

/// <summary>How a model classifies the candidate pairs of a synthetic registry whose truth is known.</summary>
public sealed record PairAccuracy(long Links, long CorrectLinks, long Reviews, long CorrectReviews, long TruePairs, long TrueCandidatePairs)
{
    public double Precision => Links == 0 ? 1 : (double)CorrectLinks / Links;
    public double Recall => TruePairs == 0 ? 1 : (double)CorrectLinks / TruePairs;

    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"precision={Precision:F4} recall={Recall:F4} links={Links} false_links={Links - CorrectLinks} review={Reviews} (same person {CorrectReviews}) true_pairs={TruePairs} (blocked {TrueCandidatePairs})");
}

/// <summary>
/// A synthetic registry in memory, no database: the generator's agency extracts (hard profile), parsed
/// by the feeds' own reader, every row a match record filed in a <see cref="CandidateIndex"/> as the
/// workers' index holds them (repeated registrations included — what training samples from). Accuracy
/// is measured on the candidate pairs the index gives (distinct records, not their repeated copies):
/// a pair is linked by a model when it scores its link threshold and does not carry two valid CURPs,
/// as the resolver decides a pair.
/// </summary>
public sealed class SyntheticPairs
{
    public CandidateIndex Index { get; } = new();
    public IReadOnlyList<MatchRecord> Distinct { get; }
    public Func<MatchField, string, double?> TermFrequency { get; }
    private readonly List<MatchRecord> all;
    private readonly List<(int A, int B)> candidatePairs = [];
    private readonly long truePairs;

    public SyntheticPairs(int records, int seed)
    {
        var feeds = FeedCatalog.LoadFolder(Path.Combine(FeedCatalogTests.RepoRoot(), "deploy", "feeds"));
        var folder = Path.Combine(Path.GetTempPath(), "em-synth-" + Guid.NewGuid().ToString("N")[..8]);
        all = [];
        try
        {
            var summary = SyntheticDataset.Write(folder, new DatasetOptions
            {
                Records = records, Profile = ErrorProfile.Hard, Seed = seed,
                Feeds = [feeds.Find("ssa-consultas")!, feeds.Find("dif-alimentaria")!],
            });
            var persons = new Dictionary<string, Guid>(StringComparer.Ordinal);
            var truth = File.ReadLines(summary.GroundTruthPath).Skip(1).Select(l => l.Split(','))
                .ToDictionary(f => (f[0], f[1], int.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture)), f => f[4]);
            foreach (var extract in summary.Extracts)
            foreach (var parsed in ExtractReaders.Read(feeds.Find(extract.FeedCode)!, extract.Path))
            {
                if (parsed.Accepted is not { } row) continue;
                var person = truth[(extract.FeedCode, extract.FileName, row.RowNumber)];
                if (!persons.TryGetValue(person, out var id)) persons[person] = id = Guid.NewGuid();
                all.Add(MatchRecord.From(row, Guid.NewGuid(), id));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        Index.FileInMemory(all);

        // Term frequencies as the registry keeps them: every record counts.
        var counts = new Dictionary<(MatchField, string), long>();
        var totals = new Dictionary<MatchField, long>();
        foreach (var r in all)
        foreach (var f in Comparisons.TermFrequencyFields)
            if (Comparisons.TermValue(r, f) is { } v)
            {
                counts[(f, v)] = counts.GetValueOrDefault((f, v)) + 1;
                totals[f] = totals.GetValueOrDefault(f) + 1;
            }
        TermFrequency = (f, v) => totals.TryGetValue(f, out var t) && t >= MatchModel.Default.MinTermRows
            ? (double)counts.GetValueOrDefault((f, v), 1) / t : null;

        // Distinct records (a registration repeated on every service row is one), their candidate pairs.
        Distinct = [.. all.Select(r => r with { SourceRecordId = Guid.Empty }).Distinct()
            .Select((r, i) => r with { SourceRecordId = new Guid(i, 0, 0, new byte[8]) })];
        var distinctIndex = new CandidateIndex();
        distinctIndex.FileInMemory(Distinct);
        var keys = new List<ulong>();
        var seen = new HashSet<(int, int)>();
        for (var i = 0; i < Distinct.Count; i++)
        {
            keys.Clear();
            Distinct[i].KeyHashes(query: true, keys);
            foreach (var c in distinctIndex.LookupInMemory([(i, keys.ToArray())]).Candidates)
            {
                var j = Ordinal(c.Record);
                if (j != i && seen.Add((Math.Min(i, j), Math.Max(i, j)))) candidatePairs.Add((Math.Min(i, j), Math.Max(i, j)));
            }
        }
        truePairs = Distinct.GroupBy(r => r.PersonId).Sum(g => (long)g.Count() * (g.Count() - 1) / 2);
    }

    private static int Ordinal(MatchRecord r)
    {
        Span<byte> bytes = stackalloc byte[16];
        r.SourceRecordId.TryWriteBytes(bytes);
        return BitConverter.ToInt32(bytes);
    }

    /// <summary>Comparison vectors of random record pairs (what u is estimated from).</summary>
    public List<byte[]> RandomVectors(int k, Random random) =>
        [.. Enumerable.Range(0, k).Select(_ => Comparisons.Compare(all[random.Next(all.Count)], all[random.Next(all.Count)]))];

    /// <summary>Blocked pairs as the trainer samples them from the workers' index.</summary>
    public List<(MatchRecord A, MatchRecord B)> BlockedPairs(int k, Random random) => Index.SampleBlockedPairsInMemory(k, random);

    /// <summary>Pairs of different persons a model links.</summary>
    public IEnumerable<(MatchRecord A, MatchRecord B, MatchScore Score)> FalseLinks(MatchModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var (i, j) in candidatePairs)
        {
            var (a, b) = (Distinct[i], Distinct[j]);
            if (a.PersonId == b.PersonId || Comparisons.ConflictingStrongIds(a, b)) continue;
            var score = model.Score(Comparisons.Compare(a, b), a, TermFrequency);
            if (model.Classify(score.Total) == MatchOutcome.Link) yield return (a, b, score);
        }
    }

    public PairAccuracy Evaluate(MatchModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        long links = 0, correct = 0, reviews = 0, correctReviews = 0, trueCandidates = 0;
        foreach (var (i, j) in candidatePairs)
        {
            var (a, b) = (Distinct[i], Distinct[j]);
            var same = a.PersonId == b.PersonId;
            if (same) trueCandidates++;
            var outcome = model.Classify(model.Score(Comparisons.Compare(a, b), a, TermFrequency).Total);
            if (outcome == MatchOutcome.Link && Comparisons.ConflictingStrongIds(a, b)) outcome = MatchOutcome.Review;
            if (outcome == MatchOutcome.Link) { links++; if (same) correct++; }
            else if (outcome == MatchOutcome.Review) { reviews++; if (same) correctReviews++; }
        }
        return new PairAccuracy(links, correct, reviews, correctReviews, truePairs, trueCandidates);
    }
}

using Registry.Normalization;
namespace Registry.Matching;

/// <summary>A row of the chunk being resolved. <see cref="KnownPerson"/> is set when a deterministic key (valid CURP, agency person id) already names its person.</summary>
public sealed record IncomingRow(int RowNumber, MatchRecord Record, Guid? KnownPerson, LinkRule? KnownRule, string? AgencyKey = null);

/// <summary>A registry record retrieved for a row because they share a blocking key.</summary>
public sealed record CandidateRecord(int RowNumber, MatchRecord Record);

/// <summary>What the chunk matcher decided for one row.</summary>
public sealed record RowDecision(
    int RowNumber,
    Guid PersonId,
    bool CreatedPerson,
    LinkRule Rule,
    MatchScore? Score,
    Guid? MatchedSourceRecordId);

/// <summary>An uncertain pair for a steward: the row stays its own person (or where the certain evidence put it) until decided.</summary>
public sealed record ReviewProposal(int RowNumber, Guid CandidatePersonId, MatchScore Score, ReviewReason Reason);

/// <summary>A record bridged two persons: they are the same person (append-only merge event).</summary>
public sealed record MergeProposal(Guid Survivor, Guid Merged, int BridgingRow, MatchScore Score);

public sealed record ChunkDecisions(
    IReadOnlyList<RowDecision> Rows,
    IReadOnlyList<ReviewProposal> Reviews,
    IReadOnlyList<MergeProposal> Merges);

/// <summary>
/// Where a match is scored and decided. Pure and in memory: given a chunk's rows, the registry
/// records that share a blocking key with each, and the guards (persons' valid CURPs, steward
/// exclusions), it scores every row against its candidates and against the other rows of the
/// chunk, then clusters greedily from the strongest link down. A union is refused when it would
/// put two different valid CURPs in one person, join persons a steward separated, or join two
/// registry persons whose own records disagree (score below the review threshold) — the refused
/// pair goes to review instead. Rows in the review band stay their own person with a review task.
/// One instance per chunk: it remembers the scores it computed (<see cref="Prescore"/>); not thread-safe.
/// </summary>
public sealed class ChunkMatcher(MatchModel model, Func<MatchField, string, double?>? termFrequency = null)
{
    /// <summary>Rows of a chunk sharing one blocking key are compared pairwise only up to this block size.</summary>
    public const int MaxInChunkBlock = 64;

    public ChunkDecisions Decide(
        IReadOnlyList<IncomingRow> rows,
        IReadOnlyList<CandidateRecord> candidates,
        IReadOnlyDictionary<Guid, string?> personCurps,
        ISet<(Guid, Guid)> exclusions,
        Func<Guid> newPersonId,
        IReadOnlyList<MatchRecord>? keyedPersonRecords = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(personCurps);
        ArgumentNullException.ThrowIfNull(exclusions);
        ArgumentNullException.ThrowIfNull(newPersonId);

        var rowIndex = new Dictionary<int, int>(rows.Count);
        for (var i = 0; i < rows.Count; i++) rowIndex[rows[i].RowNumber] = i;

        // A deterministic key (the agency's person id, a valid CURP) links a row only when the row does not contradict
        // the person it names: an id the agency reused or mistyped, a relative's CURP. Contradicted rows are detached
        // from the key (a steward is asked) and matched like any other row.
        var contradicted = Contradicted(rows, rowIndex, candidates);
        // The typed documents (CC, TI, RC…) of each candidate person's records: two different ones of one type never merge.
        var personDocuments = PersonDocuments(candidates, keyedPersonRecords);
        // Nor does an agency's person id put them on one person (hard rule 3; a CURP key is refused for a person with
        // another CURP before it gets here): the row is detached from its key like a contradicted one, a steward asked.
        DocumentsContradictKeys(rows, candidates, keyedPersonRecords, personDocuments, contradicted);
        if (contradicted.Count > 0)
            rows = [.. rows.Select((r, i) => contradicted.ContainsKey(i) ? r with { KnownPerson = null, KnownRule = null } : r)];

        // Persons are nodes after the rows: the rows' known persons and those an edge reaches (a person no
        // pair reaches the review threshold with can join no cluster).
        var personNodes = new Dictionary<Guid, int>();
        int PersonNode(Guid id)
        {
            if (!personNodes.TryGetValue(id, out var node)) personNodes[id] = node = rows.Count + personNodes.Count;
            return node;
        }
        foreach (var row in rows) if (row.KnownPerson is { } p) PersonNode(p);

        var edges = new List<Edge>();

        // 1. Each row against the registry: best record per candidate person.
        var best = new Dictionary<(int Row, Guid Person), (MatchScore Score, Guid Record)>();
        foreach (var c in candidates)
        {
            if (!rowIndex.TryGetValue(c.RowNumber, out var i)) continue;
            var row = rows[i];
            if (row.KnownPerson == c.Record.PersonId) continue;
            var score = Score(row.Record, c.Record);
            // Most candidates: no edge whatever the guards say. Nor a names-only pair whose records say they live elsewhere.
            if (model.Classify(score) == MatchOutcome.NonMatch) continue;
            // Two different valid CURPs never link (the guard refuses below); when all else says "same
            // person" — one mistyped character a check digit cannot catch — a steward is asked.
            if ((Comparisons.ConflictingStrongIds(row.Record, c.Record) || CurpConflict(row.Record.ValidCurp, personCurps, c.Record.PersonId)
                 || DocumentConflict(row.Record.OtherId, personDocuments, c.Record.PersonId))
                && score.Total < model.LinkThreshold) continue;
            // A row a key already linked only matters when it bridges to another person (a merge, or a
            // steward when a guard refuses); a middling score against someone else is no question.
            if (row.KnownPerson is not null && !model.Links(score)) continue;
            var key = (row.RowNumber, c.Record.PersonId);
            if (!best.TryGetValue(key, out var current) || score.Total > current.Score.Total) best[key] = (score, c.Record.SourceRecordId);
        }
        foreach (var ((rowNumber, person), (score, record)) in best)
            if (score.Total >= model.ReviewThreshold)
                edges.Add(new Edge(rowIndex[rowNumber], PersonNode(person), score, record));

        // 2. Rows of the chunk against each other (a family's rows, or one person twice in one extract).
        // Two rows meet as they would in successive chunks: one's lookup keys among the other's stored keys.
        foreach (var (i, j) in ChunkPairs(rows))
        {
            var (ri, rj) = (rows[i], rows[j]);
            if (ri.KnownPerson is not null && ri.KnownPerson == rj.KnownPerson) continue;
            if (Comparisons.ConflictingStrongIds(ri.Record, rj.Record)) continue;
            var score = Score(ri.Record, rj.Record);
            if (model.Classify(score) != MatchOutcome.NonMatch) edges.Add(new Edge(i, j, score, null));
        }

        // 3. Greedy clustering, strongest evidence first, with guards.
        var clusters = new Clusters(rows.Count + personNodes.Count);
        var nodePerson = personNodes.ToDictionary(kv => kv.Value, kv => kv.Key);
        for (var i = 0; i < rows.Count; i++)
        {
            clusters.AddCurp(i, rows[i].Record.ValidCurp);
            clusters.AddDocument(i, rows[i].Record.OtherId);
            if (rows[i].KnownPerson is { } p) clusters.Union(i, personNodes[p]);
        }
        foreach (var (person, node) in personNodes)
        {
            clusters.AddCurp(node, personCurps.GetValueOrDefault(person));
            foreach (var document in personDocuments.GetValueOrDefault(person) ?? []) clusters.AddDocument(node, document);
            clusters.AddPerson(node, person);
        }
        // Rows of this chunk sharing a deterministic key new to the registry are one person.
        var keyLinked = new HashSet<int>();
        foreach (var group in rows.Select((r, i) => (r, i)).Where(x => x.r.KnownPerson is null && !contradicted.ContainsKey(x.i))
                     .SelectMany(x => new[] { (k: x.r.Record.ValidCurp is { } c ? "curp:" + c : null, x.i), (k: x.r.AgencyKey, x.i) })
                     .Where(x => x.k is not null).GroupBy(x => x.k))
        {
            var first = group.First().i;
            foreach (var (_, i) in group.Skip(1))
            {
                if (clusters.Find(first) == clusters.Find(i) || clusters.CurpsConflict(first, i) || clusters.DocumentsConflict(first, i)) continue;
                clusters.Union(first, i);
                keyLinked.Add(i);
            }
        }
        // The candidate records of each person, for the merge guard: chained when a link first joins two registry persons.
        // A row's deterministic key names its person whether or not the blocking reached that person's records (a
        // registration typed again with other errors shares no key with the first): the resolver reads those records
        // (keyedPersonRecords), so a row that bridges its key's person to another can be judged, not refused as incomparable.
        var recordsByPerson = new PersonRecords(keyedPersonRecords is not { Count: > 0 } ? candidates
            : [.. candidates, .. keyedPersonRecords.Select(r => new CandidateRecord(-1, r))]);
        var ambiguous = AmbiguousRows(edges, rows.Count, nodePerson, recordsByPerson, personCurps, exclusions);
        var reviews = new List<ReviewProposal>();
        foreach (var (i, person) in contradicted)
            reviews.Add(new ReviewProposal(rows[i].RowNumber, person.Person, person.Score, ContradictedReason(person.Rule)));
        var pendingRowReviews = new List<(int Review, int OtherRow)>();
        var bridges = new List<Edge>();
        var linkedBy = new Dictionary<int, Edge>();
        foreach (var edge in edges.OrderByDescending(e => e.Score.Total))
        {
            var high = edge.Score.Total >= model.LinkThreshold;
            var namesake = edge.B >= rows.Count && ambiguous.TryGetValue(edge.A, out var why) ? why : (ReviewReason?)null;
            var linkable = model.Links(edge.Score) && namesake is null;
            var refusal = linkable ? Refusal(clusters, edge, recordsByPerson, exclusions)
                : !high ? null
                : !model.Links(edge.Score) ? ReviewReason.NamesOnly
                : namesake;
            if (linkable && refusal is null)
            {
                if (clusters.Find(edge.A) != clusters.Find(edge.B))
                {
                    if (clusters.PersonsOf(edge.A).Count > 0 && clusters.PersonsOf(edge.B).Count > 0) bridges.Add(edge);
                    clusters.Union(edge.A, edge.B);
                }
                if (edge.A < rows.Count) linkedBy.TryAdd(edge.A, edge);
                if (edge.B < rows.Count) linkedBy.TryAdd(edge.B, edge);
                continue;
            }
            // Review band, or a link the guards refused: the pair goes to a steward.
            if (clusters.Find(edge.A) == clusters.Find(edge.B)) continue;
            var (rowNode, other) = edge.A < rows.Count ? (edge.A, edge.B) : (edge.B, edge.A);
            var reason = refusal ?? ReviewReason.ReviewBand;
            reviews.Add(new ReviewProposal(rows[rowNode].RowNumber, other >= rows.Count ? nodePerson[other] : Guid.Empty, edge.Score, reason));
            if (other < rows.Count) pendingRowReviews.Add((reviews.Count - 1, other));
        }

        // 4. One person per cluster: its registry person (merges already proposed) or a new one.
        var clusterPerson = new Dictionary<int, Guid>();
        var decisions = new RowDecision[rows.Count];
        var created = new HashSet<int>();
        for (var i = 0; i < rows.Count; i++)
        {
            var root = clusters.Find(i);
            if (!clusterPerson.TryGetValue(root, out var person))
            {
                var persons = clusters.PersonsOf(i).ToList();
                person = persons.Count > 0 ? persons.Min() : newPersonId();
                clusterPerson[root] = person;
                if (persons.Count == 0) created.Add(i);
            }
            var row = rows[i];
            var isNew = created.Contains(i);
            decisions[i] = row.KnownPerson is not null
                ? new RowDecision(row.RowNumber, person, false, row.KnownRule ?? LinkRule.KnownKey, null, null)
                : linkedBy.TryGetValue(i, out var edge) && !isNew
                    ? new RowDecision(row.RowNumber, person, false, edge.B >= rows.Count || edge.A >= rows.Count ? LinkRule.Probabilistic : LinkRule.ProbabilisticInChunk, edge.Score, edge.Record)
                    : new RowDecision(row.RowNumber, person, isNew, !isNew && keyLinked.Contains(i) ? LinkRule.SameKeyInChunk : LinkRule.NewPerson, null, null);
        }
        // A row-to-row review names the person the other row ended up with.
        foreach (var (reviewIndex, otherRow) in pendingRowReviews)
            reviews[reviewIndex] = reviews[reviewIndex] with { CandidatePersonId = decisions[otherRow].PersonId };

        // A cluster holding several registry persons: they merge into the oldest id (ids are time-ordered),
        // each merge carrying the bridging record and its evidence.
        var merges = new List<MergeProposal>();
        foreach (var edge in bridges)
        {
            var persons = clusters.PersonsOf(edge.A).ToList();
            var survivor = persons.Min();
            var row = rows[edge.A < rows.Count ? edge.A : edge.B].RowNumber;
            foreach (var merged in persons.Where(p => p != survivor && merges.All(m => m.Merged != p)))
                merges.Add(new MergeProposal(survivor, merged, row, edge.Score));
        }

        var distinctReviews = reviews
            .Where(r => decisions[rowIndex[r.RowNumber]].PersonId != r.CandidatePersonId)
            .GroupBy(r => (r.RowNumber, r.CandidatePersonId)).Select(g => g.First()).ToList();
        return new ChunkDecisions(decisions, distinctReviews, merges);
    }

    /// <summary>
    /// Scores ahead of <see cref="Decide"/> what it will most likely ask for — each row against the
    /// candidates read so far, and the chunk's own pairs — so the resolver can do it before taking the
    /// resolution lock. A score depends only on the two records' match features, never on the person
    /// they belong to; a candidate the catch-up re-read (its person changed) or found new is scored
    /// when Decide asks for it.
    /// </summary>
    /// <returns>The rows that score at least the link threshold with a candidate or another row: most likely not a new person of one record.</returns>
    public HashSet<int> Prescore(IReadOnlyList<(int RowNumber, MatchRecord Record)> rows, IReadOnlyList<CandidateRecord> candidates)
    {
        var linking = LinkingWith(rows, candidates);
        var records = rows.Select(r => r.Record).ToList();
        prescoredPairs = (records, [.. InChunkPairs(records)]);
        foreach (var (i, j) in prescoredPairs.Value.Pairs)
            if (model.Links(Score(records[i], records[j])))
            {
                linking.Add(rows[i].RowNumber);
                linking.Add(rows[j].RowNumber);
            }
        return linking;
    }

    /// <summary>
    /// The rows that score at least the link threshold with one of <paramref name="candidates"/> (the chunk's own pairs
    /// not considered), each pair's score remembered for Decide: with the candidates caught up under the lock, what
    /// <see cref="Prescore"/> would have said of them.
    /// </summary>
    public HashSet<int> LinkingWith(IReadOnlyList<(int RowNumber, MatchRecord Record)> rows, IReadOnlyList<CandidateRecord> candidates)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(candidates);
        var linking = new HashSet<int>();
        var byRow = new Dictionary<int, MatchRecord>(rows.Count);
        foreach (var (number, record) in rows) byRow[number] = record;
        foreach (var c in candidates)
            if (byRow.TryGetValue(c.RowNumber, out var row) && model.Links(Score(row, c.Record))) linking.Add(c.RowNumber);
        return linking;
    }

    /// <summary>
    /// The candidates' persons some row scores at least the review threshold against: the only registry
    /// persons <see cref="Decide"/> can put in a cluster, so the only ones whose CURP and steward exclusions
    /// it consults (the resolver looks up those, not every candidate's). Scores are remembered for Decide.
    /// </summary>
    public HashSet<Guid> PersonsInReach(IEnumerable<(int RowNumber, MatchRecord Record)> rows, IReadOnlyList<CandidateRecord> candidates)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(candidates);
        var byRow = new Dictionary<int, MatchRecord>();
        foreach (var (number, record) in rows) byRow[number] = record;
        var persons = new HashSet<Guid>();
        foreach (var c in candidates)
            if (byRow.TryGetValue(c.RowNumber, out var row) && !persons.Contains(c.Record.PersonId)
                && Score(row, c.Record).Total >= model.ReviewThreshold)
                persons.Add(c.Record.PersonId);
        return persons;
    }

    // The chunk's own pairs as Prescore derived them (before the lock), reused by Decide when it gets the same rows.
    private (List<MatchRecord> Records, List<(int I, int J)> Pairs)? prescoredPairs;

    private IEnumerable<(int I, int J)> ChunkPairs(IReadOnlyList<IncomingRow> rows)
    {
        if (prescoredPairs is { } pre && pre.Records.Count == rows.Count
            && Enumerable.Range(0, rows.Count).All(i => ReferenceEquals(pre.Records[i], rows[i].Record)))
            return pre.Pairs;
        // Rows dropped meanwhile (found unchanged) can shrink a block under the size cap: derive again.
        return InChunkPairs([.. rows.Select(r => r.Record)]);
    }

    /// <summary>
    /// The chunk's own pairs (i &lt; j), met as they would in successive chunks: one's lookup keys among
    /// the other's stored keys, in blocks of at most <see cref="MaxInChunkBlock"/>.
    /// </summary>
    private static IEnumerable<(int I, int J)> InChunkPairs(List<MatchRecord> records)
    {
        var seen = new HashSet<(int, int)>();
        // By key hash, as the candidate index files them: a collision only adds a pair.
        var stored = new Dictionary<ulong, List<int>>(records.Count * 8);
        var keys = new List<ulong>(16);
        for (var i = 0; i < records.Count; i++)
        {
            keys.Clear();
            records[i].KeyHashes(query: false, keys);
            foreach (var key in keys)
            {
                if (!stored.TryGetValue(key, out var members)) stored[key] = [i];
                else if (members[^1] != i) members.Add(i); // a key twice in one record counts once
            }
        }
        for (var q = 0; q < records.Count; q++)
        {
            var query = records[q].QueryKeyHashes();
            for (var k = 0; k < query.Count; k++)
            {
                if (!stored.TryGetValue(query[k], out var members) || members.Count > MaxInChunkBlock) continue;
                var filtered = query.Filters(k);
                foreach (var other in members)
                {
                    if (other == q || (filtered && !(query.Keeps(k, records[other].GivenPhonetic, records[other].PaternalPhonetic, records[other].MaternalPhonetic)
                                                    && (!query.AsksDates(k) || query.KeepsDates(records[other].KeyDates))))) continue;
                    var pair = q < other ? (q, other) : (other, q);
                    if (seen.Add(pair)) yield return pair;
                }
            }
        }
    }

    // Memo by the two record instances (in the order asked: the first record's name frequencies weigh the score).
    private readonly Dictionary<(MatchRecord, MatchRecord), MatchScore> scores = new(PairByReference.Instance);

    private MatchScore Score(MatchRecord a, MatchRecord b)
    {
        if (!scores.TryGetValue((a, b), out var score)) scores[(a, b)] = score = model.Score(Comparisons.Compare(a, b), a, termFrequency);
        return score;
    }

    private sealed class PairByReference : IEqualityComparer<(MatchRecord, MatchRecord)>
    {
        public static readonly PairByReference Instance = new();
        public bool Equals((MatchRecord, MatchRecord) x, (MatchRecord, MatchRecord) y) =>
            ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);
        // By the records' ids (the object header's identity hash was a tenth of Decide); equal ids of two
        // instances — a record a merge re-filed — only share a bucket.
        public int GetHashCode((MatchRecord, MatchRecord) pair) =>
            HashCode.Combine(pair.Item1.SourceRecordId, pair.Item2.SourceRecordId);
    }

    private void DocumentsContradictKeys(IReadOnlyList<IncomingRow> rows, IReadOnlyList<CandidateRecord> candidates, IReadOnlyList<MatchRecord>? keyed,
        Dictionary<Guid, List<string>> personDocuments, Dictionary<int, (Guid Person, MatchScore Score, LinkRule? Rule)> contradicted)
    {
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (row.KnownPerson is not { } known || contradicted.ContainsKey(i) || !DocumentConflict(row.Record.OtherId, personDocuments, known)) continue;
            MatchScore? best = null;
            foreach (var record in candidates.Select(c => c.Record).Concat(keyed ?? []))
            {
                if (record.PersonId != known) continue;
                var score = Score(row.Record, record);
                if (best is null || score.Total > best.Total) best = score;
            }
            if (best is not null) contradicted[i] = (known, best, row.KnownRule);
        }
    }

    private static bool DocumentConflict(string? document, Dictionary<Guid, List<string>> personDocuments, Guid person) =>
        document is not null && personDocuments.GetValueOrDefault(person) is { } documents && documents.Any(d => IdentityDocuments.Conflict(document, d));

    /// <summary>Each person's distinct typed documents among the records the chunk sees (candidates and the keys' persons).</summary>
    private static Dictionary<Guid, List<string>> PersonDocuments(IReadOnlyList<CandidateRecord> candidates, IReadOnlyList<MatchRecord>? keyed)
    {
        var documents = new Dictionary<Guid, List<string>>();
        foreach (var record in candidates.Select(c => c.Record).Concat(keyed ?? []))
        {
            if (record.OtherId is not { } id || IdentityDocuments.Split(id).Type is null) continue;
            if (!documents.TryGetValue(record.PersonId, out var list)) documents[record.PersonId] = list = [];
            if (!list.Contains(id, StringComparer.Ordinal)) list.Add(id);
        }
        return documents;
    }

    private static bool CurpConflict(string? curp, IReadOnlyDictionary<Guid, string?> personCurps, Guid person) =>
        curp is not null && personCurps.GetValueOrDefault(person) is { } other && !string.Equals(curp, other, StringComparison.Ordinal);

    private ReviewReason? Refusal(Clusters clusters, Edge edge, PersonRecords recordsByPerson, ISet<(Guid, Guid)> exclusions)
    {
        if (clusters.Find(edge.A) == clusters.Find(edge.B)) return null;
        if (clusters.CurpsConflict(edge.A, edge.B)) return ReviewReason.TwoValidCurps;
        if (clusters.DocumentsConflict(edge.A, edge.B)) return ReviewReason.TwoValidDocuments;
        var left = clusters.PersonsOf(edge.A);
        var right = clusters.PersonsOf(edge.B);
        foreach (var a in left)
        foreach (var b in right)
        {
            if (exclusions.Contains((a, b)) || exclusions.Contains((b, a))) return ReviewReason.StewardSeparated;
            // Merging two registry persons needs their own records to agree, not just the bridging record.
            if (recordsByPerson.Of(a) is { } ra && recordsByPerson.Of(b) is { } rb)
            {
                if (!OwnRecordsAgree(ra, rb)) return ReviewReason.BridgesDisagreeing;
            }
            else return ReviewReason.BridgesIncomparable;
        }
        return null;
    }

    /// <summary>How many bits the best match must lead the next disagreeing person by to be linked (2^6 = 64 times likelier).</summary>
    public const double AmbiguityMargin = 6;

    /// <summary>A key-linked row whose evidence against its person is at most this (log2 odds) is contradicted: the evidence says "someone else".</summary>
    public const double ContradictionThreshold = 0;

    private static readonly MatchField[] IdentityFields =
        [MatchField.Curp, MatchField.GivenNames, MatchField.PaternalSurname, MatchField.MaternalSurname, MatchField.BirthDate, MatchField.Sex, MatchField.OtherId];

    private static ReviewReason ContradictedReason(LinkRule? rule) => rule == LinkRule.ExactCurp ? ReviewReason.ContradictedCurp : ReviewReason.ContradictedAgencyId;

    /// <summary>
    /// Rows whose deterministic key names a person that every one of that person's records (among the candidates) scores
    /// at most <see cref="ContradictionThreshold"/> against on identity fields: row index → (person, best score, rule). A
    /// person none of whose records the blocking found is not judged (nothing to compare with).
    /// </summary>
    private Dictionary<int, (Guid Person, MatchScore Score, LinkRule? Rule)> Contradicted(
        IReadOnlyList<IncomingRow> rows, Dictionary<int, int> rowIndex, IReadOnlyList<CandidateRecord> candidates)
    {
        // Judged on who the row says the person is — names, birth date, sex, another identifier, and the CURP unless it is
        // the key itself — never on where they live (people move) and only when at least two of those could be compared:
        // a row that carries little more than its key is not contradicted by what it lacks.
        static double Besides(MatchScore score, LinkRule? rule)
        {
            var evidence = 0.0;
            var compared = 0;
            foreach (var field in IdentityFields)
            {
                if (field == MatchField.Curp && rule == LinkRule.ExactCurp) continue;
                if (score.Vector[(int)field] == 0) continue;
                compared++;
                evidence += score.FieldWeights[(int)field];
            }
            return compared >= 2 ? evidence : double.PositiveInfinity;
        }
        var best = new Dictionary<int, (MatchScore Score, double Evidence)>();
        foreach (var c in candidates)
        {
            if (!rowIndex.TryGetValue(c.RowNumber, out var i) || rows[i].KnownPerson != c.Record.PersonId) continue;
            var score = Score(rows[i].Record, c.Record);
            var evidence = Besides(score, rows[i].KnownRule);
            if (!best.TryGetValue(i, out var current) || evidence > current.Evidence) best[i] = (score, evidence);
        }
        var result = new Dictionary<int, (Guid, MatchScore, LinkRule?)>();
        foreach (var (i, (score, evidence)) in best)
            if (evidence <= ContradictionThreshold) result[i] = (rows[i].KnownPerson!.Value, score, rows[i].KnownRule);
        return result;
    }

    /// <summary>
    /// Rows that two registry persons both match well enough to link, within <see cref="AmbiguityMargin"/> of each other,
    /// when those persons cannot be one (a steward separated them, different valid CURPs, or their own records disagree):
    /// at a state's size these are namesakes, and the row goes to a steward instead of the better-scoring one.
    /// </summary>
    /// <returns>Row index → why the persons cannot be one.</returns>
    private Dictionary<int, ReviewReason> AmbiguousRows(List<Edge> edges, int rowCount, Dictionary<int, Guid> nodePerson, PersonRecords recordsByPerson,
        IReadOnlyDictionary<Guid, string?> personCurps, ISet<(Guid, Guid)> exclusions)
    {
        var ambiguous = new Dictionary<int, ReviewReason>();
        foreach (var byRow in edges.Where(e => e.A < rowCount && e.B >= rowCount && model.Links(e.Score)).GroupBy(e => e.A))
        {
            var ranked = byRow.OrderByDescending(e => e.Score.Total).ToList();
            if (ranked.Count < 2) continue;
            var first = nodePerson[ranked[0].B];
            foreach (var other in ranked.Skip(1))
            {
                if (other.Score.Total < ranked[0].Score.Total - AmbiguityMargin) break;
                if (PersonsDisagree(first, nodePerson[other.B], recordsByPerson, personCurps, exclusions) is { } why)
                {
                    ambiguous[byRow.Key] = why;
                    break;
                }
            }
        }
        return ambiguous;
    }

    /// <returns>Why persons <paramref name="a"/> and <paramref name="b"/> cannot be one person, or null when they may be.</returns>
    private ReviewReason? PersonsDisagree(Guid a, Guid b, PersonRecords recordsByPerson, IReadOnlyDictionary<Guid, string?> personCurps, ISet<(Guid, Guid)> exclusions)
    {
        if (exclusions.Contains((a, b)) || exclusions.Contains((b, a))) return ReviewReason.StewardSeparated;
        if (personCurps.GetValueOrDefault(a) is { } ca && personCurps.GetValueOrDefault(b) is { } cb && !string.Equals(ca, cb, StringComparison.Ordinal))
            return ReviewReason.TwoValidCurps;
        if (recordsByPerson.Of(a) is not { } ra || recordsByPerson.Of(b) is not { } rb) return ReviewReason.AmbiguousNamesakes;
        return OwnRecordsAgree(ra, rb) ? null : ReviewReason.AmbiguousNamesakes;
    }

    /// <summary>Two registry persons' own records agree: their best pair (never one of two different valid CURPs) reaches <see cref="MatchModel.BridgeThreshold"/>.</summary>
    private bool OwnRecordsAgree(List<MatchRecord> a, List<MatchRecord> b) =>
        a.SelectMany(x => b.Select(y => Comparisons.ConflictingStrongIds(x, y) ? double.MinValue : Score(x, y).Total))
            .DefaultIfEmpty(double.MinValue).Max() >= model.BridgeThreshold;

    private sealed record Edge(int A, int B, MatchScore Score, Guid? Record);

    /// <summary>
    /// Each person's distinct candidate records. Asked for a few persons a chunk (those a link would merge),
    /// among tens of thousands of candidates: the candidates are chained per person on the first question,
    /// without a list per person.
    /// </summary>
    private sealed class PersonRecords(IReadOnlyList<CandidateRecord> candidates)
    {
        private Dictionary<Guid, int>? last;
        private int[]? previous;

        /// <summary>Null when no candidate belongs to <paramref name="person"/>.</summary>
        public List<MatchRecord>? Of(Guid person)
        {
            if (last is null)
            {
                last = new Dictionary<Guid, int>();
                previous = new int[candidates.Count];
                for (var i = 0; i < candidates.Count; i++)
                {
                    previous[i] = last.TryGetValue(candidates[i].Record.PersonId, out var p) ? p : -1;
                    last[candidates[i].Record.PersonId] = i;
                }
            }
            if (!last.TryGetValue(person, out var at)) return null;
            var records = new List<MatchRecord>();
            for (; at >= 0; at = previous![at])
            {
                var record = candidates[at].Record;
                if (!records.Exists(r => r.SourceRecordId == record.SourceRecordId)) records.Add(record);
            }
            return records; // the guard takes the best pair over them: order is of no account
        }
    }

    /// <summary>Union–find over rows and persons, tracking each cluster's valid CURPs and registry persons.</summary>
    private sealed class Clusters(int size)
    {
        private readonly int[] parent = Enumerable.Range(0, size).ToArray();
        private readonly Dictionary<int, HashSet<string>> curps = [];
        private readonly Dictionary<int, HashSet<Guid>> persons = [];
        private readonly Dictionary<int, HashSet<string>> documents = [];

        public int Find(int x)
        {
            while (parent[x] != x) x = parent[x] = parent[parent[x]];
            return x;
        }

        public void AddCurp(int node, string? curp)
        {
            if (curp is null) return;
            var root = Find(node);
            if (!curps.TryGetValue(root, out var set)) curps[root] = set = [];
            set.Add(curp);
        }

        public void AddDocument(int node, string? document)
        {
            if (document is null || IdentityDocuments.Split(document).Type is null) return;
            var root = Find(node);
            if (!documents.TryGetValue(root, out var set)) documents[root] = set = [];
            set.Add(document);
        }

        /// <summary>Joining the two clusters would put two different documents of one type (two CCs) in one person.</summary>
        public bool DocumentsConflict(int a, int b)
        {
            var (ra, rb) = (Find(a), Find(b));
            return documents.TryGetValue(ra, out var da) && documents.TryGetValue(rb, out var db)
                && da.Any(x => db.Any(y => IdentityDocuments.Conflict(x, y)));
        }

        public void AddPerson(int node, Guid person)
        {
            var root = Find(node);
            if (!persons.TryGetValue(root, out var set)) persons[root] = set = [];
            set.Add(person);
        }

        public HashSet<Guid> PersonsOf(int node) => persons.TryGetValue(Find(node), out var set) ? set : None;

        private static readonly HashSet<Guid> None = [];

        public bool CurpsConflict(int a, int b)
        {
            var (ra, rb) = (Find(a), Find(b));
            return curps.TryGetValue(ra, out var ca) && curps.TryGetValue(rb, out var cb) && ca.Union(cb).Count() > 1;
        }

        public void Union(int a, int b)
        {
            var (ra, rb) = (Find(a), Find(b));
            if (ra == rb) return;
            parent[rb] = ra;
            Move(curps, rb, ra);
            Move(persons, rb, ra);
            Move(documents, rb, ra);
        }

        private static void Move<T>(Dictionary<int, HashSet<T>> sets, int from, int to)
        {
            if (!sets.Remove(from, out var moved)) return;
            if (sets.TryGetValue(to, out var target)) target.UnionWith(moved);
            else sets[to] = moved;
        }
    }
}

using System.Globalization;
using Npgsql;

namespace Registry.Matching;

/// <summary>What a training run produced, for logs and the operator.</summary>
public sealed record TrainingResult(MatchModel Model, int RandomPairs, int BlockedPairs, double MatchShare, int Iterations, int RepeatedPairsSkipped = 0);

/// <summary>
/// A blocked pair as EM sees it: its comparison vector and the fields its shared blocking keys
/// conditioned (bit <c>1 &lt;&lt; field</c>). A pair found because both records carry GARZA born on
/// 1990-05-04 agrees on those by construction, match or not: those levels say how it was found,
/// not whether it is one person.
/// </summary>
public readonly record struct BlockedPair(byte[] Vector, int Conditioned);

/// <summary>
/// Estimates the model's m and u probabilities from the registry's own records, as Splink does:
/// u from random record pairs (almost all are different people), then m and the share of matches
/// by expectation–maximisation on pairs blocking brings together (one random pair from each of
/// random blocks of 2 to 50 records of the <see cref="CandidateIndex"/>: the process's own, or one
/// loaded for the run). Thresholds are kept; the result is a new model version, which the governance
/// gate (ModelGate) puts in force or keeps as a shadow.
/// <para>
/// What made the earlier EM worse than its starting values (docs/measurements.md, 2026-12-06): the
/// blocked sample's non-matches are relatives and namesakes, who agree on the very names and dates
/// the blocks were built from far more than u (random pairs) says; counted as evidence, they pulled
/// EM's match class over them (match share 0.99 where the truth was 0.89) and it learnt that
/// matches often disagree on birth date and CURP. Now: (1) a pair's conditioned fields carry no
/// evidence in the E-step and teach nothing in the M-step (Splink's rule for fields in the blocking
/// rule), with one match share per set of conditioned fields; (2) pairs of identical records (one
/// registration repeated on each service row, linked by the agency's key anyway) are skipped;
/// (3) household-shared fields keep their starting m — relatives agree on them, so EM cannot tell
/// a household from a person — and count in the E-step only up to the model's cap, as in scoring;
/// (4) every m is shrunk toward its starting value by <see cref="PseudoMatches"/> pseudo-counts, so a
/// level seen a handful of times stays near its prior.
/// </para>
/// </summary>
public sealed class EmTrainer(NpgsqlDataSource dataSource, CandidateIndex? index = null)
{
    public const int MaxIterations = 50;

    /// <summary>Weight of the starting m values, in expected matches (a prior, not a floor).</summary>
    public const double PseudoMatches = 50;

    /// <summary>Fields a whole household shares: not identifiable by EM, their m stays the starting value's.</summary>
    public static readonly MatchField[] HouseholdFields = [.. Comparisons.Fields.Where(MatchModel.HouseholdShared)];

    public async Task<TrainingResult?> TrainAsync(MatchModel start, int randomPairs, int blockedPairs, int minRecords, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(start);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM match_records", connection))
            if ((long)(await count.ExecuteScalarAsync(ct))! < minRecords) return null;

        var pair = $"{MatchRecordRows.Columns("a")}, {MatchRecordRows.Columns("b")}";
        var random = await ReadPairsAsync(connection,
            $"""
            WITH s AS (SELECT *, row_number() OVER () AS n FROM (SELECT * FROM match_records ORDER BY random() LIMIT @k * 2) x),
                 h AS (SELECT count(*) / 2 AS half FROM s)
            SELECT {pair} FROM s a, h JOIN s b ON true WHERE a.n <= h.half AND b.n = a.n + h.half
            """, randomPairs, ct);
        var sampled = await (index ?? new CandidateIndex()).SampleBlockedPairsAsync(connection, blockedPairs, Random.Shared, ct);
        var version = "fs-em-" + DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);
        return Train(start, random, sampled, version);
    }

    /// <summary>The estimation itself, no database: u from <paramref name="random"/>, m and match shares by EM on <paramref name="blocked"/>.</summary>
    public static TrainingResult? Train(MatchModel start, IReadOnlyList<byte[]> random, IReadOnlyList<(MatchRecord A, MatchRecord B)> blocked, string version)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(blocked);
        var pairs = Prepare(blocked);
        if (random.Count == 0 || pairs.Count == 0) return null;
        var u = EstimateU(random, start);
        var (m, lambda, iterations) = EstimateM(pairs, start, u);
        var model = start with { Version = version, M = m, U = u };
        return new TrainingResult(model, random.Count, pairs.Count, lambda, iterations, blocked.Count - pairs.Count);
    }

    /// <summary>Blocked pairs as EM uses them: identical records dropped, each with its conditioned fields.</summary>
    public static List<BlockedPair> Prepare(IEnumerable<(MatchRecord A, MatchRecord B)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var prepared = new List<BlockedPair>();
        foreach (var (a, b) in pairs)
        {
            if (a with { SourceRecordId = default, PersonId = default } == b with { SourceRecordId = default, PersonId = default }) continue;
            prepared.Add(new BlockedPair(Comparisons.Compare(a, b), ConditionedFields(a, b)));
        }
        return prepared;
    }

    /// <summary>
    /// The fields of the blocking key the pair was found by (see <see cref="MatchRecord.BlockingKeys"/>).
    /// The sampler draws a pair from one block; which key that block was is not kept, so one of the
    /// keys the two records share stands in for it, chosen by the pair's own hash (a pair sharing a
    /// key is a pair of that key's session, whatever else it shares). Conditioning on all the keys it
    /// shares would be wrong the other way: not sharing the given-name key means the given names differ.
    /// </summary>
    public static int ConditionedFields(MatchRecord a, MatchRecord b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var shared = new HashSet<string>(a.BlockingKeys(), StringComparer.Ordinal);
        shared.IntersectWith(b.BlockingKeys());
        if (shared.Count == 0) return 0;
        var keys = shared.Order(StringComparer.Ordinal).ToList();
        var key = keys[(int)((uint)HashCode.Combine(a.SourceRecordId, b.SourceRecordId) % (uint)keys.Count)];
        return key[..key.IndexOf(':', StringComparison.Ordinal)] switch
        {
            // Birth date with a surname, the given name or the initials; surnames with the given name and a part of the date.
            "dp" => Bits(MatchField.BirthDate, MatchField.PaternalSurname, MatchField.MaternalSurname),
            "dg" => Bits(MatchField.BirthDate, MatchField.GivenNames),
            "di" => Bits(MatchField.BirthDate, MatchField.GivenNames, MatchField.PaternalSurname),
            "pg" or "pn" => Bits(MatchField.GivenNames, MatchField.PaternalSurname, MatchField.MaternalSurname),
            "s1" or "s1n" => Bits(MatchField.GivenNames, MatchField.PaternalSurname),
            "sy" or "sm" => Bits(MatchField.GivenNames, MatchField.PaternalSurname, MatchField.MaternalSurname, MatchField.BirthDate),
            // The CURP's first ten characters are the name's letters and the birth date.
            "c10" => Bits(MatchField.Curp, MatchField.GivenNames, MatchField.PaternalSurname, MatchField.MaternalSurname, MatchField.BirthDate),
            // Name plus where the person lives (sparse records): postal code, street and number or municipality, with a name.
            "zg" => Bits(MatchField.PostalCode, MatchField.GivenNames),
            "zs" => Bits(MatchField.PostalCode, MatchField.PaternalSurname, MatchField.MaternalSurname),
            "tg" => Bits(MatchField.Street, MatchField.GivenNames),
            "mg" or "mgn" => Bits(MatchField.Municipality, MatchField.GivenNames, MatchField.PaternalSurname, MatchField.MaternalSurname),
            "ph" => Bits(MatchField.Phone),
            "oi" => Bits(MatchField.OtherId),
            _ => 0,
        };
    }

    private static int Bits(params MatchField[] fields) => fields.Aggregate(0, (m, f) => m | (1 << (int)f));

    /// <summary>
    /// The levels of a field that make one distribution. The CURP slot holds two comparisons: both
    /// records carry a CURP (exact … different) or one does (agrees with the other record … disagrees);
    /// the starting values give each its own m and u summing to one. Estimating them as one
    /// distribution over seven levels made "two different CURPs" look 0.7 bits less unlike a match
    /// (u 0.60 instead of 1.0) and a CURP that disagrees with the other record 1.3 bits less.
    /// </summary>
    public static int[][] LevelGroups(MatchField field) => field == MatchField.Curp
        ? [[1, 2, 3, 4], [5, 6, 7]]
        : [[.. Enumerable.Range(1, Comparisons.LevelNames[field].Length - 1)]];

    /// <summary>
    /// Whether EM can estimate m of these levels from blocked pairs. Not for the birth date: every
    /// blocking key but the names-only one, the phone and the other identifier holds the date or part
    /// of it, and in those sessions the pairs left to teach it are namesakes and relatives, whom nothing
    /// else free tells from the same person with a mistyped date (measured: m of a year off by one 0.16
    /// where the truth was 0.035). Nor for a CURP checked against the other record (levels 5–7): it
    /// restates that record's name letters and birth date, so it is not independent of them given a
    /// match. Nor for the surnames, which a family shares: EM's estimates are near the truth among true matches (a
    /// surname pair swapped: m 0.09, the truth 0.10, the starting value 0.02), but the model's independence fails
    /// for them among the non-matches the resolver scores — relatives and namesakes agree on a family's surnames, in
    /// either order, far more than random pairs' u says — and with EM's surname m, namesakes outscored the link
    /// threshold (in memory, 1M rows of the hard profile: 6,910 false links against 5,144 with the starting values,
    /// 5,022 with EM and the surnames' starting m; docs/measurements.md). All keep their starting m (household-shared
    /// fields too, see <see cref="HouseholdFields"/>).
    /// </summary>
    public static bool Identifiable(MatchField field, int[] group) =>
        field is not (MatchField.BirthDate or MatchField.PaternalSurname or MatchField.MaternalSurname)
        && !(field == MatchField.Curp && group[0] == 5) && Array.IndexOf(HouseholdFields, field) < 0;

    /// <summary>
    /// Why the birth date's u is not read off random pairs. The pairs the resolver scores were found by blocking keys
    /// that hold the year, the day and month or the whole date, so they already agree on part of it: among them two
    /// different persons' dates one slip apart (1963 / 1993, 12-14 / 12-24) are far more common than among random
    /// pairs (u of "one part differs" 0.0011 there, against the starting 0.003). With the random-pair u that level
    /// weighed 1.5 bits more, and namesakes a digit apart in the year linked (in memory, 100k rows of the hard profile:
    /// 78 false links against 66 with the starting u and 62 with the starting values; docs/measurements.md).
    /// </summary>
    public static readonly MatchField[] UnlikeRandomPairs = [MatchField.BirthDate];

    /// <summary>A level seen fewer times among random pairs keeps its starting u: its estimate would be mostly the smoothing.</summary>
    public const int MinLevelObservations = 20;

    /// <summary>
    /// u per level: the level's share among random pairs where the field (its comparison) is present on
    /// both sides. Two exceptions keep the starting u. A level seen fewer than
    /// <see cref="MinLevelObservations"/> times (a random pair rarely agrees on a CURP or a swapped
    /// surname pair: a count of 3 in 40,000 is no estimate). And a CURP checked against the other
    /// record's own data (levels 5–7): it restates that record's name letters, birth date and sex, so
    /// among random pairs it almost never agrees (u ≈ 0.0001) while among namesakes and relatives — the
    /// non-matches the resolver actually scores — it often does; random pairs cannot estimate a u that
    /// is only meaningful given the names already agree (the starting value is that conditional u).
    /// </summary>
    public static Dictionary<string, double[]> EstimateU(IReadOnlyList<byte[]> vectors, MatchModel start)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(start);
        var u = new Dictionary<string, double[]>();
        foreach (var field in Comparisons.Fields)
        {
            var startU = MatchModel.Probabilities(start.U, MatchModel.Default.U, field);
            var counts = new double[startU.Length];
            foreach (var v in vectors) counts[v[(int)field]]++;
            var estimate = (double[])startU.Clone();
            // The birth date keeps its starting u (and m): see UnlikeRandomPairs.
            if (Array.IndexOf(UnlikeRandomPairs, field) >= 0)
            {
                u[MatchModel.Key(field)] = estimate;
                continue;
            }
            foreach (var group in LevelGroups(field))
            {
                if (field == MatchField.Curp && group[0] == 5) continue;
                var kept = group.Where(l => counts[l] < MinLevelObservations).ToList();
                var estimated = group.Except(kept).ToList();
                if (estimated.Count == 0) continue;
                // The kept levels keep their starting share; the others share the rest as observed.
                var rest = Math.Max(0, group.Sum(l => startU[l]) - kept.Sum(l => startU[l]));
                var observed = estimated.Sum(l => counts[l]);
                foreach (var l in estimated) estimate[l] = rest * counts[l] / observed;
            }
            u[MatchModel.Key(field)] = estimate;
        }
        return u;
    }

    /// <summary>
    /// EM for m and the match shares with u fixed. Missing levels and a pair's conditioned fields carry
    /// no information; household-shared fields keep their starting m and count up to the model's cap;
    /// each set of conditioned fields has its own match share (a block of namesakes holds a different
    /// share of matches than a block of one phone number). Returns the overall expected match share.
    /// </summary>
    public static (Dictionary<string, double[]> M, double Lambda, int Iterations) EstimateM(IReadOnlyList<BlockedPair> pairs, MatchModel start, IReadOnlyDictionary<string, double[]> u)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(u);
        var fields = Comparisons.Fields;
        var prior = fields.Select(f => MatchModel.Probabilities(start.M, MatchModel.Default.M, f)).ToArray();
        var m = prior.Select(p => (double[])p.Clone()).ToArray();
        var uu = fields.Select(f => u[MatchModel.Key(f)]).ToArray();
        var household = fields.Select(f => Array.IndexOf(HouseholdFields, f) >= 0).ToArray();
        var groups = pairs.Select(p => p.Conditioned).Distinct().ToDictionary(c => c, _ => 0.3);
        var p = new double[pairs.Count];
        var iteration = 0;
        for (; iteration < MaxIterations; iteration++)
        {
            // E: probability each pair is a match, its conditioned fields left out (in log space).
            for (var j = 0; j < pairs.Count; j++)
            {
                var (v, conditioned) = (pairs[j].Vector, pairs[j].Conditioned);
                var lambda = groups[conditioned];
                var logOdds = Math.Log(lambda / (1 - lambda));
                var shared = 0.0;
                var cap = start.HouseholdCap(v);
                for (var f = 0; f < fields.Length; f++)
                {
                    if (v[f] == 0 || (conditioned & (1 << f)) != 0) continue;
                    var w = Math.Log2(Math.Max(m[f][v[f]], 1e-9) / Math.Max(uu[f][v[f]], 1e-9));
                    if (household[f] && w > 0)
                    {
                        w = Math.Min(w, Math.Max(0, cap - shared));
                        shared += w;
                    }
                    logOdds += w * Math.Log(2);
                }
                p[j] = 1 / (1 + Math.Exp(-Math.Clamp(logOdds, -50, 50)));
            }
            // M: m per level = expected share among matches where the field is present and was not
            // conditioned, shrunk toward the starting value; match share per group = its mean p.
            var change = 0.0;
            for (var f = 0; f < fields.Length; f++)
            {
                if (household[f]) continue;
                var sums = new double[m[f].Length];
                for (var j = 0; j < pairs.Count; j++)
                    if ((pairs[j].Conditioned & (1 << f)) == 0) sums[pairs[j].Vector[f]] += p[j];
                foreach (var group in LevelGroups(fields[f]))
                {
                    if (!Identifiable(fields[f], group)) continue;
                    var present = group.Sum(l => sums[l]);
                    var priorMass = group.Sum(l => prior[f][l]);
                    foreach (var l in group)
                    {
                        var next = (sums[l] + PseudoMatches * prior[f][l] / priorMass) / (present + PseudoMatches);
                        change = Math.Max(change, Math.Abs(next - m[f][l]));
                        m[f][l] = next;
                    }
                }
            }
            foreach (var g in groups.Keys.ToList())
            {
                double sum = 0, n = 0;
                for (var j = 0; j < pairs.Count; j++)
                    if (pairs[j].Conditioned == g) { sum += p[j]; n++; }
                var next = Math.Clamp(sum / n, 1e-4, 1 - 1e-4);
                change = Math.Max(change, Math.Abs(next - groups[g]));
                groups[g] = next;
            }
            if (change < 1e-5) break;
        }
        return (fields.Select((f, i) => (f, i)).ToDictionary(x => MatchModel.Key(x.f), x => m[x.i]), p.Length == 0 ? 0 : p.Average(), iteration + 1);
    }

    private static async Task<List<byte[]>> ReadPairsAsync(NpgsqlConnection connection, string sql, int k, CancellationToken ct)
    {
        var vectors = new List<byte[]>();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        command.Parameters.AddWithValue("k", k);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            vectors.Add(Comparisons.Compare(MatchRecordRows.Read(reader, 0), MatchRecordRows.Read(reader, MatchRecordRows.Width)));
        return vectors;
    }
}

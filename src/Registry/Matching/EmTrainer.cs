using System.Globalization;
using Npgsql;

namespace Registry.Matching;

/// <summary>What a training run produced, for logs and the operator.</summary>
public sealed record TrainingResult(MatchModel Model, int RandomPairs, int BlockedPairs, double MatchShare, int Iterations);

/// <summary>
/// Estimates the model's m and u probabilities from the registry's own records, as Splink does:
/// u from random record pairs (almost all are different people), then m and the share of matches
/// by expectation–maximisation on the pairs blocking brings together (random blocks of 2 to 50
/// records of the <see cref="CandidateIndex"/>: the process's own, or one loaded for the run).
/// Thresholds are kept; the result is a new model version that all workers pick up
/// (<see cref="MatchModelStore"/>).
/// </summary>
public sealed class EmTrainer(NpgsqlDataSource dataSource, CandidateIndex? index = null)
{
    public const int MaxIterations = 50;

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
        var blocked = (await (index ?? new CandidateIndex()).SampleBlockedPairsAsync(connection, blockedPairs, Random.Shared, ct))
            .Select(p => Comparisons.Compare(p.A, p.B)).ToList();
        if (random.Count == 0 || blocked.Count == 0) return null;

        var u = EstimateU(random, start);
        var (m, lambda, iterations) = EstimateM(blocked, start, u);
        var model = start with
        {
            Version = "fs-em-" + DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture),
            M = m,
            U = u,
        };
        return new TrainingResult(model, random.Count, blocked.Count, lambda, iterations);
    }

    /// <summary>u per level: the level's share among random pairs where the field is present on both sides (Laplace-smoothed).</summary>
    public static Dictionary<string, double[]> EstimateU(IReadOnlyList<byte[]> vectors, MatchModel start)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(start);
        var u = new Dictionary<string, double[]>();
        foreach (var field in Comparisons.Fields)
        {
            var startU = MatchModel.Probabilities(start.U, MatchModel.Default.U, field);
            var levels = startU.Length;
            var counts = new double[levels];
            foreach (var v in vectors) counts[v[(int)field]]++;
            var present = counts.Skip(1).Sum();
            var estimate = new double[levels];
            for (var l = 1; l < levels; l++)
                estimate[l] = present < 100 ? startU[l] : (counts[l] + 0.5) / (present + 0.5 * (levels - 1));
            u[MatchModel.Key(field)] = estimate;
        }
        return u;
    }

    /// <summary>EM for m and the match share λ with u fixed; missing levels carry no information.</summary>
    public static (Dictionary<string, double[]> M, double Lambda, int Iterations) EstimateM(IReadOnlyList<byte[]> vectors, MatchModel start, IReadOnlyDictionary<string, double[]> u)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(u);
        var fields = Comparisons.Fields;
        var m = fields.Select(f => (double[])MatchModel.Probabilities(start.M, MatchModel.Default.M, f).Clone()).ToArray();
        var uu = fields.Select(f => u[MatchModel.Key(f)]).ToArray();
        var lambda = 0.1;
        var p = new double[vectors.Count];
        var iteration = 0;
        for (; iteration < MaxIterations; iteration++)
        {
            // E: probability each pair is a match under the current parameters (in log space).
            var logOdds0 = Math.Log(lambda / (1 - lambda));
            for (var j = 0; j < vectors.Count; j++)
            {
                var logOdds = logOdds0;
                var v = vectors[j];
                for (var f = 0; f < fields.Length; f++)
                    if (v[f] != 0) logOdds += Math.Log(Math.Max(m[f][v[f]], 1e-9) / Math.Max(uu[f][v[f]], 1e-9));
                p[j] = 1 / (1 + Math.Exp(-Math.Clamp(logOdds, -50, 50)));
            }
            // M: m per level = expected share among matches where the field is present; λ = mean p.
            var change = 0.0;
            for (var f = 0; f < fields.Length; f++)
            {
                var sums = new double[m[f].Length];
                for (var j = 0; j < vectors.Count; j++) sums[vectors[j][f]] += p[j];
                var present = sums.Skip(1).Sum();
                if (present < 1) continue;
                for (var l = 1; l < sums.Length; l++)
                {
                    var next = (sums[l] + 0.01) / (present + 0.01 * (sums.Length - 1));
                    change = Math.Max(change, Math.Abs(next - m[f][l]));
                    m[f][l] = next;
                }
            }
            var nextLambda = Math.Clamp(p.Average(), 1e-6, 1 - 1e-6);
            change = Math.Max(change, Math.Abs(nextLambda - lambda));
            lambda = nextLambda;
            if (change < 1e-5) break;
        }
        return (fields.Select((f, i) => (f, i)).ToDictionary(x => MatchModel.Key(x.f), x => m[x.i]), lambda, iteration + 1);
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

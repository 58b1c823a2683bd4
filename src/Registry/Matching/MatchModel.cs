using System.Text.Json.Serialization;

namespace Registry.Matching;

/// <summary>
/// A Fellegi–Sunter model: for each field and comparison level, m = P(level | same person) and
/// u = P(level | different people). A pair's match weight is Σ log2(m/u) over fields (level 0,
/// "missing", adds nothing). Above <see cref="LinkThreshold"/> the record is linked, between the
/// thresholds a steward reviews it, below it is a new person. Versioned: every decision stores
/// the version it was made with; EM training (<see cref="EmTrainer"/>) produces new versions.
/// </summary>
public sealed record MatchModel
{
    public required string Version { get; init; }

    /// <summary>Field name → m per level (index 0, "missing", is ignored).</summary>
    public required IReadOnlyDictionary<string, double[]> M { get => m; init { m = value; weights = null; } }

    /// <summary>Field name → u per level (index 0 ignored).</summary>
    // A `with` copies the cached weights too: setting m or u drops them, or a trained copy of a model
    // would score with its parent's weights until stored and read back.
    public required IReadOnlyDictionary<string, double[]> U { get => u; init { u = value; weights = null; } }

    private IReadOnlyDictionary<string, double[]> m = null!;
    private IReadOnlyDictionary<string, double[]> u = null!;

    public double LinkThreshold { get; init; } = 20;
    /// <summary>Below it a record is a new person without asking: on the hard synthetic run 97 % of the tasks scored 12–14 were different people.</summary>
    public double ReviewThreshold { get; init; } = 14;

    /// <summary>
    /// Postal code, municipality and phone are shared by a whole household: a father and his
    /// namesake son agree on all of them. Their combined positive evidence is capped so a shared
    /// address never outweighs a birth date that disagrees.
    /// </summary>
    public double HouseholdFieldsCap { get; init; } = 4;

    /// <summary>Frequencies below this are not trusted for term-frequency adjustment (tiny registries).</summary>
    public double MinTermFrequency { get; init; } = 0.0005;

    /// <summary>Rows counted before term frequencies are used at all.</summary>
    public long MinTermRows { get; init; } = 2000;

    [JsonIgnore]
    public double[][] Weights => weights ??= Comparisons.Fields
        .Select(f => Probabilities(M, Default.M, f).Zip(Probabilities(U, Default.U, f), (m, u) => Math.Log2(Math.Max(m, 1e-9) / Math.Max(u, 1e-9))).ToArray())
        .ToArray();

    /// <summary>A model stored before a field was compared has no values for it: the starting values stand in.</summary>
    public static double[] Probabilities(IReadOnlyDictionary<string, double[]> values, IReadOnlyDictionary<string, double[]> fallback, MatchField field) =>
        values.TryGetValue(Key(field), out var p) && p.Length == Comparisons.LevelNames[field].Length ? p : fallback[Key(field)];
    private double[][]? weights;

    public static string Key(MatchField field) => field switch
    {
        MatchField.Curp => "curp",
        MatchField.GivenNames => "given_names",
        MatchField.PaternalSurname => "paternal_surname",
        MatchField.MaternalSurname => "maternal_surname",
        MatchField.BirthDate => "birth_date",
        MatchField.Sex => "sex",
        MatchField.PostalCode => "postal_code",
        MatchField.Municipality => "municipality",
        MatchField.Phone => "phone",
        MatchField.OtherId => "other_id",
        MatchField.Street => "street",
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    /// <summary>Scores a comparison vector; <paramref name="termFrequency"/> gives the share of records with a value (or null when unknown).</summary>
    public MatchScore Score(byte[] vector, MatchRecord a, Func<MatchField, string, double?>? termFrequency = null)
    {
        ArgumentNullException.ThrowIfNull(vector);
        ArgumentNullException.ThrowIfNull(a);
        Span<double> tf = stackalloc double[vector.Length];
        for (var i = 0; i < vector.Length; i++)
        {
            var field = (MatchField)i;
            tf[i] = vector[i] == 1 && termFrequency is not null && Array.IndexOf(Comparisons.TermFrequencyFields, field) >= 0
                    && Comparisons.TermValue(a, field) is { } value && termFrequency(field, value) is { } f ? f : double.NaN;
        }
        var w = new double[vector.Length];
        var total = Weigh(vector, tf, w);
        return new MatchScore(Math.Round(total, 3), w, vector);
    }

    /// <summary>
    /// Scores a stored comparison vector (a decision's or review task's evidence) with this model:
    /// <paramref name="termFrequencies"/> per field is the frequency the "exact" level was adjusted by
    /// when the pair was scored (NaN when it was not), so a pair re-scored by another version is
    /// weighed as that version would have weighed it then.
    /// </summary>
    public double ScoreStored(byte[] vector, ReadOnlySpan<double> termFrequencies)
    {
        ArgumentNullException.ThrowIfNull(vector);
        return Weigh(vector, termFrequencies, new double[vector.Length]);
    }

    // One rule for both: level weights, the term-frequency adjustment of "exact" names, the household cap.
    private double Weigh(byte[] vector, ReadOnlySpan<double> termFrequencies, double[] w)
    {
        var total = 0.0;
        var household = 0.0;
        for (var i = 0; i < vector.Length; i++)
        {
            var level = vector[i];
            if (level == 0) continue;
            var field = (MatchField)i;
            var weight = Weights[i][level];
            if (level == 1 && !double.IsNaN(termFrequencies[i]))
            {
                // Splink's adjustment: replace the average u of "exact" by this value's own frequency.
                weight = Math.Log2(Probabilities(M, Default.M, field)[1] / Math.Max(termFrequencies[i], MinTermFrequency));
            }
            if (field is MatchField.PostalCode or MatchField.Municipality or MatchField.Phone or MatchField.Street && weight > 0)
            {
                var room = Math.Max(0, HouseholdFieldsCap - household);
                weight = Math.Min(weight, room);
                household += weight;
            }
            w[i] = Math.Round(weight, 3);
            total += weight;
        }
        return total;
    }

    /// <summary>What the score means under this model's thresholds.</summary>
    public MatchOutcome Classify(double score) =>
        score >= LinkThreshold ? MatchOutcome.Link : score >= ReviewThreshold ? MatchOutcome.Review : MatchOutcome.NonMatch;

    /// <summary>
    /// Starting values for an empty registry (no data to train on yet), chosen from published
    /// error rates of Mexican administrative records and checked on the synthetic population.
    /// </summary>
    public static MatchModel Default { get; } = new()
    {
        Version = "fs-default-v2",
        M = new Dictionary<string, double[]>
        {
            ["curp"] = [0, 0.80, 0.08, 0.07, 0.05, 0.55, 0.25, 0.20],
            ["given_names"] = [0, 0.80, 0.08, 0.06, 0.03, 0.015, 0.015],
            ["paternal_surname"] = [0, 0.88, 0.07, 0.02, 0.01, 0.02],
            ["maternal_surname"] = [0, 0.85, 0.07, 0.03, 0.05],
            ["birth_date"] = [0, 0.862, 0.03, 0.03, 0.076, 0.002],
            ["sex"] = [0, 0.97, 0.03],
            ["postal_code"] = [0, 0.70, 0.30],
            ["municipality"] = [0, 0.85, 0.15],
            ["phone"] = [0, 0.50, 0.50],
            ["other_id"] = [0, 0.90, 0.06, 0.04],
            ["street"] = [0, 0.60, 0.20, 0.20],
        },
        U = new Dictionary<string, double[]>
        {
            ["curp"] = [0, 0.000001, 0.0001, 0.00001, 0.999889, 0.02, 0.03, 0.95],
            ["given_names"] = [0, 0.02, 0.002, 0.005, 0.003, 0.02, 0.95],
            ["paternal_surname"] = [0, 0.015, 0.005, 0.002, 0.02, 0.958],
            ["maternal_surname"] = [0, 0.015, 0.005, 0.002, 0.978],
            ["birth_date"] = [0, 0.00005, 0.00005, 0.0001, 0.003, 0.99685],
            ["sex"] = [0, 0.5, 0.5],
            ["postal_code"] = [0, 0.01, 0.99],
            ["municipality"] = [0, 0.15, 0.85],
            ["phone"] = [0, 0.0005, 0.9995],
            ["other_id"] = [0, 0.000001, 0.00001, 0.999989],
            ["street"] = [0, 0.002, 0.01, 0.988],
        },
    };
}

public enum MatchOutcome
{
    NonMatch,
    Review,
    Link,
}

/// <summary>A scored pair: total match weight, per-field weights and the comparison vector (the evidence).</summary>
public sealed record MatchScore(double Total, double[] FieldWeights, byte[] Vector)
{
    /// <summary>Evidence as stored with the decision: field → level name and weight.</summary>
    public IReadOnlyDictionary<string, FieldEvidence> Evidence() =>
        Comparisons.Fields.ToDictionary(
            f => MatchModel.Key(f),
            f => new FieldEvidence(Comparisons.LevelNames[f][Vector[(int)f]], FieldWeights[(int)f]));

    /// <summary>
    /// <see cref="Evidence"/> as the JSON stored with decisions, reviews and merges — the same text the
    /// serializer gives it ({"curp": {"level": …, "weight": …}, …}), written directly: every linked row
    /// and review task has one, and it is written under the resolution lock.
    /// </summary>
    public string EvidenceJson() => Storage.JsonText.Write(this, static (json, score) =>
    {
        json.WriteStartObject();
        foreach (var f in Comparisons.Fields)
        {
            json.WriteStartObject(MatchModel.Key(f));
            json.WriteString("level", Comparisons.LevelNames[f][score.Vector[(int)f]]);
            json.WriteNumber("weight", score.FieldWeights[(int)f]);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    });
}

public sealed record FieldEvidence(string Level, double Weight);

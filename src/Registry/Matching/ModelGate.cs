using System.Text.Json;
using Npgsql;

namespace Registry.Matching;

/// <summary>A pair a steward decided (a review task): its stored comparison vector, the term frequencies it was scored with, and the answer.</summary>
public sealed record LabelledPair(byte[] Vector, double[] TermFrequencies, bool Match);

/// <summary>How a model would classify the stewards' labelled pairs: precision and recall estimated from their answers.</summary>
public sealed record LabelEstimate(int Labels, int Matches, int Links, int CorrectLinks, int Reviews, double Precision, double Recall);

/// <summary>How many of a random sample of existing probabilistic links a model would not link (score below its link threshold).</summary>
public sealed record LinkSample(int Sampled, int NotLinked, double NotLinkedShare);

/// <summary>
/// The report stored with every trained model (<c>match_models.report</c>): the candidate against the
/// model in force on the stewards' decided review tasks and on a sample of existing links, and why
/// it was put in force or kept as a shadow.
/// </summary>
public sealed record ModelReport(
    string Candidate, string Baseline, DateTime At, int MinLabels,
    LabelEstimate CandidateOnLabels, LabelEstimate BaselineOnLabels,
    LinkSample CandidateOnLinks, LinkSample BaselineOnLinks,
    bool Promoted, string Decision, string? Training = null);

/// <summary>
/// Governance of a trained model: it goes into force only if its precision estimated from stewards'
/// labels does not drop below the model in force's, and only when there are enough labels to say so
/// (<see cref="DefaultMinLabels"/>); otherwise it is kept as a shadow with its report, and an admin may
/// promote it after reading it. Each labelled pair (a decided review task) is re-scored from its
/// stored evidence by both models and classified by each model's own thresholds. A new model never
/// re-decides a decision already made: it only decides the rows that arrive after it is in force.
/// </summary>
public sealed class ModelGate(NpgsqlDataSource dataSource)
{
    public const int DefaultMinLabels = 50;
    public const int DefaultLinkSample = 2_000;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<ModelReport> EvaluateAsync(MatchModel candidate, MatchModel baseline, int minLabels, int linkSample, string? training, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(baseline);
        var deciders = await ModelsAsync(ct);
        var labels = new List<LabelledPair>();
        await using (var command = dataSource.CreateCommand(
            "SELECT status, evidence::text, model_version FROM review_tasks WHERE status IN ('match', 'non-match')"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                if (Parse(reader.GetString(1), deciders.GetValueOrDefault(reader.GetString(2))) is { } stored)
                    labels.Add(new LabelledPair(stored.Vector, stored.TermFrequencies, reader.GetString(0) == "match"));

        var links = new List<(byte[] Vector, double[] TermFrequencies)>();
        await using (var command = dataSource.CreateCommand(
            """
            SELECT evidence::text, model_version FROM match_decisions
             WHERE rule LIKE 'probabilistic%' AND NOT created_person AND evidence IS NOT NULL
             ORDER BY random() LIMIT $1
            """))
        {
            command.CommandTimeout = 600;
            command.Parameters.AddWithValue(linkSample);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                if (Parse(reader.GetString(0), deciders.GetValueOrDefault(reader.GetString(1))) is { } stored)
                    links.Add(stored);
        }
        return Decide(candidate, baseline, labels, links, minLabels, training);
    }

    /// <summary>The decision itself, no database.</summary>
    public static ModelReport Decide(MatchModel candidate, MatchModel baseline, IReadOnlyList<LabelledPair> labels,
        IReadOnlyList<(byte[] Vector, double[] TermFrequencies)> links, int minLabels, string? training = null)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(links);
        var c = Estimate(candidate, labels);
        var b = Estimate(baseline, labels);
        string decision;
        bool promoted;
        if (labels.Count < minLabels)
        {
            promoted = false;
            decision = $"kept as shadow: only {labels.Count} decided review tasks, fewer than the {minLabels} needed to estimate precision; " +
                       "not promoted automatically (an admin may promote it after reading this report)";
        }
        else if (c.Precision < b.Precision - 1e-9)
        {
            promoted = false;
            decision = FormattableString.Invariant($"kept as shadow: label-estimated precision would drop from {b.Precision:F4} to {c.Precision:F4} ({c.Links - c.CorrectLinks} pairs stewards called different persons would be linked)");
        }
        else
        {
            promoted = true;
            decision = FormattableString.Invariant($"put in force: label-estimated precision {b.Precision:F4} -> {c.Precision:F4} (does not drop), recall {b.Recall:F4} -> {c.Recall:F4} on {labels.Count} decided review tasks");
        }
        return new ModelReport(candidate.Version, baseline.Version, DateTime.UtcNow, minLabels, c, b,
            OnLinks(candidate, links), OnLinks(baseline, links), promoted, decision, training);
    }

    /// <summary>A model's classification of the labelled pairs: precision = same-person share of what it would link; recall = share of the same-person pairs it would link.</summary>
    public static LabelEstimate Estimate(MatchModel model, IReadOnlyList<LabelledPair> labels)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(labels);
        int matches = 0, links = 0, correct = 0, reviews = 0;
        foreach (var label in labels)
        {
            if (label.Match) matches++;
            switch (model.Classify(model.ScoreStored(label.Vector, label.TermFrequencies)))
            {
                case MatchOutcome.Link:
                    links++;
                    if (label.Match) correct++;
                    break;
                case MatchOutcome.Review:
                    reviews++;
                    break;
            }
        }
        return new LabelEstimate(labels.Count, matches, links, correct, reviews,
            links == 0 ? 1 : Math.Round((double)correct / links, 6), matches == 0 ? 1 : Math.Round((double)correct / matches, 6));
    }

    private static LinkSample OnLinks(MatchModel model, IReadOnlyList<(byte[] Vector, double[] TermFrequencies)> links)
    {
        var notLinked = links.Count(l => model.Classify(model.ScoreStored(l.Vector, l.TermFrequencies)) != MatchOutcome.Link);
        return new LinkSample(links.Count, notLinked, links.Count == 0 ? 0 : Math.Round((double)notLinked / links.Count, 6));
    }

    /// <summary>
    /// A stored evidence document ({"curp": {"level", "weight"}, …}) as a comparison vector, with the
    /// term frequency each "exact" name level was adjusted by, recovered from its stored weight and
    /// the m of the model that scored it (weight = log2(m / frequency)); NaN where it was not adjusted
    /// or the model is unknown. Null when the document names a level this build does not know.
    /// </summary>
    public static (byte[] Vector, double[] TermFrequencies)? Parse(string evidence, MatchModel? decider)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        using var doc = JsonDocument.Parse(evidence);
        var vector = new byte[Comparisons.Fields.Length];
        var tf = Enumerable.Repeat(double.NaN, vector.Length).ToArray();
        foreach (var field in Comparisons.Fields)
        {
            if (!doc.RootElement.TryGetProperty(MatchModel.Key(field), out var e) || e.ValueKind != JsonValueKind.Object) continue;
            var level = Array.IndexOf(Comparisons.LevelNames[field], e.GetProperty("level").GetString());
            if (level < 0) return null;
            vector[(int)field] = (byte)level;
            // Not a household-shared field (the colonia): its stored weight may be cut by the household cap, not by its frequency.
            if (level == 1 && decider is not null && Array.IndexOf(Comparisons.TermFrequencyFields, field) >= 0 && !MatchModel.HouseholdShared(field)
                && e.TryGetProperty("weight", out var w) && w.ValueKind == JsonValueKind.Number
                && Math.Abs(w.GetDouble() - decider.Weights[(int)field][1]) > 0.01)
                tf[(int)field] = MatchModel.Probabilities(decider.M, MatchModel.Default.M, field)[1] / Math.Pow(2, w.GetDouble());
        }
        return (vector, tf);
    }

    /// <summary>Every stored model version and the starting values, by version: the models that scored the stored evidence.</summary>
    private async Task<Dictionary<string, MatchModel>> ModelsAsync(CancellationToken ct)
    {
        var models = new Dictionary<string, MatchModel>(StringComparer.Ordinal) { [MatchModel.Default.Version] = MatchModel.Default };
        await using var command = dataSource.CreateCommand("SELECT version, parameters::text FROM match_models");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            if (JsonSerializer.Deserialize<MatchModel>(reader.GetString(1), Json) is { } model)
                models[reader.GetString(0)] = model;
        return models;
    }
}

using System.Text.Json;
using Npgsql;
using Registry.Matching;

namespace Registry.Api.Models;

public sealed record ModelSummary(
    string Version, string Status, DateTime? CreatedAt, string TrainedOn, DateTime? ActivatedAt, string? ActivatedBy,
    string? Decision, double? LabelPrecision, double? LabelRecall);

public sealed record LevelWeight(string Level, double M, double U, double Weight);

public sealed record FieldWeights(string Field, IReadOnlyList<LevelWeight> Levels);

/// <summary>A level whose weight moved by more than <see cref="ModelQueries.ChangeBits"/> from the previous version.</summary>
public sealed record WeightChange(string Field, string Level, double Before, double After);

public sealed record ModelEvent(string Kind, string DecidedBy, string Reason, DateTime At);

/// <summary>One model version as its page shows it: no personal data, only parameters, counts and decisions about the model.</summary>
public sealed record ModelView(
    ModelSummary Summary, double LinkThreshold, double ReviewThreshold, double HouseholdFieldsCap,
    IReadOnlyList<FieldWeights> Fields, JsonElement? Report, string? Previous, IReadOnlyList<WeightChange> Changes,
    IReadOnlyList<ModelEvent> Events);

/// <summary>
/// The matching models for stewards and admins: every stored version (and the starting values, which
/// decide while no trained model is in force), with per-field weights, thresholds, the governance
/// report and what changed since the version before. Reads only <c>match_models</c> and
/// <c>match_model_events</c>.
/// </summary>
public sealed class ModelQueries(NpgsqlDataSource db)
{
    /// <summary>A weight that moved by more than this (bits) between versions is listed as a change.</summary>
    public const double ChangeBits = 0.5;

    public const string StartingValues = "starting-values";

    public async Task<IReadOnlyList<ModelSummary>> ListAsync(CancellationToken ct)
    {
        var rows = await RowsAsync(ct);
        return [.. rows.Select(r => r.Summary)];
    }

    public async Task<ModelView?> GetAsync(string version, CancellationToken ct)
    {
        var rows = await RowsAsync(ct);
        var index = rows.FindIndex(r => r.Summary.Version == version);
        if (index < 0) return null;
        var (summary, model, report) = rows[index];
        // Newest first; the starting values are last. The previous version is the one stored before it.
        var previous = index + 1 < rows.Count ? rows[index + 1] : default;
        var events = new List<ModelEvent>();
        await using (var command = db.CreateCommand("SELECT kind, decided_by, reason, at FROM match_model_events WHERE version = $1 ORDER BY id"))
        {
            command.Parameters.AddWithValue(version);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                events.Add(new ModelEvent(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetDateTime(3)));
        }
        return new ModelView(summary, model.LinkThreshold, model.ReviewThreshold, model.HouseholdFieldsCap, Weights(model), report,
            previous.Model?.Version, previous.Model is null ? [] : Changes(previous.Model, model), events);
    }

    public static IReadOnlyList<FieldWeights> Weights(MatchModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return [.. Comparisons.Fields.Select(f =>
        {
            var m = MatchModel.Probabilities(model.M, MatchModel.Default.M, f);
            var u = MatchModel.Probabilities(model.U, MatchModel.Default.U, f);
            return new FieldWeights(MatchModel.Key(f), [.. Comparisons.LevelNames[f].Select((name, l) => (name, l)).Skip(1)
                .Select(x => new LevelWeight(x.name, Math.Round(m[x.l], 6), Math.Round(u[x.l], 6), Math.Round(model.Weights[(int)f][x.l], 2)))]);
        })];
    }

    public static IReadOnlyList<WeightChange> Changes(MatchModel before, MatchModel after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return [.. from f in Comparisons.Fields
                   from l in Enumerable.Range(1, Comparisons.LevelNames[f].Length - 1)
                   let b = before.Weights[(int)f][l]
                   let a = after.Weights[(int)f][l]
                   where Math.Abs(a - b) > ChangeBits
                   select new WeightChange(MatchModel.Key(f), Comparisons.LevelNames[f][l], Math.Round(b, 2), Math.Round(a, 2))];
    }

    private async Task<List<(ModelSummary Summary, MatchModel Model, JsonElement? Report)>> RowsAsync(CancellationToken ct)
    {
        var rows = new List<(ModelSummary, MatchModel, JsonElement?)>();
        await using var command = db.CreateCommand(
            """
            SELECT version, status, created_at, trained_on, activated_at, activated_by, parameters::text, report::text
              FROM match_models ORDER BY created_at DESC, version DESC
            """);
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
            {
                var model = MatchModelStore.Deserialize(reader.GetString(6));
                if (model is null) continue;
                JsonElement? report = reader.IsDBNull(7) ? null : JsonDocument.Parse(reader.GetString(7)).RootElement.Clone();
                string? decision = null;
                double? precision = null, recall = null;
                if (report is { } r)
                {
                    if (r.TryGetProperty("decision", out var d)) decision = d.GetString();
                    if (r.TryGetProperty("candidateOnLabels", out var c) && c.GetProperty("labels").GetInt32() > 0)
                        (precision, recall) = (c.GetProperty("precision").GetDouble(), c.GetProperty("recall").GetDouble());
                }
                rows.Add((new ModelSummary(reader.GetString(0), reader.GetString(1), reader.GetDateTime(2), reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetDateTime(4), reader.IsDBNull(5) ? null : reader.GetString(5), decision, precision, recall), model, report));
            }
        // The starting values decide while no stored model is in force.
        var anyActive = rows.Exists(r => r.Item1.Status == "active");
        rows.Add((new ModelSummary(MatchModel.Default.Version, anyActive ? StartingValues : "active", null,
            "starting values (MatchModel.Default), no training", null, null, null, null, null), MatchModel.Default, null));
        return rows;
    }
}

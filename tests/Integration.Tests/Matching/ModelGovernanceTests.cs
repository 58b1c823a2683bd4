using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Registry.Integration.Tests.Infrastructure;
using Registry.Matching;
using Registry.Storage;

namespace Registry.Integration.Tests.Matching;

/// <summary>
/// The governance gate against a real registry: stewards' decided review tasks (labels) stored as the
/// resolver stores them, a model in force, and a trained candidate judged on those labels.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class ModelGovernanceTests(RegistryServers servers)
{
    private static byte[] Vector(params (MatchField Field, byte Level)[] levels)
    {
        var v = new byte[Comparisons.Fields.Length];
        foreach (var (f, l) in levels) v[(int)f] = l;
        return v;
    }

    /// <summary>A fresh registry with a model in force and 60 decided review tasks: 30 namesakes born on other dates ("different persons"), 30 alike records ("same person").</summary>
    private async Task<(NpgsqlDataSource Db, MatchModel Active)> RegistryWithLabelsAsync()
    {
        var cs = await servers.CreateDatabaseAsync();
        await Migrator.ApplyAsync(cs, NullLogger.Instance);
        var db = NpgsqlDataSource.Create(cs);
        var active = MatchModel.Default with { Version = "fs-test-in-force" };
        await new MatchModelStore(db).SaveAsync(active, "test", default);
        var namesakes = Vector((MatchField.GivenNames, 1), (MatchField.PaternalSurname, 1), (MatchField.MaternalSurname, 1),
            (MatchField.BirthDate, 5), (MatchField.Sex, 1), (MatchField.Municipality, 1));
        var same = Vector((MatchField.GivenNames, 2), (MatchField.PaternalSurname, 1), (MatchField.BirthDate, 4), (MatchField.Sex, 1));
        for (var i = 0; i < 60; i++)
        {
            var score = active.Score(i % 2 == 0 ? namesakes : same, new MatchRecord());
            await using var insert = db.CreateCommand(
                """
                INSERT INTO review_tasks (id, source_record_id, candidate_person_id, score, evidence, reason, model_version, status, decided_by, decided_at)
                VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), $1, $2::json, 'review-band', $3, $4, 'custodio', now())
                """);
            insert.Parameters.AddWithValue(score.Total);
            insert.Parameters.AddWithValue(score.EvidenceJson());
            insert.Parameters.AddWithValue(active.Version);
            insert.Parameters.AddWithValue(i % 2 == 0 ? "non-match" : "match");
            await insert.ExecuteNonQueryAsync();
        }
        return (db, active);
    }

    [Fact]
    public async Task A_trained_model_that_would_link_pairs_stewards_kept_apart_is_stored_as_a_shadow_and_the_model_in_force_stays()
    {
        var (db, active) = await RegistryWithLabelsAsync();
        await using var _ = db;
        // Learnt that matches often disagree on the birth date: namesakes would now link.
        var m = MatchModel.Default.M.ToDictionary(kv => kv.Key, kv => (double[])kv.Value.Clone());
        m["birth_date"][5] = 0.95;
        var worse = MatchModel.Default with { Version = "fs-em-worse", M = m };

        var report = await new ModelGate(db).EvaluateAsync(worse, active, ModelGate.DefaultMinLabels, 100, "test", default);
        await new MatchModelStore(db).SaveTrainedAsync(worse, "test", report, default);

        Assert.False(report.Promoted, report.Decision);
        Assert.Equal(60, report.CandidateOnLabels.Labels);
        Assert.True(report.CandidateOnLabels.Precision < report.BaselineOnLabels.Precision);
        Assert.Equal(active.Version, (await new MatchModelStore(db).CurrentAsync(default)).Version);
        await using var status = db.CreateCommand("SELECT status || ' ' || (report->>'promoted') FROM match_models WHERE version = 'fs-em-worse'");
        Assert.Equal("shadow false", await status.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_trained_model_whose_label_precision_holds_goes_into_force_and_retires_the_one_before()
    {
        var (db, active) = await RegistryWithLabelsAsync();
        await using var _ = db;
        var candidate = MatchModel.Default with { Version = "fs-em-good" };

        var report = await new ModelGate(db).EvaluateAsync(candidate, active, ModelGate.DefaultMinLabels, 100, "test", default);
        await new MatchModelStore(db).SaveTrainedAsync(candidate, "test", report, default);

        Assert.True(report.Promoted, report.Decision);
        Assert.Equal("fs-em-good", (await new MatchModelStore(db).CurrentAsync(default)).Version);
        await using var statuses = db.CreateCommand("SELECT string_agg(version || '=' || status, ',' ORDER BY version) FROM match_models");
        Assert.Equal("fs-em-good=active,fs-test-in-force=retired", await statuses.ExecuteScalarAsync());
        await using var events = db.CreateCommand("SELECT string_agg(kind, ',' ORDER BY id) FROM match_model_events");
        Assert.Equal("saved-active,retired,trained-active", await events.ExecuteScalarAsync());
    }
}

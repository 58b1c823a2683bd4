using System.Text.Json;
using Npgsql;

namespace Registry.Matching;

/// <summary>What became of a promotion request.</summary>
public enum PromotionOutcome
{
    Promoted,
    NotFound,
    AlreadyActive,
}

/// <summary>
/// The model in force is the one <c>match_models</c> row whose status is <c>active</c>,
/// or <see cref="MatchModel.Default"/> while there is none. A trained model is stored as active only
/// when the governance gate (<see cref="ModelGate"/>) passes it, otherwise as a shadow; an admin may
/// promote a shadow. Cached briefly so every chunk does not read it; a model put in force is picked up
/// by all workers within <see cref="RefreshInterval"/>. Decisions already made keep the version they
/// were made with: a new model changes existing links only through review tasks, never by itself.
/// </summary>
public sealed class MatchModelStore(NpgsqlDataSource dataSource)
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private MatchModel? cached;
    private DateTime cachedAt;

    public async Task<MatchModel> CurrentAsync(CancellationToken ct)
    {
        if (cached is not null && DateTime.UtcNow - cachedAt < RefreshInterval) return cached;
        await using var command = dataSource.CreateCommand("SELECT parameters::text FROM match_models WHERE status = 'active'");
        var json = await command.ExecuteScalarAsync(ct) as string;
        cached = json is null ? MatchModel.Default : JsonSerializer.Deserialize<MatchModel>(json, Json) ?? MatchModel.Default;
        cachedAt = DateTime.UtcNow;
        return cached;
    }

    /// <summary>Stores a model and puts it in force at once (an operator's or a test's explicit choice; training goes through <see cref="SaveTrainedAsync"/>).</summary>
    public Task SaveAsync(MatchModel model, string trainedOn, CancellationToken ct) =>
        SaveAsync(model, trainedOn, report: null, active: true, "saved-active", "operator", "stored as the model in force", ct);

    /// <summary>Stores a trained model with its gate report: in force when the gate passed it, a shadow otherwise.</summary>
    public Task SaveTrainedAsync(MatchModel model, string trainedOn, ModelReport report, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(report);
        return SaveAsync(model, trainedOn, report, report.Promoted, report.Promoted ? "trained-active" : "trained-shadow", "training", report.Decision, ct);
    }

    private async Task SaveAsync(MatchModel model, string trainedOn, ModelReport? report, bool active, string kind, string by, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await LockAsync(connection, tx, ct);
        if (active) await RetireActiveAsync(connection, tx, by, $"replaced by {model.Version}", ct);
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO match_models (version, parameters, trained_on, status, report, activated_at, activated_by)
            VALUES ($1, $2::jsonb, $3, $4, $5::jsonb, CASE WHEN $4 = 'active' THEN now() END, CASE WHEN $4 = 'active' THEN $6 END)
            """, connection, tx))
        {
            insert.Parameters.AddWithValue(model.Version);
            insert.Parameters.AddWithValue(JsonSerializer.Serialize(model, Json));
            insert.Parameters.AddWithValue(trainedOn);
            insert.Parameters.AddWithValue(active ? "active" : "shadow");
            insert.Parameters.AddWithValue(report is null ? DBNull.Value : JsonSerializer.Serialize(report, Json));
            insert.Parameters.AddWithValue(by);
            await insert.ExecuteNonQueryAsync(ct);
        }
        await EventAsync(connection, tx, model.Version, kind, by, reason, ct);
        await tx.CommitAsync(ct);
        cached = null;
    }

    /// <summary>
    /// Puts a stored model (a shadow, or a retired one to roll back to) in force; the one in force is
    /// retired. Who and why are recorded in <c>match_model_events</c>. Runs with the connection's role:
    /// in the API, the stewardship role (which may change only the status columns).
    /// </summary>
    public async Task<PromotionOutcome> PromoteAsync(string version, string by, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(version);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await LockAsync(connection, tx, ct);
        string? status;
        await using (var read = new NpgsqlCommand("SELECT status FROM match_models WHERE version = $1", connection, tx))
        {
            read.Parameters.AddWithValue(version);
            status = await read.ExecuteScalarAsync(ct) as string;
        }
        if (status is null) return PromotionOutcome.NotFound;
        if (status == "active") return PromotionOutcome.AlreadyActive;
        await RetireActiveAsync(connection, tx, by, $"replaced by {version}", ct);
        await using (var update = new NpgsqlCommand(
            "UPDATE match_models SET status = 'active', activated_at = now(), activated_by = $2 WHERE version = $1", connection, tx))
        {
            update.Parameters.AddWithValue(version);
            update.Parameters.AddWithValue(by);
            await update.ExecuteNonQueryAsync(ct);
        }
        await EventAsync(connection, tx, version, "promoted", by, reason, ct);
        await tx.CommitAsync(ct);
        cached = null;
        return PromotionOutcome.Promoted;
    }

    // One change of the model in force at a time (a training run and an admin's promotion).
    private static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('match_models'))", connection, tx);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task RetireActiveAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string by, string reason, CancellationToken ct)
    {
        await using var retire = new NpgsqlCommand(
            """
            WITH retired AS (UPDATE match_models SET status = 'retired' WHERE status = 'active' RETURNING version)
            INSERT INTO match_model_events (version, kind, decided_by, reason) SELECT version, 'retired', $1, $2 FROM retired
            """, connection, tx);
        retire.Parameters.AddWithValue(by);
        retire.Parameters.AddWithValue(reason);
        await retire.ExecuteNonQueryAsync(ct);
    }

    private static async Task EventAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string version, string kind, string by, string reason, CancellationToken ct)
    {
        await using var insert = new NpgsqlCommand(
            "INSERT INTO match_model_events (version, kind, decided_by, reason) VALUES ($1, $2, $3, $4)", connection, tx);
        insert.Parameters.AddWithValue(version);
        insert.Parameters.AddWithValue(kind);
        insert.Parameters.AddWithValue(by);
        insert.Parameters.AddWithValue(reason);
        await insert.ExecuteNonQueryAsync(ct);
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Json);

    public static MatchModel? Deserialize(string json) => JsonSerializer.Deserialize<MatchModel>(json, Json);
}

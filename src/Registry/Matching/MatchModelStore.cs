using System.Text.Json;
using Npgsql;

namespace Registry.Matching;

/// <summary>
/// The model in use is the newest row of <c>match_models</c>, or <see cref="MatchModel.Default"/>
/// while the registry has none. Cached briefly so every chunk does not read it; a newly trained
/// model is picked up by all workers within <see cref="RefreshInterval"/>.
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
        await using var command = dataSource.CreateCommand("SELECT parameters::text FROM match_models ORDER BY created_at DESC, version DESC LIMIT 1");
        var json = await command.ExecuteScalarAsync(ct) as string;
        cached = json is null ? MatchModel.Default : JsonSerializer.Deserialize<MatchModel>(json, Json) ?? MatchModel.Default;
        cachedAt = DateTime.UtcNow;
        return cached;
    }

    public async Task SaveAsync(MatchModel model, string trainedOn, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        await using var command = dataSource.CreateCommand(
            "INSERT INTO match_models (version, parameters, trained_on) VALUES ($1, $2::jsonb, $3)");
        command.Parameters.AddWithValue(model.Version);
        command.Parameters.AddWithValue(JsonSerializer.Serialize(model, Json));
        command.Parameters.AddWithValue(trainedOn);
        await command.ExecuteNonQueryAsync(ct);
        cached = null;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Json);
}

using System.Globalization;
using Npgsql;

namespace Registry.Benchmarks;

/// <summary>
/// What the fault benchmarks (cluster test, bench-faults) ask the registry while they break it: every query may
/// meet an outage or a failover, so a failure is "no answer yet", never an error.
/// </summary>
internal static class RegistryPoll
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Rows applied so far (sum over applied chunks); null while the database does not answer.</summary>
    public static async Task<long?> AppliedRowsAsync(NpgsqlDataSource db)
    {
        try
        {
            await using var command = db.CreateCommand("SELECT coalesce(sum(rows), 0) FROM extract_chunks");
            return Convert.ToInt64(await command.ExecuteScalarAsync(), C);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="expected"/> extracts are registered and every one has a final status.</summary>
    public static async Task<bool> FinishedAsync(NpgsqlDataSource db, int expected)
    {
        try
        {
            await using var command = db.CreateCommand("SELECT count(*), count(*) FILTER (WHERE status = ANY ($1)) FROM extracts");
            command.Parameters.AddWithValue(Registry.Extracts.ExtractStatus.Finished);
            await using var r = await command.ExecuteReaderAsync();
            await r.ReadAsync();
            return r.GetInt64(0) == expected && r.GetInt64(1) == expected;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    public static async Task<string> DescribeAsync(NpgsqlDataSource db)
    {
        try
        {
            await using var command = db.CreateCommand(
                "SELECT status, count(*), coalesce(sum(rows_total), 0), coalesce(sum(rows_resolved), 0) FROM extracts GROUP BY status ORDER BY status");
            await using var r = await command.ExecuteReaderAsync();
            var parts = new List<string>();
            while (await r.ReadAsync()) parts.Add(string.Create(C, $"{r.GetInt64(1)} {r.GetString(0)} ({r.GetInt64(2):N0} rows, {r.GetInt64(3):N0} resolved)"));
            return parts.Count == 0 ? "no extract registered" : string.Join(", ", parts);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return "the database does not answer: " + ex.Message;
        }
    }
}

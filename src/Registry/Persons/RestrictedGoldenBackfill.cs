using Npgsql;

namespace Registry.Persons;

/// <summary>
/// Derives the restricted golden record (<see cref="RestrictedGolden"/>) of persons written outside
/// <see cref="GoldenRecordWriter"/> (the lookup benchmark's set-based fill): each current person whose
/// view is not derived gets a golden refresh, which writes both. Batches of <see cref="BatchSize"/>, each its own
/// transaction, in id order: a run cut short resumes where it stopped, and readers meanwhile take the per-request path.
/// </summary>
public static class RestrictedGoldenBackfill
{
    private const int BatchSize = 2000;

    /// <summary>Refreshes every current person whose restricted view is not derived; returns how many were read.</summary>
    public static async Task<int> RunAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var after = Guid.Empty;
        var total = 0;
        while (true)
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            var batch = new List<Guid>(BatchSize);
            await using (var next = new NpgsqlCommand(
                """
                SELECT id FROM persons
                 WHERE id > @after AND merged_into IS NULL AND restricted_view IS NULL
                 ORDER BY id LIMIT @limit
                """, connection, tx))
            {
                next.Parameters.AddWithValue("after", after);
                next.Parameters.AddWithValue("limit", BatchSize);
                await using var reader = await next.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) batch.Add(reader.GetGuid(0));
            }
            if (batch.Count == 0) return total;
            // A person without a current record keeps no view (nothing to derive it from): the id order still moves on.
            await GoldenRecordWriter.RefreshAsync(connection, tx, [.. batch], ct);
            await tx.CommitAsync(ct);
            after = batch[^1];
            total += batch.Count;
        }
    }
}

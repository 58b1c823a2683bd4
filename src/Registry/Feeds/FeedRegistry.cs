using Npgsql;

namespace Registry.Feeds;

/// <summary>
/// The part of the feed definitions the database itself needs: which feeds are trusted for
/// residence (<see cref="FeedDefinition.ResidenceAuthoritative"/>), read by the resolver once per chunk
/// (its residence claims) rather than carried on every row. Written by the workers
/// host at start, after migrations; a feed no longer defined is trusted for nothing.
/// </summary>
public static class FeedRegistry
{
    public static async Task SyncAsync(NpgsqlDataSource db, FeedCatalog catalog, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(catalog);
        var feeds = catalog.All.OrderBy(f => f.Code, StringComparer.Ordinal).ToList();
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO feeds (code, residence_authoritative)
            SELECT * FROM unnest(@codes, @flags)
            ON CONFLICT (code) DO UPDATE SET residence_authoritative = excluded.residence_authoritative, updated_at = now()
             WHERE feeds.residence_authoritative IS DISTINCT FROM excluded.residence_authoritative;
            UPDATE feeds SET residence_authoritative = false, updated_at = now()
             WHERE residence_authoritative AND NOT (code = ANY (@codes));
            """, connection);
        command.Parameters.AddWithValue("codes", feeds.Select(f => f.Code).ToArray());
        command.Parameters.AddWithValue("flags", feeds.Select(f => f.ResidenceAuthoritative).ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }
}

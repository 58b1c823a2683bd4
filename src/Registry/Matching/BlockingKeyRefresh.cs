using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Registry.Matching;

/// <summary>
/// Brings <c>match_blocks</c> up to the code's blocking keys. A record's keys are written when it is
/// resolved; when <see cref="MatchRecord.BlockingKeys"/> gains a key, the records already stored
/// lack it and a new record would never meet them through it. This re-derives the keys of every
/// stored <c>match_records</c> row page by page and adds the missing ones (never removes: a key
/// the code no longer makes only costs a little space), then records <see cref="Scheme"/>.
/// Idempotent and restartable: a page is one transaction; an interrupted run is redone from the
/// start on the next call. One process at a time (advisory lock); resolution goes on meanwhile.
/// </summary>
public sealed class BlockingKeyRefresh(NpgsqlDataSource dataSource, ILogger logger)
{
    /// <summary>The blocking-key scheme of this code. Raise it whenever <see cref="MatchRecord.BlockingKeys"/> changes.</summary>
    public const int Scheme = 4;

    private const long LockKey = 0x6d617463685f626c; // "match_bl"
    public const int PageSize = 20_000;

    /// <summary>Records whose keys were re-derived, or null when nothing was to do (already current, or another process is at it).</summary>
    public async Task<long?> RunAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using (var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(@k)", connection))
        {
            take.Parameters.AddWithValue("k", LockKey);
            if (!(bool)(await take.ExecuteScalarAsync(ct))!) return null;
        }
        try
        {
            await using (var version = new NpgsqlCommand("SELECT version FROM match_block_scheme", connection))
                if ((int)(await version.ExecuteScalarAsync(ct))! >= Scheme) return null;

            long total;
            await using (var count = new NpgsqlCommand("SELECT count(*) FROM match_records", connection))
                total = (long)(await count.ExecuteScalarAsync(ct))!;
            logger.LogInformation("Blocking keys: scheme {Scheme} is newer than the registry's; adding the new keys of {Total:N0} stored records", Scheme, total);

            long done = 0, added = 0;
            var after = Guid.Empty;
            while (true)
            {
                var page = await ReadPageAsync(connection, after, ct);
                if (page.Count == 0) break;
                added += await AddMissingKeysAsync(connection, page, ct);
                done += page.Count;
                after = page[^1].SourceRecordId;
                logger.LogInformation("Blocking keys: {Done:N0}/{Total:N0} records, {Added:N0} keys added", done, total, added);
            }
            await using (var set = new NpgsqlCommand("UPDATE match_block_scheme SET version = @v, updated_at = now()", connection))
            {
                set.Parameters.AddWithValue("v", Scheme);
                await set.ExecuteNonQueryAsync(ct);
            }
            logger.LogInformation("Blocking keys: registry at scheme {Scheme} ({Added:N0} keys added to {Done:N0} records)", Scheme, added, done);
            return done;
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@k)", connection);
            release.Parameters.AddWithValue("k", LockKey);
            await release.ExecuteScalarAsync(CancellationToken.None);
        }
    }

    private static async Task<List<MatchRecord>> ReadPageAsync(NpgsqlConnection connection, Guid after, CancellationToken ct)
    {
        var page = new List<MatchRecord>(PageSize);
        await using var command = new NpgsqlCommand(
            $"SELECT {MatchRecordRows.Columns("m")} FROM match_records m WHERE m.source_record_id > @after ORDER BY m.source_record_id LIMIT @n", connection);
        command.Parameters.AddWithValue("after", after);
        command.Parameters.AddWithValue("n", PageSize);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) page.Add(MatchRecordRows.Read(reader, 0));
        return page;
    }

    private static async Task<long> AddMissingKeysAsync(NpgsqlConnection connection, List<MatchRecord> page, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var create = new NpgsqlCommand(
            "CREATE TEMP TABLE refresh_keys (block_key text NOT NULL, source_record_id uuid NOT NULL) ON COMMIT DROP", connection, tx))
            await create.ExecuteNonQueryAsync(ct);
        await using (var writer = await connection.BeginBinaryImportAsync("COPY refresh_keys (block_key, source_record_id) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var record in page)
            foreach (var key in record.BlockingKeys().Distinct(StringComparer.Ordinal))
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(key, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(record.SourceRecordId, NpgsqlDbType.Uuid, ct);
            }
            await writer.CompleteAsync(ct);
        }
        long added;
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO match_blocks (block_key, source_record_id)
            SELECT r.block_key, r.source_record_id FROM refresh_keys r
             WHERE NOT EXISTS (SELECT 1 FROM match_blocks b WHERE b.block_key = r.block_key AND b.source_record_id = r.source_record_id)
            """, connection, tx) { CommandTimeout = 600 })
            added = await insert.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return added;
    }
}

using Dapper;
using Npgsql;

namespace Registry.Extracts;

/// <summary>Where an api-pull feed stands: the cursor of its next page and how its runs went.</summary>
public sealed record ApiPullCursor(
    string FeedCode, string Paging, string? Cursor, Guid? LastExtractId, long PagesRegistered, int RunsCompleted,
    DateTime? LastCompletedAt, string? LastError, DateTime UpdatedAt);

/// <summary>
/// The persisted cursor of each api-pull feed. <see cref="AdvanceAsync"/> runs inside the
/// transaction that registers a page's extract and only moves a cursor that still holds the value
/// the page was requested with, so two pulls of one feed (two replicas, a manual trigger during a
/// scheduled run) can never both apply a page: the second one's registration rolls back.
/// </summary>
public sealed class ApiPullCursorStore(NpgsqlDataSource dataSource)
{
    /// <summary>The feed's cursor, created at the start when missing; a changed paging mode starts over (the old cursor means nothing to it).</summary>
    public async Task<ApiPullCursor> GetOrCreateAsync(string feedCode, string paging, CancellationToken ct)
    {
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO api_pull_cursors (feed_code, paging) VALUES (@feedCode, @paging)
                ON CONFLICT (feed_code) DO UPDATE
                   SET paging = excluded.paging, cursor = NULL, updated_at = now()
                 WHERE api_pull_cursors.paging <> excluded.paging
                """, new { feedCode, paging }, cancellationToken: ct));
        }
        return (await FindAsync(feedCode, ct))!;
    }

    public async Task<ApiPullCursor?> FindAsync(string feedCode, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ApiPullCursor>(new CommandDefinition(
            """
            SELECT feed_code, paging, cursor, last_extract_id, pages_registered, runs_completed, last_completed_at, last_error, updated_at
              FROM api_pull_cursors WHERE feed_code = @feedCode
            """, new { feedCode }, cancellationToken: ct));
    }

    /// <summary>
    /// Moves the cursor from <paramref name="expected"/> to <paramref name="next"/> (in the caller's
    /// transaction). <paramref name="runCompleted"/>: the page was the run's last; page-token feeds
    /// then start from the first page next time (<paramref name="next"/> is null).
    /// </summary>
    /// <exception cref="ApiPullConflictException">another pull moved the cursor meanwhile.</exception>
    public static async Task AdvanceAsync(
        NpgsqlTransaction tx, string feedCode, string? expected, string? next, Guid? extractId, bool runCompleted, CancellationToken ct)
    {
        var moved = await tx.Connection!.ExecuteAsync(new CommandDefinition(
            """
            UPDATE api_pull_cursors
               SET cursor = @next,
                   last_extract_id = coalesce(@extractId, last_extract_id),
                   pages_registered = pages_registered + CASE WHEN @extractId IS NULL THEN 0 ELSE 1 END,
                   runs_completed = runs_completed + CASE WHEN @runCompleted THEN 1 ELSE 0 END,
                   last_completed_at = CASE WHEN @runCompleted THEN now() ELSE last_completed_at END,
                   last_error = CASE WHEN @runCompleted THEN NULL ELSE last_error END,
                   updated_at = now()
             WHERE feed_code = @feedCode AND cursor IS NOT DISTINCT FROM @expected
            """, new { feedCode, expected, next, extractId, runCompleted }, tx, cancellationToken: ct));
        if (moved == 0)
            throw new ApiPullConflictException($"The cursor of feed '{feedCode}' moved while this pull held '{expected}': another pull of the feed is running; this one stops.");
    }

    /// <summary>Moves the cursor outside any registration (a run that ends on an empty page registers nothing).</summary>
    public async Task AdvanceAsync(string feedCode, string? expected, string? next, bool runCompleted, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await AdvanceAsync(tx, feedCode, expected, next, extractId: null, runCompleted, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Records why the last run stopped early (shown to operators); the cursor stays where it is.</summary>
    public async Task RecordErrorAsync(string feedCode, string error, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_pull_cursors SET last_error = @error, updated_at = now() WHERE feed_code = @feedCode",
            new { feedCode, error }, cancellationToken: ct));
    }
}

public sealed class ApiPullConflictException(string message) : Exception(message);

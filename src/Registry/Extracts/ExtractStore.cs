using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Registry.Extracts;

/// <summary>
/// Status of an extract: received → parsing → queued → resolved, or rejected whole; failed when a
/// chunk could not be resolved after every retry (see <see cref="ExtractStore.RecordChunkFailureAsync"/>).
/// </summary>
public static class ExtractStatus
{
    public const string Received = "received";
    public const string Parsing = "parsing";
    public const string Queued = "queued";
    public const string Resolved = "resolved";
    public const string Rejected = "rejected";
    public const string Failed = "failed";

    /// <summary>Statuses an extract does not leave by itself: nothing more will happen to it.</summary>
    public static readonly string[] Finished = [Resolved, Rejected, Failed];
}

public sealed record RejectedRow(int RowNumber, string Reason, string? RawLine);

/// <summary>A value of an accepted row left out as invalid or implausible: where it was, as sent, and why.</summary>
public sealed record RowWarning(int RowNumber, string Field, string SourceColumn, string RawValue, string Reason);

public sealed record ExtractReport(
    Guid Id, string FeedCode, string AgencyCode, string Sector, string FileName, string Sha256, long SizeBytes,
    string Status, string? Error, int? RowsTotal, int? RowsAccepted, int? RowsRejected, int RowsResolved, int RowsUnchanged,
    int? ChunksTotal, int Receipts, DateTime ReceivedAt, DateTime? ParsedAt, DateTime? ResolvedAt,
    DateTime? ParseStartedAt, DateTime? FirstChunkQueuedAt, int RowsParsed, long BytesParsed, int ChunksQueued, int ChunksResolved)
{
    /// <summary>
    /// Values left out of accepted rows as invalid or implausible, counted per canonical field (empty when none);
    /// the rows themselves were accepted. The values, with row and reason: <c>warnings.csv</c>.
    /// </summary>
    public IReadOnlyDictionary<string, int> Warnings { get; init; } = new Dictionary<string, int>();

    /// <summary>How far the extract is, while it runs (see <see cref="ExtractProgress"/>).</summary>
    public ExtractProgress Progress => ExtractProgress.Of(this);

    /// <summary>When each stage happened, how long it took, and the speed.</summary>
    public ExtractTimings Timings => ExtractTimings.Of(this);
}

/// <summary>
/// Progress of an extract: rows parsed so far, chunks resolved of chunks queued, and one percent.
/// The percent is half reading (bytes of the file read) and half resolving (chunks resolved of the
/// chunks expected: the final count once parsed, extrapolated from the bytes read before); it stays
/// below 100 until the extract is resolved, and a rejected extract is done (100).
/// </summary>
public sealed record ExtractProgress(int RowsParsed, int ChunksQueued, int ChunksResolved, int? ChunksTotal, int Percent)
{
    public static ExtractProgress Of(ExtractReport e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var parsed = e.ParsedAt is not null && e.Status != ExtractStatus.Parsing;
        var rowsParsed = parsed && e.RowsTotal is { } total ? total : e.RowsParsed;
        var chunksQueued = parsed && e.ChunksTotal is { } chunks ? chunks : e.ChunksQueued;
        var percent = e.Status switch
        {
            ExtractStatus.Resolved or ExtractStatus.Rejected => 100,
            ExtractStatus.Received => 0,
            _ => Estimate(e, parsed, chunksQueued),
        };
        return new(rowsParsed, chunksQueued, e.ChunksResolved, e.ChunksTotal, percent);
    }

    private static int Estimate(ExtractReport e, bool parsed, int chunksQueued)
    {
        var read = parsed ? 1.0 : e.SizeBytes > 0 ? Math.Clamp((double)e.BytesParsed / e.SizeBytes, 0, 1) : 0;
        var expectedChunks = parsed ? chunksQueued : read > 0 ? chunksQueued / read : 0;
        var resolved = expectedChunks > 0 ? Math.Clamp(e.ChunksResolved / expectedChunks, 0, 1) : parsed ? 1 : 0;
        return Math.Min(99, (int)Math.Floor(50 * read + 50 * resolved));
    }
}

/// <summary>
/// Timings of an extract: received → parse started → first chunk queued → parse ended (every row
/// read and every chunk confirmed by the broker) → resolved. Durations in seconds; speeds in rows/s
/// over the parse alone and from parse start to resolved. Null while a stage has not happened.
/// </summary>
public sealed record ExtractTimings(
    DateTime ReceivedAt, DateTime? ParseStartedAt, DateTime? FirstChunkQueuedAt, DateTime? ParseEndedAt, DateTime? ResolvedAt,
    double? WaitSeconds, double? ParseSeconds, double? ResolveSeconds, double? TotalSeconds,
    double? ParseRowsPerSecond, double? RowsPerSecond)
{
    public static ExtractTimings Of(ExtractReport e)
    {
        ArgumentNullException.ThrowIfNull(e);
        static double? Seconds(DateTime? from, DateTime? to) => from is { } f && to is { } t ? Math.Max(0, (t - f).TotalSeconds) : null;
        static double? Rate(int? rows, double? seconds) => rows is { } r && seconds is { } s ? Math.Round(r / Math.Max(s, 0.001), 1) : null;
        var ended = e.Status == ExtractStatus.Parsing ? null : e.ParsedAt;
        var parse = Seconds(e.ParseStartedAt, ended);
        return new(e.ReceivedAt, e.ParseStartedAt, e.FirstChunkQueuedAt, ended, e.ResolvedAt,
            Seconds(e.ReceivedAt, e.ParseStartedAt), parse, Seconds(e.FirstChunkQueuedAt ?? ended, e.ResolvedAt), Seconds(e.ReceivedAt, e.ResolvedAt ?? (e.Status == ExtractStatus.Rejected ? ended : null)),
            Rate(e.RowsTotal, parse), Rate(e.RowsTotal, Seconds(e.ParseStartedAt, e.ResolvedAt)));
    }
}

public sealed record PendingExtract(Guid Id, string FeedCode, string ArchivePath, string FileName);

/// <summary>A parsed extract still waiting for chunks: which chunks it has, their size, and which were applied.</summary>
public sealed record QueuedExtract(Guid Id, string FeedCode, string ArchivePath, string FileName, int ChunksTotal, int ChunkSize, string? FeedDefinition)
{
    public IReadOnlySet<int> AppliedChunks { get; init; } = new HashSet<int>();

    /// <summary>The row range of each chunk as first sent (empty for extracts parsed before ranges were recorded).</summary>
    public IReadOnlyList<ChunkRange> Plan { get; init; } = [];
}

/// <summary>Chunk <paramref name="Index"/> holds the accepted rows numbered <paramref name="FirstRow"/>…<paramref name="LastRow"/>.</summary>
public sealed record ChunkRange(int Index, int FirstRow, int LastRow, int Rows);

/// <summary>A parse's claim on its extract: the chunk size and feed definition (JSON; null before they were recorded) to cut with.</summary>
public sealed record ParseClaim(int ChunkSize, string? FeedDefinition);

/// <summary>
/// Everything written about an extract as a whole: its registration (content-addressed, so
/// the same bytes twice are one extract), its rejected rows, its counts and status.
/// </summary>
public sealed class ExtractStore(NpgsqlDataSource dataSource)
{
    /// <summary>Work done in the transaction that registers an extract (id, duplicate), committed or rolled back with it.</summary>
    public delegate Task RegistrationStep(NpgsqlTransaction transaction, Guid extractId, bool duplicate, CancellationToken ct);

    /// <summary>Registers a received file; the same content for the same feed returns the earlier extract as a duplicate.</summary>
    public Task<(Guid ExtractId, bool Duplicate)> RegisterAsync(
        string feedCode, string agencyCode, string sector, string fileName, string sha256, long sizeBytes, string archivePath,
        CancellationToken ct) =>
        RegisterAsync(feedCode, agencyCode, sector, fileName, sha256, sizeBytes, archivePath, null, ct);

    /// <inheritdoc cref="RegisterAsync(string, string, string, string, string, long, string, CancellationToken)"/>
    public async Task<(Guid ExtractId, bool Duplicate)> RegisterAsync(
        string feedCode, string agencyCode, string sector, string fileName, string sha256, long sizeBytes, string archivePath,
        RegistrationStep? alsoInTransaction, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var newId = Guid.CreateVersion7();
        var inserted = await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            """
            INSERT INTO extracts (id, feed_code, agency_code, sector, file_name, sha256, size_bytes, archive_path, status)
            VALUES (@newId, @feedCode, @agencyCode, @sector, @fileName, @sha256, @sizeBytes, @archivePath, 'received')
            ON CONFLICT (feed_code, sha256) DO NOTHING
            RETURNING id
            """, new { newId, feedCode, agencyCode, sector, fileName, sha256, sizeBytes, archivePath }, tx, cancellationToken: ct));
        var id = inserted ?? await connection.ExecuteScalarAsync<Guid>(new CommandDefinition(
            "SELECT id FROM extracts WHERE feed_code = @feedCode AND sha256 = @sha256", new { feedCode, sha256 }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO extract_receipts (extract_id, file_name, duplicate) VALUES (@id, @fileName, @duplicate)",
            new { id, fileName, duplicate = inserted is null }, tx, cancellationToken: ct));
        if (alsoInTransaction is not null) await alsoInTransaction(tx, id, inserted is null, ct);
        await tx.CommitAsync(ct);
        return (id, inserted is null);
    }

    /// <summary>
    /// Claims the parse of an extract for <paramref name="lease"/> (renewed by <see cref="RenewParseLeaseAsync"/>) and
    /// starts (or restarts, after a crash) it: rejects and warnings of an unfinished earlier attempt are discarded. The first
    /// parse records the chunk size and feed definition it uses; a later attempt gets those back, so it cuts the
    /// same chunks. Null when the extract is parsed already, or another parse holds a live lease on it.
    /// </summary>
    public async Task<ParseClaim?> BeginParseAsync(Guid id, Guid claim, TimeSpan lease, int chunkSize, string feedDefinition, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var claimed = await connection.QuerySingleOrDefaultAsync<ParseClaim>(new CommandDefinition(
            """
            UPDATE extracts
               SET status = 'parsing', parse_started_at = now(), first_chunk_queued_at = NULL,
                   rows_parsed = 0, bytes_parsed = 0, chunks_queued = 0,
                   parse_lease_until = now() + @lease, parse_leased_by = @claim,
                   chunk_size = coalesce(chunk_size, @chunkSize), feed_definition = coalesce(feed_definition, @feedDefinition)
             WHERE id = @id AND status IN ('received', 'parsing')
               AND (parse_lease_until IS NULL OR parse_lease_until < now())
            RETURNING chunk_size, feed_definition
            """, new { id, claim, lease, chunkSize, feedDefinition }, tx, cancellationToken: ct));
        if (claimed is not null)
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM rejected_rows WHERE extract_id = @id; DELETE FROM row_warnings WHERE extract_id = @id", new { id }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return claimed;
    }

    /// <summary>Extends a running parse's lease; false when it was lost (it ran out and another parse took the extract).</summary>
    public async Task<bool> RenewParseLeaseAsync(Guid id, Guid claim, TimeSpan lease, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE extracts SET parse_lease_until = now() + @lease WHERE id = @id AND parse_leased_by = @claim AND status = 'parsing'",
            new { id, claim, lease }, cancellationToken: ct)) > 0;
    }

    /// <summary>The row range of each chunk sent, recorded as it is sent (a re-send cuts exactly these).</summary>
    public async Task RecordChunkPlanAsync(Guid id, IReadOnlyCollection<ChunkRange> chunks, CancellationToken ct)
    {
        if (chunks.Count == 0) return;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO extract_chunk_plan (extract_id, chunk_index, first_row, last_row, rows)
            SELECT @id, * FROM unnest(@indexes, @firsts, @lasts, @rows)
            ON CONFLICT DO NOTHING
            """, new
            {
                id,
                indexes = chunks.Select(c => c.Index).ToArray(),
                firsts = chunks.Select(c => c.FirstRow).ToArray(),
                lasts = chunks.Select(c => c.LastRow).ToArray(),
                rows = chunks.Select(c => c.Rows).ToArray(),
            }, cancellationToken: ct));
    }

    /// <summary>
    /// Progress of a running parse (rows read, bytes read, chunks confirmed by the broker). Called at
    /// the first chunk and then at most about once a second, so it costs nothing measurable.
    /// </summary>
    public async Task ReportParseProgressAsync(Guid id, int rowsParsed, long bytesParsed, int chunksQueued, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE extracts
               SET rows_parsed = @rowsParsed, bytes_parsed = @bytesParsed, chunks_queued = @chunksQueued,
                   first_chunk_queued_at = COALESCE(first_chunk_queued_at, CASE WHEN @chunksQueued > 0 THEN now() END)
             WHERE id = @id AND status = 'parsing'
            """, new { id, rowsParsed, bytesParsed, chunksQueued }, cancellationToken: ct));
    }

    public async Task WriteRejectsAsync(Guid id, IReadOnlyCollection<RejectedRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY rejected_rows (extract_id, row_number, reason, raw_line) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var row in rows)
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(id, NpgsqlDbType.Uuid, ct);
            await writer.WriteAsync(row.RowNumber, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(row.Reason, NpgsqlDbType.Text, ct);
            if (row.RawLine is null) await writer.WriteNullAsync(ct);
            else await writer.WriteAsync(row.RawLine, NpgsqlDbType.Text, ct);
        }
        await writer.CompleteAsync(ct);
    }

    /// <summary>The values left out of accepted rows, written in batches as the parse goes (like the rejects).</summary>
    public async Task WriteWarningsAsync(Guid id, IReadOnlyCollection<RowWarning> warnings, CancellationToken ct)
    {
        if (warnings.Count == 0) return;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY row_warnings (extract_id, row_number, field, source_column, raw_value, reason) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var w in warnings)
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(id, NpgsqlDbType.Uuid, ct);
            await writer.WriteAsync(w.RowNumber, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(w.Field, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(w.SourceColumn, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(w.RawValue, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(w.Reason, NpgsqlDbType.Text, ct);
        }
        await writer.CompleteAsync(ct);
    }

    /// <summary>Records the final counts of a parse; resolved at once if the consumers already caught up.</summary>
    public async Task FinishParseAsync(Guid id, int rowsTotal, int accepted, int rejected, int chunks, int chunkSize, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE extracts
               SET rows_total = @rowsTotal, rows_accepted = @accepted, rows_rejected = @rejected, chunks_total = @chunks,
                   rows_parsed = @rowsTotal, bytes_parsed = size_bytes, chunks_queued = @chunks, chunk_size = @chunkSize,
                   first_chunk_queued_at = COALESCE(first_chunk_queued_at, CASE WHEN @chunks > 0 THEN now() END),
                   parsed_at = now(), parse_lease_until = NULL,
                   status = CASE WHEN rows_resolved >= @accepted THEN 'resolved' WHEN status = 'failed' THEN 'failed' ELSE 'queued' END,
                   resolved_at = CASE WHEN rows_resolved >= @accepted THEN now() END
             WHERE id = @id
            """, new { id, rowsTotal, accepted, rejected, chunks, chunkSize }, cancellationToken: ct));
    }

    /// <summary>
    /// A chunk failed after every retry (its transaction rolled back: nothing of it applied) and its
    /// message went to the error queue. The extract shows it until the chunk is re-queued and resolves.
    /// </summary>
    public async Task RecordChunkFailureAsync(Guid id, int chunkIndex, int firstRow, int lastRow, string reason, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE extracts
               SET status = 'failed',
                   error = left(coalesce(error || E'\n', '') || @message, 8000)
             WHERE id = @id AND status <> 'resolved'
            """, new { id, message = $"chunk {chunkIndex} (rows {firstRow}–{lastRow}) could not be resolved: {reason}" }, cancellationToken: ct));
    }

    /// <summary>A file-level fault: the whole extract is rejected and none of it is applied.</summary>
    public async Task RejectWholeAsync(Guid id, string error, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM rejected_rows WHERE extract_id = @id;
            DELETE FROM row_warnings WHERE extract_id = @id;
            UPDATE extracts SET status = 'rejected', error = @error, parsed_at = now(), parse_lease_until = NULL WHERE id = @id;
            """, new { id, error }, cancellationToken: ct));
    }

    /// <summary>
    /// Extracts whose parse never finished and nobody holds (the worker stopped, or lost the database or the
    /// broker, mid-file): any replica parses them again (<see cref="BeginParseAsync"/> decides which one).
    /// </summary>
    public async Task<IReadOnlyList<PendingExtract>> UnfinishedParsesAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<PendingExtract>(new CommandDefinition(
            """
            SELECT id, feed_code, archive_path, file_name FROM extracts
             WHERE status IN ('received', 'parsing') AND (parse_lease_until IS NULL OR parse_lease_until < now())
             ORDER BY received_at
            """, cancellationToken: ct));
        return [.. rows];
    }

    /// <summary>
    /// Parsed extracts that lost chunks, each judged on its own: still queued, none of its chunks applied for
    /// <paramref name="stalledFor"/>, and either nothing at all was applied meanwhile (a chunk in flight when a
    /// worker stopped can be lost) or chunks queued after all of its own were (the queue is first in, first
    /// out: its missing chunks are no longer on it). Each is claimed by setting <c>requeued_at</c> in the same
    /// statement, so of several replicas one re-sends an extract per stall period. Its chunks' recorded row
    /// ranges, chunk size and feed definition come with it.
    /// </summary>
    public async Task<IReadOnlyList<QueuedExtract>> ClaimStalledAsync(TimeSpan stalledFor, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var stalled = await connection.QueryAsync<QueuedExtract>(new CommandDefinition(
            """
            UPDATE extracts e
               SET requeued_at = now()
             WHERE e.status = 'queued' AND e.chunk_size IS NOT NULL AND e.chunks_total IS NOT NULL
               AND e.parsed_at < now() - @stalledFor
               AND (e.requeued_at IS NULL OR e.requeued_at < now() - @stalledFor)
               AND NOT EXISTS (SELECT 1 FROM extract_chunks c WHERE c.extract_id = e.id AND c.applied_at > now() - @stalledFor)
               AND (NOT EXISTS (SELECT 1 FROM extract_chunks c WHERE c.applied_at > now() - @stalledFor)
                    OR EXISTS (SELECT 1 FROM extract_chunks c JOIN extracts later ON later.id = c.extract_id
                                WHERE c.applied_at > now() - @stalledFor AND later.first_chunk_queued_at > greatest(e.parsed_at, e.requeued_at)))
            RETURNING id, feed_code, archive_path, file_name, chunks_total, chunk_size, feed_definition
            """, new { stalledFor }, cancellationToken: ct));
        var result = new List<QueuedExtract>();
        foreach (var extract in stalled)
        {
            var applied = await connection.QueryAsync<int>(new CommandDefinition(
                "SELECT chunk_index FROM extract_chunks WHERE extract_id = @id AND completed_at IS NOT NULL", new { id = extract.Id }, cancellationToken: ct));
            var plan = await connection.QueryAsync<ChunkRange>(new CommandDefinition(
                "SELECT chunk_index AS index, first_row, last_row, rows FROM extract_chunk_plan WHERE extract_id = @id ORDER BY chunk_index",
                new { id = extract.Id }, cancellationToken: ct));
            result.Add(extract with { AppliedChunks = applied.ToHashSet(), Plan = [.. plan] });
        }
        return result;
    }

    public async Task<ExtractReport?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var report = await connection.QuerySingleOrDefaultAsync<ExtractReport>(new CommandDefinition(
            ReportSql + " WHERE e.id = @id", new { id }, cancellationToken: ct));
        return report is null ? null : (await WithWarningsAsync(connection, [report], ct))[0];
    }

    public async Task<IReadOnlyList<ExtractReport>> ListAsync(string? agencyCode, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<ExtractReport>(new CommandDefinition(
            ReportSql + " WHERE (@agencyCode::text IS NULL OR e.agency_code = @agencyCode) ORDER BY e.received_at DESC LIMIT @limit",
            new { agencyCode, limit }, cancellationToken: ct));
        return await WithWarningsAsync(connection, [.. rows], ct);
    }

    /// <summary>The reports with their warnings counted per field (one query for all of them).</summary>
    private static async Task<IReadOnlyList<ExtractReport>> WithWarningsAsync(NpgsqlConnection connection, IReadOnlyList<ExtractReport> reports, CancellationToken ct)
    {
        if (reports.Count == 0) return reports;
        var counts = await connection.QueryAsync<FieldCount>(new CommandDefinition(
            """
            SELECT extract_id, field, count(*)::int AS count FROM row_warnings
             WHERE extract_id = ANY (@ids) GROUP BY extract_id, field ORDER BY extract_id, field
            """, new { ids = reports.Select(r => r.Id).ToArray() }, cancellationToken: ct));
        var byExtract = counts.ToLookup(c => c.ExtractId);
        return [.. reports.Select(r => byExtract.Contains(r.Id)
            ? r with { Warnings = byExtract[r.Id].ToDictionary(c => c.Field, c => c.Count, StringComparer.Ordinal) }
            : r)];
    }

    public async Task<IReadOnlyList<RejectedRow>> RejectedRowsAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<RejectedRow>(new CommandDefinition(
            "SELECT row_number, reason, raw_line FROM rejected_rows WHERE extract_id = @id ORDER BY row_number",
            new { id }, cancellationToken: ct));
        return [.. rows];
    }

    public async Task<IReadOnlyList<RowWarning>> RowWarningsAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<RowWarning>(new CommandDefinition(
            "SELECT row_number, field, source_column, raw_value, reason FROM row_warnings WHERE extract_id = @id ORDER BY row_number, field",
            new { id }, cancellationToken: ct));
        return [.. rows];
    }

    private sealed record FieldCount(Guid ExtractId, string Field, int Count);

    private const string ReportSql =
        """
        SELECT e.id, e.feed_code, e.agency_code, e.sector, e.file_name, e.sha256, e.size_bytes, e.status, e.error,
               e.rows_total, e.rows_accepted, e.rows_rejected, e.rows_resolved, e.rows_unchanged, e.chunks_total,
               (SELECT count(*)::int FROM extract_receipts r WHERE r.extract_id = e.id) AS receipts,
               e.received_at, e.parsed_at, e.resolved_at,
               e.parse_started_at, e.first_chunk_queued_at, e.rows_parsed, e.bytes_parsed, e.chunks_queued,
               (SELECT count(*)::int FROM extract_chunks c WHERE c.extract_id = e.id AND c.completed_at IS NOT NULL) AS chunks_resolved
          FROM extracts e
        """;
}

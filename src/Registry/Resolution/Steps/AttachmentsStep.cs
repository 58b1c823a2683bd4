using Npgsql;
using NpgsqlTypes;
using Registry.Contracts;
using Registry.Review;
using Registry.Storage;
using static Registry.Resolution.Steps.StagingCopy;

namespace Registry.Resolution.Steps;

/// <summary>
/// Step 6, the chunk's second transaction, outside the resolution (identity) lock: what hangs off the chunk's source
/// records — its new persons' residences and first territories (settled as the lock is taken,
/// <see cref="ResolutionLock.TakeAttachmentsAsync"/>), household memberships (<see cref="HouseholdsStep"/>), service events (<see cref="ServiceEventsStep"/>),
/// household merges, the residences and territories their triggers keep, and its review tasks (<see cref="ReviewTasks.WriteAsync"/>,
/// from the proposals its identity phase kept). No later chunk's decisions read them.
/// </summary>
/// <remarks>
/// <para>Held under the attachments lock (<see cref="ResolutionLock.TakeAttachmentsAsync"/>), which every other writer
/// of these tables holds too: other chunks' attachments, a chunk's person merges (they move the merged person's service
/// events and memberships, and territories with them) and residence claims, stewards. So territories are never written
/// by two transactions at once (two such writers had deadlocked and left stale territories, docs/measurements.md,
/// 2026-11-23), and each row is attached to the person its source record names <i>now</i>: a merge or split committed
/// after this chunk's identity phase has already moved the record, and one that comes later finds the attachments
/// written and moves them with it.</para>
/// <para>Once per chunk (<c>extract_chunks.attached_at</c>): right after the identity phase, from the rows
/// in hand, or — when that committed but this did not (a crash, a deadlock) — on the chunk's redelivery, from its
/// stored source records, before its completion.</para>
/// </remarks>
internal static class AttachmentsStep
{
    private static readonly string ClaimSql = StepSql.Load("AttachmentsStep.Claim.sql");
    private static readonly string TablesSql = StepSql.Load("AttachmentsStep.Tables.sql");
    private static readonly string ReadBackSql = StepSql.Load("AttachmentsStep.ReadBack.sql");
    private static readonly string LiveSql = StepSql.Load("AttachmentsStep.Live.sql");

    /// <param name="inHand">The chunk's rows with the ids their source records were given; null to read them back.</param>
    /// <returns>True when this call attached the chunk; false when it was attached already.</returns>
    public static async Task<bool> RunAsync(NpgsqlConnection connection, ResolveSourceRows chunk, IReadOnlyList<(Guid SourceRecordId, SourceRow Row)>? inHand,
        CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("attachments");
        await using var tx = await connection.BeginTransactionAsync(ct);
        using (ResolutionTelemetry.Step("attachments-lock-wait")) await ResolutionLock.TakeAttachmentsAsync(connection, tx, ct);
        await using (var claim = new NpgsqlCommand(ClaimSql, connection, tx))
        {
            claim.Parameters.AddWithValue("extract", chunk.ExtractId);
            claim.Parameters.AddWithValue("chunk", chunk.ChunkIndex);
            if (await claim.ExecuteNonQueryAsync(ct) == 0)
            {
                await tx.RollbackAsync(ct);
                return false;
            }
        }
        await StepSql.ExecuteAsync(connection, tx, TablesSql, ct);
        inHand ??= await ReadBackAsync(connection, tx, chunk, ct);
        await CopyAsync(connection, chunk, inHand, ct);
        await StepSql.ExecuteAsync(connection, tx, LiveSql, ct);
        await HouseholdsStep.WriteMembershipsAsync(connection, tx, ct);
        await ServiceEventsStep.WriteAsync(connection, tx, chunk, ct);
        await HouseholdsStep.MergeAsync(connection, tx, ct);
        await ReviewTasks.WriteAsync(connection, tx, chunk, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// The attachments of a chunk whose identity phase moves territories itself (it merges persons, or claims a known
    /// person's residence), written in that phase's transaction from its staging tables, memberships and service events
    /// before its merges (which move them to the survivor): all its territory changes commit at once.
    /// </summary>
    public static async Task WriteInIdentityPhaseAsync(NpgsqlConnection connection, NpgsqlTransaction tx, ResolveSourceRows chunk, CancellationToken ct)
    {
        await StepSql.ExecuteAsync(connection, tx, ClaimSql, ct, ("extract", chunk.ExtractId), ("chunk", chunk.ChunkIndex));
        await HouseholdsStep.WriteMembershipsAsync(connection, tx, ct, locked: true);
        await ServiceEventsStep.WriteAsync(connection, tx, chunk, ct, locked: true);
    }

    /// <summary>
    /// The review tasks of a chunk attached in its identity phase (or before a crash), in a transaction of their own under
    /// the attachments lock, after the identity commit: what <see cref="RunAsync"/> writes with the other attachments. Once:
    /// writing them deletes the proposals kept for them, and the settlements find nothing left to settle a second time.
    /// </summary>
    public static async Task WriteReviewsAsync(NpgsqlConnection connection, ResolveSourceRows chunk, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("reviews");
        await using var tx = await connection.BeginTransactionAsync(ct);
        using (ResolutionTelemetry.Step("attachments-lock-wait")) await ResolutionLock.TakeAttachmentsAsync(connection, tx, ct);
        await ReviewTasks.WriteAsync(connection, tx, chunk, ct);
        await tx.CommitAsync(ct);
    }

    private static async Task<List<(Guid, SourceRow)>> ReadBackAsync(NpgsqlConnection connection, NpgsqlTransaction tx, ResolveSourceRows chunk, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(ReadBackSql, connection, tx);
        command.Parameters.AddWithValue("extract", chunk.ExtractId);
        command.Parameters.AddWithValue("first", chunk.FirstRow);
        command.Parameters.AddWithValue("last", chunk.LastRow);
        var rows = new List<(Guid, SourceRow)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add((reader.GetGuid(0), StoredRows.Read(reader.GetString(1), reader.GetInt32(2), reader.GetString(3), reader.GetString(4))));
        return rows;
    }

    // The COPY column list stays here, next to the values written in the same order.
    private static async Task CopyAsync(NpgsqlConnection connection, ResolveSourceRows chunk, IReadOnlyList<(Guid SourceRecordId, SourceRow Row)> rows, CancellationToken ct)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY stage_rows (source_record_id, row_number, household_key, relationship, programme, service_type, service_date, service_status, service_event_id) " +
            "FROM STDIN (FORMAT BINARY)", ct);
        foreach (var (id, row) in rows)
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(id, NpgsqlDbType.Uuid, ct);
            await writer.WriteAsync(row.RowNumber, NpgsqlDbType.Integer, ct);
            await Nullable(writer, IdentityKeys.For(chunk.AgencyCode, chunk.ExtractId, row, valid: null).Household, ct);
            await Nullable(writer, row.RelationshipToHead, ct);
            await Nullable(writer, row.Programme, ct);
            await Nullable(writer, row.ServiceType, ct);
            await Nullable(writer, row.ServiceDate, ct);
            await Nullable(writer, row.ServiceStatus, ct);
            // A row with a programme or service type is a service event; its id time-ordered (UUIDv7), so
            // each insert lands at the end of the primary key rather than on a random page.
            if (row.Programme is not null || row.ServiceType is not null) await writer.WriteAsync(TimeOrderedIds.Next(), NpgsqlDbType.Uuid, ct);
            else await writer.WriteNullAsync(ct);
        }
        await writer.CompleteAsync(ct);
    }
}

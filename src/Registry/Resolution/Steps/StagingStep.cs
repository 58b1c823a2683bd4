using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Registry.Contracts;
using Registry.Persons;
using Registry.Storage;
using static Registry.Resolution.Steps.StagingCopy;

namespace Registry.Resolution.Steps;

/// <summary>
/// Step 1, before the lock: claims the chunk — (extract, chunk) once, so a redelivered chunk is a no-op —
/// creates the transaction's staging tables, and binary-COPYs into them the rows, their normalised match
/// features and, for a row that will most likely be a person of its own, that person's golden record.
/// Everything later steps write is read from here, set-based.
/// </summary>
internal static class StagingStep
{
    private static readonly string ClaimSql = StepSql.Load("StagingStep.Claim.sql");
    // JIT off: the chunk's statements touch hundreds to thousands of rows through indexes, yet with
    // lagging statistics their estimates pass jit_above_cost and compiling cost ~150 ms a statement.
    private static readonly string TablesSql = StepSql.Load("StagingStep.Tables.sql");
    private static readonly string ExtractSql = StepSql.Load("StagingStep.Extract.sql");
    private static readonly string FrequenciesSql = StepSql.WithFrequencyTerms(StepSql.Load("StagingStep.Frequencies.sql"));

    /// <returns>False when the chunk had been claimed (applied) before.</returns>
    public static async Task<bool> ClaimAsync(NpgsqlConnection connection, NpgsqlTransaction tx, ResolveSourceRows chunk, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("claim");
        await using var claim = new NpgsqlCommand(ClaimSql, connection, tx);
        claim.Parameters.AddWithValue("extract", chunk.ExtractId);
        claim.Parameters.AddWithValue("chunk", chunk.ChunkIndex);
        claim.Parameters.AddWithValue("first", chunk.FirstRow);
        claim.Parameters.AddWithValue("last", chunk.LastRow);
        claim.Parameters.AddWithValue("rows", chunk.Rows.Count);
        return await claim.ExecuteNonQueryAsync(ct) > 0;
    }

    /// <summary>The staging tables (dropped at commit) and the transaction's planner settings.</summary>
    public static async Task CreateTablesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("staging-tables");
        await StepSql.ExecuteAsync(connection, tx, TablesSql, ct);
    }

    /// <summary>
    /// The chunk's rows as golden sources, the golden records staged with single rows, and whether its feed's
    /// municipality decides where a known person lives (its links then move territories: <see cref="ResolutionLock"/>).
    /// </summary>
    public sealed record Staged(Dictionary<Guid, GoldenSource> Sources, Dictionary<Guid, GoldenWrite> Singles, bool ResidenceAuthoritative);

    /// <summary>
    /// Before the lock (it serialises consumers): each row's record as a golden source, and its golden
    /// record were it a new person on its own — the common case — staged with the row. Not for a row in
    /// <paramref name="linking"/> (it already scores the link threshold with someone: it will most likely
    /// join a person). Under the lock only persons of several records, or of one such row after all, are computed.
    /// </summary>
    public static async Task<Staged> CopyAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid extractId, List<PreparedRow> prepared,
        HashSet<int> linking, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("staging");
        var (sources, authoritative) = await ChunkSourcesAsync(connection, tx, extractId, prepared, ct);
        var singles = prepared.Where(p => !linking.Contains(p.Row.RowNumber))
            .ToDictionary(p => p.SourceRecordId, p => GoldenRecordWriter.Compute([sources[p.SourceRecordId]]));
        await CopyRowsAsync(connection, prepared, singles, ct);
        await StepSql.ExecuteAsync(connection, tx, FrequenciesSql, ct);
        return new Staged(sources, singles, authoritative);
    }

    /// <summary>
    /// The chunk's rows as golden sources, with their extract's sector and receipt time as a later
    /// read-back from the registry would give them (so a person's golden record does not depend on
    /// whether it was computed now or refreshed later).
    /// </summary>
    private static async Task<(Dictionary<Guid, GoldenSource>, bool ResidenceAuthoritative)> ChunkSourcesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid extractId,
        List<PreparedRow> prepared, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(ExtractSql, connection, tx);
        command.Parameters.AddWithValue("extract", extractId);
        string sector;
        DateTimeOffset receivedAt;
        bool authoritative;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct)) throw new InvalidOperationException($"extract {extractId} is not registered");
            sector = reader.GetString(0);
            receivedAt = reader.GetFieldValue<DateTimeOffset>(1);
            authoritative = reader.GetBoolean(2);
        }
        return (prepared.ToDictionary(p => p.SourceRecordId,
            p => new GoldenSource(p.SourceRecordId, p.Row, sector, receivedAt) { IdentityCurp = p.Features.ValidCurp }), authoritative);
    }

    // The COPY column lists stay here, next to the values written in the same order.
    private static async Task CopyRowsAsync(NpgsqlConnection connection, List<PreparedRow> rows,
        Dictionary<Guid, GoldenWrite> singles, CancellationToken ct)
    {
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY stage_rows (source_record_id, row_number, record_key, content_hash, curp_key, agency_key, household_key, " +
            "curp, relationship, programme, service_type, service_date, service_status, service_event_id, data, " +
            "golden, g_curp, g_given, g_paternal, g_maternal, g_sex, g_birth, g_anchor, r_view, r_golden, r_name_seen) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var (row, id, keys, _) in rows)
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(id, NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(row.RowNumber, NpgsqlDbType.Integer, ct);
                await writer.WriteAsync(row.RecordKey, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(row.ContentHash, NpgsqlDbType.Text, ct);
                await Nullable(writer, keys.Curp, ct);
                await Nullable(writer, keys.AgencyPerson, ct);
                await Nullable(writer, keys.Household, ct);
                await Nullable(writer, keys.ValidCurp, ct);
                await Nullable(writer, row.RelationshipToHead, ct);
                await Nullable(writer, row.Programme, ct);
                await Nullable(writer, row.ServiceType, ct);
                await Nullable(writer, row.ServiceDate, ct);
                await Nullable(writer, row.ServiceStatus, ct);
                // A row with a programme or service type is a service event; its id time-ordered (UUIDv7), so
                // each insert lands at the end of the primary key rather than on a random page.
                if (row.Programme is not null || row.ServiceType is not null) await writer.WriteAsync(TimeOrderedIds.Next(), NpgsqlDbType.Uuid, ct);
                else await writer.WriteNullAsync(ct);
                await writer.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(row, StoredRows.Json), NpgsqlDbType.Jsonb, ct); // UTF-8 as sent: no string
                if (singles.TryGetValue(id, out var single)) await WriteGoldenAsync(writer, single, ct);
                else await WriteNoGoldenAsync(writer, ct);
            }
            await writer.CompleteAsync(ct);
        }

        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY stage_match (row_number, valid_curp, invalid_curp, given_key, given_significant, given_phonetic, paternal_key, " +
            "paternal_phonetic, maternal_key, maternal_phonetic, birth_date, sex, postal_code, municipality, phone, name_from_full_name, other_id, street_key, colonia) " +
            "FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var (row, _, _, f) in rows)
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(row.RowNumber, NpgsqlDbType.Integer, ct);
                await Nullable(writer, f.ValidCurp, ct);
                await Nullable(writer, f.InvalidCurp, ct);
                await writer.WriteAsync(f.GivenKey, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(f.GivenSignificant, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(f.GivenPhonetic, NpgsqlDbType.Text, ct);
                await Nullable(writer, f.PaternalKey, ct);
                await Nullable(writer, f.PaternalPhonetic, ct);
                await Nullable(writer, f.MaternalKey, ct);
                await Nullable(writer, f.MaternalPhonetic, ct);
                await Nullable(writer, f.BirthDate, ct);
                await Nullable(writer, f.Sex?.ToString(), ct);
                await Nullable(writer, f.PostalCode, ct);
                await Nullable(writer, f.Municipality, ct);
                await Nullable(writer, f.Phone, ct);
                await writer.WriteAsync(f.NameFromFullName, NpgsqlDbType.Boolean, ct);
                await Nullable(writer, f.OtherId, ct);
                await Nullable(writer, f.StreetKey, ct);
                await Nullable(writer, f.Colonia, ct);
            }
            await writer.CompleteAsync(ct);
        }
    }
}

using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Registry.Contracts;
using Registry.Normalization;

namespace Registry.Resolution;

/// <summary>
/// Applies one chunk of accepted rows to the registry in a single transaction:
/// binary COPY into a staging table, then set-based SQL links each row to a person
/// (deterministic keys: valid CURP, then the agency's own person id), writes the source
/// records with their lineage (extract, row, content hash), the match decision, households
/// and service events. The (extract, chunk) row is claimed first, so a redelivered chunk
/// is a no-op. Identity keys are unique in PostgreSQL, so concurrent chunks never create
/// two persons for one key.
/// </summary>
public sealed class ChunkResolver(NpgsqlDataSource dataSource)
{
    public const string ModelVersion = "deterministic-keys-v1";

    /// <returns>True when the chunk was applied now; false when it had been applied before.</returns>
    public async Task<bool> ApplyAsync(ResolveSourceRows chunk, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);

        await using (var claim = new NpgsqlCommand(
            """
            INSERT INTO extract_chunks (extract_id, chunk_index, first_row, last_row, rows)
            VALUES (@extract, @chunk, @first, @last, @rows)
            ON CONFLICT DO NOTHING
            """, connection, tx))
        {
            claim.Parameters.AddWithValue("extract", chunk.ExtractId);
            claim.Parameters.AddWithValue("chunk", chunk.ChunkIndex);
            claim.Parameters.AddWithValue("first", chunk.FirstRow);
            claim.Parameters.AddWithValue("last", chunk.LastRow);
            claim.Parameters.AddWithValue("rows", chunk.Rows.Count);
            if (await claim.ExecuteNonQueryAsync(ct) == 0)
            {
                await tx.RollbackAsync(ct);
                return false;
            }
        }

        await Execute(connection, tx, StagingTableSql, ct);
        await CopyIntoStagingAsync(connection, chunk, ct);
        await Execute(connection, tx, ResolveSql, ct, ("extract", chunk.ExtractId), ("feed", chunk.FeedCode),
            ("agency", chunk.AgencyCode), ("sector", chunk.Sector), ("model", ModelVersion), ("n", chunk.Rows.Count));
        await tx.CommitAsync(ct);
        return true;
    }

    private static async Task CopyIntoStagingAsync(NpgsqlConnection connection, ResolveSourceRows chunk, CancellationToken ct)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY stage_rows (source_record_id, row_number, record_key, content_hash, curp_key, agency_key, row_key, household_key, " +
            "curp, given_names, paternal_surname, maternal_surname, sex, birth_date, relationship, programme, service_type, " +
            "service_date, service_status, has_service, data) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var row in chunk.Rows)
        {
            var keys = IdentityKeys.For(chunk.AgencyCode, chunk.ExtractId, row);
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, ct);
            await writer.WriteAsync(row.RowNumber, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(row.RecordKey, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(row.ContentHash, NpgsqlDbType.Text, ct);
            await WriteNullable(writer, keys.Curp, ct);
            await WriteNullable(writer, keys.AgencyPerson, ct);
            await writer.WriteAsync(keys.Row, NpgsqlDbType.Text, ct);
            await WriteNullable(writer, keys.Household, ct);
            await WriteNullable(writer, keys.ValidCurp, ct);
            await WriteNullable(writer, row.GivenNames, ct);
            await WriteNullable(writer, row.PaternalSurname, ct);
            await WriteNullable(writer, row.MaternalSurname, ct);
            await WriteNullable(writer, row.Sex, ct);
            await WriteNullableDate(writer, row.BirthDate, ct);
            await WriteNullable(writer, row.RelationshipToHead, ct);
            await WriteNullable(writer, row.Programme, ct);
            await WriteNullable(writer, row.ServiceType, ct);
            await WriteNullableDate(writer, row.ServiceDate, ct);
            await WriteNullable(writer, row.ServiceStatus, ct);
            await writer.WriteAsync(row.Programme is not null || row.ServiceType is not null, NpgsqlDbType.Boolean, ct);
            await writer.WriteAsync(JsonSerializer.Serialize(row), NpgsqlDbType.Jsonb, ct);
        }
        await writer.CompleteAsync(ct);
    }

    private static Task WriteNullable(NpgsqlBinaryImporter writer, string? value, CancellationToken ct) =>
        value is null ? writer.WriteNullAsync(ct) : writer.WriteAsync(value, NpgsqlDbType.Text, ct);

    private static Task WriteNullableDate(NpgsqlBinaryImporter writer, DateOnly? value, CancellationToken ct) =>
        value is { } d ? writer.WriteAsync(d, NpgsqlDbType.Date, ct) : writer.WriteNullAsync(ct);

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct,
        params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync(ct);
    }

    private const string StagingTableSql =
        """
        CREATE TEMP TABLE stage_rows (
            source_record_id uuid NOT NULL, row_number int NOT NULL, record_key text NOT NULL, content_hash text NOT NULL,
            curp_key text, agency_key text, row_key text NOT NULL, household_key text,
            curp text, given_names text, paternal_surname text, maternal_surname text, sex text, birth_date date,
            relationship text, programme text, service_type text, service_date date, service_status text,
            has_service boolean NOT NULL, data jsonb NOT NULL,
            person_id uuid, matched_key text, created_person boolean NOT NULL DEFAULT false, household_id uuid,
            prev_id uuid, prev_version int
        ) ON COMMIT DROP;
        CREATE TEMP TABLE stage_unchanged (row_number int NOT NULL, source_record_id uuid NOT NULL) ON COMMIT DROP
        """;

    // Set-based resolution of the whole chunk. Keys are inserted in sorted order so two
    // transactions that share keys take their locks in the same order (no deadlock).
    private const string ResolveSql =
        """
        -- 0. Re-sent rosters: a row whose record was already received with this content is unchanged
        --    (accounted for, nothing new created); so is a repeat of the same record and content in this chunk.
        INSERT INTO stage_unchanged (row_number, source_record_id)
        SELECT s.row_number, sr.id
          FROM stage_rows s JOIN source_records sr
            ON sr.feed_code = @feed AND sr.record_key = s.record_key AND sr.content_hash = s.content_hash;
        INSERT INTO stage_unchanged (row_number, source_record_id)
        SELECT s.row_number, f.source_record_id
          FROM stage_rows s
          JOIN (SELECT DISTINCT ON (record_key, content_hash) record_key, content_hash, source_record_id
                  FROM stage_rows ORDER BY record_key, content_hash, row_number) f
            ON f.record_key = s.record_key AND f.content_hash = s.content_hash AND f.source_record_id <> s.source_record_id
         WHERE s.row_number NOT IN (SELECT row_number FROM stage_unchanged);
        DELETE FROM stage_rows WHERE row_number IN (SELECT row_number FROM stage_unchanged);

        -- A changed record becomes the next version of its latest source record.
        UPDATE stage_rows s SET prev_id = p.id, prev_version = p.version
          FROM (SELECT DISTINCT ON (record_key) record_key, id, version
                  FROM source_records
                 WHERE feed_code = @feed AND record_key IN (SELECT record_key FROM stage_rows)
                 ORDER BY record_key, version DESC) p
         WHERE p.record_key = s.record_key;

        -- 1. Rows whose identity is already known: a valid CURP first, then the agency's person id.
        UPDATE stage_rows s
           SET person_id = m.person_id, matched_key = m.key
          FROM (SELECT s2.source_record_id,
                       coalesce(pc.person_id, pa.person_id) AS person_id,
                       CASE WHEN pc.person_id IS NOT NULL THEN pc.key ELSE pa.key END AS key
                  FROM stage_rows s2
                  LEFT JOIN person_keys pc ON pc.key = s2.curp_key
                  -- The agency's own id links only when it does not contradict a valid CURP: two
                  -- different valid CURPs are two people, whatever an agency's id says (hard rule 3).
                  LEFT JOIN (person_keys pa JOIN persons pp ON pp.id = pa.person_id)
                         ON pa.key = s2.agency_key AND (s2.curp IS NULL OR pp.curp IS NULL OR pp.curp = s2.curp)) m
         WHERE m.source_record_id = s.source_record_id AND m.person_id IS NOT NULL;

        -- 2. New identities: one person per distinct strongest key within the chunk.
        WITH wanted AS (
            SELECT DISTINCT ON (k) k, source_record_id
              FROM (SELECT coalesce(curp_key, agency_key, row_key) AS k, row_number, source_record_id
                      FROM stage_rows WHERE person_id IS NULL) x
             ORDER BY k, row_number
        ), claimed AS (
            INSERT INTO person_keys (key, person_id)
            SELECT k, gen_random_uuid() FROM wanted ORDER BY k
            ON CONFLICT (key) DO NOTHING
            RETURNING key, person_id
        )
        INSERT INTO persons (id, curp, given_names, paternal_surname, maternal_surname, sex, birth_date, golden_source_record_id)
        SELECT c.person_id, s.curp, s.given_names, s.paternal_surname, s.maternal_surname, s.sex, s.birth_date, s.source_record_id
          FROM claimed c
          JOIN wanted w ON w.k = c.key
          JOIN stage_rows s ON s.source_record_id = w.source_record_id;

        UPDATE stage_rows s
           SET person_id = pk.person_id,
               matched_key = pk.key,
               created_person = p.golden_source_record_id = s.source_record_id
          FROM person_keys pk
          JOIN persons p ON p.id = pk.person_id
         WHERE s.person_id IS NULL AND pk.key = coalesce(s.curp_key, s.agency_key, s.row_key);

        -- 3. Remember the other keys of each row for the person it was linked to.
        INSERT INTO person_keys (key, person_id)
        SELECT DISTINCT ON (k) k, person_id
          FROM (SELECT curp_key AS k, person_id, row_number FROM stage_rows WHERE curp_key IS NOT NULL
                UNION ALL
                SELECT agency_key, person_id, row_number FROM stage_rows WHERE agency_key IS NOT NULL) x
         ORDER BY k, row_number
        ON CONFLICT (key) DO NOTHING;

        -- 4. Source records and the decision that linked each one (lineage).
        -- No conflict target: a concurrent chunk that stored the same record content first makes the
        -- match decision below fail its foreign key, and the retried chunk then sees the row as unchanged.
        INSERT INTO source_records (id, extract_id, row_number, feed_code, agency_code, record_key, version, supersedes, content_hash, person_id, data)
        SELECT source_record_id, @extract, row_number, @feed, @agency, record_key, coalesce(prev_version, 0) + 1, prev_id,
               content_hash, person_id, data
          FROM stage_rows
        ON CONFLICT DO NOTHING;

        INSERT INTO match_decisions (source_record_id, person_id, rule, matched_key, created_person, model_version)
        SELECT source_record_id, person_id,
               CASE WHEN created_person THEN 'new-person'
                    WHEN matched_key = curp_key THEN 'exact-curp'
                    WHEN matched_key = agency_key THEN 'agency-person-id'
                    ELSE 'same-key-in-chunk' END,
               matched_key, created_person, @model
          FROM stage_rows
        ON CONFLICT (source_record_id) DO NOTHING;

        -- 5. Households: the agency's household id is the key; membership keeps its source record.
        WITH wanted AS (
            SELECT DISTINCT ON (household_key) household_key, source_record_id
              FROM stage_rows WHERE household_key IS NOT NULL
             ORDER BY household_key, row_number
        ), claimed AS (
            INSERT INTO household_keys (key, household_id)
            SELECT household_key, gen_random_uuid() FROM wanted ORDER BY household_key
            ON CONFLICT (key) DO NOTHING
            RETURNING key, household_id
        )
        INSERT INTO households (id, first_source_record_id)
        SELECT c.household_id, w.source_record_id FROM claimed c JOIN wanted w ON w.household_key = c.key;

        INSERT INTO household_members (household_id, person_id, relationship, valid_from, source_record_id)
        SELECT DISTINCT ON (hk.household_id, s.person_id) hk.household_id, s.person_id, s.relationship, s.service_date, s.source_record_id
          FROM stage_rows s JOIN household_keys hk ON hk.key = s.household_key
         ORDER BY hk.household_id, s.person_id, s.row_number
        ON CONFLICT (household_id, person_id) DO NOTHING;

        -- 6. Service events (metadata only).
        INSERT INTO service_events (id, source_record_id, person_id, agency_code, sector, programme, service_type, service_date, status)
        SELECT gen_random_uuid(), source_record_id, person_id, @agency, @sector, programme, service_type, service_date, service_status
          FROM stage_rows WHERE has_service
        ON CONFLICT (source_record_id) DO NOTHING;

        -- The service event of a superseded record version is superseded too (kept, not deleted).
        UPDATE service_events old SET superseded_by = new.id
          FROM stage_rows s JOIN service_events new ON new.source_record_id = s.source_record_id
         WHERE s.prev_id IS NOT NULL AND old.source_record_id = s.prev_id AND old.superseded_by IS NULL;

        INSERT INTO unchanged_rows (extract_id, row_number, source_record_id)
        SELECT @extract, row_number, source_record_id FROM stage_unchanged
        ON CONFLICT DO NOTHING;

        -- 7. Progress of the extract; it is resolved once every accepted row is.
        UPDATE extracts
           SET rows_resolved = rows_resolved + @n,
               rows_unchanged = rows_unchanged + (SELECT count(*) FROM stage_unchanged),
               status = CASE WHEN rows_accepted IS NOT NULL AND rows_resolved + @n >= rows_accepted THEN 'resolved' ELSE status END,
               resolved_at = CASE WHEN rows_accepted IS NOT NULL AND rows_resolved + @n >= rows_accepted THEN now() ELSE resolved_at END
         WHERE id = @extract;
        """;
}

/// <summary>The deterministic identity keys of a row. Only a structurally valid CURP with a correct check digit is a key.</summary>
public readonly record struct IdentityKeys(string? ValidCurp, string? Curp, string? AgencyPerson, string Row, string? Household)
{
    public static IdentityKeys For(string agencyCode, Guid extractId, SourceRow row)
    {
        var curp = Normalization.Curp.Clean(row.Curp);
        var valid = Normalization.Curp.IsValid(curp) ? curp : null;
        return new IdentityKeys(
            valid,
            valid is null ? null : "curp:" + valid,
            string.IsNullOrWhiteSpace(row.AgencyPersonId) ? null : $"agency:{agencyCode}:{row.AgencyPersonId.Trim()}",
            $"row:{extractId:N}:{row.RowNumber}",
            string.IsNullOrWhiteSpace(row.AgencyHouseholdId) ? null : $"household:{agencyCode}:{row.AgencyHouseholdId.Trim()}");
    }
}

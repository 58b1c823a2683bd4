using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Registry.Contracts;
using Registry.Households;
using Registry.Matching;
using Registry.Persons;
using Registry.Storage;

namespace Registry.Resolution;

/// <summary>
/// Applies one chunk of accepted rows to the registry in two transactions. The identity phase:
/// <list type="number">
/// <item>claims (extract, chunk), so a redelivered chunk is a no-op;</item>
/// <item>finds every row's candidates in the <see cref="CandidateIndex"/> (shared blocking keys) and
///   scores them, and the chunk's own pairs, before the lock;</item>
/// <item>binary-COPYs the rows, their normalised match features and — for a row that links to no one
///   yet — its golden record as a person of its own into staging;</item>
/// <item>takes the resolution lock (below), drops rows already received unchanged, links rows
///   whose deterministic key is known (valid CURP, the agency's person id), finds the candidates
///   again with the match records written meanwhile, and lets <see cref="ChunkMatcher"/> score the new
///   ones and decide in memory (link / review / new person / merge);</item>
/// <item>writes persons (with their golden record when new), source records, decisions with their
///   evidence, match features, review tasks, merges, households and service events set-based, and commits.</item>
/// </list>
/// Then the completion, outside the lock (<see cref="CompleteAsync"/>): golden records of the existing
/// persons the chunk touched, the extract's progress, and <c>extract_chunks.completed_at</c>. Nothing a
/// later chunk's decisions read is written there, so the next chunk's identity phase runs meanwhile.
/// Concurrency: the decision phase runs under one transaction-scoped advisory lock, so competing
/// consumers in any number of processes see each other's committed persons and never create two
/// persons for one identity (hard rule 7). Parsing, normalisation, staging and the first candidate
/// lookup run outside it; what was written between that lookup and the lock is synced under it.
/// One index per process: pass the same <paramref name="index"/> to every resolver of a database.
/// </summary>
public sealed class ChunkResolver(NpgsqlDataSource dataSource, CandidateIndex? index = null)
{
    private readonly MatchModelStore models = new(dataSource);
    private readonly CandidateIndex index = index ?? new CandidateIndex();

    /// <summary>Tests only: runs after the candidates are read and before the lock is taken.</summary>
    internal Func<CancellationToken, Task>? BeforeLock { get; init; }

    /// <summary>Tests only: runs between the identity phase's commit and the completion (a crash there).</summary>
    internal Func<CancellationToken, Task>? AfterIdentityCommit { get; init; }

    /// <returns>True when the chunk was applied now; false when it had been applied before.</returns>
    public async Task<bool> ApplyAsync(ResolveSourceRows chunk, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ResolutionProfile.Start();
        var model = await models.CurrentAsync(ct);
        var prepared = chunk.Rows.Select(r => Prepare(chunk, r)).ToList();

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (!await ClaimAsync(connection, tx, chunk, ct))
        {
            // Applied before: complete now if its completion never committed (a crash or error between the two transactions).
            await tx.RollbackAsync(ct);
            return await CompleteAsync(connection, chunk, affected: null, inHand: null, ct);
        }

        await Execute(connection, tx, StagingTablesSql, ct);
        ResolutionProfile.Mark("claim");
        // Candidates as the registry stands now, before the lock; under the lock the index syncs only
        // the match records written since (migration 0014) and the lookup adds only what they bring (CatchUpAsync).
        var early = await index.LookupAsync(connection, tx, Lookups(prepared), ct);
        ResolutionProfile.Mark("candidates");
        // The thresholds for the registry's size (its records, as the index holds them): namesakes multiply as it grows.
        model = model.AtSize(index.Count);
        // Scoring needs no person: the chunk's pairs and its early candidates are scored before the lock too,
        // with the name frequencies as they stand now.
        var frequencies = await TermFrequencies.LoadAsync(connection, tx, prepared.Select(p => p.Features), model, ct);
        var matcher = new ChunkMatcher(model, frequencies.Lookup);
        var linking = matcher.Prescore([.. prepared.Select(p => (p.Row.RowNumber, p.Features))], early.Candidates);
        ResolutionProfile.Mark("prescore");
        // Before the lock (it serialises consumers): each row's record as a golden source, and its golden
        // record were it a new person on its own — the common case — staged with the row. Not for a row
        // that already scores the link threshold with someone: it will most likely join a person. Under the
        // lock only persons of several records, or of one such row after all, are computed and sent.
        var sources = await ChunkSourcesAsync(connection, tx, chunk.ExtractId, prepared, ct);
        var singles = prepared.Where(p => !linking.Contains(p.Row.RowNumber))
            .ToDictionary(p => p.SourceRecordId, p => GoldenRecordWriter.Compute([sources[p.SourceRecordId]]));
        await CopyStagingAsync(connection, prepared, singles, ct);
        ResolutionProfile.Mark("stage");
        if (BeforeLock is not null) await BeforeLock(ct);
        await ResolutionLock.TakeAsync(connection, tx, ct);
        ResolutionProfile.Mark("lock-wait");
        var (rows, known) = await ReadKnownAsync(connection, tx, chunk.FeedCode, prepared, ct);
        ResolutionProfile.Mark("known");
        var live = rows.Select(r => r.RowNumber).ToHashSet();
        var candidates = await index.CatchUpAsync(connection, tx, early, Lookups(prepared.Where(p => live.Contains(p.Row.RowNumber))), ct);
        ResolutionProfile.Mark("catch-up");
        // The guards of the persons a row can join (PersonsInReach): their CURPs, from the index as it stands
        // under the lock (every record's valid CURP, counted per person), and the steward's exclusions.
        var personIds = rows.Where(r => r.KnownPerson is not null).Select(r => r.KnownPerson!.Value)
            .Concat(matcher.PersonsInReach(rows.Select(r => (r.RowNumber, r.Record)), candidates)).Distinct().ToArray();
        ResolutionProfile.Mark("in-reach");
        var personCurps = await index.CurpsOfAsync(personIds, ct);
        // Exclusions are read under the lock, all of those persons': a steward's "not the same person" is never missed.
        var exclusions = await ReadExclusionsAsync(connection, tx, personIds, ct);
        ResolutionProfile.Mark("curps");

        var decisions = matcher.Decide(rows, candidates, personCurps, exclusions, TimeOrderedIds.Next);
        ResolutionProfile.Mark("decide");

        // Persons created by this chunk get their golden record in their INSERT (all their records are in hand):
        // a person of one record the one staged with its row, any other computed now.
        var fresh = FreshPersons(prepared, sources, decisions);
        var computed = fresh.Where(kv => kv.Value.Count > 1 || !singles.ContainsKey(kv.Value[0].SourceRecordId))
            .ToDictionary(kv => kv.Key, kv => GoldenRecordWriter.Compute(kv.Value));
        ResolutionProfile.Mark("fresh");
        await CopyDecisionsAsync(connection, decisions, known, computed, ct);
        ResolutionProfile.Mark("copy-decisions");
        (string, object)[] applyParameters = [("extract", chunk.ExtractId), ("feed", chunk.FeedCode),
            ("agency", chunk.AgencyCode), ("sector", chunk.Sector), ("model", model.Version),
            ("link", model.LinkThreshold), ("review", model.ReviewThreshold)];
        await ExecuteProfiledAsync(connection, tx, ApplySql, "apply", ct, applyParameters);
        var written = await WriteMatchRecordsAsync(connection, tx, ct);
        ResolutionProfile.Mark("match-records");
        await IdentityWriter.WriteReviewsAsync(connection, tx, decisions.Reviews, model, ct);
        ResolutionProfile.Mark("reviews");
        var byRow = prepared.ToDictionary(p => p.Row.RowNumber);
        foreach (var merge in decisions.Merges)
            await IdentityWriter.MergeAsync(connection, tx, merge, byRow[merge.BridgingRow].SourceRecordId, model.Version, ct);
        ResolutionProfile.Mark("merges");

        await HouseholdMerger.ResolveAsync(connection, tx, ct);
        ResolutionProfile.Mark("households");
        await tx.CommitAsync(ct);
        ResolutionProfile.Mark("commit");
        // The chunk's own match records are filed from memory (as the sync would read them back), then the
        // sync reads only what others wrote and what this chunk's merges moved.
        if (written.Count == decisions.Rows.Count)
            await index.FileWrittenAsync(written.First, written.Last,
                [.. decisions.Rows.OrderBy(d => d.RowNumber).Select(d => byRow[d.RowNumber].Features with { PersonId = d.PersonId })], ct);
        await index.SyncAsync(connection, ct);
        ResolutionProfile.Mark("index-sync");

        if (AfterIdentityCommit is not null) await AfterIdentityCommit(ct);
        var affected = decisions.Rows.Select(r => r.PersonId).Concat(decisions.Merges.Select(m => m.Survivor)).Distinct()
            .Where(id => !fresh.ContainsKey(id)).ToArray();
        await CompleteAsync(connection, chunk, affected,
            new GoldenRecordWriter.ChunkInHand(chunk.ExtractId, chunk.FirstRow, chunk.LastRow, sources), ct);
        return true;
    }

    /// <summary>
    /// The chunk's second transaction, outside the resolution lock (nothing in it feeds a later
    /// chunk's decisions): golden records of the existing persons it added records to or merged,
    /// the extract's progress, and the chunk's completion mark. Runs once per chunk: after the
    /// identity phase, or — when that committed but this did not (a crash, a deadlock) — on the
    /// chunk's redelivery, with the persons read back from its source records.
    /// </summary>
    /// <returns>True when this call completed the chunk; false when it was complete already.</returns>
    private static async Task<bool> CompleteAsync(NpgsqlConnection connection, ResolveSourceRows chunk, Guid[]? affected,
        GoldenRecordWriter.ChunkInHand? inHand, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        (string, object)[] range = [("extract", chunk.ExtractId), ("chunk", chunk.ChunkIndex), ("first", chunk.FirstRow), ("last", chunk.LastRow)];
        await Execute(connection, tx, "SET LOCAL jit = off", ct);
        await using (var claim = new NpgsqlCommand(
            "SELECT completed_at IS NULL FROM extract_chunks WHERE extract_id = @extract AND chunk_index = @chunk FOR UPDATE", connection, tx))
        {
            foreach (var (name, value) in range) claim.Parameters.AddWithValue(name, value);
            if (await claim.ExecuteScalarAsync(ct) is not true)
            {
                await tx.RollbackAsync(ct);
                return false;
            }
        }
        if (affected is null)
        {
            await using var persons = new NpgsqlCommand(
                """
                SELECT DISTINCT coalesce(p.merged_into, p.id)
                  FROM source_records sr JOIN persons p ON p.id = sr.person_id
                 WHERE sr.extract_id = @extract AND sr.row_number BETWEEN @first AND @last
                """, connection, tx);
            foreach (var (name, value) in range) persons.Parameters.AddWithValue(name, value);
            var ids = new List<Guid>();
            await using (var reader = await persons.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) ids.Add(reader.GetGuid(0));
            affected = [.. ids];
        }
        await GoldenRecordWriter.RefreshAsync(connection, tx, affected, ct, inHand);
        ResolutionProfile.Mark("golden");
        await Execute(connection, tx, CompletionSql, ct, [.. range, ("n", chunk.Rows.Count)]);
        await tx.CommitAsync(ct);
        ResolutionProfile.Mark("complete");
        return true;
    }

    /// <summary>Persons created by this chunk: all their records are in hand, nothing to read back.</summary>
    private static Dictionary<Guid, List<GoldenSource>> FreshPersons(List<PreparedRow> prepared, Dictionary<Guid, GoldenSource> sources, ChunkDecisions decisions)
    {
        var created = decisions.Rows.Where(d => d.CreatedPerson).Select(d => d.PersonId).ToHashSet();
        var byRow = prepared.ToDictionary(p => p.Row.RowNumber);
        return decisions.Rows.Where(d => created.Contains(d.PersonId))
            .GroupBy(d => d.PersonId)
            .ToDictionary(g => g.Key, g => g.Select(d => sources[byRow[d.RowNumber].SourceRecordId]).ToList());
    }

    /// <summary>
    /// The chunk's rows as golden sources, with their extract's sector and receipt time as a later
    /// read-back from the registry would give them (so a person's golden record does not depend on
    /// whether it was computed now or refreshed later).
    /// </summary>
    private static async Task<Dictionary<Guid, GoldenSource>> ChunkSourcesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid extractId,
        List<PreparedRow> prepared, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT sector, received_at FROM extracts WHERE id = @extract", connection, tx);
        command.Parameters.AddWithValue("extract", extractId);
        string sector;
        DateTimeOffset receivedAt;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct)) throw new InvalidOperationException($"extract {extractId} is not registered");
            sector = reader.GetString(0);
            receivedAt = reader.GetFieldValue<DateTimeOffset>(1);
        }
        return prepared.ToDictionary(p => p.SourceRecordId,
            p => new GoldenSource(p.SourceRecordId, p.Row, sector, receivedAt) { IdentityCurp = p.Features.ValidCurp });
    }

    private sealed record PreparedRow(SourceRow Row, Guid SourceRecordId, IdentityKeys Keys, MatchRecord Features)
    {
        /// <summary>The keys the row's candidates are looked up by, before the lock and under it.</summary>
        public ulong[] QueryKeys { get; } = QueryKeyHashes(Features);
    }

    private static IEnumerable<(int RowNumber, IReadOnlyList<ulong> QueryKeys)> Lookups(IEnumerable<PreparedRow> rows) =>
        rows.Select(p => (p.Row.RowNumber, (IReadOnlyList<ulong>)p.QueryKeys));

    private static ulong[] QueryKeyHashes(MatchRecord features)
    {
        var keys = new List<ulong>(16);
        features.KeyHashes(query: true, keys);
        return [.. keys.Distinct()];
    }

    private static PreparedRow Prepare(ResolveSourceRows chunk, SourceRow row)
    {
        var id = TimeOrderedIds.Next();
        var features = MatchRecord.From(row, id);
        return new PreparedRow(row, id, IdentityKeys.For(chunk.AgencyCode, chunk.ExtractId, row, features.ValidCurp), features);
    }

    private static async Task<bool> ClaimAsync(NpgsqlConnection connection, NpgsqlTransaction tx, ResolveSourceRows chunk, CancellationToken ct)
    {
        await using var claim = new NpgsqlCommand(
            """
            INSERT INTO extract_chunks (extract_id, chunk_index, first_row, last_row, rows)
            VALUES (@extract, @chunk, @first, @last, @rows)
            ON CONFLICT DO NOTHING
            """, connection, tx);
        claim.Parameters.AddWithValue("extract", chunk.ExtractId);
        claim.Parameters.AddWithValue("chunk", chunk.ChunkIndex);
        claim.Parameters.AddWithValue("first", chunk.FirstRow);
        claim.Parameters.AddWithValue("last", chunk.LastRow);
        claim.Parameters.AddWithValue("rows", chunk.Rows.Count);
        return await claim.ExecuteNonQueryAsync(ct) > 0;
    }

    private static async Task CopyStagingAsync(NpgsqlConnection connection, List<PreparedRow> rows,
        Dictionary<Guid, (string Document, string?[] Display, Guid? Anchor)> singles, CancellationToken ct)
    {
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY stage_rows (source_record_id, row_number, record_key, content_hash, curp_key, agency_key, household_key, " +
            "curp, relationship, programme, service_type, service_date, service_status, service_event_id, data, " +
            "golden, g_curp, g_given, g_paternal, g_maternal, g_sex, g_birth, g_anchor) FROM STDIN (FORMAT BINARY)", ct))
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
            "paternal_phonetic, maternal_key, maternal_phonetic, birth_date, sex, postal_code, municipality, phone, name_from_full_name, other_id, street_key) " +
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
            }
            await writer.CompleteAsync(ct);
        }
    }

    /// <summary>What the registry already knows of a live row: the version it supersedes, and the key that linked it.</summary>
    private readonly record struct KnownRow(Guid? PrevId, int? PrevVersion, string? MatchedKey);

    /// <summary>
    /// Under the resolution lock, one probe per row (<see cref="KnownRowsSql"/>) says what is already known of it.
    /// Re-sent rosters: a row whose record was already received with this content is unchanged (accounted for,
    /// nothing new created), and so is a repeat of the same record and content earlier in this chunk; they leave
    /// staging. A changed record becomes the next version of its latest source record. A known valid CURP, then the
    /// agency's own person id, links a row deterministically. Returns the live rows in row order, and what is known of each.
    /// </summary>
    private static async Task<(List<IncomingRow> Rows, Dictionary<int, KnownRow> Known)> ReadKnownAsync(NpgsqlConnection connection,
        NpgsqlTransaction tx, string feedCode, List<PreparedRow> prepared, CancellationToken ct)
    {
        var byRow = prepared.ToDictionary(p => p.Row.RowNumber);
        var rows = new List<IncomingRow>(prepared.Count);
        var known = new Dictionary<int, KnownRow>(prepared.Count);
        var unchangedRows = new List<int>();
        var unchangedIds = new List<Guid>();
        var firstOfContent = new Dictionary<(string, string), Guid>();
        await using (var command = new NpgsqlCommand(KnownRowsSql, connection, tx))
        {
            command.Parameters.AddWithValue("feed", feedCode);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) // in row order
            {
                var p = byRow[reader.GetInt32(0)];
                var content = (p.Row.RecordKey, p.Row.ContentHash);
                Guid? same = reader.IsDBNull(3) ? null : reader.GetGuid(3);
                if (same is null && firstOfContent.TryGetValue(content, out var first)) same = first;
                if (same is not null)
                {
                    unchangedRows.Add(p.Row.RowNumber);
                    unchangedIds.Add(same.Value);
                    continue;
                }
                firstOfContent[content] = p.SourceRecordId;
                Guid? person = reader.IsDBNull(4) ? null : reader.GetGuid(4);
                known[p.Row.RowNumber] = new KnownRow(reader.IsDBNull(1) ? null : reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetInt32(2),
                    person is null ? null : reader.GetString(5));
                var rule = person is null ? null : reader.GetBoolean(6) ? "exact-curp" : "agency-person-id";
                rows.Add(new IncomingRow(p.Row.RowNumber, p.Features, person, rule, p.Keys.AgencyPerson));
            }
        }
        if (unchangedRows.Count > 0)
        {
            await using var command = new NpgsqlCommand(
                """
                INSERT INTO stage_unchanged (row_number, source_record_id) SELECT * FROM unnest(@rows, @ids);
                DELETE FROM stage_rows WHERE row_number = ANY (@rows);
                """, connection, tx);
            command.Parameters.AddWithValue("rows", unchangedRows.ToArray());
            command.Parameters.AddWithValue("ids", unchangedIds.ToArray());
            await command.ExecuteNonQueryAsync(ct);
        }
        return (rows, known);
    }

    /// <summary>
    /// Runs a batch of statements; when profiling (<see cref="ResolutionProfile"/>), one by one, each
    /// timed as <paramref name="phase"/> and its index.
    /// </summary>
    private static async Task ExecuteProfiledAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, string phase, CancellationToken ct,
        params (string Name, object Value)[] parameters)
    {
        if (!ResolutionProfile.Enabled)
        {
            await Execute(connection, tx, sql, ct, parameters);
            return;
        }
        var i = 0;
        foreach (var statement in sql.Split(";\n", StringSplitOptions.RemoveEmptyEntries))
        {
            await Execute(connection, tx, statement, ct, [.. parameters.Where(p => statement.Contains("@" + p.Name, StringComparison.Ordinal))]);
            ResolutionProfile.Mark(phase + i++);
        }
    }

    private static async Task<HashSet<(Guid, Guid)>> ReadExclusionsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid[] ids, CancellationToken ct)
    {
        var set = new HashSet<(Guid, Guid)>();
        if (ids.Length == 0) return set;
        // A steward's "different persons" binds the persons they became: an exclusion names the ids of its day, and either
        // may since have been merged into another person (merged_into always names the final survivor).
        await using var command = new NpgsqlCommand(
            """
            WITH mine AS (SELECT id FROM persons WHERE id = ANY (@ids) OR merged_into = ANY (@ids))
            SELECT coalesce(pa.merged_into, x.person_a), coalesce(pb.merged_into, x.person_b)
              FROM person_exclusions x JOIN persons pa ON pa.id = x.person_a JOIN persons pb ON pb.id = x.person_b
             WHERE x.person_a IN (SELECT id FROM mine) OR x.person_b IN (SELECT id FROM mine)
            """, connection, tx);
        command.Parameters.AddWithValue("ids", ids);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) set.Add((reader.GetGuid(0), reader.GetGuid(1)));
        return set;
    }

    private static async Task CopyDecisionsAsync(NpgsqlConnection connection, ChunkDecisions decisions, Dictionary<int, KnownRow> known,
        Dictionary<Guid, (string Document, string?[] Display, Guid? Anchor)> computed, CancellationToken ct)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY stage_decisions (row_number, matched_key, prev_id, prev_version, person_id, created_person, rule, score, evidence, " +
            "matched_source_record_id, golden, g_curp, g_given, g_paternal, g_maternal, g_sex, g_birth, g_anchor) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var d in decisions.Rows)
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(d.RowNumber, NpgsqlDbType.Integer, ct);
            var k = known[d.RowNumber];
            await Nullable(writer, k.MatchedKey, ct);
            if (k.PrevId is { } prev)
            {
                await writer.WriteAsync(prev, NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(k.PrevVersion!.Value, NpgsqlDbType.Integer, ct);
            }
            else
            {
                await writer.WriteNullAsync(ct);
                await writer.WriteNullAsync(ct);
            }
            await writer.WriteAsync(d.PersonId, NpgsqlDbType.Uuid, ct);
            await writer.WriteAsync(d.CreatedPerson, NpgsqlDbType.Boolean, ct);
            await writer.WriteAsync(d.Rule, NpgsqlDbType.Text, ct);
            if (d.Score is { } score)
            {
                await writer.WriteAsync(score.Total, NpgsqlDbType.Double, ct);
                await writer.WriteAsync(score.EvidenceJson(), NpgsqlDbType.Json, ct);
            }
            else
            {
                await writer.WriteNullAsync(ct);
                await writer.WriteNullAsync(ct);
            }
            if (d.MatchedSourceRecordId is { } matched) await writer.WriteAsync(matched, NpgsqlDbType.Uuid, ct);
            else await writer.WriteNullAsync(ct);
            if (d.CreatedPerson && computed.TryGetValue(d.PersonId, out var golden)) await WriteGoldenAsync(writer, golden, ct);
            else await WriteNoGoldenAsync(writer, ct);
        }
        await writer.CompleteAsync(ct);
    }

    /// <summary>A golden record as the staging tables hold it: document, display columns, anchor.</summary>
    private static async Task WriteGoldenAsync(NpgsqlBinaryImporter writer, (string Document, string?[] Display, Guid? Anchor) golden, CancellationToken ct)
    {
        await writer.WriteAsync(golden.Document, NpgsqlDbType.Json, ct);
        foreach (var value in golden.Display) await Nullable(writer, value, ct);
        if (golden.Anchor is { } anchor) await writer.WriteAsync(anchor, NpgsqlDbType.Uuid, ct);
        else await writer.WriteNullAsync(ct);
    }

    private static async Task WriteNoGoldenAsync(NpgsqlBinaryImporter writer, CancellationToken ct)
    {
        for (var c = 0; c < 1 + GoldenRecordWriter.Display.Count + 1; c++) await writer.WriteNullAsync(ct); // document, display, anchor
    }

    private static Task Nullable(NpgsqlBinaryImporter writer, string? value, CancellationToken ct) =>
        value is null ? writer.WriteNullAsync(ct) : writer.WriteAsync(value, NpgsqlDbType.Text, ct);

    private static Task Nullable(NpgsqlBinaryImporter writer, DateOnly? value, CancellationToken ct) =>
        value is { } d ? writer.WriteAsync(d, NpgsqlDbType.Date, ct) : writer.WriteNullAsync(ct);

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct,
        params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync(ct);
    }

    // JIT off: the chunk's statements touch hundreds to thousands of rows through indexes, yet with
    // lagging statistics their estimates pass jit_above_cost and compiling cost ~150 ms a statement.
    private const string StagingTablesSql =
        """
        SET LOCAL jit = off;
        -- A chunk's candidate pairs (tens of thousands) are deduplicated in memory rather than on disk.
        SET LOCAL work_mem = '64MB';
        CREATE TEMP TABLE stage_rows (
            source_record_id uuid NOT NULL, row_number int NOT NULL, record_key text NOT NULL, content_hash text NOT NULL,
            curp_key text, agency_key text, household_key text,
            curp text, relationship text, programme text, service_type text, service_date date, service_status text,
            service_event_id uuid, data jsonb NOT NULL,
            -- The row's golden record were it a person on its own (computed and parsed before the lock).
            golden json, g_curp text, g_given text, g_paternal text, g_maternal text, g_sex text, g_birth text, g_anchor uuid
        ) ON COMMIT DROP;
        CREATE TEMP TABLE stage_match (
            row_number int NOT NULL, valid_curp text, invalid_curp text, given_key text NOT NULL, given_significant text NOT NULL,
            given_phonetic text NOT NULL, paternal_key text, paternal_phonetic text, maternal_key text, maternal_phonetic text,
            birth_date date, sex char(1), postal_code text, municipality text, phone text, name_from_full_name boolean NOT NULL,
            other_id text, street_key text
        ) ON COMMIT DROP;
        -- One row per live row (the unchanged ones left stage_rows): what is known of it under the lock, and the decision.
        CREATE TEMP TABLE stage_decisions (
            row_number int PRIMARY KEY, matched_key text, prev_id uuid, prev_version int, person_id uuid NOT NULL, created_person boolean NOT NULL, rule text NOT NULL,
            score double precision, evidence json, matched_source_record_id uuid,
            golden json, g_curp text, g_given text, g_paternal text, g_maternal text, g_sex text, g_birth text, g_anchor uuid
        ) ON COMMIT DROP;
        CREATE TEMP TABLE stage_unchanged (row_number int NOT NULL, source_record_id uuid NOT NULL) ON COMMIT DROP
        """;

    // Under the resolution lock: what is already known about each row (ReadKnownAsync). Probes driven row
    // by row from the chunk (LATERAL keeps them index probes): a join against the feed's records lets the
    // planner hash the whole feed once statistics lag, and a plain join on person keys hashed every key.
    // One probe reads the record key's versions (a handful at most): one with this content makes the row
    // unchanged; otherwise the latest is the version a changed record supersedes. Deterministic keys: a
    // known valid CURP, then the agency's own person id — which links only when it does not contradict a
    // valid CURP: two different valid CURPs are two people (hard rule 3).
    private const string KnownRowsSql =
        """
        SELECT s.row_number, v.latest_id, v.latest_version, v.same_id,
               coalesce(pc.person_id, pa.person_id), coalesce(pc.key, pa.key), pc.person_id IS NOT NULL
          FROM stage_rows s
          LEFT JOIN LATERAL (SELECT (array_agg(id ORDER BY version DESC))[1] AS latest_id, max(version) AS latest_version,
                                    (array_agg(id) FILTER (WHERE content_hash = s.content_hash))[1] AS same_id
                               FROM source_records WHERE feed_code = @feed AND record_key = s.record_key) v ON true
          LEFT JOIN LATERAL (SELECT key, person_id FROM person_keys WHERE key = s.curp_key LIMIT 1) pc ON true
          LEFT JOIN LATERAL (SELECT a.key, a.person_id FROM person_keys a JOIN persons pp ON pp.id = a.person_id
                              WHERE a.key = s.agency_key AND (s.curp IS NULL OR pp.curp IS NULL OR pp.curp = s.curp) LIMIT 1) pa ON true
         ORDER BY s.row_number
        """;

    // After the matcher decided: everything the chunk writes, set-based.
    private const string ApplySql =
        """
        -- A new person's golden record: the decision's when the chunk gave it several records, else its row's.
        INSERT INTO persons (id, curp, given_names, paternal_surname, maternal_surname, sex, birth_date, golden_source_record_id, golden)
        SELECT DISTINCT ON (d.person_id) d.person_id, g.curp, g.given, g.paternal, g.maternal, g.sex, g.birth::date,
               coalesce(g.anchor, s.source_record_id), g.golden
          FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number
         CROSS JOIN LATERAL (SELECT d.golden, d.g_curp, d.g_given, d.g_paternal, d.g_maternal, d.g_sex, d.g_birth, d.g_anchor WHERE d.golden IS NOT NULL
                             UNION ALL
                             SELECT s.golden, s.g_curp, s.g_given, s.g_paternal, s.g_maternal, s.g_sex, s.g_birth, s.g_anchor WHERE d.golden IS NULL)
               g(golden, curp, given, paternal, maternal, sex, birth, anchor)
         WHERE d.created_person ORDER BY d.person_id, s.row_number;

        -- Remember each row's new deterministic keys for the person it was linked to (sorted: no lock-order
        -- surprises). Every writer of person_keys holds the resolution lock, so a key absent now is absent
        -- at the insert: NOT EXISTS rather than ON CONFLICT, which costs a speculative insert per new key.
        INSERT INTO person_keys (key, person_id)
        SELECT k, person_id FROM (
            SELECT DISTINCT ON (k) k, person_id
              FROM (SELECT s.curp_key AS k, d.person_id, s.row_number FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number
                     WHERE s.curp_key IS NOT NULL
                    UNION ALL
                    SELECT s.agency_key, d.person_id, s.row_number FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number
                     WHERE s.agency_key IS NOT NULL) x
             ORDER BY k, row_number) n
         WHERE NOT EXISTS (SELECT 1 FROM person_keys pk WHERE pk.key = n.k)
         ORDER BY k;

        INSERT INTO source_records (id, extract_id, row_number, feed_code, agency_code, record_key, version, supersedes, content_hash, person_id, data)
        SELECT s.source_record_id, @extract, s.row_number, @feed, @agency, s.record_key, coalesce(d.prev_version, 0) + 1, d.prev_id,
               s.content_hash, d.person_id, s.data
          FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number;

        -- Why each record was linked (hard rule 3): rule, key or score with per-field evidence, thresholds, model.
        INSERT INTO match_decisions (source_record_id, person_id, rule, matched_key, created_person, model_version,
                                     score, evidence, link_threshold, review_threshold, matched_source_record_id)
        SELECT s.source_record_id, d.person_id, d.rule, d.matched_key, d.created_person, @model,
               d.score, d.evidence, @link, @review, d.matched_source_record_id
          FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number;

        -- Households: the agency's household id is the key; membership keeps its source record.
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
        SELECT DISTINCT ON (coalesce(h.merged_into, h.id), d.person_id) coalesce(h.merged_into, h.id), d.person_id, s.relationship, s.service_date, s.source_record_id
          FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number
          JOIN household_keys hk ON hk.key = s.household_key JOIN households h ON h.id = hk.household_id
         ORDER BY coalesce(h.merged_into, h.id), d.person_id, s.row_number
        ON CONFLICT (household_id, person_id) DO NOTHING;

        -- Service events (metadata only).
        INSERT INTO service_events (id, source_record_id, person_id, agency_code, sector, programme, service_type, service_date, status)
        SELECT s.service_event_id, s.source_record_id, d.person_id, @agency, @sector, s.programme, s.service_type, s.service_date, s.service_status
          FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number WHERE s.service_event_id IS NOT NULL;

        -- The service event of a superseded record version is superseded too (kept, not deleted).
        UPDATE service_events old SET superseded_by = new.id
          FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number
         CROSS JOIN LATERAL (SELECT id FROM service_events WHERE source_record_id = s.source_record_id LIMIT 1) new
         WHERE d.prev_id IS NOT NULL AND old.source_record_id = d.prev_id AND old.superseded_by IS NULL;

        INSERT INTO unchanged_rows (extract_id, row_number, source_record_id)
        SELECT @extract, row_number, source_record_id FROM stage_unchanged
        ON CONFLICT DO NOTHING;
        """;

    // The chunk's match records, in row order: each takes the next match_records seq (0014) as it is inserted,
    // and under the resolution lock no one else takes one, so the chunk's seqs run first..last without gaps
    // in row order — what CandidateIndex.FileWrittenAsync needs to file them from memory.
    private const string WriteMatchRecordsSql =
        """
        WITH written AS (
            INSERT INTO match_records (source_record_id, person_id, valid_curp, invalid_curp, given_key, given_significant, given_phonetic,
                                       paternal_key, paternal_phonetic, maternal_key, maternal_phonetic, birth_date, sex, postal_code,
                                       municipality, phone, name_from_full_name, other_id, street_key)
            SELECT s.source_record_id, d.person_id, m.valid_curp, m.invalid_curp, m.given_key, m.given_significant, m.given_phonetic,
                   m.paternal_key, m.paternal_phonetic, m.maternal_key, m.maternal_phonetic, m.birth_date, m.sex, m.postal_code,
                   m.municipality, m.phone, m.name_from_full_name, m.other_id, m.street_key
              FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number JOIN stage_match m ON m.row_number = s.row_number
             ORDER BY s.row_number
            RETURNING seq)
        SELECT coalesce(min(seq), 0), coalesce(max(seq), 0), count(*)::int FROM written
        """;

    /// <summary>Writes the chunk's match records; returns the seqs they took and how many there are.</summary>
    private static async Task<(long First, long Last, int Count)> WriteMatchRecordsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(WriteMatchRecordsSql, connection, tx);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2));
    }

    // The completion (second transaction): the name and birth-date frequencies the chunk's new records add, progress of
    // the extract — resolved once every accepted row is — and the chunk's mark. Unchanged rows are counted
    // from what the identity phase recorded. Frequencies are counted here, outside the lock (only the
    // scoring before the lock reads them, as they stand), from the chunk's records as stored: the same on
    // a redelivery that completes a chunk whose first completion never committed.
    private const string CompletionSql =
        """
        INSERT INTO term_frequencies (field, value, n)
        SELECT field, value, count(*)
          FROM source_records sr JOIN match_records m ON m.source_record_id = sr.id
         CROSS JOIN LATERAL (VALUES ('given_names', nullif(m.given_key, '')), ('given_names', CASE WHEN m.given_key <> '' THEN '' END),
                                    ('paternal_surname', m.paternal_key), ('paternal_surname', CASE WHEN m.paternal_key IS NOT NULL THEN '' END),
                                    ('maternal_surname', m.maternal_key), ('maternal_surname', CASE WHEN m.maternal_key IS NOT NULL THEN '' END),
                                    ('birth_date', to_char(m.birth_date, 'YYYY-MM-DD')), ('birth_date', CASE WHEN m.birth_date IS NOT NULL THEN '' END)) v(field, value)
         WHERE sr.extract_id = @extract AND sr.row_number BETWEEN @first AND @last AND value IS NOT NULL
         GROUP BY field, value
         ORDER BY field, value
        ON CONFLICT (field, value) DO UPDATE SET n = term_frequencies.n + excluded.n;
        UPDATE extracts
           SET rows_resolved = rows_resolved + @n,
               rows_unchanged = rows_unchanged + (SELECT count(*) FROM unchanged_rows
                                                   WHERE extract_id = @extract AND row_number BETWEEN @first AND @last),
               status = CASE WHEN rows_accepted IS NOT NULL AND rows_resolved + @n >= rows_accepted THEN 'resolved' ELSE status END,
               resolved_at = CASE WHEN rows_accepted IS NOT NULL AND rows_resolved + @n >= rows_accepted THEN now() ELSE resolved_at END
         WHERE id = @extract;
        UPDATE extract_chunks SET completed_at = now() WHERE extract_id = @extract AND chunk_index = @chunk;
        """;
}

/// <summary>The deterministic identity keys of a row. Only a CURP that is valid and consistent with its row is a key (<see cref="MatchRecord.IdentityCurp"/>).</summary>
public readonly record struct IdentityKeys(string? ValidCurp, string? Curp, string? AgencyPerson, string Row, string? Household)
{
    /// <param name="valid">The row's <see cref="MatchRecord.IdentityCurp"/>, as its match record already holds it.</param>
    public static IdentityKeys For(string agencyCode, Guid extractId, SourceRow row, string? valid)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new IdentityKeys(
            valid,
            valid is null ? null : "curp:" + valid,
            string.IsNullOrWhiteSpace(row.AgencyPersonId) ? null : $"agency:{agencyCode}:{row.AgencyPersonId.Trim()}",
            $"row:{extractId:N}:{row.RowNumber}",
            string.IsNullOrWhiteSpace(row.AgencyHouseholdId) ? null : $"household:{agencyCode}:{row.AgencyHouseholdId.Trim()}");
    }
}

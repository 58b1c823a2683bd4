using Npgsql;
using NpgsqlTypes;
using Registry.Contracts;
using Registry.Matching;
using Registry.Persons;
using Registry.Review;
using static Registry.Resolution.Steps.StagingCopy;

namespace Registry.Resolution.Steps;

/// <summary>
/// Step 5, under the resolution lock: <b>where a chunk's lineage is written</b> — who-is-who and why. Persons
/// (a new one with its golden record), their deterministic keys, one source record per row, its match
/// decision (rule, key or score with per-field evidence, thresholds, model version), the unchanged rows'
/// links to the records they repeat, the match records later chunks are matched against, and merges (append-only
/// identity events, <see cref="IdentityWriter"/>). Review proposals are only kept here (<see cref="ReviewTasks.KeepAsync"/>):
/// the attachments write them as tasks.
/// Service events and household memberships are not written here but after the commit (<see cref="AttachmentsStep"/>),
/// to the person each source record names then: a merge here moves the merged person's existing ones (it holds the
/// attachments lock for that), and this chunk's follow its records.
/// </summary>
internal static class IdentityLedgerStep
{
    private static readonly string PersonsSql = StepSql.Load("IdentityLedgerStep.Persons.sql");
    private static readonly string PersonKeysSql = StepSql.Load("IdentityLedgerStep.PersonKeys.sql");
    private static readonly string SourceRecordsSql = StepSql.Load("IdentityLedgerStep.SourceRecords.sql");
    private static readonly string MatchDecisionsSql = StepSql.Load("IdentityLedgerStep.MatchDecisions.sql");
    private static readonly string ExclusionsSql = StepSql.Load("IdentityLedgerStep.Exclusions.sql");
    private static readonly string ResidencesSql = StepSql.Load("IdentityLedgerStep.Residences.sql");
    private static readonly string UnchangedRowsSql = StepSql.Load("IdentityLedgerStep.UnchangedRows.sql");
    // The chunk's match records, in row order: each takes the next match_records seq (0014) as it is inserted,
    // and under the resolution lock no one else takes one, so the chunk's seqs run first..last without gaps
    // in row order — what CandidateIndex.FileWrittenAsync needs to file them from memory.
    private static readonly string MatchRecordsSql = StepSql.Load("IdentityLedgerStep.MatchRecords.sql");
    private static readonly string TermFrequenciesSql = StepSql.WithFrequencyTerms(StepSql.Load("IdentityLedgerStep.TermFrequencies.sql"));
    private static readonly string StagedTermFrequenciesSql = StepSql.Load("IdentityLedgerStep.TermFrequencies.Staged.sql");
    private static readonly string CloseEpochSql = StepSql.Load("IdentityLedgerStep.CloseEpoch.sql");
    private static readonly string FoldFrequenciesSql = StepSql.Load("IdentityLedgerStep.FoldFrequencies.sql");

    /// <summary>
    /// Chunks an epoch lasts: the name frequencies and the registry's size scoring reads change every
    /// this many chunks, at the same chunks in every run. A chunk scored before its turn is scored again in it only
    /// when an epoch closed meanwhile; the frequencies lag the registry by fewer than this many chunks.
    /// </summary>
    public const int EpochChunks = 8;

    /// <summary>
    /// Persons, person keys, source records and match decisions, set-based from staging. Persons created by this
    /// chunk get their golden record in their INSERT (all their records are in hand): a person of one record the
    /// one staged with its row, any other computed now. The records a household's territory must not follow are marked
    /// here, against the persons' names as they stand; new persons' residences and territories are written by the
    /// attachments (<see cref="AttachmentsStep"/>), or by <see cref="WriteResidencesAsync"/> in a chunk that attaches in
    /// its identity phase. What the chunk stored is logged for the known-row probes of others (<see cref="IdentityChanges"/>).
    /// </summary>
    /// <returns>The persons this chunk created, with their records.</returns>
    public static async Task<Dictionary<Guid, List<GoldenSource>>> WriteLinksAsync(NpgsqlConnection connection, NpgsqlTransaction tx,
        ResolveSourceRows chunk, MatchModel model, List<PreparedRow> prepared, StagingStep.Staged staged, KnownRows known,
        ChunkDecisions decisions, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("identity-ledger", locked: true);
        var fresh = FreshPersons(prepared, staged.Sources, decisions);
        var computed = fresh.Where(kv => kv.Value.Count > 1 || !staged.Singles.ContainsKey(kv.Value[0].SourceRecordId))
            .ToDictionary(kv => kv.Key, kv => GoldenRecordWriter.Compute(kv.Value));
        await CopyDecisionsAsync(connection, decisions, known.Known, computed, ct);
        Mark("ledger-stage-decisions");
        await StepSql.ExecuteAsync(connection, tx, PersonsSql, ct);
        Mark("ledger-persons");
        await StepSql.ExecuteAsync(connection, tx, PersonKeysSql, ct);
        Mark("ledger-person-keys");
        await StepSql.ExecuteAsync(connection, tx, SourceRecordsSql, ct, ("extract", chunk.ExtractId), ("feed", chunk.FeedCode), ("agency", chunk.AgencyCode));
        Mark("ledger-source-records");
        await StepSql.ExecuteAsync(connection, tx, MatchDecisionsSql, ct,
            ("model", model.Version), ("link", model.LinkThreshold), ("review", model.ReviewThreshold));
        Mark("ledger-match-decisions");
        await IdentityChanges.LogAsync(connection, tx, KnownRowsStep.ChangesOf(prepared, known, decisions), ct);
        Mark("ledger-identity-changes");
        await StepSql.ExecuteAsync(connection, tx, ExclusionsSql, ct);
        Mark("ledger-territory-exclusions");
        return fresh;
    }

    /// <summary>
    /// A chunk holding the attachments lock in its identity phase (it merges persons or claims known persons' residences):
    /// its new persons' residences and its claims, in this commit, so every territory it moves changes at once.
    /// </summary>
    public static async Task WriteResidencesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, StagingStep.Staged staged, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("residences", locked: true);
        await StepSql.ExecuteAsync(connection, tx, ResidencesSql, ct, ("claims", staged.ResidenceAuthoritative));
    }

    /// <summary>Unchanged rows, match records and the frequencies they add (closing the epoch every <see cref="EpochChunks"/> chunks), and the kept review proposals.</summary>
    /// <returns>The seqs the chunk's match records took, how many there are, and whether the chunk closed an epoch (then
    /// <see cref="FoldFrequenciesAsync"/> after its commit).</returns>
    public static async Task<((long First, long Last, int Count) Written, bool ClosedEpoch)> WriteMatchesAsync(NpgsqlConnection connection, NpgsqlTransaction tx,
        ResolveSourceRows chunk, MatchModel model, List<PreparedRow> prepared, ChunkDecisions decisions, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("identity-ledger-matches", locked: true);
        await StepSql.ExecuteAsync(connection, tx, UnchangedRowsSql, ct, ("extract", chunk.ExtractId));
        Mark("ledger-unchanged");
        var written = await WriteMatchRecordsAsync(connection, tx, ct);
        Mark("ledger-match-records");
        // Every staged row became a match record: the frequencies counted before the lock are the chunk's.
        var frequencies = written.Count == prepared.Count ? StagedTermFrequenciesSql : TermFrequenciesSql;
        var closed = await StepSql.ScalarAsync(connection, tx, frequencies, ct, ("records", (long)written.Count)) is long chunks && chunks >= EpochChunks;
        if (closed)
        {
            Mark("ledger-frequencies");
            await StepSql.ExecuteAsync(connection, tx, CloseEpochSql, ct);
            Mark("ledger-close-epoch");
        }
        else Mark("ledger-frequencies");
        await ReviewTasks.KeepAsync(connection, chunk.ExtractId, chunk.ChunkIndex, decisions.Reviews, model, ct);
        Mark("ledger-reviews-kept");
        return (written, closed);
    }

    /// <summary>
    /// The chunk's merges (append-only identity events, <see cref="IdentityWriter"/>): they move the merged persons' service
    /// events and memberships, so the caller holds the attachments lock.
    /// </summary>
    public static async Task MergeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, MatchModel model, List<PreparedRow> prepared,
        ChunkDecisions decisions, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("identity-ledger-merges", locked: true);
        var byRow = prepared.ToDictionary(p => p.Row.RowNumber);
        foreach (var merge in decisions.Merges)
            await IdentityWriter.MergeAsync(connection, tx, merge, byRow[merge.BridgingRow].SourceRecordId, model.Version, ct);
    }

    /// <summary>
    /// After the identity commit of a chunk that closed an epoch, outside the lock: the closed epochs' frequencies folded
    /// into <c>term_frequencies</c>. Readers count them either way (<see cref="TermFrequencies.LoadAsync"/>), so this
    /// changes no score; it keeps the set-aside rows few.
    /// </summary>
    public static async Task FoldFrequenciesAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("frequency-fold");
        await using var fold = new NpgsqlCommand(FoldFrequenciesSql, connection);
        await fold.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A profile mark on the step's span: the time since its previous mark, named after the statement that took it.</summary>
    private static void Mark(string name) => System.Diagnostics.Activity.Current?.AddEvent(new System.Diagnostics.ActivityEvent(name));

    /// <summary>Persons created by this chunk: all their records are in hand, nothing to read back.</summary>
    private static Dictionary<Guid, List<GoldenSource>> FreshPersons(List<PreparedRow> prepared, Dictionary<Guid, GoldenSource> sources, ChunkDecisions decisions)
    {
        var created = decisions.Rows.Where(d => d.CreatedPerson).Select(d => d.PersonId).ToHashSet();
        var byRow = prepared.ToDictionary(p => p.Row.RowNumber);
        return decisions.Rows.Where(d => created.Contains(d.PersonId))
            .GroupBy(d => d.PersonId)
            .ToDictionary(g => g.Key, g => g.Select(d => sources[byRow[d.RowNumber].SourceRecordId]).ToList());
    }

    private static async Task<(long First, long Last, int Count)> WriteMatchRecordsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(MatchRecordsSql, connection, tx);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2));
    }

    // The COPY column list stays here, next to the values written in the same order.
    private static async Task CopyDecisionsAsync(NpgsqlConnection connection, ChunkDecisions decisions, Dictionary<int, KnownRow> known,
        Dictionary<Guid, GoldenWrite> computed, CancellationToken ct)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY stage_decisions (row_number, matched_key, prev_id, prev_version, person_id, created_person, rule, score, evidence, " +
            "matched_source_record_id, golden, g_curp, g_given, g_paternal, g_maternal, g_sex, g_birth, g_anchor, r_view, r_golden, r_name_seen) FROM STDIN (FORMAT BINARY)", ct);
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
            await writer.WriteAsync(d.Rule.Code(), NpgsqlDbType.Text, ct);
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
}

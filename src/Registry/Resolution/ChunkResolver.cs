using Npgsql;
using Registry.Contracts;
using Registry.Matching;
using Registry.Persons;
using Registry.Resolution.Steps;
using Registry.Storage;

namespace Registry.Resolution;

/// <summary>
/// Applies one chunk of accepted rows to the registry: the order of its named steps (<c>Steps/</c>, each with
/// its SQL in <c>Steps/*.sql</c> and its own trace span, <see cref="ResolutionTelemetry"/>), in three transactions.
/// The identity phase:
/// <list type="number">
/// <item><see cref="StagingStep"/>: claims (extract, chunk), so a redelivered chunk is a no-op, and stages the rows;</item>
/// <item><see cref="KnownRowsStep"/>: drops rows already received unchanged, finds the deterministic keys that link a row
///   (probed before the lock, and again under it for the rows a writer since changed);</item>
/// <item><see cref="CandidatesStep"/>: every row's candidates from the <see cref="CandidateIndex"/> (shared blocking keys);</item>
/// <item><see cref="TurnStep"/> (canonical order): waits until every chunk before this one is resolved;</item>
/// <item><see cref="DecideStep"/>: <see cref="ChunkMatcher"/> scores (early, again in its turn if a frequency epoch closed
///   meanwhile) and decides in memory (link / review / new person / merge);</item>
/// <item><see cref="IdentityLedgerStep"/>: persons, person keys, source records, match decisions, match records and
///   merges — where lineage is written; the review proposals kept.</item>
/// </list>
/// Then, outside the resolution lock, <see cref="AttachmentsStep"/>: new persons' residences, households, memberships,
/// service events and review tasks, to the person each source record names by then (under the attachments lock, which orders them against merges and stewards) —
/// except for a chunk that merges persons or moves a known person's residence, which writes them in its identity phase
/// (all but its review tasks, which it writes after that commit in a transaction of their own, <see cref="AttachmentsStep.WriteReviewsAsync"/>);
/// and <see cref="CompletionStep"/>: golden records of the existing persons the chunk touched, the extract's progress,
/// and <c>extract_chunks.completed_at</c>. Nothing a later chunk's decisions read is written in either, so the next
/// chunk's identity phase runs meanwhile.
/// Concurrency: the decision phase and its writes run under the <see cref="ResolutionLock"/> (identity), so competing
/// consumers in any number of processes see each other's committed persons and never create two persons for
/// one identity (hard rule 7). Normalisation, staging, the first candidate lookup and the scoring it allows run
/// before it; what was written between that lookup and the lock is synced under it.
/// One index per process: pass the same <paramref name="index"/> to every resolver of a database. <paramref name="slots"/>
/// bound the chunks this process works on at once (none: every caller works at once).
/// </summary>
public sealed class ChunkResolver(NpgsqlDataSource dataSource, CandidateIndex? index = null, ResolutionSlots? slots = null)
{
    private readonly MatchModelStore models = new(dataSource);
    private readonly CandidatesStep candidates = new(index ?? new CandidateIndex());

    /// <summary>Tests only: runs after the candidates are read and before the lock is taken.</summary>
    internal Func<CancellationToken, Task>? BeforeLock { get; init; }

    /// <summary>Tests only: runs between the identity phase's commit and the attachments (a crash there).</summary>
    internal Func<CancellationToken, Task>? AfterIdentityCommit { get; init; }

    /// <summary>
    /// Applies the chunk as it arrives, whatever was applied before it (tests, and hosts configured with
    /// <c>Resolution:Order=arrival</c>): with competing consumers, a borderline row's person can then depend on timing.
    /// </summary>
    /// <returns>True when the chunk was applied now; false when it had been applied before.</returns>
    public async Task<bool> ApplyAsync(ResolveSourceRows chunk, CancellationToken ct) =>
        await ResolveAsync(chunk, patience: null, ct) == ChunkOutcome.Applied;

    /// <summary>
    /// Applies the chunk in its turn in the canonical order — extracts as registered, each one's chunks in order
    /// (<see cref="TurnStep"/>) — so the same extracts give the same persons however they are delivered. Waits while
    /// the chunks ahead of it get resolved; <see cref="ChunkOutcome.NotItsTurn"/> when none was for
    /// <paramref name="patience"/> (or many are ahead): the caller puts the chunk back on the queue.
    /// </summary>
    public Task<ChunkOutcome> ApplyInTurnAsync(ResolveSourceRows chunk, TimeSpan patience, CancellationToken ct) =>
        ResolveAsync(chunk, patience, ct);

    private async Task<ChunkOutcome> ResolveAsync(ResolveSourceRows chunk, TimeSpan? patience, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        using var span = ResolutionTelemetry.Chunk(chunk);
        // As it arrives, a chunk holds a slot throughout; in canonical order, only while it works before its turn.
        using var arrivalSlot = patience is null ? await TakeSlotAsync(ct) : null;
        var model = await models.CurrentAsync(ct);
        var prepared = PreparedRow.Of(chunk);

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (!await StagingStep.ClaimAsync(connection, tx, chunk, ct))
        {
            // Applied before: attach and complete now what never committed (a crash or error between the transactions).
            await tx.RollbackAsync(ct);
            var attached = await AttachmentsStep.RunAsync(connection, chunk, inHand: null, ct);
            // Attached before (in its identity phase, or by an earlier delivery): its review tasks may still be kept.
            if (!attached) await AttachmentsStep.WriteReviewsAsync(connection, chunk, ct);
            return await CompletionStep.RunAsync(connection, chunk, affected: null, inHand: null, ct) || attached
                ? ChunkOutcome.Applied : ChunkOutcome.AppliedBefore;
        }
        // In canonical order, a chunk far from its turn does no work yet: it waits briefly, or goes back to the queue.
        if (patience is { } near && !await TurnStep.WaitAsync(connection, tx, chunk, near, TurnStep.NearWindow, ct))
            return await NotItsTurnAsync(tx, ct);
        CandidateLookup early;
        DecideStep decide;
        StagingStep.Staged staged;
        KnownProbe probe;
        using (patience is null ? null : await TakeSlotAsync(ct))
        {
            await StagingStep.CreateTablesAsync(connection, tx, ct);
            // Before the lock, and before its turn: candidates as the registry stands now, and the scores they allow.
            early = await candidates.LookupAsync(connection, tx, prepared, ct);
            decide = await DecideStep.PrescoreAsync(connection, tx, model, prepared, early.Candidates, ct);
            staged = await StagingStep.CopyAsync(connection, tx, chunk.ExtractId, prepared, decide.Linking, ct);
            probe = await KnownRowsStep.ProbeAsync(connection, tx, chunk.FeedCode, ct);
        }
        // Its turn: every chunk before it resolved. Nothing else is applied until it commits.
        if (patience is { } exact)
        {
            if (!await TurnStep.WaitAsync(connection, tx, chunk, exact, 0, ct)) return await NotItsTurnAsync(tx, ct);
            decide = await decide.InTurnBeforeLockAsync(connection, tx, model, prepared, early.Candidates, ct);
        }
        if (BeforeLock is not null) await BeforeLock(ct);

        // Under the identity lock: deciding, and what later chunks' decisions read (persons, keys, source records, match
        // decisions and records, merges); the review proposals are only kept, for the attachments to write as tasks. Its share of the chunk's time is what caps many consumers.
        using (ResolutionTelemetry.Step("lock-wait")) await ResolutionLock.TakeIdentityAsync(connection, tx, ct);
        Dictionary<Guid, List<GoldenSource>> fresh;
        ChunkDecisions decisions;
        ((long First, long Last, int Count) Records, bool ClosedEpoch) written;
        bool attachHere;
        using (ResolutionTelemetry.Step(ResolutionTelemetry.LockHeldSpan))
        {
            var known = await KnownRowsStep.ReadAsync(connection, tx, chunk.FeedCode, prepared, probe, ct);
            var found = await candidates.CatchUpAsync(connection, tx, early, prepared, known, ct);
            decide = await decide.InTurnAsync(connection, tx, model, prepared, found, ct);
            decisions = await decide.DecideAsync(connection, tx, known, found, candidates.Index, ct);
            // A merge moves the merged person's service events and memberships, and territories through their triggers; a
            // residence claim about a known person moves territories. Such a chunk writes its attachments here, under both
            // locks and in this transaction, as before: a territory its merge or claim gives a household and its own
            // memberships take away (a person who moved) must never be live for a moment between two commits — a past
            // territory grants access for a grace period (ResidenceTerritoryTests). Every other chunk attaches after the commit.
            attachHere = decisions.Merges.Count > 0 || (staged.ResidenceAuthoritative && decisions.Rows.Any(r => !r.CreatedPerson));
            fresh = await IdentityLedgerStep.WriteLinksAsync(connection, tx, chunk, decide.Model, prepared, staged, known, decisions, ct);
            written = await IdentityLedgerStep.WriteMatchesAsync(connection, tx, chunk, decide.Model, prepared, decisions, ct);
            if (attachHere)
            {
                // Taken only now, after the writes that do not need it: the previous chunk's attachments had that long to finish.
                using (ResolutionTelemetry.Step("attachments-lock-wait", locked: true)) await ResolutionLock.TakeAttachmentsAsync(connection, tx, ct);
                await IdentityLedgerStep.WriteResidencesAsync(connection, tx, staged, ct);
                await AttachmentsStep.WriteInIdentityPhaseAsync(connection, tx, chunk, ct);
                await IdentityLedgerStep.MergeAsync(connection, tx, decide.Model, prepared, decisions, ct);
                await HouseholdsStep.MergeAsync(connection, tx, ct, locked: true);
            }
            using (ResolutionTelemetry.Step("commit", locked: true)) await tx.CommitAsync(ct);
        }

        await candidates.FileAndSyncAsync(connection, written.Records, decisions, prepared, ct);
        if (written.ClosedEpoch)
        {
            await IdentityLedgerStep.FoldFrequenciesAsync(connection, ct);
            await IdentityChanges.PruneAsync(connection, ct);
        }
        if (AfterIdentityCommit is not null) await AfterIdentityCommit(ct);
        if (!attachHere) await AttachmentsStep.RunAsync(connection, chunk, [.. prepared.Select(p => (p.SourceRecordId, p.Row))], ct);
        else await AttachmentsStep.WriteReviewsAsync(connection, chunk, ct);
        var affected = decisions.Rows.Select(r => r.PersonId).Concat(decisions.Merges.Select(m => m.Survivor)).Distinct()
            .Where(id => !fresh.ContainsKey(id)).ToArray();
        await CompletionStep.RunAsync(connection, chunk, affected,
            new GoldenRecordWriter.ChunkInHand(chunk.ExtractId, chunk.FirstRow, chunk.LastRow, staged.Sources), ct);
        await CompletionStep.FlushIndexesAsync(connection, ct);
        return ChunkOutcome.Applied;
    }

    private async Task<IDisposable?> TakeSlotAsync(CancellationToken ct)
    {
        if (slots is null) return null;
        using (ResolutionTelemetry.Step("slot-wait")) return await slots.TakeAsync(ct);
    }

    private static async Task<ChunkOutcome> NotItsTurnAsync(NpgsqlTransaction tx, CancellationToken ct)
    {
        await tx.RollbackAsync(ct);
        return ChunkOutcome.NotItsTurn;
    }
}

/// <summary>What <see cref="ChunkResolver.ApplyInTurnAsync"/> did with a chunk.</summary>
public enum ChunkOutcome
{
    /// <summary>Applied now (or completed now, after an earlier attempt committed its identity phase only).</summary>
    Applied,

    /// <summary>Applied before: a redelivery, nothing changed.</summary>
    AppliedBefore,

    /// <summary>Not applied: chunks ahead of it in the canonical order were not resolved in time. Send it again.</summary>
    NotItsTurn,
}

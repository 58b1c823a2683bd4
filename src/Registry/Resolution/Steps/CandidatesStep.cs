using Npgsql;
using Registry.Matching;

namespace Registry.Resolution.Steps;

/// <summary>
/// Step 3: each row's candidates — registry records that share one of its blocking keys — from the process's
/// <see cref="CandidateIndex"/>. Looked up before the lock, with the registry as it stands then; under the lock
/// the index syncs only the match records written since and the lookup adds only what they
/// bring. After the commit the chunk's own records are filed from memory.
/// </summary>
internal sealed class CandidatesStep(CandidateIndex index)
{
    public CandidateIndex Index => index;

    public async Task<CandidateLookup> LookupAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<PreparedRow> prepared, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("candidates");
        var lookup = await index.LookupAsync(connection, tx, Lookups(prepared), ct);
        ResolutionTelemetry.CountFullBlocks(span, lookup.RowsMeetingFullBlocks, lookup.RowsOnlyInFullBlocks);
        return lookup;
    }

    /// <summary>Under the lock: the early candidates of the live rows, plus what was written since the lookup.</summary>
    public async Task<List<CandidateRecord>> CatchUpAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CandidateLookup early,
        List<PreparedRow> prepared, KnownRows known, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("catch-up", locked: true);
        var live = known.Rows.Select(r => r.RowNumber).ToHashSet();
        return await index.CatchUpAsync(connection, tx, early, Lookups(prepared.Where(p => live.Contains(p.Row.RowNumber))), ct);
    }

    /// <summary>
    /// After the commit: the chunk's own match records are filed from memory (as the sync would read them back),
    /// then the sync reads only what others wrote and what this chunk's merges moved.
    /// </summary>
    public async Task FileAndSyncAsync(NpgsqlConnection connection, (long First, long Last, int Count) written, ChunkDecisions decisions,
        List<PreparedRow> prepared, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("index-sync");
        var byRow = prepared.ToDictionary(p => p.Row.RowNumber);
        if (written.Count == decisions.Rows.Count)
            await index.FileWrittenAsync(written.First, written.Last,
                [.. decisions.Rows.OrderBy(d => d.RowNumber).Select(d => byRow[d.RowNumber].Features with { PersonId = d.PersonId })], ct);
        await index.SyncAsync(connection, ct);
    }

    private static IEnumerable<(int RowNumber, IReadOnlyList<ulong> QueryKeys)> Lookups(IEnumerable<PreparedRow> rows) =>
        rows.Select(p => (p.Row.RowNumber, (IReadOnlyList<ulong>)p.QueryKeys));
}

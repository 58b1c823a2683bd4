using Npgsql;
using Registry.Contracts;
using Registry.Persons;

namespace Registry.Resolution.Steps;

/// <summary>
/// Step 8, the chunk's second transaction, outside the resolution lock (nothing in it feeds a later chunk's
/// decisions): golden records of the existing persons it added records to or merged, the coverage of the households it touched, the extract's progress, and the chunk's completion mark. Runs once per
/// chunk: after the identity phase, or — when that committed but this did not (a crash, a deadlock) — on the
/// chunk's redelivery, with the persons read back from its source records.
/// </summary>
/// <remarks>
/// <c>CompletionStep.sql</c>: the extract is resolved once every accepted row is; unchanged rows are counted
/// from what the identity phase recorded. The frequencies the chunk's records add are counted in its identity phase
/// (<see cref="IdentityLedgerStep"/>): the next chunk in order scores against them.
/// </remarks>
internal static class CompletionStep
{
    private static readonly string ClaimSql = StepSql.Load("CompletionStep.Claim.sql");
    private static readonly string PersonsSql = StepSql.Load("CompletionStep.Persons.sql");
    private static readonly string CompletionSql = StepSql.Load("CompletionStep.sql");

    /// <returns>True when this call completed the chunk; false when it was complete already.</returns>
    public static async Task<bool> RunAsync(NpgsqlConnection connection, ResolveSourceRows chunk, Guid[]? affected,
        GoldenRecordWriter.ChunkInHand? inHand, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("completion");
        await using var tx = await connection.BeginTransactionAsync(ct);
        (string, object)[] range = [("extract", chunk.ExtractId), ("chunk", chunk.ChunkIndex), ("first", chunk.FirstRow), ("last", chunk.LastRow)];
        await StepSql.ExecuteAsync(connection, tx, "SET LOCAL jit = off", ct);
        await using (var claim = new NpgsqlCommand(ClaimSql, connection, tx))
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
            await using var persons = new NpgsqlCommand(PersonsSql, connection, tx);
            foreach (var (name, value) in range) persons.Parameters.AddWithValue(name, value);
            var ids = new List<Guid>();
            await using (var reader = await persons.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) ids.Add(reader.GetGuid(0));
            affected = [.. ids];
        }
        await GoldenRecordWriter.RefreshAsync(connection, tx, affected, ct, inHand);
        // Coverage of the households the identity phase marked: here, outside the resolution lock, and
        // before the chunk counts as complete, so an extract reported resolved has its coverage current.
        await StepSql.ExecuteAsync(connection, tx, Registry.Coverage.CoverageRefresh.PendingSql, ct);
        await StepSql.ExecuteAsync(connection, tx, CompletionSql, ct, [.. range, ("n", chunk.Rows.Count)]);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Merges the entries the chunk's identity phase left in the name and address indexes' pending lists into the
    /// indexes, here, outside every lock: otherwise the next insert to find a list full does it under the identity lock.
    /// </summary>
    public static async Task FlushIndexesAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("index-flush");
        await using var command = new NpgsqlCommand("SELECT registry_flush_pending_index_entries()", connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}

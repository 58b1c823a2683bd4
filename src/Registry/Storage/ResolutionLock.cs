using Npgsql;

namespace Registry.Storage;

/// <summary>
/// The one lock under which who-is-who changes: a chunk's decision phase, a steward's action, a
/// change of residence. Transaction-scoped (released at commit or rollback), so competing
/// resolvers in any number of processes and stewards never interleave, and a resolver sees every
/// person committed before it took the lock.
/// </summary>
public static class ResolutionLock
{
    /// <summary>The advisory lock key ("registry-resolve"); tests and operators look for it in <c>pg_locks</c>.</summary>
    public const long Key = 0x5245_534F_4C56;

    /// <summary>Waits for the lock and holds it until <paramref name="tx"/> ends.</summary>
    public static async Task TakeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@lock)", connection, tx);
        command.Parameters.AddWithValue("lock", Key);
        await command.ExecuteNonQueryAsync(ct);
    }
}

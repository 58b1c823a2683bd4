using Npgsql;

namespace Registry.Storage;

/// <summary>
/// The locks under which who-is-who, and what hangs off it, change. Both transaction-scoped (released at commit or
/// rollback), advisory, and always taken in this order — identity, then attachments — so they never deadlock:
/// <list type="bullet">
/// <item><b>Identity</b> (<see cref="Key"/>): what later chunks' decisions read — persons, person keys, source records,
///   match decisions, match records, merges. A resolver holds it for its decision phase, so competing
///   resolvers in any number of processes see each other's persons and never create two persons for one identity.</item>
/// <item><b>Attachments</b> (<see cref="AttachmentsKey"/>): service events, household memberships, household merges, review
///   tasks (a chunk's proposals, kept by its identity phase), new persons' residences, and the residences and territories their triggers keep. A chunk writes its own in a transaction of their own after its
///   identity commit, holding only this lock; a chunk that merges persons (which moves their service events and
///   memberships) or brings residence claims about existing persons (which move territories) takes it too, under the
///   identity lock, so no two writers of territories ever interleave.</item>
/// </list>
/// A steward's action and a change of residence take both (<see cref="TakeAsync"/>).
/// </summary>
public static class ResolutionLock
{
    /// <summary>The identity lock's key ("registry-resolve"); tests and operators look for it in <c>pg_locks</c>.</summary>
    public const long Key = 0x5245_534F_4C56;

    /// <summary>The attachments lock's key ("registry-attach").</summary>
    public const long AttachmentsKey = 0x5245_4154_5441;

    /// <summary>Both locks, in order: a steward's action or a change of residence, which may touch everything.</summary>
    public static async Task TakeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await TakeIdentityAsync(connection, tx, ct);
        await TakeAttachmentsAsync(connection, tx, ct);
    }

    /// <summary>The identity lock alone: a resolver's decision phase.</summary>
    public static Task TakeIdentityAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct) =>
        TakeAsync(connection, tx, Key, ct);

    /// <summary>
    /// The attachments lock: after the identity lock when both are held. Taking it first settles the residences of the
    /// persons that chunks committed since created (<c>registry_settle_residences</c>: their identity phases leave them
    /// to their attachments), so whoever moves territories next — a chunk's attachments, merges or residence claims, a
    /// steward — finds them in place, as if each chunk had written them in its identity phase.
    /// </summary>
    public static Task TakeAttachmentsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct) =>
        TakeAsync(connection, tx, AttachmentsKey, ct, then: "SELECT registry_settle_residences()");

    private static async Task TakeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long key, CancellationToken ct, string? then = null)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@lock)", connection, tx);
        command.Parameters.AddWithValue("lock", key);
        await command.ExecuteNonQueryAsync(ct);
        if (then is null) return;
        await using var settle = new NpgsqlCommand(then, connection, tx);
        await settle.ExecuteNonQueryAsync(ct);
    }
}

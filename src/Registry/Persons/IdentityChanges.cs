using Npgsql;
using NpgsqlTypes;
using Registry.Matching;

namespace Registry.Persons;

/// <summary>
/// The log of what each writer under the identity lock changed that a known-row probe reads
/// (<c>identity_changes</c>): the hashes of the record keys, CURP keys and agency keys a chunk stored, and the
/// persons whose keys a chunk or a move (merge, split) changed. A resolver probes its rows before the lock and, under
/// it, probes again only the rows this log names since — the rest read the same then as now. Entries are numbered
/// under the identity lock, so every snapshot sees a prefix of them; the last <see cref="Kept"/> are kept.
/// </summary>
public static class IdentityChanges
{
    /// <summary>Entries kept: a probe made before the oldest of them is made again for every row.</summary>
    public const int Kept = 256;

    /// <summary>A record key, within its feed. A collision only probes a row again.</summary>
    public static int RecordKeyHash(string feedCode, string recordKey) => KeyHash("record:" + feedCode + ":" + recordKey);

    /// <summary>A deterministic key (<c>curp:…</c>, <c>agency:…</c>). A collision only probes a row again.</summary>
    public static int KeyHash(string key) => unchecked((int)MatchRecord.KeyHash(key));

    /// <summary>A person whose keys changed. A collision only probes a row again.</summary>
    public static int PersonHash(Guid person) => KeyHash("person:" + person.ToString("N"));

    /// <summary>
    /// Under the identity lock: one entry, for a writer that stored keys or changed persons' keys — the hashes of both
    /// (<see cref="KeyHash"/>, <see cref="RecordKeyHash"/>, <see cref="PersonHash"/>).
    /// </summary>
    public static async Task LogAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IEnumerable<int> hashes, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("INSERT INTO identity_changes (keys) VALUES (@keys)", connection, tx);
        command.Parameters.Add(new NpgsqlParameter<int[]>("keys", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = [.. hashes.Distinct()] });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The SQL of the last entry's number, for a probe to read in its own snapshot.</summary>
    public const string LastSql = "(SELECT coalesce(max(id), 0) FROM identity_changes)";

    /// <summary>
    /// Under the identity lock: the hashes logged after entry <paramref name="through"/>; null when entries after it were
    /// pruned since (the caller probes everything again).
    /// </summary>
    public static async Task<HashSet<int>?> SinceAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long through, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "SELECT min(id) FROM identity_changes; SELECT keys FROM identity_changes WHERE id > @through", connection, tx);
        command.Parameters.AddWithValue("through", through);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        // Pruning removes the lowest entries: those after `through` are all here when the lowest kept is at most one past it.
        if (!reader.IsDBNull(0) && reader.GetInt64(0) > through + 1) return null;
        await reader.NextResultAsync(ct);
        var changed = new HashSet<int>();
        while (await reader.ReadAsync(ct)) changed.UnionWith(reader.GetFieldValue<int[]>(0));
        return changed;
    }

    /// <summary>Outside the locks: forgets all but the last <see cref="Kept"/> entries.</summary>
    public static async Task PruneAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "DELETE FROM identity_changes WHERE id <= (SELECT max(id) FROM identity_changes) - @kept", connection);
        command.Parameters.AddWithValue("kept", (long)Kept);
        await command.ExecuteNonQueryAsync(ct);
    }
}

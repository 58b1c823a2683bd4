using Npgsql;
using Registry.Matching;
using Registry.Review;
using Registry.Storage;

namespace Registry.Persons;

/// <summary>
/// Where merges, splits and review tasks are written. Every change of who-is-who is an
/// append-only <c>identity_events</c> row naming the source records it moved, the evidence and
/// who decided (the machine with its model version, or a steward with a reason); the current
/// state (source_records.person_id and what hangs off it) follows the events. A merged person
/// keeps its row and redirects to the survivor (<c>persons.merged_into</c>), so ids stay stable; the
/// review tasks a merge decides are settled with it (<see cref="ReviewTasks"/>).
/// </summary>
public static class IdentityWriter
{
    /// <summary>A machine merge: a record of this chunk bridged two registry persons.</summary>
    public static Task MergeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, MergeProposal merge, Guid bridgingRecord, string modelVersion, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(merge);
        return MergeAsync(connection, tx, merge.Survivor, merge.Merged, "machine",
            $"a new record (row {merge.BridgingRow}) matched both persons above the link threshold", merge.Score.Total,
            merge.Score.EvidenceJson(), modelVersion, bridgingRecord, reviewTask: null, ct);
    }

    /// <summary>Moves everything of <paramref name="merged"/> to <paramref name="survivor"/> and records the event.</summary>
    public static async Task<long> MergeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid survivor, Guid merged, string decidedBy,
        string reason, double? score, string? evidence, string? modelVersion, Guid? bridgingRecord, Guid? reviewTask, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            """
            WITH moved AS (SELECT coalesce(array_agg(id ORDER BY id), '{}') AS ids FROM source_records WHERE person_id = @merged)
            INSERT INTO identity_events (kind, person_id, other_person_id, source_record_ids, bridging_record, score, evidence,
                                         model_version, decided_by, reason, review_task_id)
            SELECT 'merge', @survivor, @merged, ids,
                   @bridge::uuid,
                   @score::float8, @evidence::jsonb, @model::text, @by, @reason, @task::uuid
              FROM moved
            RETURNING id;
            """, connection, tx);
        command.Parameters.AddWithValue("survivor", survivor);
        command.Parameters.AddWithValue("merged", merged);
        command.Parameters.AddWithValue("bridge", (object?)bridgingRecord ?? DBNull.Value);
        command.Parameters.AddWithValue("score", (object?)score ?? DBNull.Value);
        command.Parameters.AddWithValue("evidence", (object?)evidence ?? DBNull.Value);
        command.Parameters.AddWithValue("model", (object?)modelVersion ?? DBNull.Value);
        command.Parameters.AddWithValue("by", decidedBy);
        command.Parameters.AddWithValue("reason", reason);
        command.Parameters.AddWithValue("task", (object?)reviewTask ?? DBNull.Value);
        var eventId = (long)(await command.ExecuteScalarAsync(ct))!;
        await MoveAsync(connection, tx, merged, survivor, sourceRecords: null, ct);
        // The merged person keeps its golden record as it was (lineage), but its records are the survivor's now: what a
        // reader without a sensitive-sector grant sees of it is no longer derived from them, so its stored restricted view
        // is dropped (NULL: reads work it out from its records, which are none) — the survivor's is refreshed by the caller.
        await using var redirect = new NpgsqlCommand(
            """
            UPDATE persons SET merged_into = @survivor, updated_at = now(),
                   restricted_view = NULL, restricted_golden = NULL, restricted_name_seen = NULL
             WHERE id = @merged OR merged_into = @merged
            """, connection, tx);
        redirect.Parameters.AddWithValue("survivor", survivor);
        redirect.Parameters.AddWithValue("merged", merged);
        await redirect.ExecuteNonQueryAsync(ct);
        // Open review tasks of the two persons: theirs is decided, the merged one's follow the survivor.
        await ReviewTasks.SettleMergedAsync(connection, tx, survivor, merged, eventId, decidedBy, ct);
        return eventId;
    }

    /// <summary>
    /// Moves source records (all of <paramref name="from"/>'s when <paramref name="sourceRecords"/> is null)
    /// and what hangs off them — match features, service events, keys, household memberships — to <paramref name="to"/>.
    /// </summary>
    public static async Task MoveAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid from, Guid to, Guid[]? sourceRecords, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            """
            CREATE TEMP TABLE moving ON COMMIT DROP AS
            SELECT id FROM source_records WHERE person_id = @from AND (@all OR id = ANY(@records));
            UPDATE source_records SET person_id = @to WHERE id IN (SELECT id FROM moving);
            -- A new seq: resolvers that read this record before the resolution lock see that it moved (0014).
            UPDATE match_records SET person_id = @to, seq = nextval('match_records_seq') WHERE source_record_id IN (SELECT id FROM moving);
            UPDATE service_events SET person_id = @to WHERE source_record_id IN (SELECT id FROM moving);
            -- Deterministic keys follow the records that carry them.
            UPDATE person_keys k SET person_id = @to
             WHERE k.person_id = @from
               AND (@all OR EXISTS (SELECT 1 FROM match_decisions d WHERE d.matched_key = k.key AND d.source_record_id IN (SELECT id FROM moving))
                         OR k.key IN (SELECT 'curp:' || m.valid_curp FROM match_records m WHERE m.source_record_id IN (SELECT id FROM moving)));
            INSERT INTO household_members (household_id, person_id, relationship, valid_from, valid_to, source_record_id)
            SELECT household_id, @to, relationship, valid_from, valid_to, source_record_id
              FROM household_members WHERE person_id = @from AND (@all OR source_record_id IN (SELECT id FROM moving))
            ON CONFLICT DO NOTHING;
            DELETE FROM household_members WHERE person_id = @from AND (@all OR source_record_id IN (SELECT id FROM moving));
            DROP TABLE moving;
            """, connection, tx);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        command.Parameters.AddWithValue("all", sourceRecords is null);
        command.Parameters.AddWithValue("records", sourceRecords ?? []);
        await command.ExecuteNonQueryAsync(ct);
        // Resolvers that probed known rows before the lock probe again the rows of either person's keys (IdentityChanges).
        var keys = new List<int>();
        await using (var keysOf = new NpgsqlCommand("SELECT key FROM person_keys WHERE person_id = @from OR person_id = @to", connection, tx))
        {
            keysOf.Parameters.AddWithValue("from", from);
            keysOf.Parameters.AddWithValue("to", to);
            await using var reader = await keysOf.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) keys.Add(IdentityChanges.KeyHash(reader.GetString(0)));
        }
        await IdentityChanges.LogAsync(connection, tx, [.. keys, IdentityChanges.PersonHash(from), IdentityChanges.PersonHash(to)], ct);
    }
}

using Npgsql;
using Registry.Households;
using Registry.Persons;
using Registry.Storage;

namespace Registry.Review;

/// <summary>A steward's request conflicts with the registry's state; the message says why (shown to the steward as is). Malformed requests throw <see cref="ArgumentException"/>.</summary>
public sealed class StewardshipException(string message) : Exception(message);

public enum ReviewDecision
{
    Match,
    NonMatch,
}

/// <summary>
/// What stewards do: decide review tasks, merge and split persons by hand. Every action is an
/// append-only identity event naming the steward and the reason; a "different persons" decision
/// (non-match or split) becomes an exclusion the machine never overrides. Runs under the same
/// advisory lock as chunk resolution so a steward and a resolving worker never interleave.
/// </summary>
public sealed class Stewardship(NpgsqlDataSource dataSource)
{
    public async Task DecideAsync(Guid taskId, ReviewDecision decision, string steward, string reason, CancellationToken ct)
    {
        RequireReason(steward, reason);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ResolutionLock.TakeAsync(connection, tx, ct);

        // The task is a pair of persons, both current: merges re-point open tasks to the survivor.
        Guid personA, personB, record;
        Guid[] records;
        await using (var command = new NpgsqlCommand(
            """
            SELECT coalesce(pa.merged_into, pa.id), coalesce(pb.merged_into, pb.id), t.source_record_id, t.status,
                   coalesce((SELECT array_agg(r.source_record_id ORDER BY r.created_at, r.source_record_id) FROM review_task_records r WHERE r.task_id = t.id),
                            ARRAY[t.source_record_id])
              FROM review_tasks t
              JOIN persons pa ON pa.id = t.person_a
              JOIN persons pb ON pb.id = t.person_b
             WHERE t.id = @id FOR UPDATE OF t
            """, connection, tx))
        {
            command.Parameters.AddWithValue("id", taskId);
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct)) throw new KeyNotFoundException($"Review task {taskId} does not exist.");
            if (reader.GetString(3) != "open") throw new StewardshipException($"Review task {taskId} was already decided ({reader.GetString(3)}).");
            (personA, personB, record, records) = (reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetFieldValue<Guid[]>(4));
        }

        // Decided first, so the merge or exclusion below settles only the pair's other tasks, never this one.
        await using (var update = new NpgsqlCommand(
            "UPDATE review_tasks SET status = @status, decided_by = @by, decided_at = now(), decision_reason = @reason WHERE id = @id",
            connection, tx))
        {
            update.Parameters.AddWithValue("status", decision == ReviewDecision.Match ? "match" : "non-match");
            update.Parameters.AddWithValue("by", steward);
            update.Parameters.AddWithValue("reason", reason);
            update.Parameters.AddWithValue("id", taskId);
            await update.ExecuteNonQueryAsync(ct);
        }

        if (decision == ReviewDecision.Match)
        {
            if (personA != personB)
            {
                await EnsureNoCurpConflictAsync(connection, tx, personA, personB, ct);
                await EnsureNoDocumentConflictAsync(connection, tx, personA, personB, ct);
                var (survivor, merged) = personA.CompareTo(personB) < 0 ? (personA, personB) : (personB, personA);
                await IdentityWriter.MergeAsync(connection, tx, survivor, merged, steward, reason, null, null, null, record, taskId, ct);
                await GoldenRecordWriter.RefreshAsync(connection, tx, [survivor], ct);
            }
        }
        else
        {
            var eventId = await EventAsync(connection, tx, "review-non-match", personA, personB, records, steward, reason, taskId, ct);
            await ExcludeAsync(connection, tx, personA, personB, eventId, steward, ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>Merges <paramref name="merged"/> into <paramref name="survivor"/>; the merged id redirects from now on.</summary>
    public async Task MergeAsync(Guid survivor, Guid merged, string steward, string reason, CancellationToken ct)
    {
        RequireReason(steward, reason);
        if (survivor == merged) throw new ArgumentException("A person cannot be merged with itself.");
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ResolutionLock.TakeAsync(connection, tx, ct);
        await EnsureCurrentAsync(connection, tx, survivor, ct);
        await EnsureCurrentAsync(connection, tx, merged, ct);
        await EnsureNoCurpConflictAsync(connection, tx, survivor, merged, ct);
        await EnsureNoDocumentConflictAsync(connection, tx, survivor, merged, ct);
        await IdentityWriter.MergeAsync(connection, tx, survivor, merged, steward, reason, null, null, null, null, null, ct);
        await GoldenRecordWriter.RefreshAsync(connection, tx, [survivor], ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Moves the given source records of a person to a new person; the machine will not join them again.</summary>
    /// <returns>The new person's id.</returns>
    public async Task<Guid> SplitAsync(Guid person, IReadOnlyCollection<Guid> sourceRecords, string steward, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sourceRecords);
        RequireReason(steward, reason);
        if (sourceRecords.Count == 0) throw new ArgumentException("Name the source records to split off.");
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ResolutionLock.TakeAsync(connection, tx, ct);
        await EnsureCurrentAsync(connection, tx, person, ct);

        long owned, total;
        await using (var check = new NpgsqlCommand(
            "SELECT count(*) FILTER (WHERE id = ANY(@ids)), count(*) FROM source_records WHERE person_id = @person", connection, tx))
        {
            check.Parameters.AddWithValue("ids", sourceRecords.ToArray());
            check.Parameters.AddWithValue("person", person);
            await using var reader = await check.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            (owned, total) = (reader.GetInt64(0), reader.GetInt64(1));
        }
        if (owned != sourceRecords.Distinct().Count()) throw new StewardshipException("Some of the source records do not belong to this person.");
        if (owned == total) throw new StewardshipException("A split must leave at least one source record with the person.");

        var newPerson = Guid.CreateVersion7();
        await using (var create = new NpgsqlCommand(
            "INSERT INTO persons (id, golden_source_record_id) VALUES (@id, @anchor)", connection, tx))
        {
            create.Parameters.AddWithValue("id", newPerson);
            create.Parameters.AddWithValue("anchor", sourceRecords.First());
            await create.ExecuteNonQueryAsync(ct);
        }
        var eventId = await EventAsync(connection, tx, "split", person, newPerson, [.. sourceRecords], steward, reason, null, ct);
        await IdentityWriter.MoveAsync(connection, tx, person, newPerson, [.. sourceRecords], ct);
        await ExcludeAsync(connection, tx, person, newPerson, eventId, steward, ct);
        await GoldenRecordWriter.RefreshAsync(connection, tx, [person, newPerson], ct);
        await tx.CommitAsync(ct);
        return newPerson;
    }

    /// <summary>Merges household <paramref name="merged"/> into <paramref name="survivor"/>; the merged id redirects.</summary>
    public async Task MergeHouseholdsAsync(Guid survivor, Guid merged, string steward, string reason, CancellationToken ct)
    {
        RequireReason(steward, reason);
        if (survivor == merged) throw new ArgumentException("A household cannot be merged with itself.");
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ResolutionLock.TakeAsync(connection, tx, ct);
        foreach (var id in new[] { survivor, merged }) await EnsureCurrentHouseholdAsync(connection, tx, id, ct);
        await HouseholdMerger.MergeAsync(connection, tx, survivor, merged, [], reason, steward, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Moves some members of a household to a new household; returns its id.</summary>
    public async Task<Guid> SplitHouseholdAsync(Guid household, IReadOnlyCollection<Guid> members, string steward, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(members);
        RequireReason(steward, reason);
        if (members.Count == 0) throw new ArgumentException("Name the members to move to a new household.");
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ResolutionLock.TakeAsync(connection, tx, ct);
        await EnsureCurrentHouseholdAsync(connection, tx, household, ct);
        await using (var check = new NpgsqlCommand(
            "SELECT count(*) FILTER (WHERE person_id = ANY(@members)), count(*) FROM household_members WHERE household_id = @id", connection, tx))
        {
            check.Parameters.AddWithValue("members", members.ToArray());
            check.Parameters.AddWithValue("id", household);
            await using var reader = await check.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            if (reader.GetInt64(0) != members.Distinct().Count()) throw new StewardshipException("Some of the persons are not members of this household.");
            if (reader.GetInt64(0) == reader.GetInt64(1)) throw new StewardshipException("A split must leave at least one member in the household.");
        }
        var created = await HouseholdMerger.SplitAsync(connection, tx, household, [.. members], reason, steward, ct);
        await tx.CommitAsync(ct);
        return created;
    }

    private static async Task EnsureCurrentHouseholdAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid household, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT merged_into FROM households WHERE id = @id", connection, tx);
        command.Parameters.AddWithValue("id", household);
        var result = await command.ExecuteScalarAsync(ct);
        if (result is null) throw new KeyNotFoundException($"Household {household} does not exist.");
        if (result is Guid survivor) throw new StewardshipException($"Household {household} was merged into {survivor}; act on that household.");
    }

    private static void RequireReason(string steward, string reason)
    {
        if (string.IsNullOrWhiteSpace(steward)) throw new ArgumentException("The steward's identity is required.");
        if (string.IsNullOrWhiteSpace(reason)) throw new ArgumentException("A reason is required: auditors read it.");
        if (reason.Length > 2000) throw new ArgumentException("The reason is longer than 2000 characters.");
    }

    private static async Task EnsureCurrentAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid person, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT merged_into FROM persons WHERE id = @id", connection, tx);
        command.Parameters.AddWithValue("id", person);
        var result = await command.ExecuteScalarAsync(ct);
        if (result is null) throw new KeyNotFoundException($"Person {person} does not exist.");
        if (result is Guid survivor) throw new StewardshipException($"Person {person} was merged into {survivor}; act on that person.");
    }

    private static async Task EnsureNoCurpConflictAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid a, Guid b, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT count(DISTINCT m.valid_curp)
              FROM source_records sr JOIN match_records m ON m.source_record_id = sr.id
             WHERE sr.person_id IN (@a, @b) AND m.valid_curp IS NOT NULL
            """, connection, tx);
        command.Parameters.AddWithValue("a", a);
        command.Parameters.AddWithValue("b", b);
        if ((long)(await command.ExecuteScalarAsync(ct))! > 1)
            throw new StewardshipException("The two persons carry different valid CURPs; they cannot be merged. Split the record with the wrong CURP first.");
    }

    /// <summary>Two different valid documents of one type (two cédulas, two NUIPs) are two people, for a steward too (hard rule 3, as for CURPs).</summary>
    private static async Task EnsureNoDocumentConflictAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid a, Guid b, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT string_agg(DISTINCT m.other_id, ', ' ORDER BY m.other_id)
              FROM source_records sr JOIN match_records m ON m.source_record_id = sr.id
             WHERE sr.person_id IN (@a, @b) AND m.other_id ~ '^(CC|TI|RC|CE|PA|PPT):'
             GROUP BY split_part(m.other_id, ':', 1)
            HAVING count(DISTINCT m.other_id) > 1
             LIMIT 1
            """, connection, tx);
        command.Parameters.AddWithValue("a", a);
        command.Parameters.AddWithValue("b", b);
        if (await command.ExecuteScalarAsync(ct) is string documents)
            throw new StewardshipException($"The two persons carry different valid documents of one type ({documents}); they cannot be merged. Split the record with the wrong number first.");
    }

    private static async Task<long> EventAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string kind, Guid person, Guid other,
        Guid[] records, string steward, string reason, Guid? task, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO identity_events (kind, person_id, other_person_id, source_record_ids, decided_by, reason, review_task_id)
            VALUES (@kind, @person, @other, @records, @by, @reason, @task::uuid) RETURNING id
            """, connection, tx);
        command.Parameters.AddWithValue("kind", kind);
        command.Parameters.AddWithValue("person", person);
        command.Parameters.AddWithValue("other", other);
        command.Parameters.AddWithValue("records", records);
        command.Parameters.AddWithValue("by", steward);
        command.Parameters.AddWithValue("reason", reason);
        command.Parameters.AddWithValue("task", (object?)task ?? DBNull.Value);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>"Different persons", both ways round; an open review task of the pair is settled by it.</summary>
    private static async Task ExcludeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid a, Guid b, long eventId, string steward, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO person_exclusions (person_a, person_b, event_id) VALUES (@a, @b, @e), (@b, @a, @e) ON CONFLICT DO NOTHING", connection, tx);
        command.Parameters.AddWithValue("a", a);
        command.Parameters.AddWithValue("b", b);
        command.Parameters.AddWithValue("e", eventId);
        await command.ExecuteNonQueryAsync(ct);
        await ReviewTasks.SettleExcludedAsync(connection, tx, a, b, eventId, steward, ct);
    }
}

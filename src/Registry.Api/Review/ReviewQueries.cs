using System.Text.Json;
using Dapper;
using Npgsql;
using Registry.Persons;

namespace Registry.Api.Review;

/// <summary>
/// The review queue as stewards see it (the record beside the candidate person, with the evidence)
/// and a person's identity history. Shared by the API and the pages.
/// </summary>
public sealed class ReviewQueries(NpgsqlDataSource db)
{
    public const int MaxPageSize = 200;
    public const int DefaultPageSize = 50;

    /// <summary>How a page of the queue is ordered: priority (default for open tasks), score (highest first), age (oldest first).</summary>
    public static readonly IReadOnlyList<string> Sorts = ["priority", "score", "age"];

    /// <summary>
    /// A page of tasks of one status, optionally of one reason (a <see cref="Registry.Matching.ReviewReason"/> code) and one feed
    /// (the feed of the record that asked), with the count per reason of the tasks that feed filter leaves. Open tasks come
    /// highest priority first unless <paramref name="sort"/> says score or age (the index <c>review_tasks_queue</c>
    /// serves the priority order); decided and settled ones newest decision first.
    /// </summary>
    public async Task<ReviewPage> ListAsync(string status, int page, int pageSize, CancellationToken ct,
        string? reason = null, string? feed = null, string? sort = null)
    {
        var size = Math.Clamp(pageSize, 1, MaxPageSize);
        var p = Math.Max(page, 1);
        await using var connection = await db.OpenConnectionAsync(ct);
        // Fixed strings chosen by name, never text from the request.
        var order = sort switch
        {
            "score" => "t.score DESC, t.created_at, t.id",
            "age" => "t.created_at, t.id",
            _ => status == "open" ? "t.priority DESC, t.created_at, t.id" : "t.decided_at DESC, t.id",
        };
        const string filter = """
             WHERE t.status = @status AND (@reason::text IS NULL OR t.reason = @reason)
               AND (@feed::text IS NULL OR EXISTS (SELECT 1 FROM source_records fr WHERE fr.id = t.source_record_id AND fr.feed_code = @feed))
            """;
        var args = new { status, reason, feed, size, offset = (p - 1) * size };
        var rows = await connection.QueryAsync<TaskRow>(new CommandDefinition(
            TaskSql + filter + $" ORDER BY {order} LIMIT @size OFFSET @offset", args, cancellationToken: ct));
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM review_tasks t" + filter, args, cancellationToken: ct));
        var byReason = (await connection.QueryAsync<(string Reason, long Count)>(new CommandDefinition(
            """
            SELECT t.reason, count(*) FROM review_tasks t
             WHERE t.status = @status
               AND (@feed::text IS NULL OR EXISTS (SELECT 1 FROM source_records fr WHERE fr.id = t.source_record_id AND fr.feed_code = @feed))
             GROUP BY t.reason ORDER BY count(*) DESC, t.reason
            """, args, cancellationToken: ct))).Select(r => new ReasonCount(r.Reason, r.Count)).ToList();
        return new ReviewPage(rows.Select(View).ToList(), p, size, total) { ByReason = byReason, Reason = reason, Feed = feed, Sort = sort ?? "priority" };
    }

    /// <summary>The feeds whose records asked about open tasks (for the queue's filter).</summary>
    public async Task<IReadOnlyList<string>> FeedsAsync(string status, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT sr.feed_code FROM review_tasks t JOIN source_records sr ON sr.id = t.source_record_id WHERE t.status = @status ORDER BY 1",
            new { status }, cancellationToken: ct))).AsList();
    }

    /// <summary>Merges, splits and steward decisions that involved a person, oldest first (append-only <c>identity_events</c>).</summary>
    public async Task<IReadOnlyList<IdentityEventView>> IdentityEventsAsync(Guid personId, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            """
            SELECT id, kind, person_id, other_person_id, source_record_ids, bridging_record, score, model_version, decided_by, reason, review_task_id, at
              FROM identity_events WHERE person_id = $1 OR other_person_id = $1 ORDER BY id
            """);
        command.Parameters.AddWithValue(personId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var events = new List<IdentityEventView>();
        while (await reader.ReadAsync(ct))
            events.Add(new IdentityEventView(reader.GetInt64(0), reader.GetString(1), reader.GetGuid(2), Nullable<Guid>(reader, 3),
                reader.GetFieldValue<Guid[]>(4), Nullable<Guid>(reader, 5), Nullable<double>(reader, 6),
                reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetString(8), reader.GetString(9), Nullable<Guid>(reader, 10),
                reader.GetDateTime(11)));
        return events;
    }

    private static T? Nullable<T>(NpgsqlDataReader reader, int i) where T : struct => reader.IsDBNull(i) ? null : reader.GetFieldValue<T>(i);

    /// <summary>One task, with every record that asked about its pair.</summary>
    public async Task<ReviewTaskView?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<TaskRow>(new CommandDefinition(TaskSql + " WHERE t.id = @id", new { id }, cancellationToken: ct));
        if (row is null) return null;
        var asked = await connection.QueryAsync<ReviewTaskRecord>(new CommandDefinition(
            """
            SELECT r.source_record_id AS SourceRecordId, sr.person_id AS PersonId, sr.agency_code AS AgencyCode, e.file_name AS FileName,
                   sr.row_number AS RowNumber, r.score AS Score, r.reason AS Reason, r.model_version AS ModelVersion, r.created_at AS CreatedAt
              FROM review_task_records r
              JOIN source_records sr ON sr.id = r.source_record_id
              JOIN extracts e ON e.id = sr.extract_id
             WHERE r.task_id = @id
             ORDER BY r.score DESC, r.created_at, r.source_record_id
            """, new { id }, cancellationToken: ct));
        return View(row) with { AskedBy = [.. asked] };
    }

    private static readonly string TaskSql =
        $"""
        SELECT t.id, t.status, t.score, t.reason, t.model_version, t.created_at, t.evidence::text AS evidence,
               sr.id AS record_id, sr.person_id AS record_person, sr.agency_code, sr.feed_code, e.file_name, e.sha256, sr.row_number, sr.data::text AS data,
               c.id AS candidate_id, c.curp, c.given_names, c.paternal_surname, c.maternal_surname, c.sex, c.birth_date,
               (SELECT count(*)::int FROM source_records x WHERE x.person_id = c.id) AS candidate_records,
               {GoldenDocument.ValueSql("c.golden", "phone")} AS candidate_phone, {GoldenDocument.ValueSql("c.golden", "postal_code")} AS candidate_postal_code,
               {GoldenDocument.ValueSql("c.golden", "municipality")} AS candidate_municipality,
               t.decided_by, t.decided_at, t.decision_reason,
               t.person_a, t.person_b, t.records, t.priority, t.household_members, t.sensitive, t.settlement, t.folded_into
          FROM review_tasks t
          JOIN source_records sr ON sr.id = t.source_record_id
          JOIN extracts e ON e.id = sr.extract_id
          JOIN persons c0 ON c0.id = t.candidate_person_id
          JOIN persons c ON c.id = coalesce(c0.merged_into, c0.id)
        """;

    private static ReviewTaskView View(TaskRow r) => new(
        r.Id, r.Status, r.Score, r.Reason, r.ModelVersion, r.CreatedAt, JsonDocument.Parse(r.Evidence).RootElement,
        new ReviewSide(r.RecordId, r.RecordPerson, r.AgencyCode, r.FeedCode, r.FileName, r.Sha256, r.RowNumber, JsonDocument.Parse(r.Data).RootElement),
        new CandidatePerson(r.CandidateId, r.Curp, r.GivenNames, r.PaternalSurname, r.MaternalSurname, r.Sex, r.BirthDate, r.CandidateRecords,
            r.CandidatePhone, r.CandidatePostalCode, r.CandidateMunicipality),
        r.DecidedBy, r.DecidedAt, r.DecisionReason,
        r.PersonA, r.PersonB, r.Records, r.Priority, r.HouseholdMembers, r.Sensitive, r.Settlement, r.FoldedInto);

    private sealed record TaskRow(
        Guid Id, string Status, double Score, string Reason, string ModelVersion, DateTime CreatedAt, string Evidence,
        Guid RecordId, Guid RecordPerson, string AgencyCode, string FeedCode, string FileName, string Sha256, int RowNumber, string Data,
        Guid CandidateId, string? Curp, string? GivenNames, string? PaternalSurname, string? MaternalSurname, string? Sex, DateOnly? BirthDate,
        int CandidateRecords, string? CandidatePhone, string? CandidatePostalCode, string? CandidateMunicipality, string? DecidedBy, DateTime? DecidedAt, string? DecisionReason,
        Guid? PersonA, Guid? PersonB, int Records, double Priority, int HouseholdMembers, bool Sensitive, string? Settlement, Guid? FoldedInto);
}

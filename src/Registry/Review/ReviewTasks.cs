using Npgsql;
using Registry.Contracts;
using Registry.Matching;

namespace Registry.Review;

/// <summary>
/// Where review tasks are opened, grown and settled. A task is a pair of persons, not a
/// record: the first record that asks about two persons opens it, every later one adds its evidence
/// (<c>review_task_records</c>) and the task keeps the best. A pair the registry has already decided asks
/// nothing: the same person, a steward's "different persons", or — below the link threshold — two
/// different valid CURPs. When such evidence arrives for an open task, the task is settled in the same
/// transaction, with a <c>review-settled</c> identity event naming why. Every statement here is
/// set-based; callers hold the attachments lock (a chunk's attachments, its merges, a steward), so "open task of this
/// pair" cannot change under them.
/// </summary>
public static class ReviewTasks
{
    /// <summary>
    /// Keeps the chunk's review proposals for its attachments (<see cref="WriteAsync"/>), in its identity phase: one COPY
    /// under the identity lock instead of the tasks' reads and writes, which no later chunk's decisions need.
    /// </summary>
    public static async Task KeepAsync(NpgsqlConnection connection, Guid extractId, int chunkIndex, IReadOnlyList<ReviewProposal> reviews,
        MatchModel model, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        ArgumentNullException.ThrowIfNull(model);
        if (reviews.Count == 0) return;
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY chunk_review_proposals (extract_id, chunk_index, ord, id, row_number, candidate_person_id, score, evidence, reason, " +
            "model_version, link_threshold, review_threshold) FROM STDIN (FORMAT BINARY)", ct);
        for (var i = 0; i < reviews.Count; i++)
        {
            var r = reviews[i];
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(extractId, NpgsqlTypes.NpgsqlDbType.Uuid, ct);
            await writer.WriteAsync(chunkIndex, NpgsqlTypes.NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(i + 1, NpgsqlTypes.NpgsqlDbType.Integer, ct);
            // Time-ordered ids (UUIDv7): a new task lands at the end of the primary key, not on a random page.
            await writer.WriteAsync(Storage.TimeOrderedIds.Next(), NpgsqlTypes.NpgsqlDbType.Uuid, ct);
            await writer.WriteAsync(r.RowNumber, NpgsqlTypes.NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(r.CandidatePersonId, NpgsqlTypes.NpgsqlDbType.Uuid, ct);
            await writer.WriteAsync(r.Score.Total, NpgsqlTypes.NpgsqlDbType.Double, ct);
            await writer.WriteAsync(r.Score.EvidenceJson(), NpgsqlTypes.NpgsqlDbType.Text, ct);
            await writer.WriteAsync(r.Reason.Code(), NpgsqlTypes.NpgsqlDbType.Text, ct);
            await writer.WriteAsync(model.Version, NpgsqlTypes.NpgsqlDbType.Text, ct);
            await writer.WriteAsync(model.LinkThreshold, NpgsqlTypes.NpgsqlDbType.Double, ct);
            await writer.WriteAsync(model.ReviewThreshold, NpgsqlTypes.NpgsqlDbType.Double, ct);
        }
        await writer.CompleteAsync(ct);
    }

    /// <summary>
    /// The chunk's review tasks, with its attachments (the caller holds the attachments lock, as every other writer of
    /// review tasks does — a chunk's merges, a steward — so "open task of this pair" cannot change under it; its
    /// memberships and service events are written first, for the tasks' household counts and sensitivity). First, open
    /// tasks whose persons a valid CURP or a birth date of the chunk's records now tells apart are settled; then each
    /// proposal kept by <see cref="KeepAsync"/> opens its pair's task or adds to it; then the kept proposals go. Persons
    /// are taken as they stand now: a merge or a split committed since the chunk's identity phase has moved its records.
    /// </summary>
    public static async Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, ResolveSourceRows chunk, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        // Profile marks on the caller's span (make bench-resolve, REGISTRY_PROFILE=1): each names the time since the one before.
        Mark("before-reviews");
        (string, object)[] range = [("extract", chunk.ExtractId), ("first", chunk.FirstRow), ("last", chunk.LastRow)];
        // The chunk's records read once, for both settlements: each would otherwise probe them again.
        var (curped, dated) = (new List<(Guid Person, Guid Record)>(), new List<(Guid Person, Guid Record)>());
        await using (var read = Command(ChunkRecordsSql, connection, tx, range))
        await using (var reader = await read.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
            {
                var record = (reader.GetGuid(0), reader.GetGuid(1));
                if (reader.GetBoolean(2)) curped.Add(record);
                if (reader.GetBoolean(3)) dated.Add(record);
            }
        Mark("reviews-chunk-records");
        await using (var byCurps = Command(SettleByCurpsSql(Touched, "NULL::bigint"), connection, tx, Arrays(curped)))
            await byCurps.ExecuteNonQueryAsync(ct);
        Mark("reviews-settle-curps");
        await using (var byDates = Command(SettleByBirthDatesSql, connection, tx, Arrays(dated))) await byDates.ExecuteNonQueryAsync(ct);
        Mark("reviews-settle-dates");
        await using (var proposals = Command(ProposalsSql, connection, tx, [("extract", chunk.ExtractId), ("chunk", chunk.ChunkIndex)]))
            await proposals.ExecuteNonQueryAsync(ct);
        Mark("reviews-proposals");

        static (string, object)[] Arrays(List<(Guid Person, Guid Record)> touched) =>
            [("persons", touched.Select(t => t.Person).ToArray()), ("records", touched.Select(t => t.Record).ToArray())];
    }

    private static void Mark(string name) => System.Diagnostics.Activity.Current?.AddEvent(new System.Diagnostics.ActivityEvent(name));

    private static NpgsqlCommand Command(string sql, NpgsqlConnection connection, NpgsqlTransaction tx, (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command;
    }

    // The chunk's records on the persons they stand on now, with whether each carries a valid CURP and a birth date — not
    // those whose row created its person: at a state's size most rows are new persons, and a task about one came after
    // every record of its creating chunk, so it weighed them. Driven from the chunk's row range, each record's match
    // record and decision probed by key: a join lets the planner hash match_records whole.
    private const string ChunkRecordsSql =
        """
        SELECT sr.person_id, sr.id, m.valid_curp IS NOT NULL, m.birth_date IS NOT NULL
          FROM source_records sr
         CROSS JOIN LATERAL (SELECT r.valid_curp, r.birth_date FROM match_records r WHERE r.source_record_id = sr.id) m
         WHERE sr.extract_id = @extract AND sr.row_number BETWEEN @first AND @last
           AND NOT EXISTS (SELECT 1 FROM match_decisions d WHERE d.source_record_id = sr.id AND d.created_person)
        """;

    // A settlement's persons (id) and the records that brought the evidence (record), as read by ChunkRecordsSql.
    private const string Touched = "SELECT id, record FROM unnest(@persons, @records) t(id, record)";

    /// <summary>
    /// After <paramref name="merged"/> was merged into <paramref name="survivor"/> (identity event <paramref name="mergeEvent"/>):
    /// their own open task is settled ("merged"); the merged person's other open tasks follow it to the survivor,
    /// folding into the survivor's open task of the same pair where there is one; and the survivor's tasks are
    /// settled where it now carries a valid CURP the other person contradicts. One round trip.
    /// </summary>
    public static async Task SettleMergedAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid survivor, Guid merged, long mergeEvent, string decidedBy, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(MergedSql + ";\n" + SettleByCurpsSql("SELECT @survivor AS id, NULL::uuid AS record", "@event"), connection, tx);
        command.Parameters.AddWithValue("survivor", survivor);
        command.Parameters.AddWithValue("merged", merged);
        command.Parameters.AddWithValue("event", mergeEvent);
        command.Parameters.AddWithValue("by", decidedBy);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A steward decided <paramref name="a"/> and <paramref name="b"/> are different persons (identity event <paramref name="exclusionEvent"/>): their open task, if any, is settled.</summary>
    public static async Task SettleExcludedAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid a, Guid b, long exclusionEvent, string decidedBy, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            """
            WITH settled AS (
                UPDATE review_tasks
                   SET status = 'settled', settlement = 'steward-different-persons', settled_by_event = @event,
                       decided_by = @by, decided_at = now(), decision_reason = 'settled: a steward decided these are different persons'
                 WHERE status = 'open' AND person_a = least(@a, @b) AND person_b = greatest(@a, @b)
                RETURNING id, person_a, person_b, decision_reason)
            INSERT INTO identity_events (kind, person_id, other_person_id, decided_by, reason, review_task_id)
            SELECT 'review-settled', person_a, person_b, @by, decision_reason, id FROM settled
            """, connection, tx);
        command.Parameters.AddWithValue("a", a);
        command.Parameters.AddWithValue("b", b);
        command.Parameters.AddWithValue("event", exclusionEvent);
        command.Parameters.AddWithValue("by", decidedBy);
        await command.ExecuteNonQueryAsync(ct);
    }

    // Two persons each with a valid CURP, and not the same one (a person carries at most one: two different
    // valid CURPs never join). Deterministic keys follow the records that carry them (IdentityWriter.MoveAsync).
    private static string DifferentCurps(string a, string b) =>
        $"""
        EXISTS (SELECT 1 FROM person_keys ka JOIN person_keys kb ON kb.person_id = {b} AND kb.key LIKE 'curp:%' AND kb.key <> ka.key
                 WHERE ka.person_id = {a} AND ka.key LIKE 'curp:%')
        """;

    // The open tasks of the persons in the CTE named touched (a column id), each side probed through its own index. Not
    // "person_a IN touched OR person_b IN touched": the planner cannot split that OR into index probes, so it read every
    // open task at every chunk — a cost that grew with the registry's open tasks. Statements join the result
    // (UPDATE … FROM): "id IN (…)" let the planner walk every open task too.
    private static string OpenTasksOf(string touched) =>
        $"""
        SELECT o.id FROM {touched} x JOIN review_tasks o ON o.person_a = x.id AND o.status = 'open'
        UNION SELECT o.id FROM {touched} x JOIN review_tasks o ON o.person_b = x.id AND o.status = 'open'
        """;

    // The reasons that ask "are the names (and the place) enough?": a steward looks for what tells namesakes apart. Not the
    // guards' questions (two valid CURPs or documents, bridges, contradicted keys), which are asked on purpose.
    private const string NameQuestions = "'review-band', 'names-only'";

    // Two persons whose records carry birth dates, none of one's near any of the other's: not equal, not day and month
    // swapped, and differing in more than one of year, month and day (a superset of the matcher's "one slip", so that a
    // pair the matcher could call one person with a typo is never settled). Namesakes born on other dates — a father and
    // his namesake son, two JOSÉ GARCÍAs of one colonia — are what the birth date tells apart; a steward would look at it.
    // Each person's dates are read from match_records by person (0007: an index that holds the dates, so an old person's
    // are read from the index alone): match_records.person_id moves with source_records.person_id in the same statements
    // (IdentityWriter.MoveAsync) and both are written in the identity ledger's one transaction. Going through the
    // person's source records and then each one's match record read two tables' pages at random per record, which at
    // a state's size no longer fit in memory.
    private static string DifferentBirthDates(string a, string b) =>
        $"""
        EXISTS (SELECT 1 FROM (SELECT ARRAY({DatesOf(a)}) AS da, ARRAY({DatesOf(b)}) AS db) x
                 WHERE cardinality(x.da) > 0 AND cardinality(x.db) > 0
                   AND NOT EXISTS (
                       SELECT 1 FROM unnest(x.da) ya(d), unnest(x.db) yb(d)
                        WHERE (extract(year FROM ya.d) <> extract(year FROM yb.d))::int
                              + (extract(month FROM ya.d) <> extract(month FROM yb.d))::int
                              + (extract(day FROM ya.d) <> extract(day FROM yb.d))::int <= 1
                           OR (extract(year FROM ya.d) = extract(year FROM yb.d)
                               AND extract(month FROM ya.d) = extract(day FROM yb.d)
                               AND extract(day FROM ya.d) = extract(month FROM yb.d))))
        """;

    // The birth dates of a person's records.
    private static string DatesOf(string person) =>
        $"SELECT m.birth_date FROM match_records m WHERE m.person_id = {person} AND m.birth_date IS NOT NULL";

    /// <summary>
    /// Settles the open name questions (<see cref="NameQuestions"/>) of the persons this chunk's dated rows went to when the
    /// two persons now carry birth dates that disagree (<see cref="DifferentBirthDates"/>): the record that brought the date
    /// answered the steward's question. A review-settled identity event names the record.
    /// </summary>
    private static readonly string SettleByBirthDatesSql =
        $"""
        WITH touched AS ({Touched}),
        open_tasks AS MATERIALIZED ({OpenTasksOf("touched")}),
        settled AS (
            UPDATE review_tasks t
               SET status = 'settled', settlement = 'different-birth-dates',
                   decided_by = 'machine', decided_at = now(), decision_reason = 'settled: the two persons carry birth dates that disagree'
              FROM open_tasks o
             WHERE t.id = o.id AND t.status = 'open' AND t.reason IN ({NameQuestions})
               AND {DifferentBirthDates("t.person_a", "t.person_b")}
            RETURNING t.id, t.person_a, t.person_b, t.decision_reason)
        INSERT INTO identity_events (kind, person_id, other_person_id, source_record_ids, decided_by, reason, review_task_id)
        SELECT 'review-settled', s.person_a, s.person_b,
               coalesce((SELECT array_agg(DISTINCT x.record) FROM touched x WHERE x.id IN (s.person_a, s.person_b)), ARRAY[]::uuid[]),
               'machine', s.decision_reason, s.id
          FROM settled s ORDER BY s.id
        """;

    /// <summary>
    /// Settles the open tasks of the <paramref name="touched"/> persons (a query of <c>id</c>, <c>record</c>: the record
    /// that brought the CURP, or null) whose two persons carry different valid CURPs. Not a task whose best score reached
    /// the link threshold (band 1): those are the "everything agrees but the CURP" pairs a steward is asked on purpose
    /// (one mistyped character the check digit cannot catch).
    /// </summary>
    private static string SettleByCurpsSql(string touched, string causeEvent) =>
        $$"""
        WITH touched AS ({{touched}}),
        open_tasks AS MATERIALIZED ({{OpenTasksOf("touched")}}),
        settled AS (
            UPDATE review_tasks t
               SET status = 'settled', settlement = 'different-valid-curps', settled_by_event = {{causeEvent}},
                   decided_by = 'machine', decided_at = now(), decision_reason = 'settled: the two persons carry different valid CURPs'
              FROM open_tasks o
             WHERE t.id = o.id AND t.status = 'open' AND t.band < 1
               AND {{DifferentCurps("t.person_a", "t.person_b")}}
            RETURNING t.id, t.person_a, t.person_b, t.decision_reason)
        INSERT INTO identity_events (kind, person_id, other_person_id, source_record_ids, decided_by, reason, review_task_id)
        SELECT 'review-settled', s.person_a, s.person_b,
               coalesce((SELECT array_agg(DISTINCT x.record) FROM touched x WHERE x.record IS NOT NULL AND x.id IN (s.person_a, s.person_b)), '{}'),
               'machine', s.decision_reason, s.id
          FROM settled s ORDER BY s.id
        """;

    // The chunk's kept proposals as pairs of current persons: the row's person as its source record names it now, the
    // candidate followed through merged_into. A pair that is one person, that a steward kept apart, or whose persons
    // carry different valid CURPs below the link threshold is decided: no task. Per pair the best proposal (score, then
    // row order) is the task's face; every proposal is kept as a record of the task. An open task of the pair grows;
    // otherwise one is created with the impact of its pair: the current members of both persons' households and whether
    // either has a service of a sensitive sector (the chunk's own memberships and services are written by then).
    private static readonly string ProposalsSql =
        $"""
        WITH kept AS (
            DELETE FROM chunk_review_proposals WHERE extract_id = @extract AND chunk_index = @chunk
            RETURNING *
        ), proposal AS (
            SELECT r.id, r.ord, s.id AS source_record_id, r.candidate_person_id AS candidate, r.score, r.evidence, r.reason,
                   r.model_version AS model, r.link_threshold AS link, r.review_threshold AS review,
                   least(s.person_id, coalesce(c.merged_into, c.id)) AS a, greatest(s.person_id, coalesce(c.merged_into, c.id)) AS b
              FROM kept r
             -- Probed by key, proposal by proposal (LIMIT keeps them apart from the planner's joins): it cannot weigh the
             -- kept rows, and hashed the registry's source records to join a handful of them.
             CROSS JOIN LATERAL (SELECT x.id, x.person_id FROM source_records x
                                  WHERE x.extract_id = r.extract_id AND x.row_number = r.row_number LIMIT 1) s
             CROSS JOIN LATERAL (SELECT x.id, x.merged_into FROM persons x WHERE x.id = r.candidate_person_id LIMIT 1) c
        ), wanted AS (
            SELECT p.* FROM proposal p
             WHERE p.a <> p.b
               AND NOT EXISTS (SELECT 1 FROM person_exclusions x WHERE x.person_a = p.a AND x.person_b = p.b)
               AND NOT (p.score < p.link AND {DifferentCurps("p.a", "p.b")})
               AND NOT (p.reason IN ({NameQuestions}) AND {DifferentBirthDates("p.a", "p.b")})
        ), pair AS (
            SELECT DISTINCT ON (w.a, w.b) w.a, w.b, w.id, w.source_record_id, w.candidate, w.score, w.evidence, w.reason, w.model,
                   count(*) OVER (PARTITION BY w.a, w.b) AS n,
                   CASE WHEN w.score >= w.link THEN 1 ELSE greatest(0, (w.score - w.review) / nullif(w.link - w.review, 0)) END AS band
              FROM wanted w ORDER BY w.a, w.b, w.score DESC, w.ord
        ), ends AS (
            SELECT p.a, p.b, x.id FROM pair p CROSS JOIN LATERAL (VALUES (p.a), (p.b)) x(id)
        ), pair_members AS (
            -- The current members of both persons' households.
            SELECT DISTINCT e.a, e.b, m2.person_id AS x FROM ends e
              JOIN household_members m1 ON m1.person_id = e.id AND m1.valid_to IS NULL
              JOIN household_members m2 ON m2.household_id = m1.household_id AND m2.valid_to IS NULL
        ), member_counts AS (
            SELECT a, b, count(*)::int AS n FROM pair_members GROUP BY a, b
        ), sensitive_pairs AS (
            -- Either person with a service of a sensitive sector.
            SELECT DISTINCT e.a, e.b FROM ends e WHERE EXISTS (SELECT 1 FROM service_events se WHERE se.person_id = e.id AND se.sector IN ('health', 'security'))
        ), impact AS (
            SELECT p.*, o.id AS existing, coalesce(mc.n, 0) AS members, sp.a IS NOT NULL AS sensitive
              FROM pair p LEFT JOIN review_tasks o ON o.status = 'open' AND o.person_a = p.a AND o.person_b = p.b
              LEFT JOIN member_counts mc ON mc.a = p.a AND mc.b = p.b
              LEFT JOIN sensitive_pairs sp ON sp.a = p.a AND sp.b = p.b
        ), created AS (
            INSERT INTO review_tasks (id, source_record_id, candidate_person_id, score, evidence, reason, model_version,
                                      person_a, person_b, records, band, household_members, sensitive)
            SELECT id, source_record_id, candidate, score, evidence::json, reason, model, a, b, n, band, members, sensitive
              FROM impact WHERE existing IS NULL
        ), grown AS (
            UPDATE review_tasks t
               SET records = t.records + i.n,
                   source_record_id = CASE WHEN i.score > t.score THEN i.source_record_id ELSE t.source_record_id END,
                   candidate_person_id = CASE WHEN i.score > t.score THEN i.candidate ELSE t.candidate_person_id END,
                   evidence = CASE WHEN i.score > t.score THEN i.evidence::json ELSE t.evidence END,
                   reason = CASE WHEN i.score > t.score THEN i.reason ELSE t.reason END,
                   model_version = CASE WHEN i.score > t.score THEN i.model ELSE t.model_version END,
                   score = greatest(t.score, i.score), band = greatest(t.band, i.band),
                   household_members = i.members, sensitive = i.sensitive
              FROM impact i WHERE t.id = i.existing
        )
        INSERT INTO review_task_records (source_record_id, candidate_person_id, task_id, score, evidence, reason, model_version)
        SELECT w.source_record_id, w.candidate, coalesce(i.existing, i.id), w.score, w.evidence::json, w.reason, w.model
          FROM wanted w JOIN impact i ON i.a = w.a AND i.b = w.b
        ON CONFLICT DO NOTHING
        """;

    // After a merge: the pair's own task is settled; the merged person's other open tasks fold into the survivor's
    // open task of the same pair (their records move there, the best evidence stays in front) or follow it to the survivor.
    private const string MergedSql =
        """
        WITH settled AS (
            UPDATE review_tasks
               SET status = 'settled', settlement = 'merged', settled_by_event = @event,
                   decided_by = @by, decided_at = now(), decision_reason = 'settled: the two persons were merged'
             WHERE status = 'open' AND person_a = least(@survivor, @merged) AND person_b = greatest(@survivor, @merged)
            RETURNING id, decision_reason)
        INSERT INTO identity_events (kind, person_id, other_person_id, decided_by, reason, review_task_id)
        SELECT 'review-settled', @survivor, @merged, @by, decision_reason, id FROM settled;

        WITH moving AS (
            SELECT t.*, CASE WHEN t.person_a = @merged THEN t.person_b ELSE t.person_a END AS other
              FROM review_tasks t WHERE t.status = 'open' AND (t.person_a = @merged OR t.person_b = @merged)
        ), folds AS (
            SELECT m.*, k.id AS keeper FROM moving m
              JOIN review_tasks k ON k.status = 'open' AND k.person_a = least(@survivor, m.other) AND k.person_b = greatest(@survivor, m.other)
        ), moved_records AS (
            UPDATE review_task_records r SET task_id = f.keeper FROM folds f WHERE r.task_id = f.id
        ), kept AS (
            UPDATE review_tasks k
               SET records = k.records + f.records,
                   source_record_id = CASE WHEN f.score > k.score THEN f.source_record_id ELSE k.source_record_id END,
                   candidate_person_id = CASE WHEN f.score > k.score THEN f.candidate_person_id ELSE k.candidate_person_id END,
                   evidence = CASE WHEN f.score > k.score THEN f.evidence ELSE k.evidence END,
                   reason = CASE WHEN f.score > k.score THEN f.reason ELSE k.reason END,
                   model_version = CASE WHEN f.score > k.score THEN f.model_version ELSE k.model_version END,
                   score = greatest(k.score, f.score), band = greatest(k.band, f.band),
                   household_members = greatest(k.household_members, f.household_members), sensitive = k.sensitive OR f.sensitive
              FROM folds f WHERE k.id = f.keeper
        )
        UPDATE review_tasks t
           SET status = 'folded', settlement = 'same-pair', folded_into = f.keeper,
               decided_by = @by, decided_at = now(), decision_reason = 'folded into the open task of the same two persons after a merge'
          FROM folds f WHERE t.id = f.id;

        UPDATE review_tasks
           SET person_a = least(@survivor, CASE WHEN person_a = @merged THEN person_b ELSE person_a END),
               person_b = greatest(@survivor, CASE WHEN person_a = @merged THEN person_b ELSE person_a END)
         WHERE status = 'open' AND (person_a = @merged OR person_b = @merged)
        """;
}

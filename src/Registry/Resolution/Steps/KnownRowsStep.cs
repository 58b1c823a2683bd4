using Npgsql;
using Registry.Matching;

namespace Registry.Resolution.Steps;

/// <summary>What the registry already knows of a live row: the version it supersedes, and the key that linked it.</summary>
internal readonly record struct KnownRow(Guid? PrevId, int? PrevVersion, string? MatchedKey);

/// <summary>The chunk's live rows in row order (the unchanged ones left staging), and what is known of each.</summary>
internal sealed record KnownRows(List<IncomingRow> Rows, Dictionary<int, KnownRow> Known);

/// <summary>
/// Step 2, under the resolution lock: one probe per row (<c>KnownRowsStep.sql</c>) says what is already known
/// of it. Re-sent rosters: a row whose record was already received with this content is unchanged (accounted
/// for, nothing new created), and so is a repeat of the same record and content earlier in this chunk; they
/// leave staging. A changed record becomes the next version of its latest source record. A known valid CURP,
/// then the agency's own person id, links a row deterministically.
/// </summary>
/// <remarks>
/// The probes are driven row by row from the chunk (LATERAL keeps them index probes): a join against the
/// feed's records lets the planner hash the whole feed once statistics lag, and a plain join on person keys
/// hashed every key. One probe reads the record key's versions (a handful at most): one with this content
/// makes the row unchanged; otherwise the latest is the version a changed record supersedes. The agency's
/// person id links only when it does not contradict a valid CURP: two different valid CURPs are two people
/// (hard rule 3). The person's CURPs are its CURP keys, written under this lock — not its golden record's CURP, which
/// completions refresh outside it: the same chunks in the same order then link the same rows however long the
/// completions before them took.
/// </remarks>
internal static class KnownRowsStep
{
    private static readonly string KnownSql = StepSql.Load("KnownRowsStep.sql");
    private static readonly string UnchangedSql = StepSql.Load("KnownRowsStep.Unchanged.sql");

    public static async Task<KnownRows> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string feedCode,
        List<PreparedRow> prepared, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("known-rows", locked: true);
        var byRow = prepared.ToDictionary(p => p.Row.RowNumber);
        var rows = new List<IncomingRow>(prepared.Count);
        var known = new Dictionary<int, KnownRow>(prepared.Count);
        var unchangedRows = new List<int>();
        var unchangedIds = new List<Guid>();
        var firstOfContent = new Dictionary<(string, string), Guid>();
        await using (var command = new NpgsqlCommand(KnownSql, connection, tx))
        {
            command.Parameters.AddWithValue("feed", feedCode);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) // in row order
            {
                var p = byRow[reader.GetInt32(0)];
                var content = (p.Row.RecordKey, p.Row.ContentHash);
                Guid? same = reader.IsDBNull(3) ? null : reader.GetGuid(3);
                if (same is null && firstOfContent.TryGetValue(content, out var first)) same = first;
                if (same is not null)
                {
                    unchangedRows.Add(p.Row.RowNumber);
                    unchangedIds.Add(same.Value);
                    continue;
                }
                firstOfContent[content] = p.SourceRecordId;
                Guid? person = reader.IsDBNull(4) ? null : reader.GetGuid(4);
                known[p.Row.RowNumber] = new KnownRow(reader.IsDBNull(1) ? null : reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetInt32(2),
                    person is null ? null : reader.GetString(5));
                LinkRule? rule = person is null ? null : reader.GetBoolean(6) ? LinkRule.ExactCurp : LinkRule.AgencyPersonId;
                rows.Add(new IncomingRow(p.Row.RowNumber, p.Features, person, rule, p.Keys.AgencyPerson));
            }
        }
        if (unchangedRows.Count > 0)
        {
            await using var command = new NpgsqlCommand(UnchangedSql, connection, tx);
            command.Parameters.AddWithValue("rows", unchangedRows.ToArray());
            command.Parameters.AddWithValue("ids", unchangedIds.ToArray());
            await command.ExecuteNonQueryAsync(ct);
        }
        return new KnownRows(rows, known);
    }
}

using Npgsql;
using Registry.Matching;
using Registry.Persons;

namespace Registry.Resolution.Steps;

/// <summary>What the registry already knows of a live row: the version it supersedes, and the key that linked it.</summary>
internal readonly record struct KnownRow(Guid? PrevId, int? PrevVersion, string? MatchedKey);

/// <summary>The chunk's live rows in row order (the unchanged ones left staging), and what is known of each.</summary>
internal sealed record KnownRows(List<IncomingRow> Rows, Dictionary<int, KnownRow> Known);

/// <summary>What one probe found of a row: its record key's versions, and the person a deterministic key names.</summary>
internal readonly record struct ProbedRow(Guid? LatestId, int? LatestVersion, Guid? SameId, Guid? Person, string? Key, bool ByCurp);

/// <summary>The probe made before the lock: each staged row's answer, and the last identity change it saw.</summary>
internal sealed record KnownProbe(long Through, Dictionary<int, ProbedRow> Rows);

/// <summary>
/// Step 2: one probe per row (<c>KnownRowsStep.sql</c>) says what is already known of it. Re-sent rosters: a row whose
/// record was already received with this content is unchanged (accounted for, nothing new created), and so is a repeat of
/// the same record and content earlier in this chunk; they leave staging. A changed record becomes the next version of its
/// latest source record. A known valid CURP, then the agency's own person id, links a row deterministically.
/// The rows are probed before the lock (<see cref="ProbeAsync"/>); under it (<see cref="ReadAsync"/>) only the rows whose
/// record key, CURP key, agency key or found person a writer logged since (<see cref="IdentityChanges"/>) are probed again,
/// so every row is decided on what the registry holds under the lock.
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
    private static readonly string KnownSql = StepSql.Load("KnownRowsStep.sql").Replace("/*identity-changes*/", IdentityChanges.LastSql, StringComparison.Ordinal);
    private static readonly string UnchangedSql = StepSql.Load("KnownRowsStep.Unchanged.sql");

    /// <summary>Before the lock: every staged row probed, with the last identity change the probe saw.</summary>
    public static async Task<KnownProbe> ProbeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string feedCode, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("known-rows-probe");
        var rows = new Dictionary<int, ProbedRow>();
        var through = await ProbeRowsAsync(connection, tx, feedCode, null, rows, ct);
        return new KnownProbe(through, rows);
    }

    /// <summary>
    /// Under the lock: the early probe's answers, the rows a writer changed since probed again; then the unchanged rows
    /// leave staging.
    /// </summary>
    public static async Task<KnownRows> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string feedCode,
        List<PreparedRow> prepared, KnownProbe early, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("known-rows", locked: true);
        var byRow = prepared.ToDictionary(p => p.Row.RowNumber);
        var probed = early.Rows;
        var changed = await IdentityChanges.SinceAsync(connection, tx, early.Through, ct);
        var again = changed is null ? null : early.Rows.Where(r => Touched(byRow[r.Key], r.Value, changed)).Select(r => r.Key).ToArray();
        span?.SetTag("registry.rows_probed_again", again?.Length ?? early.Rows.Count);
        if (again is null || again.Length > 0)
        {
            probed = new Dictionary<int, ProbedRow>(early.Rows);
            await ProbeRowsAsync(connection, tx, feedCode, again, probed, ct);
        }

        var rows = new List<IncomingRow>(prepared.Count);
        var known = new Dictionary<int, KnownRow>(prepared.Count);
        var unchangedRows = new List<int>();
        var unchangedIds = new List<Guid>();
        var firstOfContent = new Dictionary<(string, string), Guid>();
        foreach (var (rowNumber, found) in probed.OrderBy(r => r.Key)) // in row order
        {
            var p = byRow[rowNumber];
            var content = (p.Row.RecordKey, p.Row.ContentHash);
            var same = found.SameId;
            if (same is null && firstOfContent.TryGetValue(content, out var first)) same = first;
            if (same is not null)
            {
                unchangedRows.Add(p.Row.RowNumber);
                unchangedIds.Add(same.Value);
                continue;
            }
            firstOfContent[content] = p.SourceRecordId;
            known[p.Row.RowNumber] = new KnownRow(found.LatestId, found.LatestVersion, found.Person is null ? null : found.Key);
            LinkRule? rule = found.Person is null ? null : found.ByCurp ? LinkRule.ExactCurp : LinkRule.AgencyPersonId;
            rows.Add(new IncomingRow(p.Row.RowNumber, p.Features, found.Person, rule, p.Keys.AgencyPerson));
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

    /// <summary>
    /// What a chunk's identity phase logs for the probes of others (<see cref="IdentityChanges"/>): the record keys, CURP
    /// keys and agency keys of its live rows, and the existing persons it linked rows to (they may have gained keys).
    /// </summary>
    public static IEnumerable<int> ChangesOf(List<PreparedRow> prepared, KnownRows known, ChunkDecisions decisions) =>
        prepared.Where(p => known.Known.ContainsKey(p.Row.RowNumber)).SelectMany(p => p.ChangeHashes)
            .Concat(decisions.Rows.Where(d => !d.CreatedPerson).Select(d => IdentityChanges.PersonHash(d.PersonId)));

    // A row's early answer may be stale when a writer since stored its record key or one of its deterministic keys, or
    // changed the keys of the person it found (a merge or split moved them, or a row gave that person another CURP).
    private static bool Touched(PreparedRow p, ProbedRow found, HashSet<int> changed) =>
        p.ChangeHashes.Any(changed.Contains) || (found.Person is { } person && changed.Contains(IdentityChanges.PersonHash(person)));

    /// <summary>Probes the staged rows (<paramref name="only"/> those, when given) into <paramref name="into"/>.</summary>
    /// <returns>The last identity change the probe's snapshot saw.</returns>
    private static async Task<long> ProbeRowsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string feedCode, int[]? only,
        Dictionary<int, ProbedRow> into, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(KnownSql, connection, tx);
        command.Parameters.AddWithValue("feed", feedCode);
        command.Parameters.Add(new NpgsqlParameter<int[]?>("rows", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Integer) { TypedValue = only });
        await using var reader = await command.ExecuteReaderAsync(ct);
        long through = 0;
        while (await reader.ReadAsync(ct))
        {
            into[reader.GetInt32(0)] = new ProbedRow(
                reader.IsDBNull(1) ? null : reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetGuid(3), reader.IsDBNull(4) ? null : reader.GetGuid(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetBoolean(6));
            through = reader.GetInt64(7);
        }
        return through;
    }
}

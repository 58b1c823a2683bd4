using Npgsql;
using Registry.Contracts;

namespace Registry.Persons;

/// <summary>
/// A person's golden record as written: the per-field document (json text), the display copies in
/// <see cref="GoldenRecordWriter.Display"/> order, the anchor (the record the paternal surname came from;
/// null keeps the current one), and what a reader without a sensitive-sector grant sees of it.
/// </summary>
public sealed record GoldenWrite(string Document, string?[] Display, Guid? Anchor, RestrictedGolden Restricted)
{
    public void Deconstruct(out string document, out string?[] display, out Guid? anchor) =>
        (document, display, anchor) = (Document, Display, Anchor);
}

/// <summary>
/// Recomputes the golden record of persons from their current source records
/// (<see cref="GoldenRecord"/>) and stores it on the person: a document (<see cref="GoldenDocument"/>) with, per field,
/// the value, the source record it came from and the rule, plus display copies in the person's columns —
/// and, beside it, the golden record a reader without a sensitive-sector grant sees
/// (<see cref="RestrictedGolden"/>, persons.restricted_*). Every change of a person's sources ends here
/// (a chunk's new persons through <see cref="Compute"/> in their INSERT, everyone else through
/// <see cref="RefreshAsync"/>), so the two never disagree.
/// </summary>
public static class GoldenRecordWriter
{
    /// <summary>
    /// The golden record of a person from its sources, and the restricted one beside it. A person created by a
    /// chunk gets it in its INSERT.
    /// </summary>
    public static GoldenWrite Compute(IReadOnlyList<GoldenSource> sources)
    {
        var fields = GoldenRecord.Build(sources);
        var display = new string?[Display.Count];
        Guid? anchor = null;
        foreach (var f in fields)
        {
            var c = IndexOf(Display, f.Field);
            if (c >= 0) display[c] ??= f.Value;
            if (f.Field == GoldenRecord.PaternalSurname) anchor ??= f.SourceRecordId;
        }
        return new GoldenWrite(GoldenDocument.Write(fields), display, anchor, RestrictedGolden.Derive(sources, fields));
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++) if (names[i] == name) return i;
        return -1;
    }

    /// <param name="personIds">Registry persons whose records changed: their current records are read back.</param>
    /// <param name="inHand">
    /// A chunk's new source records the caller holds in memory: read back only as ids, not re-sent
    /// and re-parsed from their stored JSON.
    /// </param>
    public static async Task RefreshAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid[] personIds, CancellationToken ct,
        ChunkInHand? inHand = null)
    {
        ArgumentNullException.ThrowIfNull(personIds);
        var sources = new Dictionary<Guid, List<GoldenSource>>();
        if (personIds.Length == 0) return;
        // The persons' rows are locked (in id order: no deadlock between two refreshes) before their records
        // are read: a chunk's completion runs outside the resolution lock, and of two refreshes of one person
        // the later must read what the earlier's chunk wrote, not write back an older view over it. Row locks,
        // not advisory ones: a completion can touch 2000 persons, and as many advisory locks per transaction
        // would outgrow the shared lock table of a server with default settings (max_locks_per_transaction).
        await using (var lockRows = new NpgsqlCommand(
            "SELECT id FROM persons WHERE id = ANY(@ids) ORDER BY id FOR NO KEY UPDATE", connection, tx))
        {
            lockRows.Parameters.AddWithValue("ids", personIds);
            await lockRows.ExecuteNonQueryAsync(ct);
        }
        System.Diagnostics.Activity.Current?.AddEvent(new System.Diagnostics.ActivityEvent("golden-lock"));
        // Driven person by person, the "not superseded" test inside (index probes): otherwise a planner
        // with lagging statistics hashes every source record of the registry (200 ms per chunk at 50k).
        // OFFSET 0 in the NOT EXISTS keeps it a subplan, one probe of the supersedes index per record: as an
        // anti join the planner could pick a hash of all source records (the partial index cannot serve an
        // unparameterised scan), rebuilt for every person once it spills past work_mem — two 1M-record
        // benchmark runs stalled 30–90 s in this read, holding their persons' row locks. Each record's
        // extract (sector, receipt time) comes from ExtractsAsync, not a probe of extracts per record.
        var read = new List<(Guid Person, Guid Id, Guid Extract, SourceRow? Row)>();
        await using (var command = new NpgsqlCommand(
            """
            SELECT sr.person_id, sr.id, sr.extract_id,
                   CASE WHEN sr.extract_id = @extract AND sr.row_number BETWEEN @first AND @last THEN NULL ELSE sr.data::text END
              FROM unnest(@ids) p(id)
             CROSS JOIN LATERAL (SELECT * FROM source_records s WHERE person_id = p.id
                                   AND NOT EXISTS (SELECT 1 FROM source_records newer WHERE newer.supersedes = s.id OFFSET 0) OFFSET 0) sr
            """, connection, tx))
        {
            command.Parameters.AddWithValue("ids", personIds);
            command.Parameters.AddWithValue("extract", inHand?.ExtractId ?? Guid.Empty);
            command.Parameters.AddWithValue("first", inHand?.FirstRow ?? 0);
            command.Parameters.AddWithValue("last", inHand?.LastRow ?? -1);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                // Read as the UTF-8 bytes received: no string to decode into and parse again.
                read.Add((reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2),
                    reader.IsDBNull(3) ? null : Storage.StoredRows.Read(reader.GetFieldValue<byte[]>(3))));
        }
        var extracts = await ExtractsAsync(connection, tx, read.Where(r => r.Row is not null).Select(r => r.Extract), ct);
        foreach (var (person, id, extract, row) in read)
        {
            if (!sources.TryGetValue(person, out var list)) sources[person] = list = [];
            list.Add(row is null ? inHand!.Sources[id] : new GoldenSource(id, row, extracts[extract].Sector, extracts[extract].ReceivedAt));
        }
        if (sources.Count == 0) return;
        System.Diagnostics.Activity.Current?.AddEvent(new System.Diagnostics.ActivityEvent("golden-read"));

        var ids = new Guid[sources.Count];
        var documents = new string[sources.Count];
        var anchors = new Guid?[sources.Count];
        var columns = new string?[6][];
        for (var c = 0; c < columns.Length; c++) columns[c] = new string?[sources.Count];
        var views = new string[sources.Count];
        var restrictedDocuments = new string?[sources.Count];
        var namesSeen = new bool[sources.Count];
        var i = 0;
        foreach (var (person, list) in sources)
        {
            var (document, display, anchor, restricted) = Compute(list);
            ids[i] = person;
            documents[i] = document;
            anchors[i] = anchor;
            for (var c = 0; c < Display.Count; c++) columns[c][i] = display[c];
            (views[i], restrictedDocuments[i], namesSeen[i]) = (restricted.View, restricted.Document, restricted.NameSeen);
            i++;
        }
        System.Diagnostics.Activity.Current?.AddEvent(new System.Diagnostics.ActivityEvent("golden-compute"));
        // The restricted view is compared too: a new non-sensitive record can change what a reader without a grant
        // sees (a person no longer hidden from them) while every field of the golden record stays where it was.
        await using var update = new NpgsqlCommand(
            """
            UPDATE persons p
               SET golden = g.doc, curp = g.curp, given_names = g.given, paternal_surname = g.paternal,
                   maternal_surname = g.maternal, sex = g.sex, birth_date = g.birth::date,
                   golden_source_record_id = coalesce(g.anchor, p.golden_source_record_id),
                   restricted_view = g.rview, restricted_golden = g.rdoc, restricted_name_seen = g.rname, updated_at = now()
              FROM unnest(@ids, @docs, @curp, @given, @paternal, @maternal, @sex, @birth, @anchors, @rviews, @rdocs, @rnames)
                   g(id, doc, curp, given, paternal, maternal, sex, birth, anchor, rview, rdoc, rname)
             WHERE p.id = g.id AND (p.golden::text IS DISTINCT FROM g.doc::text OR p.restricted_view IS DISTINCT FROM g.rview
                                    OR p.restricted_golden::text IS DISTINCT FROM g.rdoc::text OR p.restricted_name_seen IS DISTINCT FROM g.rname)
            """, connection, tx);
        update.Parameters.AddWithValue("ids", ids);
        // Bound as json[] (persons.golden is json): each document is validated once, and compared as text.
        update.Parameters.AddWithValue("docs", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Json, documents);
        update.Parameters.AddWithValue("anchors", anchors);
        update.Parameters.AddWithValue("curp", columns[0]);
        update.Parameters.AddWithValue("given", columns[1]);
        update.Parameters.AddWithValue("paternal", columns[2]);
        update.Parameters.AddWithValue("maternal", columns[3]);
        update.Parameters.AddWithValue("sex", columns[4]);
        update.Parameters.AddWithValue("birth", columns[5]);
        update.Parameters.AddWithValue("rviews", views);
        update.Parameters.AddWithValue("rdocs", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Json, restrictedDocuments);
        update.Parameters.AddWithValue("rnames", namesSeen);
        await update.ExecuteNonQueryAsync(ct);
    }

    // An extract's sector and receipt time never change once it is registered: remembered per process.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, (string Sector, DateTimeOffset ReceivedAt)> KnownExtracts = new();

    /// <summary>The sector and receipt time of each of <paramref name="ids"/>: remembered, or read once.</summary>
    private static async Task<IReadOnlyDictionary<Guid, (string Sector, DateTimeOffset ReceivedAt)>> ExtractsAsync(NpgsqlConnection connection,
        NpgsqlTransaction tx, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var missing = ids.Where(id => !KnownExtracts.ContainsKey(id)).Distinct().ToArray();
        if (missing.Length > 0)
        {
            await using var command = new NpgsqlCommand("SELECT id, sector, received_at FROM extracts WHERE id = ANY(@ids)", connection, tx);
            command.Parameters.AddWithValue("ids", missing);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                KnownExtracts[reader.GetGuid(0)] = (reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2));
        }
        return KnownExtracts;
    }

    /// <summary>The new source records of one chunk (extract rows <paramref name="FirstRow"/>..<paramref name="LastRow"/>), by id.</summary>
    public sealed record ChunkInHand(Guid ExtractId, int FirstRow, int LastRow, IReadOnlyDictionary<Guid, GoldenSource> Sources);

    /// <summary>The person's display columns, in order: CURP, given names, paternal, maternal surname, sex, birth date.</summary>
    public static readonly IReadOnlyList<string> Display =
        [GoldenRecord.Curp, GoldenRecord.GivenNames, GoldenRecord.PaternalSurname, GoldenRecord.MaternalSurname, GoldenRecord.Sex, GoldenRecord.BirthDate];
}

using System.Text.Json;
using Npgsql;
using Registry.Contracts;
using Registry.Normalization;

namespace Registry.Households;

/// <summary>
/// Registry households from agencies' household ids. After a chunk, each household it touched is
/// compared with the other agencies' households that share a current member: two or more shared
/// members, or one shared member and an address that agrees (same municipality and the same
/// colonia or postal code), make them one household. The older id survives and the other redirects
/// (<c>households.merged_into</c>); the merge is an append-only <c>household_events</c> row.
/// Households of the same agency never merge: the agency itself says they are different, and a
/// person who appears in a new household of the same agency has moved — the old membership's
/// validity ends when the new one starts.
/// </summary>
public static class HouseholdMerger
{
    public static async Task ResolveAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using (var moved = new NpgsqlCommand(
            """
            -- People move: a newer membership in another household of the same agency closes the old one.
            -- Driven row by row from the chunk (LATERAL … LIMIT / OFFSET 0 keep each step an index probe):
            -- as a plain join, a planner without statistics on a fresh registry hashed and spilled the
            -- memberships for tens of seconds per chunk.
            UPDATE household_members old
               SET valid_to = m.valid_from
              FROM (SELECT o.household_id, o.person_id, n.valid_from
                      FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number
                     CROSS JOIN LATERAL (SELECT key, household_id FROM household_keys WHERE key = s.household_key LIMIT 1) hk
                     CROSS JOIN LATERAL (SELECT household_id, valid_from FROM household_members
                                          WHERE household_id = hk.household_id AND person_id = d.person_id LIMIT 1) n
                     CROSS JOIN LATERAL (SELECT o.household_id, o.person_id FROM household_members o
                                          WHERE o.person_id = d.person_id AND o.household_id <> n.household_id
                                            AND o.valid_to IS NULL AND o.valid_from < n.valid_from
                                            -- the old household is the same agency's (looked up per old membership, never across all of the agency's keys)
                                            AND EXISTS (SELECT 1 FROM household_keys ok
                                                         WHERE ok.household_id = o.household_id AND split_part(ok.key, ':', 2) = split_part(hk.key, ':', 2))
                                         OFFSET 0) o) m
             WHERE old.household_id = m.household_id AND old.person_id = m.person_id
            """, connection, tx))
            await moved.ExecuteNonQueryAsync(ct);

        var pairs = new List<(Guid A, Guid B, Guid[] Shared)>();
        await using (var candidates = new NpgsqlCommand(
            """
            WITH touched AS (
                SELECT DISTINCT coalesce(h.merged_into, h.id) AS id
                  FROM stage_rows s JOIN household_keys hk ON hk.key = s.household_key JOIN households h ON h.id = hk.household_id),
            shared AS MATERIALIZED (
                SELECT t.id AS a, o.household_id AS b, o.person_id
                  FROM touched t
                  JOIN household_members mt ON mt.household_id = t.id AND mt.valid_to IS NULL
                  JOIN household_members o ON o.person_id = mt.person_id AND o.household_id <> t.id AND o.valid_to IS NULL
                  JOIN households oh ON oh.id = o.household_id AND oh.merged_into IS NULL),
            -- Agencies of the households in question only (not of every household in the registry).
            agencies AS (
                SELECT household_id, array_agg(DISTINCT split_part(key, ':', 2)) AS list FROM household_keys
                 WHERE household_id IN (SELECT a FROM shared UNION SELECT b FROM shared)
                 GROUP BY household_id)
            SELECT p.a, p.b, array_agg(DISTINCT p.person_id)
              FROM shared p
              JOIN agencies at ON at.household_id = p.a
              JOIN agencies ao ON ao.household_id = p.b
             WHERE NOT (at.list && ao.list)
             GROUP BY p.a, p.b
            """, connection, tx))
        await using (var reader = await candidates.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                pairs.Add((reader.GetGuid(0), reader.GetGuid(1), reader.GetFieldValue<Guid[]>(2)));
        if (pairs.Count == 0) return;

        var addresses = await ReadAddressesAsync(connection, tx, pairs.SelectMany(p => new[] { p.A, p.B }).Distinct().ToArray(), ct);
        var merges = new List<(Guid Survivor, Guid Other, Guid[] Shared, string Reason)>();
        var merged = new HashSet<Guid>();
        foreach (var (a, b, shared) in pairs)
        {
            if (merged.Contains(a) || merged.Contains(b)) continue;
            var agree = AddressesAgree(addresses.GetValueOrDefault(a), addresses.GetValueOrDefault(b));
            if (shared.Length < 2 && !agree) continue;
            var (survivor, other) = a.CompareTo(b) < 0 ? (a, b) : (b, a);
            var reason = shared.Length >= 2
                ? $"{shared.Length} members in common"
                : "1 member in common and the address agrees";
            merges.Add((survivor, other, shared, reason));
            merged.Add(other);
        }
        await MergeAllAsync(connection, tx, merges, "machine", ct);
    }

    /// <summary>
    /// The chunk's household merges in one pass of set-based statements (one event each, in order), so
    /// the membership and territory triggers run once per chunk rather than once per merge (~6 ms
    /// each: at 200k synthetic records a chunk made ~30). A household that absorbed another and was
    /// then absorbed itself hands everything to the last survivor of the chain.
    /// </summary>
    private static async Task MergeAllAsync(NpgsqlConnection connection, NpgsqlTransaction tx,
        List<(Guid Survivor, Guid Other, Guid[] Shared, string Reason)> merges, string decidedBy, CancellationToken ct)
    {
        if (merges.Count == 0) return;
        var into = merges.ToDictionary(m => m.Other, m => m.Survivor);
        (Guid Root, int Depth) Root(Guid id)
        {
            var depth = 0;
            while (into.TryGetValue(id, out var next)) (id, depth) = (next, depth + 1);
            return (id, depth);
        }
        var others = merges.Select(m => m.Other).ToArray();
        var chains = others.Select(Root).ToArray();
        var roots = chains.Select(c => c.Root).ToArray();
        // A person in several merged households keeps the membership nearest the survivor, as merging one by one would.
        var depths = chains.Select(c => c.Depth).ToArray();
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO household_events (kind, household_id, other_household_id, shared_members, reason, decided_by)
            SELECT 'merge', e.survivor, e.other, coalesce((SELECT array_agg(x::uuid) FROM jsonb_array_elements_text(e.shared) x), '{}'), e.reason, @by
              FROM jsonb_to_recordset(@events) AS e(survivor uuid, other uuid, shared jsonb, reason text, n int)
             ORDER BY e.n;
            UPDATE households h SET merged_into = m.root
              FROM unnest(@others, @roots) AS m(other, root)
             WHERE h.id = m.other OR h.merged_into = m.other;
            UPDATE household_keys k SET household_id = m.root
              FROM unnest(@others, @roots) AS m(other, root)
             WHERE k.household_id = m.other;
            INSERT INTO household_members (household_id, person_id, relationship, valid_from, valid_to, source_record_id)
            SELECT DISTINCT ON (m.root, hm.person_id) m.root, hm.person_id, hm.relationship, hm.valid_from, hm.valid_to, hm.source_record_id
              FROM household_members hm JOIN unnest(@others, @roots, @depths) AS m(other, root, depth) ON hm.household_id = m.other
             ORDER BY m.root, hm.person_id, m.depth
            ON CONFLICT (household_id, person_id) DO NOTHING;
            DELETE FROM household_members WHERE household_id = ANY(@others);
            """, connection, tx);
        command.Parameters.AddWithValue("events", NpgsqlTypes.NpgsqlDbType.Jsonb, JsonSerializer.Serialize(
            merges.Select((m, n) => new { survivor = m.Survivor, other = m.Other, shared = m.Shared, reason = m.Reason, n })));
        command.Parameters.AddWithValue("others", others);
        command.Parameters.AddWithValue("roots", roots);
        command.Parameters.AddWithValue("depths", depths);
        command.Parameters.AddWithValue("by", decidedBy);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>One merge (a steward's): the same statements as the machine's merges of a chunk.</summary>
    public static Task MergeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid survivor, Guid other, Guid[] shared, string reason, string decidedBy, CancellationToken ct) =>
        MergeAllAsync(connection, tx, [(survivor, other, shared, reason)], decidedBy, ct);

    /// <summary>Moves the given members to a new household (a steward's split); returns its id.</summary>
    public static async Task<Guid> SplitAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid household, Guid[] members, string reason, string decidedBy, CancellationToken ct)
    {
        var created = Guid.CreateVersion7();
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO households (id, first_source_record_id)
            SELECT @created, source_record_id FROM household_members WHERE household_id = @household AND person_id = ANY(@members) LIMIT 1;
            INSERT INTO household_events (kind, household_id, other_household_id, shared_members, reason, decided_by)
            VALUES ('split', @household, @created, @members, @reason, @by);
            UPDATE household_members SET household_id = @created WHERE household_id = @household AND person_id = ANY(@members);
            """, connection, tx);
        command.Parameters.AddWithValue("created", created);
        command.Parameters.AddWithValue("household", household);
        command.Parameters.AddWithValue("members", members);
        command.Parameters.AddWithValue("reason", reason);
        command.Parameters.AddWithValue("by", decidedBy);
        await command.ExecuteNonQueryAsync(ct);
        return created;
    }

    private sealed record HouseholdAddress(HashSet<string> Municipalities, HashSet<string> Colonias, HashSet<string> PostalCodes);

    private static async Task<Dictionary<Guid, HouseholdAddress>> ReadAddressesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid[] ids, CancellationToken ct)
    {
        var result = new Dictionary<Guid, HouseholdAddress>();
        await using var command = new NpgsqlCommand(
            """
            SELECT m.household_id, sr.data::text
              FROM household_members m JOIN source_records sr ON sr.id = m.source_record_id
             WHERE m.household_id = ANY(@ids) AND m.valid_to IS NULL
            """, connection, tx);
        command.Parameters.AddWithValue("ids", ids);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var row = Storage.StoredRows.Read(reader.GetFieldValue<byte[]>(1));
            if (!result.TryGetValue(reader.GetGuid(0), out var address))
                result[reader.GetGuid(0)] = address = new HouseholdAddress([], [], []);
            if (TextNormalizer.Normalize(row.Municipality) is { Length: > 0 } m) address.Municipalities.Add(m);
            if (Addresses.ColoniaKey(row.Colonia) is { } c) address.Colonias.Add(c);
            if (Addresses.ExtractPostalCode(row.PostalCode) is { } p) address.PostalCodes.Add(p);
        }
        return result;
    }

    private static bool AddressesAgree(HouseholdAddress? a, HouseholdAddress? b) =>
        a is not null && b is not null
        && a.Municipalities.Overlaps(b.Municipalities)
        && (a.Colonias.Overlaps(b.Colonias) || a.PostalCodes.Overlaps(b.PostalCodes));
}

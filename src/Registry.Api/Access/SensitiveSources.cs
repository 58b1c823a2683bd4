using Npgsql;
using Registry.Persons;

namespace Registry.Api.Access;

/// <summary>
/// A person's golden record as one reader may see it: only fields that sources the reader may see
/// supplied (<see cref="RegistryUser.SeesSource"/>). <see cref="HasVisibleSource"/> is false when
/// every record of the person is hidden from the reader: such a person is not found by that reader.
/// </summary>
public sealed record VisibleGolden(Guid PersonId, IReadOnlyList<GoldenField> Fields, bool HasVisibleSource, bool Recomputed)
{
    public string? Value(string field)
    {
        foreach (var f in Fields) if (f.Field == field) return f.Value;
        return null;
    }

    public string? Curp => Value(GoldenRecord.Curp);
    public string? GivenNames => Value(GoldenRecord.GivenNames);
    public string? PaternalSurname => Value(GoldenRecord.PaternalSurname);
    public string? MaternalSurname => Value(GoldenRecord.MaternalSurname);
    public string? Sex => Value(GoldenRecord.Sex);
    public DateOnly? BirthDate => DateOnly.TryParseExact(Value(GoldenRecord.BirthDate), "yyyy-MM-dd", out var d) ? d : null;
    public string FullName => string.Join(' ', new[] { GivenNames, PaternalSurname, MaternalSurname }.Where(s => !string.IsNullOrWhiteSpace(s)));
}

/// <summary>
/// Sensitive sources (health, security) in reads: the SQL form of <see cref="RegistryUser.SeesSource"/>
/// and the golden record a reader may see. Every endpoint and page that shows a person's identity
/// fields, source records, service events, extracts or feeds goes through here or through the rule
/// itself, so a reader without the grant learns only "a service of sector X on date D" (hard rule 4).
/// </summary>
public static class SensitiveSources
{
    /// <summary>Golden fields in the order survivorship writes them (and pages show them).</summary>
    public static readonly IReadOnlyList<string> FieldOrder =
    [
        GoldenRecord.Curp, GoldenRecord.BirthDate, GoldenRecord.Sex, GoldenRecord.GivenNames, GoldenRecord.PaternalSurname,
        GoldenRecord.MaternalSurname, "phone", "street", "house_number", "colonia", "postal_code", "municipality", "poligono",
    ];

    /// <summary>
    /// SQL condition: the source of sector <paramref name="sector"/> and agency <paramref name="agency"/> (column
    /// expressions) is visible to the reader whose parameters (<see cref="AddParameters"/>) are bound. Never NULL, so
    /// <c>NOT</c> of it is safe. (agency_code is NOT NULL: IS NOT DISTINCT FROM a NULL own agency is false.)
    /// </summary>
    public static string VisibleSql(string sector, string agency) =>
        $"({sector} <> ALL (@hiddenSectors::text[]) OR {agency} IS NOT DISTINCT FROM @ownAgency::text)";

    /// <summary>The golden fields a list or a household shows of a person: CURP, names, birth date.</summary>
    public static IReadOnlyList<string> IdentityFields => RestrictedGolden.IdentityFields;

    /// <summary>
    /// Whether the reader sees exactly the sources the stored restricted golden record (<see cref="RestrictedGolden"/>,
    /// persons.restricted_*, written with the golden record) was derived for: every source but the sensitive sectors' —
    /// a case manager without any sensitive-sector grant. Such a reader's reads take the stored view; a reader with one
    /// grant, or an agency's user (who also sees their own agency's sources), keeps the per-request path.
    /// </summary>
    public static bool ReadsRestrictedGolden(RegistryUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.OwnAgency is null && RegistryRoles.SensitiveSectors.All(user.HiddenSectors.Contains);
    }

    /// <summary>SQL expressions for the identity fields a list shows of a person, as one reader may see them (<see cref="ListedIdentitySql"/>).</summary>
    /// <param name="Recompute">True when the values cannot be shown as read: the caller asks <see cref="GoldenAsync"/> for them (rare).</param>
    public sealed record ListedIdentity(string Curp, string GivenNames, string PaternalSurname, string MaternalSurname, string BirthDate, string Recompute);

    /// <summary>
    /// The identity fields of person <paramref name="person"/> (a table alias) as a list shows them to <paramref name="user"/>, read in the
    /// list's own statement: the stored golden record's columns; for a reader of the stored restricted view
    /// (<see cref="ReadsRestrictedGolden"/>) its document where an identity field survived from a sensitive source, and nothing
    /// for a person with no source they may see. Only what cannot be settled there (a person whose view was never derived, or
    /// a reader with a sensitive grant or an agency of their own) is flagged <see cref="ListedIdentity.Recompute"/>.
    /// Birth dates are text (yyyy-MM-dd).
    /// </summary>
    public static ListedIdentity ListedIdentitySql(RegistryUser user, string person)
    {
        ArgumentNullException.ThrowIfNull(user);
        var plain = new ListedIdentity($"{person}.curp", $"{person}.given_names", $"{person}.paternal_surname", $"{person}.maternal_surname",
            $"{person}.birth_date::text", user.SeesEverySource ? "false" : PerRequestGoldenHiddenSql(person, IdentityFields));
        if (!ReadsRestrictedGolden(user)) return plain;
        string Field(string column, string field) => $"""
            (CASE {person}.restricted_view WHEN '{RestrictedGolden.Own}' THEN {GoldenDocument.ValueSql($"{person}.restricted_golden", field)}
                  WHEN '{RestrictedGolden.Hidden}' THEN NULL ELSE {column} END)
            """;
        return new ListedIdentity(Field(plain.Curp, GoldenRecord.Curp), Field(plain.GivenNames, GoldenRecord.GivenNames),
            Field(plain.PaternalSurname, GoldenRecord.PaternalSurname), Field(plain.MaternalSurname, GoldenRecord.MaternalSurname),
            Field(plain.BirthDate, GoldenRecord.BirthDate),
            $"({person}.restricted_view IS NULL AND {PerRequestGoldenHiddenSql(person, IdentityFields)})");
    }

    /// <summary>
    /// SQL for one golden field of person <paramref name="person"/> as <paramref name="user"/> may see it, from the stored documents:
    /// the golden record for a reader who sees every source, the stored restricted view for a reader of it; null for any other
    /// reader (their view is worked out by <see cref="GoldenAsync"/>). Holds only where <see cref="StoredFieldsSettledSql"/> is true.
    /// </summary>
    public static string? StoredFieldSql(RegistryUser user, string person, string field)
    {
        ArgumentNullException.ThrowIfNull(user);
        var golden = GoldenDocument.ValueSql($"{person}.golden", field);
        if (user.SeesEverySource) return golden;
        if (!ReadsRestrictedGolden(user)) return null;
        return $"""
            (CASE {person}.restricted_view WHEN '{RestrictedGolden.AsGolden}' THEN {golden}
                  WHEN '{RestrictedGolden.Hidden}' THEN NULL ELSE {GoldenDocument.ValueSql($"{person}.restricted_golden", field)} END)
            """;
    }

    /// <summary>SQL condition: <see cref="StoredFieldSql"/> holds for person <paramref name="person"/> and this reader.</summary>
    public static string StoredFieldsSettledSql(RegistryUser user, string person)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.SeesEverySource ? "true" : ReadsRestrictedGolden(user) ? $"({person}.restricted_view IS NOT NULL)" : "false";
    }

    /// <summary>
    /// SQL condition: the stored golden record of person <paramref name="person"/> (a table alias) cannot be shown as it is for
    /// <paramref name="fields"/> — one of them survived from a source the reader may not see, or there is no golden document and
    /// some record of the person is hidden — worked out from the person's records (a reader the stored view was not written
    /// for, or no view derived).
    /// </summary>
    private static string PerRequestGoldenHiddenSql(string person, IReadOnlyList<string> fields)
    {
        // Field names are the constants above, never user input. When every field of the document survived from one record
        // (most persons have one), that record alone is checked, without finding each field's.
        var ids = string.Join(", ", fields.Select(f => GoldenDocument.SourceSql($"{person}.golden", f)));
        // Without a document (rows written outside the resolver), the stored fields are safe when no record of the person is hidden.
        return $"""
            (CASE WHEN {person}.golden IS NULL THEN EXISTS (
                SELECT 1 FROM source_records hs JOIN extracts he ON he.id = hs.extract_id
                 WHERE hs.person_id = {person}.id AND NOT {VisibleSql("he.sector", "hs.agency_code")})
             ELSE EXISTS (
                SELECT 1 FROM source_records gs JOIN extracts ge ON ge.id = gs.extract_id
                 WHERE gs.id = ANY (CASE WHEN {GoldenDocument.SourceCountSql($"{person}.golden")} = 1
                                         THEN ARRAY[{GoldenDocument.FirstSourceSql($"{person}.golden")}] ELSE ARRAY[{ids}] END)
                   AND NOT {VisibleSql("ge.sector", "gs.agency_code")}) END)
            """;
    }

    /// <summary>
    /// The golden record of each of <paramref name="personIds"/> as <paramref name="user"/> may see it. Fast
    /// path: when every field's stored survivor (persons.golden) is visible, the stored record is used as is
    /// (always so for readers who see every source). Otherwise survivorship (<see cref="GoldenRecord.Build"/>)
    /// is recomputed over the current source records the reader may see — blank when there are none.
    /// </summary>
    /// <param name="hidden">
    /// The caller already knows (from <see cref="ListedIdentitySql"/> in its own query) that each of <paramref name="personIds"/>
    /// has a stored identity field the reader may not see: survivorship is recomputed straight away, without asking again.
    /// </param>
    public static async Task<IReadOnlyDictionary<Guid, VisibleGolden>> GoldenAsync(
        NpgsqlConnection connection, IReadOnlyCollection<Guid> personIds, RegistryUser user, CancellationToken ct, bool hidden = false)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(personIds);
        ArgumentNullException.ThrowIfNull(user);
        var result = new Dictionary<Guid, VisibleGolden>(personIds.Count);
        if (personIds.Count == 0) return result;
        var restricted = !user.SeesEverySource;
        var recompute = new List<Guid>();
        var notDerived = ReadsRestrictedGolden(user) ? await StoredRestrictedAsync(connection, personIds, result, ct) : personIds;
        if (notDerived.Count == 0) return result;
        personIds = notDerived;
        if (hidden && restricted) recompute.AddRange(personIds);
        else await using (var command = new NpgsqlCommand(
            restricted
                ? $"""
                  SELECT p.id, p.golden::text,
                         EXISTS (SELECT 1 FROM (SELECT {GoldenDocument.SourcesSql("p.golden")} AS id) g
                                   JOIN source_records sr ON sr.id = g.id JOIN extracts e ON e.id = sr.extract_id
                                  WHERE NOT {VisibleSql("e.sector", "sr.agency_code")}) AS hides
                    FROM persons p WHERE p.id = ANY (@ids)
                  """
                : "SELECT p.id, p.golden::text, false FROM persons p WHERE p.id = ANY (@ids)", connection))
        {
            command.Parameters.AddWithValue("ids", personIds.ToArray());
            AddParameters(command, user);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetGuid(0);
                var fields = reader.IsDBNull(1) ? [] : GoldenDocument.Parse(reader.GetString(1));
                // A restricted reader with no stored field to go by cannot tell yet whether any source is theirs.
                if (reader.GetBoolean(2) || (restricted && fields.Count == 0)) recompute.Add(id);
                else result[id] = new VisibleGolden(id, fields, HasVisibleSource: fields.Count > 0 || !restricted, Recomputed: false);
            }
        }
        if (recompute.Count == 0) return result;

        var sources = recompute.ToDictionary(id => id, _ => new List<GoldenSource>());
        await using (var command = new NpgsqlCommand(
            $"""
            SELECT sr.person_id, sr.id, sr.data::text, e.sector, e.received_at
              FROM source_records sr JOIN extracts e ON e.id = sr.extract_id
             WHERE sr.person_id = ANY (@ids) AND {VisibleSql("e.sector", "sr.agency_code")}
               AND NOT EXISTS (SELECT 1 FROM source_records newer WHERE newer.supersedes = sr.id)
            """, connection))
        {
            command.Parameters.AddWithValue("ids", recompute.ToArray());
            AddParameters(command, user);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                sources[reader.GetGuid(0)].Add(new GoldenSource(reader.GetGuid(1), Storage.StoredRows.Read(reader.GetString(2)),
                    reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }
        foreach (var (id, list) in sources) result[id] = new VisibleGolden(id, GoldenRecord.Build(list), list.Count > 0, Recomputed: true);
        return result;
    }

    /// <summary>
    /// The stored restricted golden record of each of <paramref name="personIds"/> (what <see cref="GoldenAsync"/> would
    /// recompute for a reader without any sensitive-sector grant), into <paramref name="result"/>; returns the persons
    /// whose view was never derived (they take the per-request path).
    /// </summary>
    private static async Task<IReadOnlyCollection<Guid>> StoredRestrictedAsync(
        NpgsqlConnection connection, IReadOnlyCollection<Guid> personIds, Dictionary<Guid, VisibleGolden> result, CancellationToken ct)
    {
        var notDerived = new List<Guid>();
        await using var command = new NpgsqlCommand(
            $"""
            SELECT p.id, p.restricted_view,
                   CASE WHEN p.restricted_view = '{RestrictedGolden.AsGolden}' THEN p.golden::text ELSE p.restricted_golden::text END
              FROM persons p WHERE p.id = ANY (@ids)
            """, connection);
        command.Parameters.AddWithValue("ids", personIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetGuid(0);
            if (reader.IsDBNull(1))
            {
                notDerived.Add(id);
                continue;
            }
            var view = reader.GetString(1);
            var fields = reader.IsDBNull(2) ? [] : GoldenDocument.Parse(reader.GetString(2));
            result[id] = new VisibleGolden(id, fields, HasVisibleSource: view != RestrictedGolden.Hidden, Recomputed: view != RestrictedGolden.AsGolden);
        }
        return notDerived;
    }

    /// <summary>Binds the reader's hidden sectors and own agency for <see cref="VisibleSql"/>.</summary>
    public static void AddParameters(NpgsqlCommand command, RegistryUser user)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(user);
        command.Parameters.AddWithValue("hiddenSectors", user.HiddenSectors);
        command.Parameters.AddWithValue("ownAgency", NpgsqlTypes.NpgsqlDbType.Text, (object?)user.OwnAgency ?? DBNull.Value);
    }
}

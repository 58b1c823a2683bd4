using Dapper;
using Npgsql;
using Registry.Api.Access;
using Registry.Feeds;

namespace Registry.Api.Households;

public sealed record HouseholdMember(
    Guid PersonId, string? Curp, string? GivenNames, string? PaternalSurname, string? MaternalSurname,
    DateOnly? BirthDate, string? Relationship, DateOnly? ValidFrom, DateOnly? ValidTo)
{
    public string FullName => string.Join(' ', new[] { GivenNames, PaternalSurname, MaternalSurname }.Where(s => !string.IsNullOrWhiteSpace(s)));
}

/// <summary>
/// One service a member received, with the lineage needed to trace it (extract, file hash, row).
/// For a sensitive sector (health, security) a reader who may not see its source
/// (<see cref="RegistryUser.SeesSource"/>) sees only that it exists, its sector, date and member:
/// id, agency, programme, service type, status, extract, file hash and row are null and
/// <see cref="Redacted"/> is true.
/// </summary>
public sealed record ServiceEventView(
    Guid? Id, Guid PersonId, string? AgencyCode, string Sector, string? Programme, string? ServiceType,
    DateOnly? ServiceDate, string? Status, Guid? ExtractId, string? FileSha256, int? RowNumber, bool Redacted = false);

/// <summary>The services of one sector, newest first, and the date of the latest.</summary>
public sealed record SectorServices(string Sector, int Count, DateOnly? Latest, IReadOnlyList<ServiceEventView> Services);

/// <summary>
/// Household 360: members with relationship and validity; every live service event from every
/// agency as a timeline (newest first) and grouped by sector; the sectors with no service in
/// the 12 months before <see cref="AsOf"/> (gaps a case manager should look at).
/// </summary>
public sealed record Household360(
    Guid Id, IReadOnlyList<HouseholdMember> Members, IReadOnlyList<ServiceEventView> Timeline,
    IReadOnlyDictionary<string, int> ServicesBySector, IReadOnlyList<string> Agencies,
    IReadOnlyList<SectorServices> Sectors, IReadOnlyList<string> SectorsWithoutRecentService, DateOnly AsOf,
    HouseholdHeading? Heading = null);

/// <summary>
/// What a household page is headed by: the family, not its id — the head's name (the member named head by a source, else the
/// eldest current member), how many current members, the head's address as this reader may see it (golden fields from
/// visible sources only) and the territory (municipality where it lives; polígono and colonia as coverage counts it).
/// </summary>
public sealed record HouseholdHeading(
    Guid? HeadId, string? HeadName, int CurrentMembers, string? Address, IReadOnlyList<string> Municipalities, string? Poligono, string? Colonia);

/// <summary>The household 360 query, shared by the REST endpoint and the household page.</summary>
public sealed class HouseholdQueries(NpgsqlDataSource db, TimeProvider clock)
{
    /// <summary>Every sector, in display order.</summary>
    public static readonly IReadOnlyList<string> SectorOrder = ["social", "health", "education", "economy", "housing", "security"];

    /// <param name="asOf">The day gaps are measured back from (default: today, UTC).</param>
    public async Task<Household360?> LoadAsync(Guid id, RegistryUser user, DateOnly? asOf, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        // Names, CURP and birth date as this reader may see them, settled in this query (SensitiveSources.ListedIdentitySql);
        // only members flagged golden_hidden are recomputed from the sources the reader may see. The address fields too, for
        // whoever turns out to head the household, where the stored documents settle them (address_settled).
        var identity = SensitiveSources.ListedIdentitySql(user, "p");
        var address = string.Concat(AddressFields.Select(f => $", {SensitiveSources.StoredFieldSql(user, "p", f) ?? "NULL::text"} AS {f}"));
        var rows = (await connection.QueryAsync<MemberRow>(new CommandDefinition(
            $"""
            SELECT p.id AS person_id, {identity.Curp} AS curp, {identity.GivenNames} AS given_names, {identity.PaternalSurname} AS paternal_surname,
                   {identity.MaternalSurname} AS maternal_surname, ({identity.BirthDate})::date AS birth_date,
                   hm.relationship, hm.valid_from, hm.valid_to, {identity.Recompute} AS golden_hidden,
                   {SensitiveSources.StoredFieldsSettledSql(user, "p")} AS address_settled{address}
              FROM household_members hm JOIN persons p ON p.id = hm.person_id
             WHERE hm.household_id = @id
            """, new { id, hiddenSectors = user.HiddenSectors, ownAgency = user.OwnAgency }, cancellationToken: ct))).AsList();
        if (rows.Count == 0 &&
            !await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM households WHERE id = @id)", new { id }, cancellationToken: ct)))
            return null;
        var hidden = rows.Where(m => m.GoldenHidden).Select(m => m.PersonId).ToList();
        var golden = hidden.Count == 0 ? null : await SensitiveSources.GoldenAsync(connection, hidden, user, ct, hidden: true);
        var members = rows
            .Select(m => golden is not null && golden.TryGetValue(m.PersonId, out var g)
                ? new HouseholdMember(m.PersonId, g.Curp, g.GivenNames, g.PaternalSurname, g.MaternalSurname, g.BirthDate, m.Relationship, m.ValidFrom, m.ValidTo)
                : new HouseholdMember(m.PersonId, m.Curp, m.GivenNames, m.PaternalSurname, m.MaternalSurname, m.BirthDate, m.Relationship, m.ValidFrom, m.ValidTo))
            .OrderBy(m => m.BirthDate ?? DateOnly.MaxValue).ThenBy(m => m.PersonId)
            .ToList();

        // The timeline and the territory in one round trip.
        List<ServiceEventView> timeline;
        List<string> municipalities;
        (string Poligono, string Colonia)? place;
        await using (var batch = await connection.QueryMultipleAsync(new CommandDefinition(
            $"""
            SELECT se.id, se.person_id, se.agency_code, se.sector, se.programme, se.service_type, se.service_date, se.status,
                   sr.extract_id, e.sha256 AS file_sha256, sr.row_number, false AS redacted
              FROM household_members hm
              JOIN service_events se ON se.person_id = hm.person_id AND se.superseded_by IS NULL
              JOIN source_records sr ON sr.id = se.source_record_id
              JOIN extracts e ON e.id = sr.extract_id
             WHERE hm.household_id = @id
             ORDER BY se.service_date DESC NULLS LAST, se.id;
            SELECT unnest({MunicipalitiesSql(user, "@id")});
            -- Polígono and colonia as coverage counts the household (never from a health or security record).
            SELECT poligono, colonia FROM coverage_households WHERE household_id = @id;
            """, new { id, municipalities = user.Municipalities.ToArray(), hiddenSectors = user.HiddenSectors, ownAgency = user.OwnAgency },
            cancellationToken: ct)))
        {
            timeline = [.. (await batch.ReadAsync<ServiceEventView>()).Select(s => Redact(s, user))];
            municipalities = (await batch.ReadAsync<string>()).AsList();
            place = await batch.ReadFirstOrDefaultAsync<(string Poligono, string Colonia)?>();
        }

        var day = asOf ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var since = day.AddMonths(-12);
        var sectors = timeline.GroupBy(s => s.Sector)
            .OrderBy(g => Order(g.Key))
            .Select(g => new SectorServices(g.Key, g.Count(), g.Max(s => s.ServiceDate), [.. g]))
            .ToList();
        var gaps = SectorOrder.Concat(Registry.Feeds.Sectors.All.Except(SectorOrder))
            .Where(sector => !timeline.Any(s => s.Sector == sector && s.ServiceDate is { } d && d > since && d <= day))
            .ToList();
        return new Household360(
            id, members, timeline,
            timeline.GroupBy(s => s.Sector).ToDictionary(g => g.Key, g => g.Count()),
            [.. timeline.Where(s => !s.Redacted).Select(s => s.AgencyCode!).Distinct().Order(StringComparer.Ordinal)],
            sectors, gaps, day, await HeadingAsync(connection, members, rows, municipalities, place, user, ct));
    }

    /// <summary>
    /// SQL: the municipalities household <paramref name="household"/> lives in now, as <paramref name="user"/> may see them
    /// (binds @municipalities, @hiddenSectors and @ownAgency). Where a household lives can rest on the record that created a
    /// member, so for a reader who may not see every source a municipality outside their own is shown only when a source they
    /// may see reports it for a current member (their own municipalities they know already: that is why they may see the household).
    /// </summary>
    public static string MunicipalitiesSql(RegistryUser user, string household)
    {
        ArgumentNullException.ThrowIfNull(user);
        var shown = user.SeesEverySource ? "" : $"""

                       AND (ht.municipality = ANY ((SELECT registry_fold_all(@municipalities))::text[]) OR EXISTS (
                            SELECT 1 FROM household_members vm JOIN source_records vr ON vr.person_id = vm.person_id JOIN extracts ve ON ve.id = vr.extract_id
                             WHERE vm.household_id = {household} AND vm.valid_to IS NULL AND registry_fold(vr.data ->> 'Municipality') = ht.municipality
                               AND {SensitiveSources.VisibleSql("ve.sector", "vr.agency_code")}))
            """;
        return $"""
            coalesce((SELECT array_agg(ht.municipality ORDER BY ht.municipality) FROM household_territories ht
                       WHERE ht.household_id = {household} AND ht.ended_at IS NULL AND ht.municipality <> ''{shown}), ARRAY[]::text[])
            """;
    }

    /// <summary>The golden fields a household's heading shows of its head, in the order they are written.</summary>
    private static readonly string[] AddressFields = ["street", "house_number", "colonia", "postal_code"];

    /// <summary>Relationships that name the head of a household, as agencies write them (folded: upper case, no accents).</summary>
    private static readonly HashSet<string> HeadRelationships = new(StringComparer.Ordinal)
    {
        "JEFA", "JEFE", "JEFA DE FAMILIA", "JEFE DE FAMILIA", "JEFA DE HOGAR", "JEFE DE HOGAR", "TITULAR", "SOLICITANTE", "HEAD",
    };

    private static async Task<HouseholdHeading> HeadingAsync(
        NpgsqlConnection connection, IReadOnlyList<HouseholdMember> members, IReadOnlyList<MemberRow> rows, List<string> municipalities,
        (string Poligono, string Colonia)? place, RegistryUser user, CancellationToken ct)
    {
        var current = members.Where(m => m.ValidTo is null).ToList();
        var head = current.FirstOrDefault(m => m.Relationship is { } r && HeadRelationships.Contains(Normalization.TextNormalizer.Normalize(r)))
                   ?? current.OrderBy(m => m.BirthDate ?? DateOnly.MaxValue).FirstOrDefault();
        string? address = null;
        if (head is not null)
        {
            // The head's address as this reader may see it: golden fields that survived from sources they may see — read with the
            // members where the stored documents settle it, else worked out from the sources.
            var row = rows.First(r => r.PersonId == head.PersonId);
            IReadOnlyList<string?> values = row.AddressSettled
                ? [row.Street, row.HouseNumber, row.Colonia, row.PostalCode]
                : (await SensitiveSources.GoldenAsync(connection, [head.PersonId], user, ct)).TryGetValue(head.PersonId, out var g)
                    ? [.. AddressFields.Select(g.Value)]
                    : [null, null, null, null];
            var street = string.Join(' ', new[] { values[0], values[1] }.Where(v => !string.IsNullOrWhiteSpace(v)));
            var parts = new[] { street, values[2], values[3] }.Where(v => !string.IsNullOrWhiteSpace(v)).ToList();
            address = parts.Count == 0 ? null : string.Join(", ", parts);
        }
        return new HouseholdHeading(head?.PersonId, head?.FullName is { Length: > 0 } n ? n : null, current.Count, address, municipalities,
            place?.Poligono is { Length: > 0 } p ? p : null, place?.Colonia is { Length: > 0 } c ? c : null);
    }

    /// <summary>A member as read, with whether their stored golden identity fields may be shown to the reader as they are.</summary>
    private sealed record MemberRow(
        Guid PersonId, string? Curp, string? GivenNames, string? PaternalSurname, string? MaternalSurname, DateOnly? BirthDate,
        string? Relationship, DateOnly? ValidFrom, DateOnly? ValidTo, bool GoldenHidden,
        bool AddressSettled, string? Street, string? HouseNumber, string? Colonia, string? PostalCode);

    public static int Order(string sector)
    {
        for (var i = 0; i < SectorOrder.Count; i++) if (SectorOrder[i] == sector) return i;
        return SectorOrder.Count;
    }

    /// <summary>Leaves of a service whose source the reader may not see only its sector, date and member.</summary>
    public static ServiceEventView Redact(ServiceEventView service, RegistryUser user) =>
        user.SeesSource(service.Sector, service.AgencyCode) ? service : service with
        {
            Id = null, AgencyCode = null, Programme = null, ServiceType = null, Status = null,
            ExtractId = null, FileSha256 = null, RowNumber = null, Redacted = true,
        };
}

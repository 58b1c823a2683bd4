using Dapper;
using Npgsql;

namespace Registry.Api.Households;

public sealed record HouseholdMember(
    Guid PersonId, string? Curp, string? GivenNames, string? PaternalSurname, string? MaternalSurname,
    DateOnly? BirthDate, string? Relationship, DateOnly? ValidFrom, DateOnly? ValidTo);

/// <summary>One service a member received, with the lineage needed to trace it (extract, file hash, row).</summary>
public sealed record ServiceEventView(
    Guid Id, Guid PersonId, string AgencyCode, string Sector, string? Programme, string? ServiceType,
    DateOnly? ServiceDate, string? Status, Guid ExtractId, string FileSha256, int RowNumber);

public sealed record Household360(
    Guid Id, IReadOnlyList<HouseholdMember> Members, IReadOnlyList<ServiceEventView> Timeline,
    IReadOnlyDictionary<string, int> ServicesBySector, IReadOnlyList<string> Agencies);

public sealed record HouseholdHit(Guid Id, int Members, string MemberNames);

/// <summary>Household lookup and the household 360: members and every service any agency delivered to them.</summary>
public static class HouseholdEndpoints
{
    public static void MapHouseholds(this RouteGroupBuilder api)
    {
        api.MapGet("/households", Search).WithName("SearchHouseholds")
            .WithSummary("Find households by a member's CURP or name (part of the full name; case- and accent-insensitive)");
        api.MapGet("/households/{id:guid}", Get).WithName("GetHousehold")
            .WithSummary("Household 360: members and every service event from every agency, as a timeline");
    }

    private static async Task<IResult> Search(NpgsqlDataSource db, string? curp, string? name, int? limit, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(curp) && string.IsNullOrWhiteSpace(name))
            return Results.Problem("Give curp or name.", statusCode: StatusCodes.Status400BadRequest);
        if ((curp?.Length ?? 0) > 18 || (name?.Length ?? 0) > 200)
            return Results.Problem("curp is at most 18 characters and name at most 200.", statusCode: StatusCodes.Status400BadRequest);

        await using var connection = await db.OpenConnectionAsync(ct);
        var hits = await connection.QueryAsync<HouseholdHit>(new CommandDefinition(
            """
            SELECT h.id, count(*)::int AS members,
                   string_agg(concat_ws(' ', p.given_names, p.paternal_surname, p.maternal_surname), ', ' ORDER BY p.paternal_surname) AS member_names
              FROM households h
              JOIN household_members hm ON hm.household_id = h.id AND hm.valid_to IS NULL
              JOIN persons p ON p.id = hm.person_id
             WHERE h.id IN (SELECT m.household_id FROM household_members m JOIN persons q ON q.id = m.person_id
                             WHERE (@curp::text IS NULL OR q.curp = upper(@curp))
                               AND (@name::text IS NULL OR translate(upper(concat_ws(' ', q.given_names, q.paternal_surname, q.maternal_surname)), 'ÁÉÍÓÚÜ', 'AEIOUU')
                                                          LIKE '%' || translate(upper(@name), 'ÁÉÍÓÚÜ', 'AEIOUU') || '%'))
             GROUP BY h.id
             ORDER BY h.id
             LIMIT @limit
            """, new { curp = curp?.Trim(), name = name?.Trim(), limit = Math.Clamp(limit ?? 20, 1, 100) }, cancellationToken: ct));
        return Results.Ok(hits);
    }

    private static async Task<IResult> Get(NpgsqlDataSource db, Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM households WHERE id = @id)", new { id }, cancellationToken: ct));
        if (!exists) return Results.NotFound();

        var members = (await connection.QueryAsync<HouseholdMember>(new CommandDefinition(
            """
            SELECT p.id AS person_id, p.curp, p.given_names, p.paternal_surname, p.maternal_surname, p.birth_date,
                   hm.relationship, hm.valid_from, hm.valid_to
              FROM household_members hm JOIN persons p ON p.id = hm.person_id
             WHERE hm.household_id = @id
             ORDER BY p.birth_date NULLS LAST, p.id
            """, new { id }, cancellationToken: ct))).AsList();

        var timeline = (await connection.QueryAsync<ServiceEventView>(new CommandDefinition(
            """
            SELECT se.id, se.person_id, se.agency_code, se.sector, se.programme, se.service_type, se.service_date, se.status,
                   sr.extract_id, e.sha256 AS file_sha256, sr.row_number
              FROM service_events se
              JOIN source_records sr ON sr.id = se.source_record_id
              JOIN extracts e ON e.id = sr.extract_id
             WHERE se.person_id IN (SELECT person_id FROM household_members WHERE household_id = @id)
               AND se.superseded_by IS NULL
             ORDER BY se.service_date DESC NULLS LAST, se.id
            """, new { id }, cancellationToken: ct))).AsList();

        return Results.Ok(new Household360(
            id, members, timeline,
            timeline.GroupBy(s => s.Sector).ToDictionary(g => g.Key, g => g.Count()),
            [.. timeline.Select(s => s.AgencyCode).Distinct().Order(StringComparer.Ordinal)]));
    }
}

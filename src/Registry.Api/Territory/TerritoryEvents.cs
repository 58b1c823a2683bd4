using Dapper;
using Npgsql;

namespace Registry.Api.Territory;

/// <summary>
/// One change of a case manager's scope (append-only <c>territory_events</c>): a
/// person or household gained (<c>To</c>) or lost (<c>From</c>) a municipality, or a person moved
/// (both). <c>Cause</c>: <c>record</c> (a residence-authoritative row that corroborates the identity),
/// <c>steward</c>, <c>ignored-claim</c> (a row that named another municipality but linked by
/// identifier alone: nobody moved), <c>residence</c> (followed a residence change), <c>membership</c>,
/// <c>identity</c> (merge or split). The source record, when there is one, with its agency, feed,
/// file and row.
/// </summary>
public sealed record TerritoryEventView
{
    public long Id { get; init; }
    public DateTime At { get; init; }
    public Guid? PersonId { get; init; }
    public Guid? HouseholdId { get; init; }
    public string? FromMunicipality { get; init; }
    public string? ToMunicipality { get; init; }
    public string Cause { get; init; } = "";
    public Guid? SourceRecordId { get; init; }
    public string? AgencyCode { get; init; }
    public string? FeedCode { get; init; }
    public string? FileName { get; init; }
    public int? RowNumber { get; init; }
    public string? DecidedBy { get; init; }
    public string? Reason { get; init; }
}

public sealed record TerritoryEventPage(IReadOnlyList<TerritoryEventView> Items, int Page, int PageSize, bool HasMore);

public sealed class TerritoryEvents(NpgsqlDataSource db)
{
    public const int MaxPageSize = 500;

    public sealed record Filter(Guid? Person, Guid? Household, DateTime? From, DateTime? To, int Page, int PageSize);

    /// <summary>Newest first. A person's events include those of persons merged into them.</summary>
    public async Task<TerritoryEventPage> QueryAsync(Filter f, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = (await connection.QueryAsync<TerritoryEventView>(new CommandDefinition(
            """
            SELECT e.id, e.at, e.person_id, e.household_id, e.from_municipality, e.to_municipality, e.cause,
                   e.source_record_id, sr.agency_code, sr.feed_code, x.file_name, sr.row_number, e.decided_by, e.reason
              FROM territory_events e
              LEFT JOIN source_records sr ON sr.id = e.source_record_id
              LEFT JOIN extracts x ON x.id = sr.extract_id
             WHERE (@person::uuid IS NULL OR e.person_id IN (SELECT id FROM persons WHERE id = @person OR merged_into = @person) OR e.person_id = @person)
               AND (@household::uuid IS NULL OR e.household_id IN (SELECT id FROM households WHERE id = @household OR merged_into = @household) OR e.household_id = @household)
               AND (@from::timestamptz IS NULL OR e.at >= @from)
               AND (@to::timestamptz IS NULL OR e.at < @to)
             ORDER BY e.id DESC
             LIMIT @limit OFFSET @offset
            """,
            new { person = f.Person, household = f.Household, from = f.From, to = f.To, limit = f.PageSize + 1, offset = (f.Page - 1) * f.PageSize },
            cancellationToken: ct))).AsList();
        return new TerritoryEventPage(rows.Count > f.PageSize ? rows[..f.PageSize] : rows, f.Page, f.PageSize, rows.Count > f.PageSize);
    }
}

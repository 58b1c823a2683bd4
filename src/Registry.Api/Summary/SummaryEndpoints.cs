using Dapper;
using Npgsql;

namespace Registry.Api.Summary;

public sealed record RegistrySummary(
    long Extracts, long RowsTotal, long RowsAccepted, long RowsRejected, long RowsResolved,
    long Persons, long Households, long ServiceEvents, long ExtractsPending);

/// <summary>Registry-wide counts (what the demo prints; an operator's first look).</summary>
public static class SummaryEndpoints
{
    public static void MapSummary(this RouteGroupBuilder api) =>
        api.MapGet("/summary", async (NpgsqlDataSource db, CancellationToken ct) =>
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            return await connection.QuerySingleAsync<RegistrySummary>(new CommandDefinition(
                """
                SELECT (SELECT count(*) FROM extracts) AS extracts,
                       (SELECT coalesce(sum(rows_total), 0) FROM extracts) AS rows_total,
                       (SELECT coalesce(sum(rows_accepted), 0) FROM extracts) AS rows_accepted,
                       (SELECT coalesce(sum(rows_rejected), 0) FROM extracts) AS rows_rejected,
                       (SELECT coalesce(sum(rows_resolved), 0) FROM extracts) AS rows_resolved,
                       (SELECT count(*) FROM persons) AS persons,
                       (SELECT count(*) FROM households) AS households,
                       (SELECT count(*) FROM service_events) AS service_events,
                       (SELECT count(*) FROM extracts WHERE status NOT IN ('resolved', 'rejected')) AS extracts_pending
                """, cancellationToken: ct));
        }).WithName("GetSummary").WithSummary("Registry-wide counts of extracts, rows, persons, households and service events");
}

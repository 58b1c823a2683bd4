using System.Globalization;
using System.Text;
using Dapper;
using Npgsql;
using Registry.Api.Access;
using Registry.Extracts;

namespace Registry.Api.Summary;

public sealed record RegistrySummary(
    long Extracts, long RowsTotal, long RowsAccepted, long RowsRejected, long RowsResolved, long RowsUnchanged,
    long Persons, long Households, long ServiceEvents, long ExtractsPending);

/// <summary>Registry-wide counts (what the demo prints; an operator's first look).</summary>
public static class SummaryEndpoints
{
    public static void MapSummary(this RouteGroupBuilder api)
    {
        api.MapGet("/summary", (NpgsqlDataSource db, CancellationToken ct) => LoadAsync(db, ct))
            .RequireAuthorization(AccessPolicies.AnyRole).WithName("GetSummary").WithSummary("Registry-wide counts of extracts, rows, persons, households and service events");

        api.MapGet("/summary.txt", async (NpgsqlDataSource db, ExtractStore store, HttpRequest request, CancellationToken ct) =>
        {
            var summary = await LoadAsync(db, ct);
            // Counts are registry-wide; the extracts listed by name are those the reader may see: an agency its own,
            // and no health or security file (feed, name, status) for a reader without that sector's grant.
            var user = RegistryUser.From(request.HttpContext.User);
            var extracts = (await store.ListAsync(Extracts.ExtractEndpoints.OwnAgency(request.HttpContext), 50, ct))
                .Where(e => user.SeesSource(e.Sector, e.AgencyCode)).ToList();
            await using var connection = await db.OpenConnectionAsync(ct);
            var example = await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
                """
                SELECT hm.household_id FROM household_members hm
                  JOIN service_events se ON se.person_id = hm.person_id
                 GROUP BY hm.household_id ORDER BY count(DISTINCT se.agency_code) DESC, count(*) DESC, hm.household_id LIMIT 1
                """, cancellationToken: ct));
            return Results.Text(Render(summary, extracts, example, $"{request.Scheme}://{request.Host}"), "text/plain; charset=utf-8");
        }).RequireAuthorization(AccessPolicies.AnyRole).WithName("GetSummaryText").WithSummary("The same summary as plain text for terminals (what `make demo` prints)");
    }

    private static async Task<RegistrySummary> LoadAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleAsync<RegistrySummary>(new CommandDefinition(
            """
            SELECT (SELECT count(*) FROM extracts) AS extracts,
                   (SELECT coalesce(sum(rows_total), 0) FROM extracts) AS rows_total,
                   (SELECT coalesce(sum(rows_accepted), 0) FROM extracts) AS rows_accepted,
                   (SELECT coalesce(sum(rows_rejected), 0) FROM extracts) AS rows_rejected,
                   (SELECT coalesce(sum(rows_resolved), 0) FROM extracts) AS rows_resolved,
                   (SELECT coalesce(sum(rows_unchanged), 0) FROM extracts) AS rows_unchanged,
                   (SELECT count(*) FROM persons) AS persons,
                   (SELECT count(*) FROM households) AS households,
                   (SELECT count(*) FROM service_events WHERE superseded_by IS NULL) AS service_events,
                   (SELECT count(*) FROM extracts WHERE status <> ALL (@finished)) AS extracts_pending
            """, new { finished = ExtractStatus.Finished }, cancellationToken: ct));
    }

    private static string Render(RegistrySummary s, IReadOnlyList<ExtractReport> extracts, Guid? exampleHousehold, string baseUrl)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine("Extracts").AppendLine(c, $"  {"feed",-23} {"file",-28} {"status",-9} {"rows",6} {"accepted",9} {"unchanged",9} {"rejected",9} {"received",9}");
        foreach (var e in extracts)
        {
            text.AppendLine(c, $"  {e.FeedCode,-23} {Cut(e.FileName, 28),-28} {e.Status,-9} {e.RowsTotal,6} {e.RowsAccepted,9} {e.RowsUnchanged,9} {e.RowsRejected,9} {e.Receipts,8}x");
            if (e.Error is not null) text.AppendLine(c, $"    error: {e.Error}");
        }
        text.AppendLine()
            .AppendLine(c, $"Rows: {s.RowsTotal} = {s.RowsAccepted} accepted + {s.RowsRejected} rejected ({s.RowsResolved} resolved, {s.RowsUnchanged} unchanged since an earlier extract)")
            .AppendLine(c, $"Registry: {s.Persons} persons, {s.Households} households, {s.ServiceEvents} service events");
        if (exampleHousehold is { } id)
        {
            text.AppendLine(c, $"Example household 360: {baseUrl}/api/households/{id}   (send an X-Purpose header)");
            text.AppendLine(c, $"Example household page: {baseUrl}/hogares/{id}");
        }
        return text.ToString();
    }

    private static string Cut(string value, int max) => value.Length <= max ? value : value[..(max - 1)] + "…";
}

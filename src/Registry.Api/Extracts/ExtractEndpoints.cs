using System.Globalization;
using System.Text;
using Registry.Api.Access;
using Registry.Extracts;
using Registry.Feeds;

namespace Registry.Api.Extracts;

/// <summary>Agencies' extracts and their acceptance reports; rejected rows and values left out (warnings) as CSV to fix and resend.</summary>
public static class ExtractEndpoints
{
    public static void MapExtracts(this RouteGroupBuilder api)
    {
        // An agency user sees its own feeds and extracts only (RegistryUser.Agency); other roles see all but the
        // definitions of sensitive feeds (codes, programme lists) they hold no grant for.
        api.MapGet("/feeds", (FeedCatalog feeds, HttpContext http) => feeds.All
            .Where(f => (OwnAgency(http) is not { } own || f.Agency.Code == own) && RegistryUser.From(http.User).SeesSource(f.Sector, f.Agency.Code))
            .OrderBy(f => f.Code, StringComparer.Ordinal).Select(f => new
        {
            f.Code, f.Version, f.Agency, f.Sector, f.Kind, Csv = f.Api is null ? f.Csv : null, f.Api, f.Fields, f.Required,
        })).RequireAuthorization(AccessPolicies.AnyRole).WithName("ListFeeds").WithSummary("The feed definitions in force");

        api.MapGet("/extracts", async (ExtractStore store, HttpContext http, string? agency, int? limit, CancellationToken ct) =>
            {
                if (OwnAgency(http) is { } own)
                {
                    if (agency is not null && agency != own) return Results.Problem("Only your own agency's extracts.", statusCode: StatusCodes.Status403Forbidden);
                    agency = own;
                }
                var user = RegistryUser.From(http.User);
                return Results.Ok((await store.ListAsync(agency, Math.Clamp(limit ?? 100, 1, 1000), ct)).Where(e => user.SeesSource(e.Sector, e.AgencyCode)));
            })
            .RequireAuthorization(AccessPolicies.Extracts)
            .WithName("ListExtracts").WithSummary("Extracts, newest first, with their acceptance reports");

        api.MapGet("/extracts/{id:guid}", async (ExtractStore store, HttpContext http, Guid id, CancellationToken ct) =>
                await store.GetAsync(id, ct) is not { } report ? Results.NotFound()
                : !MaySee(http, report) ? OtherAgency()
                : Results.Ok(report))
            .RequireAuthorization(AccessPolicies.Extracts)
            .WithName("GetExtract").WithSummary("Acceptance report of one extract: status, counts, timings");

        api.MapGet("/extracts/{id:guid}/rejected.csv", async (ExtractStore store, HttpContext http, Guid id, CancellationToken ct) =>
        {
            if (await store.GetAsync(id, ct) is not { } report) return Results.NotFound();
            if (!MaySee(http, report)) return OtherAgency();
            var rows = await store.RejectedRowsAsync(id, ct);
            return CsvFile($"rejected-{id}.csv", "row,error,raw_line", rows.Select(r => (r.RowNumber, new string?[] { r.Reason, r.RawLine })));
        }).RequireAuthorization(AccessPolicies.Extracts)
          .WithName("GetRejectedRows").WithSummary("Rejected rows with row number and error, as CSV");

        // Values left out of accepted rows, as the agency sent them: personal data like the rejected rows' raw
        // lines, so the same rule (own agency, a sector the reader may see) and the same access-log entry.
        api.MapGet("/extracts/{id:guid}/warnings.csv", async (ExtractStore store, HttpContext http, Guid id, CancellationToken ct) =>
        {
            if (await store.GetAsync(id, ct) is not { } report) return Results.NotFound();
            if (!MaySee(http, report)) return OtherAgency();
            var rows = await store.RowWarningsAsync(id, ct);
            return CsvFile($"warnings-{id}.csv", "row,field,column,value,reason",
                rows.Select(w => (w.RowNumber, new string?[] { w.Field, w.SourceColumn, w.RawValue, w.Reason })));
        }).RequireAuthorization(AccessPolicies.Extracts)
          .WithName("GetRowWarnings").WithSummary("Values left out of accepted rows (invalid or implausible) with row, field, value as sent and reason, as CSV");
    }

    /// <summary>The agency an agency user is confined to; null for roles that see every agency.</summary>
    internal static string? OwnAgency(HttpContext http)
    {
        var user = RegistryUser.From(http.User);
        return user.Is(RegistryRoles.Agency) && !user.SeesAllTerritories ? user.Agency ?? "(none)" : null;
    }

    /// <summary>An agency's own extracts; for other roles, any extract whose sector they may see (<see cref="RegistryUser.SeesSource"/>).</summary>
    internal static bool MaySee(HttpContext http, ExtractReport report) =>
        (OwnAgency(http) is not { } own || report.AgencyCode == own) && RegistryUser.From(http.User).SeesSource(report.Sector, report.AgencyCode);

    private static IResult OtherAgency() => Results.Problem("Another agency's extract.", statusCode: StatusCodes.Status403Forbidden);

    /// <summary>Quotes a cell and neutralises spreadsheet formulas (=, +, -, @) so a re-exported value is never executed.</summary>
    /// <summary>A CSV download: each line the row number, then its cells (<see cref="CsvCell"/>).</summary>
    private static IResult CsvFile(string fileName, string header, IEnumerable<(int Row, string?[] Cells)> lines)
    {
        var csv = new StringBuilder(header).Append('\n');
        foreach (var (row, line) in lines)
        {
            csv.Append(row.ToString(CultureInfo.InvariantCulture));
            foreach (var cell in line) csv.Append(',').Append(CsvCell(cell));
            csv.Append('\n');
        }
        return Results.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", fileName);
    }

    internal static string CsvCell(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}

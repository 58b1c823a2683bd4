using System.Globalization;
using System.Text;
using Registry.Extracts;
using Registry.Feeds;

namespace Registry.Api.Extracts;

/// <summary>Agencies' extracts and their acceptance reports; rejected rows as CSV to fix and resend.</summary>
public static class ExtractEndpoints
{
    public static void MapExtracts(this RouteGroupBuilder api)
    {
        api.MapGet("/feeds", (FeedCatalog feeds) => feeds.All.OrderBy(f => f.Code, StringComparer.Ordinal).Select(f => new
        {
            f.Code, f.Version, f.Agency, f.Sector, f.Kind, Csv = f.Api is null ? f.Csv : null, f.Api, f.Fields, f.Required,
        })).WithName("ListFeeds").WithSummary("The feed definitions in force");

        api.MapGet("/extracts", (ExtractStore store, string? agency, int? limit, CancellationToken ct) =>
                store.ListAsync(agency, Math.Clamp(limit ?? 100, 1, 1000), ct))
            .WithName("ListExtracts").WithSummary("Extracts, newest first, with their acceptance reports");

        api.MapGet("/extracts/{id:guid}", async (ExtractStore store, Guid id, CancellationToken ct) =>
                await store.GetAsync(id, ct) is { } report ? Results.Ok(report) : Results.NotFound())
            .WithName("GetExtract").WithSummary("Acceptance report of one extract: status, counts, timings");

        api.MapGet("/extracts/{id:guid}/rejected.csv", async (ExtractStore store, Guid id, CancellationToken ct) =>
        {
            if (await store.GetAsync(id, ct) is null) return Results.NotFound();
            var rows = await store.RejectedRowsAsync(id, ct);
            var csv = new StringBuilder("row,error,raw_line\n");
            foreach (var row in rows)
            {
                csv.Append(row.RowNumber.ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(CsvCell(row.Reason)).Append(',').Append(CsvCell(row.RawLine)).Append('\n');
            }
            return Results.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", $"rejected-{id}.csv");
        }).WithName("GetRejectedRows").WithSummary("Rejected rows with row number and error, as CSV");
    }

    /// <summary>Quotes a cell and neutralises spreadsheet formulas (=, +, -, @) so a re-exported value is never executed.</summary>
    internal static string CsvCell(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}

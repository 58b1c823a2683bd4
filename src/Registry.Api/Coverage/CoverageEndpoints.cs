using System.Globalization;
using System.Text;
using Registry.Api.Access;

namespace Registry.Api.Coverage;

/// <summary>
/// Coverage by territory as JSON and CSV (the same numbers as the page /cobertura) and the list of households with a gap.
/// Every read is in the access log (kind <c>coverage</c>, with what was asked; the household list with the ids it returned).
/// </summary>
public static class CoverageEndpoints
{
    public static void MapCoverage(this RouteGroupBuilder api)
    {
        api.MapGet("/coverage", async (HttpContext http, CoverageQueries coverage, AccessLog log, CancellationToken ct) =>
                await ReadAsync(http, coverage, log, "json", (report, _) => Results.Ok(report), ct))
            .RequireAuthorization(AccessPolicies.Coverage).WithName("GetCoverage").WithTags("Coverage")
            .WithSummary("Coverage of a territory (municipality, polígono, colonia) for a period of months (from, to: yyyy-MM; default the " +
                         "last 12), optionally one sector or programme: households and persons reached, new vs returning, by area, " +
                         "sector × area, by month; households by number of sectors and gaps per sector over the last 12 months. " +
                         "Counts below Coverage:MinimumCell (5) read \"<5\", with complementary suppression.");
        api.MapGet("/coverage.csv", async (HttpContext http, CoverageQueries coverage, AccessLog log, CancellationToken ct) =>
                await ReadAsync(http, coverage, log, "csv", (report, _) =>
                    Results.File(Encoding.UTF8.GetBytes(Csv(report)), "text/csv; charset=utf-8", $"cobertura-{report.Municipality}.csv"), ct))
            .RequireAuthorization(AccessPolicies.Coverage).WithName("GetCoverageCsv").WithTags("Coverage")
            .WithSummary("The numbers of GET /api/coverage as CSV (table, area, sector, month, measure, value)");
        api.MapGet("/coverage/households", GapHouseholdsAsync)
            .RequireAuthorization(AccessPolicies.Coverage).WithName("GetCoverageGapHouseholds").WithTags("Coverage")
            .WithSummary("Households of the territory with no service of a sector (any sector when none is given) in the last 12 months, " +
                         "50 a page; only for readers who may open them (case managers there, stewards, auditors, admins)");
        api.MapGet("/coverage/municipalities", async (HttpContext http, CoverageQueries coverage, CancellationToken ct) =>
                Results.Ok(await coverage.MunicipalitiesAsync(RegistryUser.From(http.User), ct)))
            .RequireAuthorization(AccessPolicies.Coverage).WithName("GetCoverageMunicipalities").WithTags("Coverage")
            .WithSummary("The municipalities whose coverage the reader may see");
    }

    /// <summary>Parses the query (municipality, poligono, colonia, from, to, sector, programme) into a request, or says what is wrong.</summary>
    public static CoverageRequest Parse(IQueryCollection q, CoverageQueries coverage)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(coverage);
        var (defaultFrom, defaultTo) = coverage.DefaultPeriod();
        return new CoverageRequest(
            First(q, "municipality", "municipio") ?? "", First(q, "poligono"), First(q, "colonia"),
            Month(First(q, "from", "desde"), defaultFrom, "from"), Month(First(q, "to", "hasta"), defaultTo, "to"),
            First(q, "sector"), First(q, "programme", "programa"));
    }

    private static string? First(IQueryCollection q, params string[] names)
    {
        foreach (var n in names)
            if (q.TryGetValue(n, out var v) && !string.IsNullOrWhiteSpace(v.ToString())) return v.ToString().Trim();
        return null;
    }

    private static DateOnly Month(string? text, DateOnly fallback, string name)
    {
        if (text is null) return fallback;
        if (DateOnly.TryParseExact(text, ["yyyy-MM", "yyyy-MM-dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            return CoverageQueries.FirstOfMonth(d);
        throw new CoverageRefusedException($"{name} is a month, yyyy-MM.", false);
    }

    /// <summary>What was asked, for the access log.</summary>
    public static string Describe(CoverageRequest r, string format) =>
        $"{format} municipality={r.Municipality}" + (r.Poligono is null ? "" : $" poligono={r.Poligono}") + (r.Colonia is null ? "" : $" colonia={r.Colonia}") +
        $" {r.From:yyyy-MM}..{r.To:yyyy-MM}" + (r.Sector is null ? "" : $" sector={r.Sector}") + (r.Programme is null ? "" : $" programme={r.Programme}");

    private static async Task<IResult> ReadAsync(HttpContext http, CoverageQueries coverage, AccessLog log, string format,
        Func<CoverageReport, HttpContext, IResult> answer, CancellationToken ct)
    {
        var user = RegistryUser.From(http.User);
        try
        {
            var (request, opens) = await coverage.AuthorizeAsync(Parse(http.Request.Query, coverage), user, ct);
            var report = await coverage.LoadAsync(request, opens, user, ct);
            await log.RecordAsync(http, user, AccessKind.Coverage, null, Describe(request, format), ct: ct);
            return answer(report, http);
        }
        catch (CoverageRefusedException refusal)
        {
            return Refuse(refusal);
        }
    }

    private static async Task<IResult> GapHouseholdsAsync(HttpContext http, CoverageQueries coverage, AccessLog log, int? page, CancellationToken ct)
    {
        var user = RegistryUser.From(http.User);
        if (page is < 1 or > 100_000) return Results.Problem("page ≥ 1.", statusCode: StatusCodes.Status400BadRequest);
        try
        {
            var (request, opens) = await coverage.AuthorizeAsync(Parse(http.Request.Query, coverage), user, ct);
            if (request.Programme is not null) throw new CoverageRefusedException("The gap list is per sector, not per programme.", false);
            if (!opens) throw new CoverageRefusedException("Only a case manager of the municipality opens its households.", true);
            var result = await coverage.GapHouseholdsAsync(request, page ?? 1, ct);
            await log.RecordAsync(http, user, AccessKind.Coverage, null, Describe(request, "households") + $" page={result.Page}",
                returned: result.Items.Select(i => i.HouseholdId), ct: ct);
            return Results.Ok(result);
        }
        catch (CoverageRefusedException refusal)
        {
            return Refuse(refusal);
        }
    }

    private static IResult Refuse(CoverageRefusedException refusal) => refusal.OutOfScope
        ? Results.Problem(refusal.Message, statusCode: StatusCodes.Status403Forbidden)
        : Results.Problem(refusal.Message, statusCode: StatusCodes.Status400BadRequest);

    /// <summary>Every count of the report, one per line; hidden counts as "&lt;5".</summary>
    public static string Csv(CoverageReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var csv = new StringBuilder("table,area,sector,month,measure,value\n");
        void Line(string table, string area, string sector, string month, string measure, CoverageCount value) =>
            csv.Append(Cell(table)).Append(',').Append(Cell(area)).Append(',').Append(Cell(sector)).Append(',').Append(month).Append(',')
               .Append(measure).Append(',').Append(Cell(value.ToString())).Append('\n');
        var sector = r.Programme is null ? r.Sector ?? "*" : $"{r.Sector}/{r.Programme}";
        // An area with no name holds the households whose polígono or colonia is not known.
        static string AreaName(string a) => a.Length == 0 ? "(sin dato)" : a;
        foreach (var a in r.Areas.Prepend(r.Total))
        {
            var area = ReferenceEquals(a, r.Total) ? "(total)" : AreaName(a.Area);
            Line("reached", area, sector, "", "households", a.Households);
            Line("reached", area, sector, "", "persons", a.Persons);
            Line("reached", area, sector, "", "new_households", a.NewHouseholds);
            Line("reached", area, sector, "", "returning_households", a.ReturningHouseholds);
        }
        foreach (var s in r.Sectors) Line("sector_by_area", "(total)", s.Sector, "", "households", s.Households);
        foreach (var s in r.SectorsByArea) Line("sector_by_area", AreaName(s.Area), s.Sector, "", "households", s.Households);
        foreach (var m in r.Months)
        {
            Line("months", "(total)", sector, m.Month.ToString("yyyy-MM", CultureInfo.InvariantCulture), "households", m.Households);
            Line("months", "(total)", sector, m.Month.ToString("yyyy-MM", CultureInfo.InvariantCulture), "persons", m.Persons);
        }
        foreach (var b in r.BreadthByArea.Prepend(r.Breadth))
        {
            var area = ReferenceEquals(b, r.Breadth) ? "(total)" : AreaName(b.Area);
            Line("sectors_last_12_months", area, "", "", "households", b.Households);
            Line("sectors_last_12_months", area, "", "", "no_sector", b.NoSector);
            Line("sectors_last_12_months", area, "", "", "one_sector", b.OneSector);
            Line("sectors_last_12_months", area, "", "", "several_sectors", b.SeveralSectors);
        }
        foreach (var g in r.Gaps) Line("gaps_last_12_months", "(total)", g.Sector, "", "households", g.Households);
        foreach (var g in r.GapsByArea) Line("gaps_last_12_months", AreaName(g.Area), g.Sector, "", "households", g.Households);
        return csv.ToString();
    }

    /// <summary>A CSV cell: quoted when it holds a comma, quote or line break; a leading =, +, - or @ is kept from spreadsheets' formulas.</summary>
    private static string Cell(string value)
    {
        if (value.Length > 0 && "=+-@".Contains(value[0], StringComparison.Ordinal)) value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}

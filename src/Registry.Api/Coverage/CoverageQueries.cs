using Dapper;
using Npgsql;
using Registry.Api.Access;
using Registry.Api.Households;
using Registry.Coverage;

namespace Registry.Api.Coverage;

/// <summary>Why a coverage read was refused or could not be answered (the endpoint turns it into 400 or 403).</summary>
public sealed class CoverageRefusedException(string message, bool outOfScope) : Exception(message)
{
    public bool OutOfScope { get; } = outOfScope;
}

/// <summary>
/// Coverage by territory read from the aggregates the database keeps current (coverage_cells, coverage_last_cells):
/// a municipality's page sums a few thousand pre-counted cells, it never visits households. The one place that decides
/// what a coverage reader may see: the municipality must be theirs (coordinators and case managers) or any (stewards,
/// auditors, admins); programmes of a sensitive sector only with its grant; every count below the minimum cell hidden,
/// with complementary suppression over every relation the report publishes.
/// </summary>
public sealed class CoverageQueries(NpgsqlDataSource db, IConfiguration configuration, TimeProvider clock)
{
    public const string MinimumCellSetting = "Coverage:MinimumCell";
    public const int MaxMonths = 60;
    public const int GapPageSize = 50;

    /// <summary>k: counts 1 … k−1 are hidden (setting Coverage:MinimumCell, default 5, at least 2).</summary>
    public int MinimumCell { get; } = Math.Max(2, configuration.GetValue(MinimumCellSetting, SmallCellSuppression.DefaultMinimum));

    /// <summary>The month the gap window ends in (the current month, UTC) and the first month of that 12-month window.</summary>
    public (DateOnly From, DateOnly To) GapWindow()
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var to = new DateOnly(today.Year, today.Month, 1);
        return (to.AddMonths(-11), to);
    }

    /// <summary>The default period: the gap window.</summary>
    public (DateOnly From, DateOnly To) DefaultPeriod() => GapWindow();

    /// <summary>Municipalities this reader may see coverage of (folded as stored): every one counted for stewards, auditors and admins, their own for others.</summary>
    public async Task<IReadOnlyList<string>> MunicipalitiesAsync(RegistryUser user, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        if (!user.SeesAllTerritories) return [.. (await FoldAsync(connection, user, ct)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        return (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT municipality FROM coverage_last_cells WHERE sector = '*' AND households > 0 ORDER BY 1", cancellationToken: ct))).AsList();
    }

    /// <summary>Validates the request and the reader's scope; returns the request with its municipality folded as stored.</summary>
    public async Task<(CoverageRequest Request, bool OpensHouseholds)> AuthorizeAsync(CoverageRequest request, RegistryUser user, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Municipality)) throw new CoverageRefusedException("municipality is required.", false);
        if (request.Municipality.Length > 100 || (request.Poligono?.Length ?? 0) > 100 || (request.Colonia?.Length ?? 0) > 100)
            throw new CoverageRefusedException("municipality, poligono and colonia are at most 100 characters.", false);
        if (request.From > request.To) throw new CoverageRefusedException("from is after to.", false);
        if ((request.To.Year - request.From.Year) * 12 + request.To.Month - request.From.Month >= MaxMonths)
            throw new CoverageRefusedException($"A period is at most {MaxMonths} months.", false);
        if (request.Sector is not null && !Registry.Feeds.Sectors.All.Contains(request.Sector))
            throw new CoverageRefusedException($"sector is one of {string.Join(", ", Registry.Feeds.Sectors.All.Order(StringComparer.Ordinal))}.", false);
        if (request.Programme is not null && request.Sector is null)
            throw new CoverageRefusedException("A programme is asked for with its sector.", false);
        // Programme detail of a sensitive sector is the source's detail (hard rule 4): only with the grant.
        if (request.Programme is not null && !user.SeesSource(request.Sector!))
            throw new CoverageRefusedException($"Programme detail of sector {request.Sector} needs the {RegistryRoles.SensitiveSectorClaim} grant.", true);
        await using var connection = await db.OpenConnectionAsync(ct);
        var own = await FoldAsync(connection, user, ct);
        var municipality = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT registry_fold(@m)", new { m = request.Municipality.Trim() }, cancellationToken: ct)) ?? "";
        if (!user.SeesCoverageOf(municipality, own)) throw new CoverageRefusedException("Outside your municipalities.", true);
        return (request with
        {
            Municipality = municipality,
            Poligono = Place(request.Poligono), Colonia = Place(request.Colonia),
            From = FirstOfMonth(request.From), To = FirstOfMonth(request.To),
        }, user.OpensHouseholdsOf(municipality, own));
    }

    public async Task<CoverageReport> LoadAsync(CoverageRequest r, bool opensHouseholds, RegistryUser user, CancellationToken ct)
    {
        var (gapFrom, gapTo) = GapWindow();
        var area = r.AreaLevel == "poligono" ? "poligono" : "colonia";
        var args = new
        {
            m = r.Municipality, p = r.Poligono, c = r.Colonia, from = r.From, to = r.To,
            sector = r.Sector ?? "*", programme = r.Programme ?? "*", cutoff = gapFrom,
        };
        const string where = "municipality = @m AND (@p::text IS NULL OR poligono = @p) AND (@c::text IS NULL OR colonia = @c)";
        await using var connection = await db.OpenConnectionAsync(ct);

        // Reached in the period, by area: each household (person) counted once, by its first month in the period (prev_month < from).
        var reached = (await connection.QueryAsync<(string Area, long H, long P, long New)>(new CommandDefinition(
            $"""
            SELECT {area}, coalesce(sum(households), 0)::bigint, coalesce(sum(persons), 0)::bigint,
                   coalesce(sum(households) FILTER (WHERE prev_month = '-infinity'), 0)::bigint
              FROM coverage_cells
             WHERE {where} AND sector = @sector AND programme = @programme AND month BETWEEN @from AND @to AND prev_month < @from
             GROUP BY 1 ORDER BY 1
            """, args, cancellationToken: ct))).AsList();
        // Households reached by each sector, by area (sector × territory).
        var bySector = (await connection.QueryAsync<(string Area, string Sector, long H)>(new CommandDefinition(
            $"""
            SELECT {area}, sector, coalesce(sum(households), 0)::bigint
              FROM coverage_cells
             WHERE {where} AND sector <> '*' AND programme = '*' AND month BETWEEN @from AND @to AND prev_month < @from
             GROUP BY 1, 2
            """, args, cancellationToken: ct))).AsList();
        var months = (await connection.QueryAsync<(DateTime Month, long H, long P)>(new CommandDefinition(
            $"""
            SELECT month, coalesce(sum(households), 0)::bigint, coalesce(sum(persons), 0)::bigint
              FROM coverage_cells
             WHERE {where} AND sector = @sector AND programme = @programme AND month BETWEEN @from AND @to
             GROUP BY 1 ORDER BY 1
            """, args, cancellationToken: ct))).AsList();
        // The gap window: households counted in each area, and those whose last month of a sector ('*' any, '*2' a second sector) is in it.
        var last = (await connection.QueryAsync<(string Area, string Sector, long All, long Recent)>(new CommandDefinition(
            $"""
            SELECT {area}, sector, coalesce(sum(households), 0)::bigint, coalesce(sum(households) FILTER (WHERE last_month >= @cutoff), 0)::bigint
              FROM coverage_last_cells
             WHERE {where}
             GROUP BY 1, 2
            """, args, cancellationToken: ct))).AsList();
        var programmes = (await connection.QueryAsync<ProgrammeOption>(new CommandDefinition(
            $"""
            SELECT DISTINCT sector, programme FROM coverage_cells
             WHERE {where} AND sector <> '*' AND programme <> '*' AND month BETWEEN @from AND @to
             ORDER BY 1, 2
            """, args, cancellationToken: ct))).Where(p => user.SeesSource(p.Sector)).ToList();

        var areas = reached.Select(x => x.Area).Concat(bySector.Select(x => x.Area))
            .Concat(last.Where(x => x.Sector == "*").Select(x => x.Area)).Distinct().Order(StringComparer.Ordinal).ToList();
        var sectors = HouseholdQueries.SectorOrder.Where(Registry.Feeds.Sectors.All.Contains).ToList();
        var book = new CellBook();
        var periodIsGapWindow = r.From == gapFrom && r.To == gapTo;

        // Reached: per area and total, households / persons / new / returning. Areas add up to the total; new + returning = reached.
        long Get(string a, Func<(string Area, long H, long P, long New), long> pick) => reached.Where(x => x.Area == a).Select(pick).FirstOrDefault();
        var measures = new[] { "h", "p", "new", "ret" };
        var reachedCells = new Dictionary<(string Area, string Measure), int>();
        foreach (var a in areas.Append(TotalArea))
        {
            long h = a == TotalArea ? reached.Sum(x => x.H) : Get(a, x => x.H);
            long p = a == TotalArea ? reached.Sum(x => x.P) : Get(a, x => x.P);
            long n = a == TotalArea ? reached.Sum(x => x.New) : Get(a, x => x.New);
            reachedCells[(a, "h")] = book.Add(h);
            reachedCells[(a, "p")] = book.Add(p);
            reachedCells[(a, "new")] = book.Add(n);
            reachedCells[(a, "ret")] = book.Add(h - n);
            book.Group(reachedCells[(a, "h")], reachedCells[(a, "new")], reachedCells[(a, "ret")]);
        }
        foreach (var m in measures) book.Group([.. areas.Append(TotalArea).Select(a => reachedCells[(a, m)])]);

        // Sector × area, reached in the period; areas add up to the sector's total. With a sector chosen, the reached table is that same sector's.
        var heat = new Dictionary<(string Area, string Sector), int>();
        foreach (var s in sectors)
        {
            foreach (var a in areas.Append(TotalArea))
                heat[(a, s)] = book.Add(a == TotalArea ? bySector.Where(x => x.Sector == s).Sum(x => x.H) : bySector.Where(x => x.Sector == s && x.Area == a).Sum(x => x.H));
            book.Group([.. areas.Append(TotalArea).Select(a => heat[(a, s)])]);
            if (r.Sector == s && r.Programme is null)
                foreach (var a in areas.Append(TotalArea)) book.Group(heat[(a, s)], reachedCells[(a, "h")]);
        }

        // Months: each month's count; a one-month period's month is the period's total.
        var monthCells = new List<(DateOnly Month, int H, int P)>();
        for (var month = r.From; month <= r.To; month = month.AddMonths(1))
        {
            var row = months.FirstOrDefault(x => DateOnly.FromDateTime(x.Month) == month);
            monthCells.Add((month, book.Add(row.H), book.Add(row.P)));
        }
        if (monthCells.Count == 1)
        {
            book.Group(monthCells[0].H, reachedCells[(TotalArea, "h")]);
            book.Group(monthCells[0].P, reachedCells[(TotalArea, "p")]);
        }

        // Breadth and gaps in the gap window: households = none + one + several; households = gap(sector) + reached by it in the window.
        long All(string a) => a == TotalArea ? last.Where(x => x.Sector == "*").Sum(x => x.All) : last.Where(x => x.Sector == "*" && x.Area == a).Sum(x => x.All);
        long Recent(string a, string s) => a == TotalArea ? last.Where(x => x.Sector == s).Sum(x => x.Recent) : last.Where(x => x.Sector == s && x.Area == a).Sum(x => x.Recent);
        var breadth = new Dictionary<(string Area, string Measure), int>();
        var gaps = new Dictionary<(string Area, string Sector), int>();
        foreach (var a in areas.Append(TotalArea))
        {
            var all = All(a);
            var any = Recent(a, "*");
            var several = Recent(a, "*2");
            breadth[(a, "all")] = book.Add(all);
            breadth[(a, "none")] = book.Add(all - any);
            breadth[(a, "one")] = book.Add(any - several);
            breadth[(a, "several")] = book.Add(several);
            book.Group(breadth[(a, "all")], breadth[(a, "none")], breadth[(a, "one")], breadth[(a, "several")]);
            foreach (var s in sectors)
            {
                gaps[(a, s)] = book.Add(all - Recent(a, s));
                // Published beside the households of the area, a gap would give away the households a sector reached in the
                // window — which is the sector × area table when the period is the window.
                if (periodIsGapWindow) book.Group(breadth[(a, "all")], gaps[(a, s)], heat[(a, s)]);
            }
            if (periodIsGapWindow && r.Sector is null && r.Programme is null)
                book.Group(breadth[(a, "all")], breadth[(a, "none")], reachedCells[(a, "h")]);
        }
        foreach (var m in new[] { "all", "none", "one", "several" }) book.Group([.. areas.Append(TotalArea).Select(a => breadth[(a, m)])]);
        foreach (var s in sectors) book.Group([.. areas.Append(TotalArea).Select(a => gaps[(a, s)])]);

        var hidden = SmallCellSuppression.Apply(book.Values, book.Groups, MinimumCell);
        CoverageCount C(int i) => new(book.Values[i], hidden[i], MinimumCell);
        static string Name(string a) => a == TotalArea ? "" : a;
        ReachedCounts Reached(string a) => new(Name(a), C(reachedCells[(a, "h")]), C(reachedCells[(a, "p")]), C(reachedCells[(a, "new")]), C(reachedCells[(a, "ret")]));
        SectorBreadth Breadth(string a) => new(Name(a), C(breadth[(a, "all")]), C(breadth[(a, "none")]), C(breadth[(a, "one")]), C(breadth[(a, "several")]));

        return new CoverageReport(
            r.Municipality, r.Poligono, r.Colonia, r.From, r.To, r.Sector, r.Programme, MinimumCell, r.AreaLevel, gapFrom, gapTo,
            Reached(TotalArea), [.. areas.Select(Reached)],
            [.. sectors.Select(s => new SectorCount(s, C(heat[(TotalArea, s)])))],
            [.. areas.SelectMany(a => sectors.Select(s => new SectorAreaCount(a, s, C(heat[(a, s)]))))],
            [.. monthCells.Select(m => new MonthCount(m.Month, C(m.H), C(m.P)))],
            Breadth(TotalArea), [.. areas.Select(Breadth)],
            [.. sectors.Select(s => new SectorCount(s, C(gaps[(TotalArea, s)])))],
            [.. areas.SelectMany(a => sectors.Select(s => new SectorAreaCount(a, s, C(gaps[(a, s)]))))],
            programmes, opensHouseholds);
    }

    /// <summary>
    /// Households of the territory with no service of <paramref name="sector"/> (any sector when null) in the gap window,
    /// 50 a page — only for readers who may open them (<see cref="RegistryUser.OpensHouseholdsOf"/>).
    /// </summary>
    public async Task<GapHouseholdPage> GapHouseholdsAsync(CoverageRequest r, int page, CancellationToken ct)
    {
        var (gapFrom, _) = GapWindow();
        await using var connection = await db.OpenConnectionAsync(ct);
        var args = new { m = r.Municipality, p = r.Poligono, c = r.Colonia, sector = r.Sector ?? "*", cutoff = gapFrom,
                         limit = GapPageSize, offset = (page - 1) * GapPageSize };
        const string from = """
              FROM coverage_households ch
              LEFT JOIN coverage_household_last l ON l.household_id = ch.household_id AND l.sector = @sector
             WHERE ch.municipality = @m AND (@p::text IS NULL OR ch.poligono = @p) AND (@c::text IS NULL OR ch.colonia = @c)
               AND (l.last_month IS NULL OR l.last_month < @cutoff)
            """;
        var items = (await connection.QueryAsync<GapRow>(new CommandDefinition(
            $"""
            SELECT ch.household_id, ch.poligono, ch.colonia, ch.members, l.last_month
            {from}
             ORDER BY ch.poligono, ch.colonia, ch.household_id LIMIT @limit OFFSET @offset
            """, args, cancellationToken: ct)))
            .Select(g => new GapHousehold(g.HouseholdId, g.Poligono, g.Colonia, g.Members,
                g.LastMonth is { } d && d > DateOnly.MinValue ? d : null))
            .ToList();
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) {from}", args, cancellationToken: ct));
        return new GapHouseholdPage(r.Municipality, r.Poligono, r.Colonia, r.Sector, gapFrom, items, page, GapPageSize, total);
    }

    private sealed record GapRow(Guid HouseholdId, string Poligono, string Colonia, int Members, DateOnly? LastMonth);

    /// <summary>
    /// The key of the whole territory while the report is computed: a string no area has. Not "": that is the area of the
    /// households whose polígono or colonia is not known, which would then have taken the totals' counts. In the report
    /// the totals are fields of their own and keep an empty area name.
    /// </summary>
    private const string TotalArea = "\u0000total";

    public static DateOnly FirstOfMonth(DateOnly d) => new(d.Year, d.Month, 1);

    /// <summary>A polígono or colonia as the aggregates store it (registry_coverage_place: upper case, vowels without accents, single spaces).</summary>
    public static string? Place(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var upper = value.Trim().ToUpperInvariant();
        var plain = new System.Text.StringBuilder(upper.Length);
        foreach (var ch in upper)
        {
            var i = "ÁÀÂÄÉÈÊËÍÌÎÏÓÒÔÖÚÙÛÜ".IndexOf(ch, StringComparison.Ordinal);
            plain.Append(i < 0 ? ch : "AAAAEEEEIIIIOOOOUUUU"[i]);
        }
        return System.Text.RegularExpressions.Regex.Replace(plain.ToString(), @"\s+", " ");
    }

    private static async Task<string[]> FoldAsync(NpgsqlConnection connection, RegistryUser user, CancellationToken ct) =>
        user.Municipalities.Count == 0 ? [] : await connection.ExecuteScalarAsync<string[]>(new CommandDefinition(
            "SELECT registry_fold_all(@m)", new { m = user.Municipalities.ToArray() }, cancellationToken: ct)) ?? [];

    /// <summary>The counts a report publishes and the relations between them, for <see cref="SmallCellSuppression"/>.</summary>
    private sealed class CellBook
    {
        public List<long> Values { get; } = [];
        public List<IReadOnlyList<int>> Groups { get; } = [];
        public int Add(long value) { Values.Add(value); return Values.Count - 1; }
        public void Group(params int[] cells) => Groups.Add(cells);
    }
}

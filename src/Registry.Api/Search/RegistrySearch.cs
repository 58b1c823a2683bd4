using Dapper;
using Npgsql;
using Registry.Api.Access;
using Registry.Feeds;
using Registry.Normalization;

namespace Registry.Api.Search;

/// <summary>What a user searches by; any combination, at least one. Values are bound as parameters, never spliced into SQL.</summary>
public sealed record SearchCriteria(
    string? Name = null, string? Curp = null, string? Address = null, string? Municipality = null, string? Poligono = null,
    string? AgencyPersonId = null, string? Agency = null, int Page = 1, int PageSize = 20)
{
    public const int MaxTextLength = 200;
    public const int MaxPageSize = 100;

    /// <summary>Null when usable, else what to fix (answered as 400).</summary>
    public string? Problem()
    {
        string?[] all = [Name, Curp, Address, Municipality, Poligono, AgencyPersonId];
        if (all.All(string.IsNullOrWhiteSpace)) return "Give at least one of name, curp, address, municipality, poligono, agencyPersonId.";
        if (all.Concat([Agency]).Any(v => v is { Length: > MaxTextLength })) return $"Each search value is at most {MaxTextLength} characters.";
        if (Curp is { } c && c.Trim().Length > 18) return "curp is at most 18 characters.";
        if (Page is < 1 or > 10_000) return "page is between 1 and 10000.";
        if (PageSize is < 1 or > MaxPageSize) return $"pageSize is between 1 and {MaxPageSize}.";
        if (!string.IsNullOrWhiteSpace(Name) && NameKey(Name).Length < 2) return "name needs at least two letters.";
        if (!string.IsNullOrWhiteSpace(Address) && TextNormalizer.Normalize(Address).Length < 3) return "address needs at least three characters.";
        return null;
    }

    /// <summary>Which criteria were used (for the access log: the names of the fields, never their values).</summary>
    public string Describe() => string.Join(',', new (string Field, string? Value)[]
        { ("name", Name), ("curp", Curp), ("address", Address), ("municipality", Municipality), ("poligono", Poligono), ("agencyPersonId", AgencyPersonId) }
        .Where(x => !string.IsNullOrWhiteSpace(x.Value)).Select(x => x.Field));

    /// <summary>The name as matching normalises it: upper case, accents off, Ñ→N, particles (DE, DEL, LA, Y…) dropped.</summary>
    public static string NameKey(string? name) =>
        string.Join(' ', TextNormalizer.Words(name).Where(w => !PersonName.IsParticle(w)));
}

// Init-only properties rather than positional records: Dapper matches constructors by exact column
// type, and Npgsql reports array columns as System.Array.
public sealed record PersonHit
{
    public Guid Id { get; init; }
    public string? Curp { get; init; }
    public string? GivenNames { get; init; }
    public string? PaternalSurname { get; init; }
    public string? MaternalSurname { get; init; }
    public DateOnly? BirthDate { get; init; }
    public Guid[] Households { get; init; } = [];
    public float Score { get; init; }
}

public sealed record HouseholdHit
{
    public Guid Id { get; init; }
    public int Members { get; init; }
    public string MemberNames { get; init; } = "";
    public string[] Municipalities { get; init; } = [];
    public float Score { get; init; }
}

public sealed record SearchPage<T>(IReadOnlyList<T> Items, int Page, int PageSize, bool HasMore);

/// <summary>
/// Person and household search — the one place its SQL lives. Names are compared after the
/// matching normalisation (<see cref="SearchCriteria.NameKey"/>, stored side folded by
/// <c>persons.search_name</c>) with trigram word similarity, so misspellings,
/// missing accents and particles still find the person. Case managers only get hits in their
/// municipalities (<see cref="TerritoryScope"/>).
/// </summary>
public sealed class RegistrySearch(SearchConnections connections, FeedCatalog feeds, TerritoryScope territory)
{
    private readonly NpgsqlDataSource db = connections.DataSource;

    /// <summary>
    /// How a name is matched: not at all, by blocking on shared words (all the query's words but one), by any one of
    /// its words (in the reader's territory only), or by trigram similarity alone.
    /// </summary>
    private enum NameMode { None, SharedWords, AnyWord, Trigram }

    /// <summary>At most this many query words are used for blocking (5 blocks of 4 words).</summary>
    private const int MaxBlockingWords = 5;

    /// <summary>Which criteria a search gives (the statement holds a condition only for those).</summary>
    private readonly record struct Given(bool Curp, bool AgencyKeys, bool Municipality, bool Poligono, bool Address);

    /// <summary>
    /// The candidate persons. A name is matched in stages, like matching blocks before it scores:
    /// first persons having all the query's (normalised) words but at most one — two at least —
    /// ranked by trigram word similarity (fast: exact-word index); when that finds nobody (one word
    /// typed, or a misspelt word among two), for a case manager the persons of their territory
    /// having any one of the words; only then every person by trigram word similarity alone. For a
    /// case manager only persons of their territory are candidates (a person of an in-scope
    /// household is in scope, so no household is lost), before ranking: the 500 best are then 500
    /// they may see; their word blocks come from the territory's own name index. The SQL's shape
    /// depends only on how many words there are, which criteria are given and the reader's scope;
    /// every value is a parameter.
    /// </summary>
    /// <param name="restricted">The reader may not see every source.</param>
    /// <param name="storedView">The reader is one the stored restricted golden record was written for (<see cref="SensitiveSources.ReadsRestrictedGolden"/>).</param>
    private static string Candidates(NameMode mode, int pairs, bool territory, bool restricted, bool storedView, Given given)
    {
        var name = mode switch
        {
            NameMode.None => "true",
            // In a territory: its own name index (the words of each territory row,
            // prefixed with its municipality, under a GIN index) holds only the territory's persons, so
            // the block is already in scope. Having all the words but one (two at least) is containing
            // one of the leave-one-out word sets, in one of the reader's municipalities.
            NameMode.SharedWords when territory => $"""
                p.id IN (SELECT t.person_id FROM unnest((SELECT registry_fold_all(@municipalities))::text[]) m(municipality)
                          CROSS JOIN (VALUES {string.Join(", ", Enumerable.Range(0, pairs).Select(i => $"(@pair{i}::text[])"))}) s(words)
                          JOIN person_territories t ON t.name_words @> registry_territory_words(m.municipality, array_to_string(s.words, ' '))
                         WHERE {TerritoryScope.Grants("t")})
                """,
            NameMode.SharedWords =>
                "(" + string.Join(" OR ", Enumerable.Range(0, pairs).Select(i => $"string_to_array(p.search_name, ' ') @> @pair{i}")) + ")",
            // Persons of the reader's territory having any one of the query's words, from the same name index: a
            // two-word query with one word misspelt, or a one-word query. Ranked like the rest, so the score decides.
            NameMode.AnyWord => $"""
                p.id IN (SELECT t.person_id FROM unnest((SELECT registry_fold_all(@municipalities))::text[]) m(municipality)
                          JOIN person_territories t ON t.name_words && registry_territory_words(m.municipality, @name)
                         WHERE {TerritoryScope.Grants("t")})
                """,
            _ => "@name <% p.search_name",
        };
        var inScope = !territory ? "true"
            : mode is NameMode.SharedWords or NameMode.AnyWord ? "true /* the name index is per territory */" : TerritoryScope.PersonInScope("p.id");
        // A reader who may not see every source finds a person only through a current record they may see, and by
        // the name and CURP that record carries: a value only a hidden (health, security) source supplied finds nobody.
        // The name: usually a visible record carries the golden name itself (a cheap comparison); otherwise the visible
        // record's own name must match the query (folding it costs ~0.1 ms a record, so only then).
        // Only the criteria given appear in the statement: fewer subqueries to plan and run (each shape is prepared once).
        var visibleName = mode == NameMode.None ? "" : """

                       AND ((upper(vs.data ->> 'GivenNames') IS NOT DISTINCT FROM p.given_names
                             AND upper(vs.data ->> 'PaternalSurname') IS NOT DISTINCT FROM p.paternal_surname
                             AND upper(vs.data ->> 'MaternalSurname') IS NOT DISTINCT FROM p.maternal_surname)
                            OR word_similarity(@name, registry_person_name(
                                   vs.data ->> 'GivenNames', vs.data ->> 'PaternalSurname', vs.data ->> 'MaternalSurname')) >= 0.5)
            """;
        var visibleCurp = !given.Curp ? "" : """

                       AND replace(registry_fold(vs.data ->> 'Curp'), ' ', '') = @curp
            """;
        var visibleRecord = $"""
            EXISTS (SELECT 1 FROM source_records vs JOIN extracts ve ON ve.id = vs.extract_id
                     WHERE vs.person_id = p.id AND {SensitiveSources.VisibleSql("ve.sector", "vs.agency_code")}
                       AND NOT EXISTS (SELECT 1 FROM source_records newer WHERE newer.supersedes = vs.id){visibleName}{visibleCurp})
            """;
        // For a reader without any sensitive-sector grant the golden record's writer already knows (persons.restricted_*)
        // whether the person has a visible current record at all, and whether one carries the golden name
        // itself — then its folded name is the one scored, so with the score ≥ 0.5 every candidate needs, the record test
        // above holds. Only a CURP search, or a person whose visible records carry other names, still looks at the records.
        // (A merged person's view is dropped at the merge: its records are the survivor's.)
        var settled = given.Curp ? "false" : mode == NameMode.None ? "true" : "p.restricted_name_seen";
        var visible = !restricted ? "true" : !storedView ? visibleRecord : $"""
            (p.restricted_view IS DISTINCT FROM '{Registry.Persons.RestrictedGolden.Hidden}'
             AND ((p.restricted_view IS NOT NULL AND {settled}) OR {visibleRecord}))
            """;
        var visibleSource = !restricted ? "" : $" AND {SensitiveSources.VisibleSql("ve.sector", "sr.agency_code")}";
        var visibleJoin = !restricted ? "" : " JOIN extracts ve ON ve.id = sr.extract_id";
        var filters = new List<string>();
        if (given.Curp) filters.Add("p.id IN (SELECT k.person_id FROM person_keys k WHERE k.key = 'curp:' || @curp)");
        if (given.AgencyKeys) filters.Add("p.id IN (SELECT k.person_id FROM person_keys k WHERE k.key = ANY (@agencyKeys))");
        if (given.Municipality)
            filters.Add("p.id IN (SELECT t.person_id FROM person_territories t WHERE t.municipality = registry_fold(@municipality) AND t.ended_at IS NULL)");
        if (given.Poligono)
            filters.Add($"""
                p.id IN (SELECT sr.person_id FROM source_records sr{visibleJoin}
                          WHERE sr.data ->> 'Poligono' IS NOT NULL AND registry_fold(sr.data ->> 'Poligono') = registry_fold(@poligono){visibleSource})
                """);
        if (given.Address)
            filters.Add($"""
                p.id IN (SELECT sr.person_id FROM source_records sr{visibleJoin}
                          WHERE (sr.data ->> 'Street' IS NOT NULL OR sr.data ->> 'Colonia' IS NOT NULL)
                            AND @address <% registry_address(sr.data){visibleSource})
                """);
        var filtered = string.Concat(filters.Select(f => "\n               AND " + f));
        // The similarity is computed once per candidate (scored, then filtered and ranked).
        return $"""
        WITH candidates AS MATERIALIZED (
            SELECT id, score FROM (
            SELECT p.id,
                   {(mode == NameMode.None ? "1" : "word_similarity(@name, p.search_name)")} AS score
              FROM persons p
             WHERE ({name})
               AND {inScope}
               AND {visible}{filtered}
            ) scored
             WHERE score >= 0.5
             ORDER BY score DESC, id
             LIMIT 500
        )
        """;
    }

    public async Task<SearchPage<PersonHit>> PersonsAsync(SearchCriteria criteria, RegistryUser user, CancellationToken ct)
    {
        // Candidates are already the reader's (PersonInScope in the candidate query). Identity fields as the reader may see
        // them, settled here but for the rare person flagged golden_hidden (SensitiveSources.ListedIdentitySql).
        var identity = SensitiveSources.ListedIdentitySql(user, "p");
        var rows = await QueryAsync<PersonRow>(criteria, user, candidates =>
            $"""
            {candidates}
            SELECT p.id, {identity.Curp} AS curp, {identity.GivenNames} AS given_names, {identity.PaternalSurname} AS paternal_surname,
                   {identity.MaternalSurname} AS maternal_surname, ({identity.BirthDate})::date AS birth_date,
                   coalesce((SELECT array_agg(hm.household_id ORDER BY hm.household_id) FROM household_members hm WHERE hm.person_id = p.id), ARRAY[]::uuid[]) AS households,
                   c.score::real AS score,
                   {identity.Recompute} AS golden_hidden
              FROM candidates c JOIN persons p ON p.id = c.id
             ORDER BY c.score DESC, paternal_surname, given_names, p.id
             LIMIT @limit OFFSET @offset
            """, ct);
        var hits = rows.Select(r => r.Hit).ToList();
        if (rows.Any(r => r.GoldenHidden))
        {
            // CURP, names and birth date only from sources the reader may see, where the stored ones are not all such.
            await using var connection = await db.OpenConnectionAsync(ct);
            var golden = await SensitiveSources.GoldenAsync(connection, [.. rows.Where(r => r.GoldenHidden).Select(r => r.Id)], user, ct, hidden: true);
            hits = [.. hits.Where(h => !golden.TryGetValue(h.Id, out var g) || g.HasVisibleSource)
                .Select(h => golden.TryGetValue(h.Id, out var g) ? h with
                {
                    Curp = g.Curp, GivenNames = g.GivenNames, PaternalSurname = g.PaternalSurname, MaternalSurname = g.MaternalSurname, BirthDate = g.BirthDate,
                } : h)];
        }
        return Page(hits, criteria);
    }

    /// <summary>A person hit as read, with whether its stored identity fields may be shown to the reader as they are.</summary>
    private sealed record PersonRow
    {
        public Guid Id { get; init; }
        public string? Curp { get; init; }
        public string? GivenNames { get; init; }
        public string? PaternalSurname { get; init; }
        public string? MaternalSurname { get; init; }
        public DateOnly? BirthDate { get; init; }
        public Guid[] Households { get; init; } = [];
        public float Score { get; init; }
        public bool GoldenHidden { get; init; }

        public PersonHit Hit => new()
        {
            Id = Id, Curp = Curp, GivenNames = GivenNames, PaternalSurname = PaternalSurname, MaternalSurname = MaternalSurname,
            BirthDate = BirthDate, Households = Households, Score = Score,
        };
    }

    /// <summary>A household hit as read: its current members (oldest first) with their names as the reader may see them, and which of those could not be settled in the query.</summary>
    private sealed record HouseholdRow
    {
        public Guid Id { get; init; }
        public int Members { get; init; }
        public Guid[] MemberIds { get; init; } = [];
        public string[] MemberNameList { get; init; } = [];
        public bool[] MemberHidden { get; init; } = [];
        public string?[] MemberBirths { get; init; } = [];
        public string[] Municipalities { get; init; } = [];
    }

    /// <summary>A household of a search's page, in rank order.</summary>
    private sealed record HouseholdPageRow
    {
        public Guid Id { get; init; }
        public float Score { get; init; }
    }

    public async Task<SearchPage<HouseholdHit>> HouseholdsAsync(SearchCriteria criteria, RegistryUser user, CancellationToken ct)
    {
        var scope = user.SeesAllTerritories ? "true" : TerritoryScope.HouseholdInScope("h.household_id");
        // Two statements: the page (which households, ranked), then what the page shows of each. Apart, each is simple
        // enough for PostgreSQL to keep one generic plan (no planning per call, ~2 ms of a search at 1M persons); as one
        // statement, the per-member subqueries made it plan every call.
        var page = await QueryAsync<HouseholdPageRow>(criteria, user, candidates =>
            $"""
            {candidates},
            hits AS MATERIALIZED (
                SELECT hm.household_id, max(c.score) AS score
                  FROM candidates c JOIN household_members hm ON hm.person_id = c.id AND hm.valid_to IS NULL
                 GROUP BY hm.household_id
                 ORDER BY score DESC, hm.household_id
            )
            -- Hits are already ranked: the territory check runs only until the page is full.
            SELECT h.household_id AS id, h.score::real AS score FROM hits h
             WHERE {scope}
             ORDER BY h.score DESC, h.household_id
             LIMIT @limit OFFSET @offset
            """, ct);
        if (page.Count == 0) return Page(new List<HouseholdHit>(), criteria);
        await using var connection = await connections.GenericPlans.OpenConnectionAsync(ct);
        // Each member's names and birth date as this reader may see them, settled in this statement (the stored restricted view
        // for a case manager without sensitive grants); only members flagged `recompute` take a second look. The municipalities
        // are where the household lives, as its page shows them (HouseholdQueries.MunicipalitiesSql).
        var identity = SensitiveSources.ListedIdentitySql(user, "p");
        var rows = (await connection.QueryAsync<HouseholdRow>(new CommandDefinition(
            $"""
            SELECT pg.household_id AS id, ml.members,
                   coalesce(ml.member_ids, ARRAY[]::uuid[]) AS member_ids, coalesce(ml.member_name_list, ARRAY[]::text[]) AS member_name_list,
                   coalesce(ml.member_hidden, ARRAY[]::boolean[]) AS member_hidden, coalesce(ml.member_births, ARRAY[]::text[]) AS member_births,
                   {Households.HouseholdQueries.MunicipalitiesSql(user, "pg.household_id")} AS municipalities
              FROM unnest(@ids::uuid[]) WITH ORDINALITY AS pg(household_id, n)
             CROSS JOIN LATERAL (
                   -- Members sorted once, oldest first, and aggregated in that order (four ORDER BY aggregates sorted four times).
                   SELECT count(*)::int AS members, array_agg(v.person_id) AS member_ids, array_agg(v.name) AS member_name_list,
                          array_agg(v.recompute) AS member_hidden, array_agg(v.birth) AS member_births
                     FROM (SELECT m.person_id, concat_ws(' ', {identity.GivenNames}, {identity.PaternalSurname}, {identity.MaternalSurname}) AS name,
                                  {identity.BirthDate} AS birth, {identity.Recompute} AS recompute
                             FROM household_members m JOIN persons p ON p.id = m.person_id
                            WHERE m.household_id = pg.household_id AND m.valid_to IS NULL
                            ORDER BY birth NULLS LAST, m.person_id) v) ml
             ORDER BY pg.n
            """,
            new { ids = page.Select(r => r.Id).ToArray(), municipalities = user.Municipalities.ToArray(), hiddenSectors = user.HiddenSectors, ownAgency = user.OwnAgency },
            cancellationToken: ct))).AsList();
        var scores = page.ToDictionary(r => r.Id, r => r.Score);
        IReadOnlyDictionary<Guid, VisibleGolden> golden = new Dictionary<Guid, VisibleGolden>();
        var hidden = rows.SelectMany(r => r.MemberIds.Where((_, i) => r.MemberHidden[i])).Distinct().ToList();
        if (hidden.Count > 0)
        {
            // Members whose names could not be settled above: names (and birth dates, for the order) from the sources the
            // reader may see; a member with none is left out of the list.
            golden = await SensitiveSources.GoldenAsync(connection, hidden, user, ct, hidden: true);
        }
        var hits = rows.Select(r => new HouseholdHit
        {
            Id = r.Id, Members = r.Members, Municipalities = r.Municipalities, Score = scores[r.Id],
            MemberNames = string.Join(", ", !r.MemberHidden.Contains(true)
                ? r.MemberNameList.Where(n => n.Length > 0)
                : r.MemberIds.Select((m, i) => r.MemberHidden[i]
                        ? (Id: m, Name: golden[m].FullName, Birth: golden[m].BirthDate)
                        : (Id: m, Name: r.MemberNameList[i], Birth: DateOnly.TryParseExact(r.MemberBirths[i], "yyyy-MM-dd", out var b) ? b : (DateOnly?)null))
                    .OrderBy(x => x.Birth ?? DateOnly.MaxValue).ThenBy(x => x.Id).Select(x => x.Name).Where(n => n.Length > 0)),
        }).ToList();
        return Page(hits, criteria);
    }

    private async Task<List<T>> QueryAsync<T>(SearchCriteria c, RegistryUser user, Func<string, string> sql, CancellationToken ct)
    {
        static string? Clean(string? v) => string.IsNullOrWhiteSpace(v) ? null : v.Trim();
        var agencyPersonId = Clean(c.AgencyPersonId);
        string[]? agencyKeys = agencyPersonId is null
            ? null
            : Clean(c.Agency) is { } agency
                ? [$"agency:{agency.ToUpperInvariant()}:{agencyPersonId}"]
                : [.. feeds.All.Select(f => f.Agency.Code).Distinct(StringComparer.Ordinal).Select(a => $"agency:{a}:{agencyPersonId}")];
        // An agency person id the reader may not see (a clinic's file number, a prevention centre's case id) finds nobody.
        if (agencyKeys is not null && !user.SeesEverySource)
        {
            var hiddenAgencies = feeds.All.GroupBy(f => f.Agency.Code, StringComparer.Ordinal)
                .Where(g => g.Any(f => !user.SeesSource(f.Sector, f.Agency.Code))).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
            agencyKeys = [.. agencyKeys.Where(k => !hiddenAgencies.Contains(k.Split(':')[1]))];
        }
        var name = Clean(c.Name) is { } n ? SearchCriteria.NameKey(n) : null;
        var words = name is null ? [] : name.Split(' ').Distinct(StringComparer.Ordinal).Take(MaxBlockingWords).ToArray();
        // Blocks: every way of leaving one word out (at least two words kept), so one misspelt word
        // still finds the person while common pairs (MARIA + ANGELES) alone do not flood the ranking.
        var pairs = words.Length < 2 ? []
            : words.Length == 2 ? [words]
            : Enumerable.Range(0, words.Length).Select(skip => words.Where((_, i) => i != skip).ToArray()).ToList();

        // A value that cleans to nothing ("-") must still filter (and match nobody), never drop the filter.
        var curp = Clean(c.Curp) is { } typed ? Curp.Clean(typed) ?? typed : null;
        var municipality = Clean(c.Municipality);
        var poligono = Clean(c.Poligono);
        var address = Clean(c.Address) is { } a ? TextNormalizer.Normalize(a) : null;
        var given = new Given(Curp: curp is not null, AgencyKeys: agencyKeys is not null, Municipality: municipality is not null,
            Poligono: poligono is not null, Address: address is not null);

        DynamicParameters Args(int page)
        {
            var args = new DynamicParameters(new
            {
                name,
                curp,
                agencyKeys,
                municipality,
                poligono,
                address,
                municipalities = user.Municipalities.ToArray(),
                territoryGrace = territory.Grace,
                hiddenSectors = user.HiddenSectors,
                ownAgency = user.OwnAgency,
                limit = c.PageSize + 1,
                offset = (page - 1) * c.PageSize,
            });
            for (var i = 0; i < pairs.Count; i++) args.Add($"pair{i}", pairs[i]);
            return args;
        }

        // A name blocked on the reader's territory (alone, or with a municipality) keeps one plan per statement shape: its plan
        // hardly depends on the values, and planning it for each search cost about as much as running it. Everything else is
        // planned for its values (a generic plan for a trigram scan or an address filter can be far off).
        var generic = !user.SeesAllTerritories && given is { Curp: false, AgencyKeys: false, Poligono: false, Address: false };
        NpgsqlConnection? genericConnection = null, connection = null;
        try
        {
            async Task<List<T>> Run(NameMode mode, int page)
            {
                var on = generic && mode is NameMode.SharedWords or NameMode.AnyWord
                    ? genericConnection ??= await connections.GenericPlans.OpenConnectionAsync(ct)
                    : connection ??= await db.OpenConnectionAsync(ct);
                return (await on.QueryAsync<T>(new CommandDefinition(sql(Candidates(mode, pairs.Count, !user.SeesAllTerritories, !user.SeesEverySource,
                    SensitiveSources.ReadsRestrictedGolden(user), given)), Args(page), cancellationToken: ct))).AsList();
            }

            // Stay with a blocking mode when it found anyone (on this page, or — for later pages — on the first).
            async Task<List<T>?> Blocked(NameMode mode)
            {
                var found = await Run(mode, c.Page);
                return found.Count > 0 || (c.Page > 1 && (await Run(mode, 1)).Count > 0) ? found : null;
            }

            if (name is null) return await Run(NameMode.None, c.Page);
            if (pairs.Count > 0 && await Blocked(NameMode.SharedWords) is { } shared) return shared;
            // A case manager's territory has its own name index: any one word there (tens to thousands of persons at a
            // state's size) costs far less than trigram similarity over every person of the registry, checked for
            // territory one by one (seconds at a million persons, past the statement timeout).
            if (!user.SeesAllTerritories && await Blocked(NameMode.AnyWord) is { } any) return any;
            return await Run(NameMode.Trigram, c.Page);
        }
        finally
        {
            if (genericConnection is not null) await genericConnection.DisposeAsync();
            if (connection is not null) await connection.DisposeAsync();
        }
    }

    private static SearchPage<T> Page<T>(List<T> rows, SearchCriteria c) =>
        new(rows.Count > c.PageSize ? rows[..c.PageSize] : rows, c.Page, c.PageSize, rows.Count > c.PageSize);
}

using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Razor.Hosting;
using Npgsql;
using Registry.Api.Tests.Infrastructure;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Api.Tests.Access;

/// <summary>
/// The sensitive-source matrix: every endpoint and page × readers with and without the grant for the
/// sensitive sectors (health: SSA-TAM, security: SSPT-CEPD), on persons whose newest record comes from a
/// sensitive feed. The body of every answer is searched for what those sources must not reveal to a reader
/// without the grant — agency and feed codes, file names, SHA-256s, extract, record and event ids,
/// programmes and service types, keys, and every value only they supplied (read from the database) — while
/// the readers who hold the grant (or see every sector) must find that detail, so the test cannot pass
/// vacuously.
/// </summary>
[Collection(SeededCollection.Name)]
public sealed class SensitiveSourceMatrixTests(SeededRegistry registry)
{
    /// <summary>Readers and the agencies whose sources each may not see (a data officer sees their own agency's).</summary>
    private static readonly (string User, string[] HiddenAgencies)[] Readers =
    [
        ("gestora.reynosa", ["SSA-TAM", "SSPT-CEPD"]),
        ("dif.datos", ["SSA-TAM", "SSPT-CEPD"]),
        ("ssa.datos", ["SSPT-CEPD"]),
        ("gestora.salud", []),
        ("custodio", []),
        ("coordinadora.lazos", ["SSA-TAM", "SSPT-CEPD"]),
    ];

    private const string WithGrant = "gestora.salud", SeesAll = "custodio";
    private static readonly string[] Restricted = ["gestora.reynosa", "dif.datos", "ssa.datos"];

    /// <summary>
    /// One request of the matrix. Placeholders: {p} a person whose newest record is sensitive, {hh} their household,
    /// {curp} and {name} what a visible source says of them, {se} one of their sensitive service events,
    /// {sid} their id at the sensitive agency, {ext} a sensitive extract, {none} an unknown id.
    /// </summary>
    /// <param name="DetailFor">Readers who must find sensitive detail in at least one answer of this case.</param>
    /// <param name="DeniedFor">Readers who must be refused (403) — with nothing sensitive in the refusal either.</param>
    public sealed record Probe(string Method, string Path, string[] DetailFor, string[] DeniedFor);

    private static readonly string[] CaseManagersAndAgencies = ["gestora.reynosa", "gestora.salud", "dif.datos", "ssa.datos"];

    private static readonly string ModelVersion = Registry.Matching.MatchModel.Default.Version;

    public static readonly Probe[] Cases =
    [
        // Identifier searches are POSTs: the JSON body follows '#' in the template.
        new("POST", "/api/persons/search#{\"curp\":\"{curp}\"}", [], ["dif.datos", "ssa.datos"]),
        new("GET", "/api/persons?name={name}", [], ["dif.datos", "ssa.datos"]),
        new("POST", "/api/households/search#{\"curp\":\"{curp}\"}", [], ["dif.datos", "ssa.datos"]),
        new("GET", "/api/households?name={name}", [], ["dif.datos", "ssa.datos"]),
        new("GET", "/api/persons/{p}", [WithGrant, SeesAll], ["dif.datos", "ssa.datos"]),
        new("GET", "/api/households/{hh}", [WithGrant, SeesAll], ["dif.datos", "ssa.datos"]),
        // FHIR (health systems): a Patient read and a $match by the CURP a visible source gave, as person reads.
        new("GET", "/fhir/Patient/{p}", [WithGrant, SeesAll], ["dif.datos", "ssa.datos"]),
        new("POST", "/fhir/Patient/$match#{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"resource\",\"resource\":{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"https://www.gob.mx/curp\",\"value\":\"{curp}\"}]}}]}",
            [WithGrant, SeesAll], ["dif.datos", "ssa.datos"]),
        // DCI Social Registry (partner systems): searches by the registry's identifiers answer Member records from the golden record
        // the reader may see; the other operations carry no registry data (an empty body is an ERR).
        new("POST", "/dci/registry/sync/search#" + DciSearch("CURP", "{curp}"), [WithGrant, SeesAll], ["dif.datos", "ssa.datos"]),
        new("POST", "/dci/registry/sync/search#" + DciSearch("HOUSEHOLD_ID", "{hh}"), [WithGrant, SeesAll], ["dif.datos", "ssa.datos"]),
        new("POST", "/dci/registry/search#" + DciSearch("PERSON_ID", "{p}"), [], ["dif.datos", "ssa.datos"]),
        new("POST", "/dci/registry/subscribe", [], ["dif.datos", "ssa.datos"]),
        new("POST", "/dci/registry/unsubscribe", [], ["dif.datos", "ssa.datos"]),
        new("POST", "/dci/registry/txn/status", [], ["dif.datos", "ssa.datos"]),
        new("POST", "/dci/registry/sync/txn/status", [], ["dif.datos", "ssa.datos"]),
        // IBR (beneficiary view): a person's programmes and services — a sensitive service as sector and date only without the grant.
        new("POST", "/dci/ibr/registry/sync/search#" + DciSearch("CURP", "{curp}"), [WithGrant, SeesAll], ["dif.datos", "ssa.datos"]),
        new("POST", "/dci/ibr/registry/search#" + DciSearch("PERSON_ID", "{p}"), [], ["dif.datos", "ssa.datos"]),
        new("POST", "/dci/ibr/registry/txn/status", [], ["dif.datos", "ssa.datos"]),
        new("POST", "/dci/ibr/registry/sync/txn/status", [], ["dif.datos", "ssa.datos"]),
        new("GET", "/api/persons/{p}/identity-events", [], CaseManagersAndAgencies),
        new("GET", "/api/lineage/persons/{p}", [SeesAll], CaseManagersAndAgencies),
        new("GET", "/api/lineage/households/{hh}", [SeesAll], CaseManagersAndAgencies),
        new("GET", "/api/lineage/service-events/{se}", [SeesAll], CaseManagersAndAgencies),
        new("GET", "/api/extracts", [SeesAll], ["gestora.reynosa", "gestora.salud"]),
        new("GET", "/api/extracts/{ext}", [SeesAll], ["gestora.reynosa", "gestora.salud", "dif.datos"]),
        new("GET", "/api/extracts/{ext}/rejected.csv", [], ["gestora.reynosa", "gestora.salud", "dif.datos"]),
        new("GET", "/api/extracts/{ext}/warnings.csv", [], ["gestora.reynosa", "gestora.salud", "dif.datos"]),
        new("GET", "/api/feeds", [WithGrant, SeesAll], []),
        new("GET", "/api/summary", [], []),
        new("GET", "/api/summary.txt", [WithGrant, SeesAll], []),
        new("GET", "/api/access-log", [], [.. CaseManagersAndAgencies, SeesAll]),
        new("GET", "/api/review/tasks", [], CaseManagersAndAgencies),
        new("GET", "/api/review/tasks/{none}", [], CaseManagersAndAgencies),
        new("POST", "/api/review/tasks/{none}/decision", [], CaseManagersAndAgencies),
        new("POST", "/api/persons/{p}/merge", [], CaseManagersAndAgencies),
        new("POST", "/api/persons/{p}/split", [], CaseManagersAndAgencies),
        new("POST", "/api/households/{hh}/merge", [], CaseManagersAndAgencies),
        new("POST", "/api/households/{hh}/split", [], CaseManagersAndAgencies),
        new("GET", "/api/territory-events?person={p}", [], CaseManagersAndAgencies),
        new("POST", "/api/persons/{p}/residence", [], CaseManagersAndAgencies),
        new("POST", "/api/households/{hh}/residence", [], CaseManagersAndAgencies),
        // The matching model holds no personal data; stewards and admins only (the starting values' version).
        new("GET", "/api/models", [], CaseManagersAndAgencies),
        new("GET", $"/api/models/{ModelVersion}", [], CaseManagersAndAgencies),
        new("POST", $"/api/models/{ModelVersion}/promote", [], [.. CaseManagersAndAgencies, SeesAll]),
        // Pages, fetched with the same bearer token a browser's cookie stands for.
        new("GET", "/", [], ["dif.datos", "ssa.datos"]),
        new("GET", "/?nombre={name}", [], ["dif.datos", "ssa.datos"]),
        new("GET", "/?curp={curp}", [], ["dif.datos", "ssa.datos"]),
        new("GET", "/personas/{p}", [WithGrant, SeesAll], ["dif.datos", "ssa.datos"]),
        new("GET", "/hogares/{hh}", [WithGrant, SeesAll], ["dif.datos", "ssa.datos"]),
        new("GET", "/linaje/servicio/{se}", [SeesAll], CaseManagersAndAgencies),
        new("GET", "/extractos", [SeesAll], ["gestora.reynosa", "gestora.salud"]),
        new("GET", "/auditoria", [], [.. CaseManagersAndAgencies, SeesAll]),
        new("GET", "/revision", [], CaseManagersAndAgencies),
        new("GET", "/modelos", [], CaseManagersAndAgencies),
        // Coverage by territory: sector counts for everyone allowed, programmes of health and security only with the grant.
        new("GET", "/api/coverage?municipality=REYNOSA&sector=health", [WithGrant, SeesAll], ["dif.datos", "ssa.datos"]),
        new("GET", "/api/coverage?municipality=REYNOSA&sector=security", [WithGrant, SeesAll], ["dif.datos", "ssa.datos"]),
        new("GET", "/api/coverage.csv?municipality=REYNOSA", [], ["dif.datos", "ssa.datos"]),
        new("GET", "/api/coverage/households?municipality=REYNOSA&sector=health", [], ["dif.datos", "ssa.datos", "coordinadora.lazos"]),
        new("GET", "/api/coverage/municipalities", [], ["dif.datos", "ssa.datos"]),
        new("GET", "/cobertura?municipio=REYNOSA&sector=health", [WithGrant, SeesAll], ["dif.datos", "ssa.datos"]),
        new("GET", "/cobertura/hogares?municipio=REYNOSA&sector=security", [], ["dif.datos", "ssa.datos", "coordinadora.lazos"]),
        new("GET", "/login", [], []),
        new("GET", "/denegado", [], []),
        new("GET", "/proposito", [], []),
    ];

    /// <summary>A DCI search envelope (idtype-value) as a probe's JSON body; placeholders stay for <see cref="SensitiveFacts.Expand"/>.</summary>
    private static string DciSearch(string type, string value) =>
        "{\"header\":{\"version\":\"1.0.0\",\"message_id\":\"m1\",\"message_ts\":\"2026-11-30T12:00:00Z\",\"action\":\"search\",\"sender_id\":\"matriz\",\"total_count\":1}," +
        "\"message\":{\"transaction_id\":\"t1\",\"search_request\":[{\"reference_id\":\"r1\",\"timestamp\":\"2026-11-30T12:00:00Z\"," +
        $"\"search_criteria\":{{\"query_type\":\"idtype-value\",\"query\":{{\"type\":\"{type}\",\"value\":\"{value}\"}}}}}}]}}}}";

    public static IEnumerable<object[]> Matrix() =>
        from c in Cases from r in Readers select new object[] { c.Method, c.Path, r.User };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task No_answer_reveals_a_sensitive_source_to_a_reader_without_the_grant(string method, string path, string user)
    {
        var facts = await SensitiveFacts.LoadAsync(registry);
        var @case = Cases.Single(c => c.Method == method && c.Path == path);
        var secrets = facts.SecretsHiddenFrom(Readers.Single(r => r.User == user).HiddenAgencies);
        var mustSeeDetail = @case.DetailFor.Contains(user);
        var detail = facts.SecretsHiddenFrom(["SSA-TAM", "SSPT-CEPD"]);
        var client = await registry.ClientAsync(user);
        var anonymous = await registry.ClientAsync(null);
        var leaks = new List<string>();
        var sawDetail = false;
        var requests = 0;
        foreach (var expanded in facts.Expand(path))
        {
            requests++;
            var (url, json) = expanded.Split('#', 2) is [var u, var b] ? (u, b) : (expanded, "{}");
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            if (method == "POST") request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            using var response = await client.SendAsync(request);
            var body = Readable(response, await response.Content.ReadAsStringAsync());
            if (@case.DeniedFor.Contains(user))
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{user} {method} {url}: expected 403, got {(int)response.StatusCode}");
            // What the reader typed (a CURP, a name) is theirs, and what anyone is shown without signing in (the demo's
            // sign-in page names the seeded users' agencies) is no source's: neither is a leak.
            var asked = Fold(WebUtility.UrlDecode(url) + " " + json);
            using var anonymousRequest = new HttpRequestMessage(new HttpMethod(method), url);
            if (method == "POST") anonymousRequest.Content = new StringContent(json, Encoding.UTF8, "application/json");
            using var anonymousResponse = await anonymous.SendAsync(anonymousRequest);
            var open = Readable(anonymousResponse, await anonymousResponse.Content.ReadAsStringAsync());
            leaks.AddRange(secrets.Where(s => Contains(body, s.Folded) && !asked.Contains(s.Folded, StringComparison.Ordinal) && !Contains(open, s.Folded))
                .Select(s => $"{method} {url} → {s.What}: {s.Value} [{Around(body, s.Folded)}]"));
            sawDetail |= detail.Any(s => Contains(body, s.Folded));
        }
        Assert.True(requests > 0, $"{path}: no request made (no person fits the placeholders)");
        Assert.True(leaks.Count == 0, $"{user} sees {leaks.Count} sensitive value(s):\n" + string.Join('\n', leaks.Distinct().Take(40)));
        if (mustSeeDetail) Assert.True(sawDetail, $"{user} {method} {path}: the detail of sensitive sources should be visible to this reader");
    }

    [Fact]
    public async Task The_matrix_has_a_case_for_every_endpoint_and_page()
    {
        var client = await registry.ClientAsync(null);
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var documented = doc.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => $"{m.Name.ToUpperInvariant()} {p.Name}"))
            // The dev issuer's token endpoint is anonymous by design and returns only a token.
            .Where(e => e != "POST /auth/token");
        var pages = typeof(Registry.Api.RegistryApiMarker).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes<RazorCompiledItemMetadataAttribute>())
            .Where(a => a.Key == "RouteTemplate")
            .Select(a => "GET " + a.Value.Replace("{id:guid}", "{id}", StringComparison.Ordinal));
        var covered = Cases.Select(c => $"{c.Method} {Template(c.Path)}").ToHashSet(StringComparer.Ordinal);
        var missing = documented.Concat(pages).Where(e => !covered.Contains(e)).Distinct().ToList();
        Assert.True(missing.Count == 0, "Not in the sensitive-source matrix: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task The_matrix_runs_on_persons_whose_newest_record_is_sensitive_and_whose_golden_fields_came_from_it()
    {
        var facts = await SensitiveFacts.LoadAsync(registry);
        Assert.True(facts.Persons.Count >= 3, $"only {facts.Persons.Count} persons with a sensitive newest record in Reynosa");
        Assert.Contains(facts.Persons, p => p.GoldenFromSensitive);
        Assert.Contains(facts.Secrets, s => s.What == "Phone");
        // A golden surname only a clinic wrote: shown, in households and search too, to a reader without the grant would be a leak.
        Assert.Contains(facts.Secrets, s => s.Value == "MARTINES");
    }

    [Fact]
    public async Task A_value_or_id_only_a_sensitive_source_holds_finds_nobody_for_a_reader_without_the_grant()
    {
        var facts = await SensitiveFacts.LoadAsync(registry);
        var without = await registry.ClientAsync("gestora.reynosa");
        var with = await registry.ClientAsync("gestora.salud");
        Assert.Contains(facts.Persons, p => p.SensitiveAgencyId is not null);
        var steward = await registry.ClientAsync("custodio");
        foreach (var person in facts.Persons.Where(p => p.SensitiveAgencyId is not null))
        {
            var criteria = new { agencyPersonId = person.SensitiveAgencyId, agency = person.SensitiveAgency };
            Assert.DoesNotContain(person.Id, (await without.SearchPersonsAsync(criteria)).Items.Select(h => h.Id));
            Assert.Contains(person.Id, (await with.SearchPersonsAsync(criteria)).Items.Select(h => h.Id));
        }
        // A person only sensitive sources know (a clinic, a prevention centre): the case manager of their municipality,
        // in whose territory they are, does not find them by the name those sources gave; a steward does.
        var onlySensitive = facts.OnlySensitive.Where(p => p.Municipality is "VICTORIA" or "REYNOSA").ToList();
        Assert.NotEmpty(onlySensitive);
        foreach (var (id, name, municipality) in onlySensitive)
        {
            var local = await registry.ClientAsync(municipality == "VICTORIA" ? "gestor.victoria" : "gestora.reynosa");
            var url = $"/api/persons?name={Uri.EscapeDataString(name)}";
            Assert.Contains(id.ToString(), await steward.GetStringAsync(url), StringComparison.Ordinal);
            Assert.DoesNotContain(id.ToString(), await local.GetStringAsync(url), StringComparison.Ordinal);
            // Read by id, the person shows nothing those sources supplied (whether or not the territory lets the reader in).
            foreach (var page in new[] { $"/api/persons/{id}", $"/personas/{id}" })
            {
                using var response = await local.GetAsync(page);
                var body = Readable(response, await response.Content.ReadAsStringAsync());
                Assert.DoesNotContain(Fold(name.Split(' ')[^1]), body, StringComparison.Ordinal);
                Assert.DoesNotContain("SSPT-CEPD", body, StringComparison.Ordinal);
            }
        }
    }

    private static string Around(string text, string value)
    {
        var at = text.IndexOf(value, StringComparison.Ordinal);
        return text[Math.Max(0, at - 60)..Math.Min(text.Length, at + value.Length + 60)];
    }

    private static string Template(string path)
    {
        var p = path.Split('?', '#')[0];
        foreach (var id in new[] { "{p}", "{hh}", "{se}", "{ext}", "{none}" }) p = p.Replace(id, "{id}", StringComparison.Ordinal);
        return p.Replace(ModelVersion, "{version}", StringComparison.Ordinal);
    }

    /// <summary>The text a reader sees: JSON strings decoded (no \u escapes), HTML entities decoded.</summary>
    private static string Readable(HttpResponseMessage response, string body)
    {
        var type = response.Content.Headers.ContentType?.MediaType ?? "";
        var text = body;
        if (type.Contains("json", StringComparison.Ordinal))
        {
            try
            {
                using var json = JsonDocument.Parse(body);
                var all = new StringBuilder();
                Walk(json.RootElement, all);
                text = all.ToString();
            }
            catch (JsonException)
            {
            }
        }
        else if (type.Contains("html", StringComparison.Ordinal))
        {
            text = WebUtility.HtmlDecode(body);
        }
        return Fold(text);
    }

    private static void Walk(JsonElement e, StringBuilder all)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject()) { all.Append(p.Name).Append(" | "); Walk(p.Value, all); }
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray()) Walk(item, all);
                break;
            case JsonValueKind.String:
                all.Append(e.GetString()).Append(" | ");
                break;
            default:
                all.Append(e.GetRawText()).Append(" | ");
                break;
        }
    }

    /// <summary>Upper case, accents off: "Atención" and "ATENCION" are the same value.</summary>
    internal static string Fold(string value)
    {
        var decomposed = value.Normalize(NormalizationForm.FormD);
        var kept = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark) kept.Append(char.ToUpperInvariant(c));
        return kept.ToString().Normalize(NormalizationForm.FormC);
    }

    /// <summary>Whether <paramref name="value"/> occurs in <paramref name="text"/> as a whole (not inside a longer word or number).</summary>
    private static bool Contains(string text, string value)
    {
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            var before = at == 0 || !char.IsLetterOrDigit(text[at - 1]);
            var end = at + value.Length;
            var after = end >= text.Length || !char.IsLetterOrDigit(text[end]);
            if (before && after) return true;
        }
        return false;
    }

    /// <summary>A value a sensitive agency's source holds: what it is (field, file, id) and the agency.</summary>
    internal sealed record Secret(string Agency, string What, string Value)
    {
        public string Folded { get; } = Fold(Value);
    }

    /// <summary>A person the matrix reads: one whose newest record comes from a sensitive feed.</summary>
    internal sealed record MatrixPerson(
        Guid Id, Guid Household, string? Curp, string Name, Guid SensitiveService, string? SensitiveAgencyId, string SensitiveAgency, bool GoldenFromSensitive);

    /// <summary>What the database says the sensitive sources hold, read once for the assembly's registry.</summary>
    internal sealed class SensitiveFacts
    {
        private static readonly SemaphoreSlim Gate = new(1, 1);
        private static SensitiveFacts? loaded;

        public required IReadOnlyList<Secret> Secrets { get; init; }
        public required IReadOnlyList<MatrixPerson> Persons { get; init; }
        public required IReadOnlyList<(Guid Id, string Name, string Municipality)> OnlySensitive { get; init; }
        public required IReadOnlyList<Guid> SensitiveExtracts { get; init; }

        public IReadOnlyList<Secret> SecretsHiddenFrom(string[] agencies) => [.. Secrets.Where(s => agencies.Contains(s.Agency))];

        private static readonly string[] PersonPlaceholders = ["{p}", "{hh}", "{curp}", "{name}", "{se}"];

        /// <summary>The concrete URLs of a path template: one per matrix person (or per sensitive extract), or the path itself.</summary>
        public IEnumerable<string> Expand(string path)
        {
            if (path.Contains("{ext}", StringComparison.Ordinal))
            {
                foreach (var e in SensitiveExtracts) yield return path.Replace("{ext}", e.ToString(), StringComparison.Ordinal);
                yield break;
            }
            if (!PersonPlaceholders.Any(x => path.Contains(x, StringComparison.Ordinal)))
            {
                yield return path.Replace("{none}", Guid.Empty.ToString(), StringComparison.Ordinal);
                yield break;
            }
            foreach (var p in Persons)
            {
                if (path.Contains("{curp}", StringComparison.Ordinal) && p.Curp is null) continue;
                yield return path
                    .Replace("{p}", p.Id.ToString(), StringComparison.Ordinal)
                    .Replace("{hh}", p.Household.ToString(), StringComparison.Ordinal)
                    .Replace("{curp}", p.Curp ?? "", StringComparison.Ordinal)
                    .Replace("{name}", Uri.EscapeDataString(p.Name), StringComparison.Ordinal)
                    .Replace("{se}", p.SensitiveService.ToString(), StringComparison.Ordinal)
                    .Replace("{none}", Guid.Empty.ToString(), StringComparison.Ordinal);
            }
        }

        public static async Task<SensitiveFacts> LoadAsync(SeededRegistry registry)
        {
            await Gate.WaitAsync();
            try
            {
                return loaded ??= await ReadAsync(registry.System.ConnectionString);
            }
            finally
            {
                Gate.Release();
            }
        }

        private static readonly string[] Sensitive = ["health", "security"];

        private static async Task<SensitiveFacts> ReadAsync(string connectionString)
        {
            await using var db = new NpgsqlConnection(connectionString);
            var secrets = new List<Secret>();
            // Where the sensitive sources came from: agency, feed, file, hash and ids.
            foreach (var e in await db.QueryAsync<(Guid Id, string Agency, string Feed, string File, string Sha)>(
                         "SELECT id, agency_code, feed_code, file_name, sha256 FROM extracts WHERE sector = ANY (@s)", new { s = Sensitive }))
            {
                secrets.AddRange([new(e.Agency, "agency", e.Agency), new(e.Agency, "feed", e.Feed), new(e.Agency, "file", e.File),
                    new(e.Agency, "sha256", e.Sha), new(e.Agency, "extract id", e.Id.ToString())]);
            }
            foreach (var r in await db.QueryAsync<(string Agency, Guid Id)>(
                         "SELECT sr.agency_code, sr.id FROM source_records sr JOIN extracts e ON e.id = sr.extract_id WHERE e.sector = ANY (@s)",
                         new { s = Sensitive }))
                secrets.Add(new(r.Agency, "source record id", r.Id.ToString()));
            foreach (var s in await db.QueryAsync<(string Agency, Guid Id)>(
                         "SELECT agency_code, id FROM service_events WHERE sector = ANY (@s)", new { s = Sensitive }))
                secrets.Add(new(s.Agency, "service event id", s.Id.ToString()));

            // Every value a sensitive source supplied that no other agency's source holds (in any field, for anyone):
            // such a value in an answer can only have come from the sensitive source. Service dates are what the
            // design lets everyone see ("a service of sector X on date D").
            var values = (await db.QueryAsync<(string Agency, string Field, string Value)>(
                """
                SELECT sr.agency_code AS agency, kv.key AS field, kv.value FROM source_records sr, jsonb_each_text(sr.data) kv
                 WHERE kv.key NOT IN ('RowNumber', 'ServiceDate')
                UNION
                SELECT agency_code, 'Programme', programme FROM service_events WHERE programme IS NOT NULL
                UNION
                SELECT agency_code, 'ServiceType', service_type FROM service_events WHERE service_type IS NOT NULL
                UNION
                SELECT agency_code, 'Status', status FROM service_events WHERE status IS NOT NULL
                UNION
                SELECT sr.agency_code, 'matched key', md.matched_key FROM match_decisions md JOIN source_records sr ON sr.id = md.source_record_id
                 WHERE md.matched_key IS NOT NULL
                """)).ToList();
            var sensitiveAgencies = secrets.Select(s => s.Agency).ToHashSet(StringComparer.Ordinal);
            var serviceDates = (await db.QueryAsync<DateTime>("SELECT DISTINCT service_date FROM service_events WHERE service_date IS NOT NULL"))
                .Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);
            foreach (var agency in sensitiveAgencies)
            {
                // Not inside another agency's value either ("Acompañamiento" is part of DIF's "Acompañamiento familiar").
                var elsewhere = values.Where(v => v.Agency != agency).Select(v => Fold(v.Value.Trim())).ToHashSet(StringComparer.Ordinal);
                secrets.AddRange(values
                    .Where(v => v.Agency == agency && Fold(v.Value.Trim()).Length >= 4 && !serviceDates.Contains(v.Value)
                                && !elsewhere.Any(e => Contains(e, Fold(v.Value.Trim()))))
                    .Select(v => new Secret(agency, v.Field, v.Value.Trim()))
                    .DistinctBy(s => (s.Agency, s.Folded)));
            }

            // Persons of Reynosa (by a non-sensitive source) in a household, whose newest current record is sensitive.
            var persons = (await db.QueryAsync<(Guid Id, Guid Household, string? Curp, string Name, Guid Service, string? AgencyId, string Agency, bool GoldenFromSensitive)>(
                """
                WITH newest AS (
                    SELECT DISTINCT ON (sr.person_id) sr.person_id, e.sector, sr.agency_code, sr.data ->> 'AgencyPersonId' AS agency_id
                      FROM source_records sr JOIN extracts e ON e.id = sr.extract_id
                     WHERE NOT EXISTS (SELECT 1 FROM source_records newer WHERE newer.supersedes = sr.id)
                     ORDER BY sr.person_id, (sr.data ->> 'ServiceDate') DESC NULLS LAST, e.received_at DESC)
                SELECT n.person_id AS id,
                       (SELECT min(hm.household_id::text)::uuid FROM household_members hm WHERE hm.person_id = n.person_id) AS household,
                       v.data ->> 'Curp' AS curp,
                       concat_ws(' ', v.data ->> 'GivenNames', v.data ->> 'PaternalSurname') AS name,
                       (SELECT se.id FROM service_events se WHERE se.person_id = n.person_id AND se.sector = ANY (@s) ORDER BY se.service_date LIMIT 1) AS service,
                       n.agency_id, n.agency_code AS agency,
                       EXISTS (SELECT 1 FROM persons p, json_array_elements_text(p.golden -> 'sources') f
                                 JOIN source_records g ON g.id = f::uuid JOIN extracts ge ON ge.id = g.extract_id
                                WHERE p.id = n.person_id AND ge.sector = ANY (@s)) AS golden_from_sensitive
                  FROM newest n
                  CROSS JOIN LATERAL (SELECT sr.data FROM source_records sr JOIN extracts e ON e.id = sr.extract_id
                                       WHERE sr.person_id = n.person_id AND e.sector <> ALL (@s)
                                         AND upper(sr.data ->> 'Municipality') = 'REYNOSA' LIMIT 1) v
                 WHERE n.sector = ANY (@s)
                   AND EXISTS (SELECT 1 FROM household_members hm WHERE hm.person_id = n.person_id)
                 ORDER BY n.person_id
                """, new { s = Sensitive })).Select(p => new MatrixPerson(p.Id, p.Household, p.Curp, p.Name, p.Service, p.AgencyId, p.Agency, p.GoldenFromSensitive))
                .ToList();

            var onlySensitive = (await db.QueryAsync<(Guid Id, string Name, string Municipality)>(
                """
                SELECT p.id, concat_ws(' ', min(sr.data ->> 'GivenNames'), min(sr.data ->> 'PaternalSurname'), min(sr.data ->> 'MaternalSurname')) AS name,
                       upper(min(sr.data ->> 'Municipality')) AS municipality
                  FROM persons p JOIN source_records sr ON sr.person_id = p.id JOIN extracts e ON e.id = sr.extract_id
                 WHERE p.merged_into IS NULL
                 GROUP BY p.id HAVING bool_and(e.sector = ANY (@s))
                """, new { s = Sensitive })).ToList();

            var extracts = (await db.QueryAsync<Guid>("SELECT id FROM extracts WHERE sector = ANY (@s) ORDER BY id", new { s = Sensitive })).ToList();
            return new SensitiveFacts { Secrets = secrets, Persons = persons, OnlySensitive = onlySensitive, SensitiveExtracts = extracts };
        }
    }
}

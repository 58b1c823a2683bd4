using System.Net;
using System.Text.Json;
using Registry.Api.Tests.Infrastructure;

namespace Registry.Api.Tests.Access;

/// <summary>
/// Every endpoint and page × every role (and no credentials, a wrong agency, a wrong
/// municipality): allowed or denied, as the roles table in the README says.
/// </summary>
[Collection(SeededCollection.Name)]
public sealed class AuthorizationMatrixTests(SeededRegistry registry)
{
    // Columns: anonymous, ssa.datos, dif.datos, gestora.reynosa, gestor.victoria, gestora.salud, custodio, auditora, admin,
    // coordinadora.lazos (coordinator of REYNOSA and VICTORIA), coordinador.reynosa (coordinator and case manager of REYNOSA)
    private static readonly string?[] Users = [null, "ssa.datos", "dif.datos", "gestora.reynosa", "gestor.victoria", "gestora.salud", "custodio", "auditora", "admin",
        "coordinadora.lazos", "coordinador.reynosa"];

    private const int Ok = 200, Login = 302, BadRequest = 400, NoAuth = 401, Deny = 403, NotFound = 404;

    /// <summary>(path template, expected status per user column). {hh} Reynosa household, {vh} Victoria household, {p} Ximena, {se} her health service.</summary>
    public static readonly (string Path, int[] Expected)[] Matrix =
    [
        ("/api/households?name=ximena",              [NoAuth, Deny, Deny, Ok, Ok, Ok, Ok, Ok, Ok, Deny, Ok]),
        ("/api/persons?municipality=victoria",       [NoAuth, Deny, Deny, Ok, Ok, Ok, Ok, Ok, Ok, Deny, Ok]),
        ("/api/households/{hh}",                      [NoAuth, Deny, Deny, Ok, Deny, Ok, Ok, Ok, Ok, Deny, Ok]),
        ("/api/households/{vh}",                      [NoAuth, Deny, Deny, Deny, Ok, Deny, Ok, Ok, Ok, Deny, Deny]),
        ("/api/persons/{p}",                          [NoAuth, Deny, Deny, Ok, Deny, Ok, Ok, Ok, Ok, Deny, Ok]),
        ("/api/lineage/persons/{p}",                  [NoAuth, Deny, Deny, Deny, Deny, Deny, Ok, Ok, Ok, Deny, Deny]),
        ("/api/lineage/households/{hh}",              [NoAuth, Deny, Deny, Deny, Deny, Deny, Ok, Ok, Ok, Deny, Deny]),
        ("/api/lineage/service-events/{se}",          [NoAuth, Deny, Deny, Deny, Deny, Deny, Ok, Ok, Ok, Deny, Deny]),
        ("/api/extracts",                             [NoAuth, Ok, Ok, Deny, Deny, Deny, Ok, Ok, Ok, Deny, Deny]),
        ("/api/extracts?agency=DIF-TAM",              [NoAuth, Deny, Ok, Deny, Deny, Deny, Ok, Ok, Ok, Deny, Deny]),
        ("/api/extracts/{ssa}",                       [NoAuth, Ok, Deny, Deny, Deny, Deny, Ok, Ok, Ok, Deny, Deny]),
        ("/api/extracts/{dif}",                       [NoAuth, Deny, Ok, Deny, Deny, Deny, Ok, Ok, Ok, Deny, Deny]),
        ("/api/extracts/{ssa}/rejected.csv",          [NoAuth, Ok, Deny, Deny, Deny, Deny, Ok, Ok, Ok, Deny, Deny]),
        ("/api/extracts/{dif}/rejected.csv",          [NoAuth, Deny, Ok, Deny, Deny, Deny, Ok, Ok, Ok, Deny, Deny]),
        ("/api/extracts/{ssa}/warnings.csv",          [NoAuth, Ok, Deny, Deny, Deny, Deny, Ok, Ok, Ok, Deny, Deny]),
        ("/api/extracts/{dif}/warnings.csv",          [NoAuth, Deny, Ok, Deny, Deny, Deny, Ok, Ok, Ok, Deny, Deny]),
        ("/api/feeds",                                [NoAuth, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok]),
        ("/api/summary",                              [NoAuth, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok]),
        ("/api/summary.txt",                          [NoAuth, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok]),
        ("/api/access-log",                           [NoAuth, Deny, Deny, Deny, Deny, Deny, Deny, Ok, Deny, Deny, Deny]),
        ("/api/review/tasks",                         [NoAuth, Deny, Deny, Deny, Deny, Deny, Ok, Ok, Ok, Deny, Deny]),
        ("/api/review/tasks/{none}",                  [NoAuth, Deny, Deny, Deny, Deny, Deny, NotFound, NotFound, NotFound, Deny, Deny]),
        // FHIR Patient read: a read of a person, as /api/persons/{id}.
        ("/fhir/Patient/{p}",                         [NoAuth, Deny, Deny, Ok, Deny, Ok, Ok, Ok, Ok, Deny, Ok]),
        ("/api/persons/{p}/identity-events",          [NoAuth, Deny, Deny, Deny, Deny, Deny, Ok, Ok, Ok, Deny, Deny]),
        ("/api/territory-events",                     [NoAuth, Deny, Deny, Deny, Deny, Deny, Ok, Ok, Ok, Deny, Deny]),
        // The matching model (weights, thresholds, label-estimated accuracy): stewards and admins.
        ("/api/models",                               [NoAuth, Deny, Deny, Deny, Deny, Deny, Ok, Deny, Ok, Deny, Deny]),
        ("/api/models/{model}",                       [NoAuth, Deny, Deny, Deny, Deny, Deny, Ok, Deny, Ok, Deny, Deny]),
        ("/health/live",                              [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok]),
        ("/health/ready",                             [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok]),
        ("/openapi/v1.json",                          [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok]),
        ("/login",                                    [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok]),
        // Pages: without credentials the browser is sent to the login page.
        ("/",                                         [Login, Deny, Deny, Ok, Ok, Ok, Ok, Ok, Ok, Deny, Ok]),
        ("/hogares/{hh}",                             [Login, Deny, Deny, Ok, Deny, Ok, Ok, Ok, Ok, Deny, Ok]),
        ("/personas/{p}",                             [Login, Deny, Deny, Ok, Deny, Ok, Ok, Ok, Ok, Deny, Ok]),
        ("/linaje/servicio/{se}",                     [Login, Deny, Deny, Deny, Deny, Deny, Ok, Ok, Ok, Deny, Deny]),
        ("/extractos",                                [Login, Ok, Ok, Deny, Deny, Deny, Ok, Ok, Ok, Deny, Deny]),
        ("/auditoria",                                [Login, Deny, Deny, Deny, Deny, Deny, Deny, Ok, Deny, Deny, Deny]),
        ("/revision",                                 [Login, Deny, Deny, Deny, Deny, Deny, Ok, Ok, Ok, Deny, Deny]),
        ("/modelos",                                  [Login, Deny, Deny, Deny, Deny, Deny, Ok, Deny, Ok, Deny, Deny]),
        // Coverage by territory: aggregates for coordinators and case managers of the municipality, stewards, auditors, admins;
        // its household list only for those who may open the households (a coordinator only when also a case manager there).
        ("/api/coverage?municipality=REYNOSA",        [NoAuth, Deny, Deny, Ok, Deny, Ok, Ok, Ok, Ok, Ok, Ok]),
        ("/api/coverage?municipality=victoria",       [NoAuth, Deny, Deny, Deny, Ok, Deny, Ok, Ok, Ok, Ok, Deny]),
        ("/api/coverage?municipality=MATAMOROS",      [NoAuth, Deny, Deny, Deny, Deny, Ok, Ok, Ok, Ok, Deny, Deny]),
        ("/api/coverage.csv?municipality=REYNOSA",    [NoAuth, Deny, Deny, Ok, Deny, Ok, Ok, Ok, Ok, Ok, Ok]),
        ("/api/coverage/households?municipality=REYNOSA&sector=health", [NoAuth, Deny, Deny, Ok, Deny, Ok, Ok, Ok, Ok, Deny, Ok]),
        ("/api/coverage/municipalities",              [NoAuth, Deny, Deny, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok]),
        // Programme detail of a sensitive sector: only with the grant (or seeing every sector).
        ("/api/coverage?municipality=REYNOSA&sector=health&programme=Atención primaria", [NoAuth, Deny, Deny, Deny, Deny, Ok, Ok, Ok, Ok, Deny, Deny]),
        ("/cobertura?municipio=REYNOSA",              [Login, Deny, Deny, Ok, Deny, Ok, Ok, Ok, Ok, Ok, Ok]),
        ("/cobertura?municipio=VICTORIA",             [Login, Deny, Deny, Deny, Ok, Deny, Ok, Ok, Ok, Ok, Deny]),
        ("/cobertura/hogares?municipio=REYNOSA&sector=social", [Login, Deny, Deny, Ok, Deny, Ok, Ok, Ok, Ok, Deny, Ok]),
        // Hangfire's dashboard (operations): admins only.
        ("/hangfire",                                 [Login, Deny, Deny, Deny, Deny, Deny, Deny, Deny, Ok, Deny, Deny]),
    ];

    /// <summary>
    /// Steward actions (POST). The body lacks its reason, so a caller who is allowed gets 400 and
    /// nothing changes; everyone else is stopped before the body is read.
    /// </summary>
    public static readonly (string Path, int[] Expected)[] Actions =
    [
        ("/api/review/tasks/{none}/decision",         [NoAuth, Deny, Deny, Deny, Deny, Deny, BadRequest, Deny, BadRequest, Deny, Deny]),
        ("/api/persons/{p}/merge",                    [NoAuth, Deny, Deny, Deny, Deny, Deny, BadRequest, Deny, BadRequest, Deny, Deny]),
        ("/api/persons/{p}/split",                    [NoAuth, Deny, Deny, Deny, Deny, Deny, BadRequest, Deny, BadRequest, Deny, Deny]),
        ("/api/households/{hh}/merge",                [NoAuth, Deny, Deny, Deny, Deny, Deny, BadRequest, Deny, BadRequest, Deny, Deny]),
        ("/api/households/{hh}/split",                [NoAuth, Deny, Deny, Deny, Deny, Deny, BadRequest, Deny, BadRequest, Deny, Deny]),
        // Searches sent by POST: the body holds no search criterion, so every reader gets 400.
        ("/api/persons/search",                       [NoAuth, Deny, Deny, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, Deny, BadRequest]),
        ("/api/households/search",                    [NoAuth, Deny, Deny, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, Deny, BadRequest]),
        // FHIR Patient/$match: the body is no Parameters resource, so every reader gets 400 (an OperationOutcome).
        ("/fhir/Patient/$match",                      [NoAuth, Deny, Deny, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, Deny, BadRequest]),
        ("/api/persons/{p}/residence",                [NoAuth, Deny, Deny, Deny, Deny, Deny, BadRequest, Deny, BadRequest, Deny, Deny]),
        ("/api/households/{hh}/residence",            [NoAuth, Deny, Deny, Deny, Deny, Deny, BadRequest, Deny, BadRequest, Deny, Deny]),
        // Putting a matching model in force: admins only (a steward decides pairs, not the model).
        ("/api/models/{model}/promote",               [NoAuth, Deny, Deny, Deny, Deny, Deny, Deny, Deny, BadRequest, Deny, Deny]),
        // DCI Social Registry: readers of persons (as /api's search); the body is no DCI envelope, so every reader gets 400 (ERR err.request.bad).
        ("/dci/registry/search",                      [NoAuth, Deny, Deny, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, Deny, BadRequest]),
        ("/dci/registry/sync/search",                 [NoAuth, Deny, Deny, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, Deny, BadRequest]),
        ("/dci/registry/subscribe",                   [NoAuth, Deny, Deny, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, Deny, BadRequest]),
        ("/dci/registry/unsubscribe",                 [NoAuth, Deny, Deny, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, Deny, BadRequest]),
        ("/dci/registry/txn/status",                  [NoAuth, Deny, Deny, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, Deny, BadRequest]),
        ("/dci/registry/sync/txn/status",             [NoAuth, Deny, Deny, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, Deny, BadRequest]),
        ("/dci/ibr/registry/search",                  [NoAuth, Deny, Deny, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, Deny, BadRequest]),
        ("/dci/ibr/registry/sync/search",             [NoAuth, Deny, Deny, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, Deny, BadRequest]),
        ("/dci/ibr/registry/txn/status",              [NoAuth, Deny, Deny, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, Deny, BadRequest]),
        ("/dci/ibr/registry/sync/txn/status",         [NoAuth, Deny, Deny, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, Deny, BadRequest]),
    ];

    private const string ActionBody =
        """{"decision":"match","reason":"","otherPersonId":"00000000-0000-0000-0000-000000000000","otherHouseholdId":"00000000-0000-0000-0000-000000000000","sourceRecordIds":[],"personIds":[]}""";

    public static IEnumerable<object?[]> ActionCases() =>
        from row in Actions
        from i in Enumerable.Range(0, Users.Length)
        select new object?[] { row.Path, Users[i] ?? "(none)", row.Expected[i] };

    [Theory]
    [MemberData(nameof(ActionCases))]
    public async Task Only_stewards_and_admins_may_act_on_identities(string path, string user, int expected)
    {
        var client = await registry.ClientAsync(user == "(none)" ? null : user);
        using var body = new StringContent(ActionBody, System.Text.Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(Resolve(path), body);
        Assert.True(expected == (int)response.StatusCode,
            $"{user} POST {path}: expected {expected}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public static IEnumerable<object?[]> Cases() =>
        from row in Matrix
        from i in Enumerable.Range(0, Users.Length)
        select new object?[] { row.Path, Users[i] ?? "(none)", row.Expected[i] };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_role_gets_exactly_what_the_roles_table_allows(string path, string user, int expected)
    {
        var client = await registry.ClientAsync(user == "(none)" ? null : user);
        using var response = await client.GetAsync(Resolve(path));
        Assert.True(expected == (int)response.StatusCode,
            $"{user} GET {path}: expected {expected}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        if (expected == Login) Assert.StartsWith("/login", response.Headers.Location?.OriginalString.Replace(registry.System.ApiAddress!.ToString().TrimEnd('/'), "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_matrix_covers_every_endpoint_of_the_API_document()
    {
        var client = await registry.ClientAsync(null);
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var documented = doc.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        var covered = Matrix.Concat(Actions).Select(m => Template(m.Path)).ToHashSet(StringComparer.Ordinal);
        // The dev issuer's token endpoint is anonymous by design (it is how one gets credentials).
        var missing = documented.Where(p => p != "/auth/token" && !covered.Contains(p)).ToList();
        Assert.True(missing.Count == 0, "Not in the authorisation matrix: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task An_agency_lists_only_its_own_extracts_and_feeds()
    {
        var ssa = await registry.ClientAsync("ssa.datos");
        var extracts = JsonDocument.Parse(await ssa.GetStringAsync("/api/extracts")).RootElement.EnumerateArray().ToList();
        Assert.NotEmpty(extracts);
        Assert.All(extracts, e => Assert.Equal("SSA-TAM", e.GetProperty("agencyCode").GetString()));
        var feeds = JsonDocument.Parse(await ssa.GetStringAsync("/api/feeds")).RootElement.EnumerateArray().ToList();
        Assert.All(feeds, f => Assert.Equal("SSA-TAM", f.GetProperty("agency").GetProperty("code").GetString()));
    }

    [Fact]
    public async Task A_forged_or_expired_token_is_refused()
    {
        using var client = new HttpClient { BaseAddress = registry.System.ApiAddress };
        // Signed with another key: a token anyone could mint must not pass.
        client.DefaultRequestHeaders.Authorization = new("Bearer",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJwcmVmZXJyZWRfdXNlcm5hbWUiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiIsImlzcyI6InJlZ2lzdHJ5LWRldi1pc3N1ZXIiLCJhdWQiOiJyZWdpc3RyeS1hcGkiLCJleHAiOjQxMDI0NDQ4MDB9.c2lnbmF0dXJlLW1hZGUtdXAtYnktYW4tYXR0YWNrZXI");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/summary")).StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_gets_no_token()
    {
        var client = await registry.ClientAsync(null);
        using var response = await client.PostAsync("/auth/token", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["username"] = "admin", ["password"] = "not-the-password" }));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private string Resolve(string path) => path
        .Replace("{hh}", registry.ReynosaHousehold.ToString(), StringComparison.Ordinal)
        .Replace("{vh}", registry.VictoriaHousehold.ToString(), StringComparison.Ordinal)
        .Replace("{p}", registry.Ximena.ToString(), StringComparison.Ordinal)
        .Replace("{se}", registry.HealthService.ToString(), StringComparison.Ordinal)
        .Replace("{ssa}", registry.SsaExtract.ToString(), StringComparison.Ordinal)
        .Replace("{dif}", registry.DifExtract.ToString(), StringComparison.Ordinal)
        .Replace("{none}", Guid.Empty.ToString(), StringComparison.Ordinal)
        .Replace("{model}", Registry.Matching.MatchModel.Default.Version, StringComparison.Ordinal);

    /// <summary>The OpenAPI path a matrix row exercises ("/api/households/{hh}" → "/api/households/{id}").</summary>
    private static string Template(string path)
    {
        var p = path.Split('?')[0];
        foreach (var id in new[] { "{hh}", "{vh}", "{p}", "{se}", "{ssa}", "{dif}", "{none}" }) p = p.Replace(id, "{id}", StringComparison.Ordinal);
        return p.Replace("{model}", "{version}", StringComparison.Ordinal);
    }
}

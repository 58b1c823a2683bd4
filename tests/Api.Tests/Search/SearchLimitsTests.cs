using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Registry.Api.Tests.Infrastructure;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Api.Tests.Search;

/// <summary>
/// A search cannot hold the database or be repeated without end: the server stops it at the
/// statement timeout with a message that says how to narrow it, and each user has a search budget
/// per window. Each test runs on a registry of its own with tight limits.
/// </summary>
[Collection(SeededCollection.Name)]
public sealed class SearchLimitsTests(SeededRegistry registry)
{
    private Task<RegistrySystem> StartAsync(Dictionary<string, string?> settings) => RegistrySystem.StartAsync(registry.Servers, settings: settings);

    [Fact]
    public async Task A_user_over_the_search_limit_gets_429_with_Retry_After_while_another_user_still_searches()
    {
        await using var system = await StartAsync(new() { ["Search:RateLimit:PermitLimit"] = "3", ["Search:RateLimit:Window"] = "00:10:00" });
        var reynosa = await system.ApiClientAsync("gestora.reynosa");
        for (var i = 0; i < 3; i++)
        {
            using var allowed = i == 1
                ? await reynosa.PostAsJsonAsync("/api/persons/search", new { curp = SeededRegistry.XimenaCurp })
                : await reynosa.GetAsync(new Uri("/api/households?name=ximena", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var limited = await reynosa.PostAsJsonAsync("/api/households/search", new { curp = SeededRegistry.XimenaCurp });

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        var body = await limited.Content.ReadAsStringAsync();
        Assert.Contains("Too many searches: at most 3 every 600 s per user. Try again in", body, StringComparison.Ordinal);

        var victoria = await system.ApiClientAsync("gestor.victoria");
        using var other = await victoria.GetAsync(new Uri("/api/households?name=ximena", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        // Only searches count: the limited user still reads the registry's summary.
        using var summary = await reynosa.GetAsync(new Uri("/api/summary", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, summary.StatusCode);
    }

    [Fact]
    public async Task A_FHIR_match_counts_as_a_search_and_over_the_limit_gets_429_with_an_OperationOutcome()
    {
        await using var system = await StartAsync(new() { ["Search:RateLimit:PermitLimit"] = "2", ["Search:RateLimit:Window"] = "00:10:00" });
        var client = await system.ApiClientAsync("custodio");
        const string match = """
            {"resourceType":"Parameters","parameter":[{"name":"resource","resource":{"resourceType":"Patient",
             "name":[{"given":["XIMENA"],"family":"GONZALEZ CANTU"}],"birthDate":"1967-09-04"}}]}
            """;
        async Task<HttpResponseMessage> MatchAsync() =>
            await client.PostAsync("/fhir/Patient/$match", new StringContent(match, System.Text.Encoding.UTF8, "application/fhir+json"));

        using (var first = await MatchAsync()) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using (var search = await client.GetAsync(new Uri("/api/households?name=ximena", UriKind.Relative))) Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        using var limited = await MatchAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        var body = await limited.Content.ReadAsStringAsync();
        Assert.Contains("\"resourceType\":\"OperationOutcome\"", body, StringComparison.Ordinal);
        Assert.Contains("throttled", body, StringComparison.Ordinal);
        Assert.Contains("Too many searches: at most 2 every 600 s per user.", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_search_running_past_the_statement_timeout_gets_a_clear_422_and_gives_its_connection_back()
    {
        await using var system = await StartAsync(new() { ["Search:StatementTimeout"] = "00:00:00.300" });
        var client = await system.ApiClientAsync("custodio");

        await using (var db = new NpgsqlConnection(system.ConnectionString))
        {
            await db.OpenAsync();
            await using var tx = await db.BeginTransactionAsync();
            // Holds every search on persons, as a scan of a large registry would take long: more searches
            // at once than the search pool has connections, so each must give its connection back to the next.
            await using (var lockPersons = new NpgsqlCommand("LOCK TABLE persons IN ACCESS EXCLUSIVE MODE", db, tx)) await lockPersons.ExecuteNonQueryAsync();
            var answers = await Task.WhenAll(Enumerable.Range(0, 9).Select(async _ =>
            {
                using var response = await client.GetAsync(new Uri("/api/persons?name=ximena", UriKind.Relative));
                return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            }));
            await tx.RollbackAsync();

            Assert.All(answers, a => Assert.Equal(HttpStatusCode.UnprocessableEntity, a.StatusCode));
            Assert.Contains("The search took too long and was stopped: add a surname or a municipality to narrow it.", answers[0].Body, StringComparison.Ordinal);
        }

        using var after = await client.GetAsync(new Uri("/api/persons?name=ximena", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task The_search_page_counts_searches_not_visits_and_says_in_Spanish_when_to_come_back()
    {
        await using var system = await StartAsync(new() { ["Search:RateLimit:PermitLimit"] = "2", ["Search:RateLimit:Window"] = "00:10:00" });
        var browser = await system.ApiClientAsync("gestora.reynosa"); // keeps the antiforgery cookie, as a browser does

        async Task<HttpResponseMessage> SearchAsync()
        {
            var form = await browser.GetStringAsync(new Uri("/", UriKind.Relative));
            var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
            Assert.NotEmpty(token);
            return await browser.PostAsync(new Uri("/", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["Nombre"] = "ximena", ["Proposito"] = "Seguimiento de caso",
            }));
        }

        for (var i = 0; i < 5; i++) Assert.Contains("id=\"nombre\"", await browser.GetStringAsync(new Uri("/", UriKind.Relative)), StringComparison.Ordinal);
        for (var i = 0; i < 2; i++)
        {
            using var allowed = await SearchAsync();
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }
        using var limited = await SearchAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        Assert.Contains("Demasiadas búsquedas: como máximo 2 cada 600 s por usuario. Vuelva a intentarlo en", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

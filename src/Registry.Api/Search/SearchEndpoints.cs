using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Registry.Api.Access;

namespace Registry.Api.Search;

/// <summary>
/// Person and household search, paged. By name, address, municipality or polígono: GET with a query
/// string, or POST. By CURP or agency person id: POST only (<c>/api/persons/search</c>,
/// <c>/api/households/search</c>, criteria in a JSON body), so identifiers stay out of URLs, proxy
/// logs and browser history. Every search counts against the user's rate limit and runs under the
/// search statement timeout (<see cref="SearchLimits"/>).
/// </summary>
public static class SearchEndpoints
{
    /// <summary>A search's JSON body is a handful of short values.</summary>
    private const long MaxBodyBytes = 16 * 1024;

    public const string IdentifierInUrlMessage =
        "Searches by curp or agencyPersonId are not accepted in a URL (it ends up in proxy logs and browser history): " +
        "POST the criteria as JSON to /api/persons/search or /api/households/search, e.g. {\"curp\": \"...\"}.";

    public static void MapSearch(this RouteGroupBuilder api)
    {
        api.MapGet("/persons", (RegistrySearch search, HttpContext http, AccessLog log, [AsParameters] SearchQuery q, CancellationToken ct) =>
                q.CarriesIdentifier ? Task.FromResult(IdentifierInUrl()) : PersonsAsync(search, http, log, q.ToCriteria(), ct))
            .RequireAuthorization(AccessPolicies.RegistryRead).RequireRateLimiting(SearchLimits.RateLimitPolicy).WithTags("Search").WithName("SearchPersons")
            .WithSummary("Find persons by name (fuzzy; accents and particles ignored), address, municipality or polígono; CURP and agency person id only by POST");

        api.MapPost("/persons/search", (RegistrySearch search, HttpContext http, AccessLog log, [FromBody] SearchQuery body, CancellationToken ct) =>
                PersonsAsync(search, http, log, body.ToCriteria(), ct))
            .RequireAuthorization(AccessPolicies.RegistryRead).RequireRateLimiting(SearchLimits.RateLimitPolicy)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes)).WithTags("Search").WithName("SearchPersonsByPost")
            .WithSummary("Find persons by any criteria, CURP and agency person id included, sent in a JSON body");

        api.MapGet("/households", (RegistrySearch search, HttpContext http, AccessLog log, [AsParameters] SearchQuery q, CancellationToken ct) =>
                q.CarriesIdentifier ? Task.FromResult(IdentifierInUrl()) : HouseholdsAsync(search, http, log, q.ToCriteria(), ct))
            .RequireAuthorization(AccessPolicies.RegistryRead).RequireRateLimiting(SearchLimits.RateLimitPolicy).WithTags("Search").WithName("SearchHouseholds")
            .WithSummary("Find households by a member's name, address, municipality or polígono; CURP and agency person id only by POST");

        api.MapPost("/households/search", (RegistrySearch search, HttpContext http, AccessLog log, [FromBody] SearchQuery body, CancellationToken ct) =>
                HouseholdsAsync(search, http, log, body.ToCriteria(), ct))
            .RequireAuthorization(AccessPolicies.RegistryRead).RequireRateLimiting(SearchLimits.RateLimitPolicy)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes)).WithTags("Search").WithName("SearchHouseholdsByPost")
            .WithSummary("Find households by any criteria of a member, CURP and agency person id included, sent in a JSON body");
    }

    private static Task<IResult> PersonsAsync(RegistrySearch search, HttpContext http, AccessLog log, SearchCriteria criteria, CancellationToken ct) =>
        RunAsync(http, log, criteria, "persons", user => search.PersonsAsync(criteria, user, ct), hit => hit.Id, ct);

    private static Task<IResult> HouseholdsAsync(RegistrySearch search, HttpContext http, AccessLog log, SearchCriteria criteria, CancellationToken ct) =>
        RunAsync(http, log, criteria, "households", user => search.HouseholdsAsync(criteria, user, ct), hit => hit.Id, ct);

    /// <summary>One search: validated, run under the search limits, logged with the ids it returned.</summary>
    private static async Task<IResult> RunAsync<T>(HttpContext http, AccessLog log, SearchCriteria criteria, string what,
        Func<RegistryUser, Task<SearchPage<T>>> search, Func<T, Guid> idOf, CancellationToken ct)
    {
        if (criteria.Problem() is { } problem) return Results.Problem(problem, statusCode: StatusCodes.Status400BadRequest);
        if (AccessLog.CheckPurpose(http) is { } bad) return bad;
        var user = RegistryUser.From(http.User);
        SearchPage<T> page;
        try
        {
            page = await search(user);
        }
        catch (Exception ex) when (SearchLimits.IsStatementTimeout(ex))
        {
            return SearchLimits.TookTooLong();
        }
        await log.RecordAsync(http, user, AccessKind.Search, null, what + ":" + criteria.Describe(), returned: page.Items.Select(idOf), ct: ct);
        return Results.Ok(page);
    }

    private static IResult IdentifierInUrl() => Results.Problem(IdentifierInUrlMessage, statusCode: StatusCodes.Status400BadRequest);

    /// <summary>The criteria as a query string (GET) or a JSON body (POST).</summary>
    public sealed record SearchQuery(
        string? Name, string? Curp, string? Address, string? Municipality, string? Poligono, string? AgencyPersonId, string? Agency,
        int? Page, int? PageSize)
    {
        /// <summary>Whether an identifier is among the criteria (refused in a URL).</summary>
        [JsonIgnore]
        public bool CarriesIdentifier => !string.IsNullOrEmpty(Curp) || !string.IsNullOrEmpty(AgencyPersonId);

        public SearchCriteria ToCriteria() => new(Name, Curp, Address, Municipality, Poligono, AgencyPersonId, Agency, Page ?? 1, PageSize ?? 20);
    }
}

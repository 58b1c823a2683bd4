using Registry.Api.Access;

namespace Registry.Api.Search;

/// <summary>GET /api/persons and GET /api/households: search by name, CURP, address, territory or agency person id; paged.</summary>
public static class SearchEndpoints
{
    public static void MapSearch(this RouteGroupBuilder api)
    {
        api.MapGet("/persons", async (RegistrySearch search, HttpContext http, AccessLog log, [AsParameters] SearchQuery q, CancellationToken ct) =>
            {
                var criteria = q.ToCriteria();
                if (criteria.Problem() is { } problem) return Results.Problem(problem, statusCode: StatusCodes.Status400BadRequest);
                if (AccessLog.CheckPurpose(http) is { } bad) return bad;
                var user = RegistryUser.From(http.User);
                var page = await search.PersonsAsync(criteria, user, ct);
                await log.RecordAsync(http, user, AccessKind.Search, null, "persons:" + criteria.Describe(), returned: page.Items.Select(p => p.Id), ct: ct);
                return Results.Ok(page);
            })
            .RequireAuthorization(AccessPolicies.RegistryRead).WithTags("Search").WithName("SearchPersons")
            .WithSummary("Find persons by name (fuzzy; accents and particles ignored), CURP, address, municipality, polígono or agency person id");

        api.MapGet("/households", async (RegistrySearch search, HttpContext http, AccessLog log, [AsParameters] SearchQuery q, CancellationToken ct) =>
            {
                var criteria = q.ToCriteria();
                if (criteria.Problem() is { } problem) return Results.Problem(problem, statusCode: StatusCodes.Status400BadRequest);
                if (AccessLog.CheckPurpose(http) is { } bad) return bad;
                var user = RegistryUser.From(http.User);
                var page = await search.HouseholdsAsync(criteria, user, ct);
                await log.RecordAsync(http, user, AccessKind.Search, null, "households:" + criteria.Describe(), returned: page.Items.Select(h => h.Id), ct: ct);
                return Results.Ok(page);
            })
            .RequireAuthorization(AccessPolicies.RegistryRead).WithTags("Search").WithName("SearchHouseholds")
            .WithSummary("Find households by a member's name, CURP, address, municipality, polígono or agency person id");
    }

    /// <summary>Query-string form of <see cref="SearchCriteria"/>.</summary>
    public sealed record SearchQuery(
        string? Name, string? Curp, string? Address, string? Municipality, string? Poligono, string? AgencyPersonId, string? Agency,
        int? Page, int? PageSize)
    {
        public SearchCriteria ToCriteria() => new(Name, Curp, Address, Municipality, Poligono, AgencyPersonId, Agency, Page ?? 1, PageSize ?? 20);
    }
}

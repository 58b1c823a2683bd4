using Registry.Api.Access;

namespace Registry.Api.Households;

/// <summary>GET /api/households/{id}: the household 360, within the reader's territory, redacted per role, logged.</summary>
public static class HouseholdEndpoints
{
    public static void MapHouseholds(this RouteGroupBuilder api) =>
        api.MapGet("/households/{id:guid}", Get).WithName("GetHousehold").WithTags("Households")
            .RequireAuthorization(AccessPolicies.RegistryRead)
            .WithSummary("Household 360: members, every service event from every agency as a timeline and by sector, sectors without service in the 12 months before asOf (default today)");

    private static async Task<IResult> Get(Guid id, DateOnly? asOf, HouseholdQueries households, TerritoryScope scope, AccessLog log, HttpContext http, CancellationToken ct)
    {
        if (AccessLog.CheckPurpose(http) is { } bad) return bad;
        var user = RegistryUser.From(http.User);
        // A merged household's id stays valid: it redirects to the household it was merged into.
        switch (await scope.HouseholdStandingAsync(user, id, ct))
        {
            case null: return Results.NotFound();
            case { MergedInto: { } survivor }: return Results.Redirect($"/api/households/{survivor}{http.Request.QueryString}", permanent: true);
            case { Visible: false }: return TerritoryScope.OutOfScope();
        }
        var household = await households.LoadAsync(id, user, asOf, ct);
        if (household is null) return Results.NotFound();
        await log.RecordAsync(http, user, AccessKind.Household, id, ct: ct);
        return Results.Ok(household);
    }

}

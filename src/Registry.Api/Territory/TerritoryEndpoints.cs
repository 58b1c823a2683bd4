using Registry.Api.Access;
using Registry.Households;
using Registry.Review;

namespace Registry.Api.Territory;

public sealed record ResidenceRequest(string? Municipality, string? Reason);
public sealed record PersonResidenceResult(Guid PersonId, string Municipality, bool Changed);
public sealed record HouseholdResidenceResult(Guid HouseholdId, string Municipality, int MembersMoved);

/// <summary>
/// Where people live, as far as access goes: the territory events auditors and stewards list, and
/// stewards' residence decisions (the work is in <see cref="Residence"/>, src/Registry/Households).
/// </summary>
public static class TerritoryEndpoints
{
    public static void MapTerritory(this RouteGroupBuilder api)
    {
        api.MapGet("/territory-events", List)
            .RequireAuthorization(AccessPolicies.ReviewRead).WithTags("Access").WithName("ListTerritoryEvents")
            .WithSummary("Every change of a case manager's scope: who moved or gained/lost a municipality, why (record, steward, ignored claim), when (stewards, auditors, admins; newest first, paged)");
        var act = api.MapGroup("").RequireAuthorization(AccessPolicies.Stewardship).WithTags("Review");
        act.MapPost("/persons/{id:guid}/residence", DecidePerson).WithName("DecidePersonResidence")
            .WithSummary("Steward decision: the municipality where this person lives now (with a reason); outranks agencies' claims until a newer counted one");
        act.MapPost("/households/{id:guid}/residence", DecideHousehold).WithName("DecideHouseholdResidence")
            .WithSummary("Steward decision: the municipality where this household lives now (each current member's residence; with a reason)");
    }

    private static async Task<IResult> List(TerritoryEvents events, AccessLog log, HttpContext http, Guid? person, Guid? household,
        DateTime? from, DateTime? to, int? page, int? pageSize, CancellationToken ct)
    {
        if (AccessLog.CheckPurpose(http) is { } badPurpose) return badPurpose;
        if (page is < 1 or > 100_000 || pageSize is < 1 or > TerritoryEvents.MaxPageSize)
            return Results.Problem($"page ≥ 1, pageSize 1–{TerritoryEvents.MaxPageSize}.", statusCode: StatusCodes.Status400BadRequest);
        if (from is not null && to is not null && from > to)
            return Results.Problem("from must not be after to.", statusCode: StatusCodes.Status400BadRequest);
        var result = await events.QueryAsync(new TerritoryEvents.Filter(person, household, from?.ToUniversalTime(), to?.ToUniversalTime(),
            page ?? 1, pageSize ?? 50), ct);
        var detail = string.Join(' ', new[] { person is null ? null : "person", household is null ? null : "household",
            from is null ? null : "from", to is null ? null : "to" }.Where(x => x is not null)) is { Length: > 0 } used
            ? $"filters={used} page={result.Page}" : $"page={result.Page}";
        await log.RecordAsync(http, RegistryUser.From(http.User), AccessKind.TerritoryEvents, person ?? household, detail, ct: ct);
        return Results.Ok(result);
    }

    private static Task<IResult> DecidePerson(Residence residence, HttpContext http, Guid id, ResidenceRequest body, CancellationToken ct) =>
        Run(async () =>
        {
            var changed = await residence.DecidePersonAsync(id, body.Municipality ?? "", RegistryUser.From(http.User).Name, body.Reason ?? "", ct);
            return Results.Ok(new PersonResidenceResult(id, body.Municipality!.Trim(), changed));
        });

    private static Task<IResult> DecideHousehold(Residence residence, HttpContext http, Guid id, ResidenceRequest body, CancellationToken ct) =>
        Run(async () =>
        {
            var moved = await residence.DecideHouseholdAsync(id, body.Municipality ?? "", RegistryUser.From(http.User).Name, body.Reason ?? "", ct);
            return Results.Ok(new HouseholdResidenceResult(id, body.Municipality!.Trim(), moved));
        });

    private static async Task<IResult> Run(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (KeyNotFoundException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status404NotFound);
        }
        catch (StewardshipException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status409Conflict);
        }
        catch (ArgumentException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest);
        }
    }
}

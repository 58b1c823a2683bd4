using Registry.Api.Access;

namespace Registry.Api.Persons;

/// <summary>GET /api/persons/{id}: golden record, per-field source, source records and link decisions; scoped and logged.</summary>
public static class PersonEndpoints
{
    public static void MapPersons(this RouteGroupBuilder api) =>
        api.MapGet("/persons/{id:guid}", Get).WithName("GetPerson").WithTags("Persons")
            .RequireAuthorization(AccessPolicies.RegistryRead)
            .WithSummary("Golden record of a person (with the source of each field), its source records and the decisions that linked them");

    private static async Task<IResult> Get(Guid id, PersonQueries persons, TerritoryScope scope, AccessLog log, HttpContext http, CancellationToken ct)
    {
        if (AccessLog.CheckPurpose(http) is { } bad) return bad;
        var user = RegistryUser.From(http.User);
        // A merged person's id stays valid: it redirects to the person it was merged into.
        if (await persons.SurvivorOfAsync(id, ct) is { } survivor) return Results.Redirect($"/api/persons/{survivor}", permanent: true);
        var person = await persons.LoadAsync(id, user, ct);
        if (person is null) return Results.NotFound();
        if (!await scope.PersonVisibleAsync(user, id, ct)) return TerritoryScope.OutOfScope();
        await log.RecordAsync(http, user, AccessKind.Person, id, ct: ct);
        return Results.Ok(person);
    }
}

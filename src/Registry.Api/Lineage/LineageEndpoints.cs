using Registry.Api.Access;

namespace Registry.Api.Lineage;

/// <summary>PROV-JSON lineage of a person, household or service event, for auditors (every read is logged).</summary>
public static class LineageEndpoints
{
    public static void MapLineage(this RouteGroupBuilder api)
    {
        var lineage = api.MapGroup("/lineage").RequireAuthorization(AccessPolicies.Lineage).WithTags("Lineage");
        lineage.MapGet("/persons/{id:guid}", (Guid id, LineageQueries q, HttpContext http, AccessLog log, TimeProvider clock, CancellationToken ct) =>
                Export(http, log, clock, AccessKind.LineagePerson, id, () => q.PersonAsync(id, ct), ct))
            .WithName("GetPersonLineage").WithSummary("PROV-JSON: source records, files (SHA-256), rows and link decisions behind a person");
        lineage.MapGet("/households/{id:guid}", (Guid id, LineageQueries q, HttpContext http, AccessLog log, TimeProvider clock, CancellationToken ct) =>
                Export(http, log, clock, AccessKind.LineageHousehold, id, () => q.HouseholdAsync(id, ct), ct))
            .WithName("GetHouseholdLineage").WithSummary("PROV-JSON: members, memberships, service events and everything behind them");
        lineage.MapGet("/service-events/{id:guid}", (Guid id, LineageQueries q, HttpContext http, AccessLog log, TimeProvider clock, CancellationToken ct) =>
                Export(http, log, clock, AccessKind.LineageServiceEvent, id, () => q.ServiceEventAsync(id, ct), ct))
            .WithName("GetServiceEventLineage").WithSummary("PROV-JSON: the source record, file and row behind a service event");
    }

    private static async Task<IResult> Export(HttpContext http, AccessLog log, TimeProvider clock, string kind, Guid id,
        Func<Task<LineageGraph?>> load, CancellationToken ct)
    {
        if (AccessLog.CheckPurpose(http) is { } bad) return bad;
        var graph = await load();
        if (graph is null) return Results.NotFound();
        await log.RecordAsync(http, RegistryUser.From(http.User), kind, id, ct: ct);
        return Results.Json(ProvDocument.Build(graph, clock.GetUtcNow().UtcDateTime), contentType: "application/json");
    }
}

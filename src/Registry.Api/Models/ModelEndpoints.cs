using Npgsql;
using Registry.Api.Access;
using Registry.Matching;
using Registry.Storage;

namespace Registry.Api.Models;

public sealed record PromoteRequest(string? Reason);
public sealed record PromoteResult(string Version, string Status);

/// <summary>
/// The matching models: GET for stewards and admins (weights, thresholds, label-estimated accuracy,
/// changes between versions — no personal data), and an admin's explicit promotion of a shadow
/// model, logged in the access log and in <c>match_model_events</c>. A promoted model decides the
/// rows that arrive after it; links already made change only through stewards' review tasks.
/// </summary>
public static class ModelEndpoints
{
    public static void MapModels(this RouteGroupBuilder api)
    {
        var read = api.MapGroup("").RequireAuthorization(AccessPolicies.Models).WithTags("Models");
        read.MapGet("/models", List).WithName("ListMatchModels").WithSummary("Matching model versions: status (active, shadow, retired), governance decision, label-estimated precision");
        read.MapGet("/models/{version}", Get).WithName("GetMatchModel")
            .WithSummary("One model version: per-field match weights, thresholds, governance report, weights that moved more than 0.5 bits since the version before");
        api.MapPost("/models/{version}/promote", Promote).RequireAuthorization(AccessPolicies.Admin).WithTags("Models").WithName("PromoteMatchModel")
            .WithSummary("Admin: put a shadow (or retired) model in force, with a reason; the model in force is retired");
    }

    private static async Task<IResult> List(ModelQueries queries, AccessLog log, HttpContext http, CancellationToken ct)
    {
        var models = await queries.ListAsync(ct);
        await log.RecordAsync(http, RegistryUser.From(http.User), AccessKind.MatchModels, null, "list", ct: ct);
        return Results.Ok(models);
    }

    private static async Task<IResult> Get(ModelQueries queries, AccessLog log, HttpContext http, string version, CancellationToken ct)
    {
        var model = await queries.GetAsync(version, ct);
        if (model is null) return Results.NotFound();
        await log.RecordAsync(http, RegistryUser.From(http.User), AccessKind.MatchModels, null, $"version={version}", ct: ct);
        return Results.Ok(model);
    }

    private static async Task<IResult> Promote([FromKeyedServices(RegistryStorage.StewardshipDataSource)] NpgsqlDataSource stewardship, AccessLog log,
        HttpContext http, string version, PromoteRequest? body, CancellationToken ct)
    {
        var reason = body?.Reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > 2000)
            return Results.Problem("a reason (1–2000 characters) is required: auditors read it", statusCode: StatusCodes.Status400BadRequest);
        var user = RegistryUser.From(http.User);
        var outcome = await PromoteAsync(stewardship, log, http, user, version, reason, ct);
        return outcome switch
        {
            PromotionOutcome.NotFound => Results.NotFound(),
            PromotionOutcome.AlreadyActive => Results.Problem($"{version} is already the model in force", statusCode: StatusCodes.Status409Conflict),
            _ => Results.Ok(new PromoteResult(version, "active")),
        };
    }

    /// <summary>The promotion, shared by the endpoint and the page: logged before the change, so no promotion goes unrecorded.</summary>
    public static async Task<PromotionOutcome> PromoteAsync(NpgsqlDataSource stewardship, AccessLog log, HttpContext http, RegistryUser user,
        string version, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(user);
        await log.RecordAsync(http, user, AccessKind.MatchModelPromotion, null, $"version={version} reason={reason}", ct: ct);
        return await new MatchModelStore(stewardship).PromoteAsync(version, user.Name, reason, ct);
    }
}

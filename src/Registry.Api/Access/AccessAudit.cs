using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Registry.Api.Access;

/// <summary>
/// What every request to the registry passes, written once for every endpoint and page:
/// <list type="bullet">
/// <item>reads of a person, household or lineage need a declared purpose (X-Purpose header, or the
///   purpose chosen in the UI): the API answers 400 saying so, a page asks for it first (/proposito);
///   nothing is read and nothing is logged without one;</item>
/// <item>a refused attempt of a signed-in user is logged (kind <c>denied</c>): what was asked and
///   why — a role policy (<see cref="AuditedAuthorizationResultHandler"/>) or the reader's scope
///   (territory, agency), refused by the endpoint itself;</item>
/// <item>a rejected-rows or warnings CSV download (raw lines and values of an agency's file) is logged
///   before its first byte leaves: no entry, no download.</item>
/// </list>
/// Reads of persons, households, lineage and searches are logged by their endpoints (with what they
/// returned). Registered after authorisation, so unauthenticated requests are answered 401 first.
/// </summary>
public sealed class AccessAudit(RequestDelegate next, AccessLog log, ILogger<AccessAudit> logger)
{
    public const string PurposePagePath = "/proposito";
    private const string AccessDeniedPath = "/denegado";

    /// <summary>Route patterns (normalised) whose GET reads a person, household or lineage: a purpose is required.</summary>
    private static readonly string[] PurposeRequired =
    [
        "api/persons/{id:guid}", "api/households/{id:guid}", "api/lineage/",
        "personas/{id:guid}", "hogares/{id:guid}", "linaje/",
    ];

    /// <summary>CSV downloads of an agency's values as sent, and the access-log kind each is logged as.</summary>
    private static readonly Dictionary<string, string> CsvDownloads = new(StringComparer.Ordinal)
    {
        ["api/extracts/{id:guid}/rejected.csv"] = AccessKind.RejectedRowsCsv,
        ["api/extracts/{id:guid}/warnings.csv"] = AccessKind.RowWarningsCsv,
    };

    public async Task InvokeAsync(HttpContext context)
    {
        var pattern = PatternOf(context);
        if (pattern is not null && HttpMethods.IsGet(context.Request.Method) && AccessLog.PurposeOf(context) is null &&
            PurposeRequired.Any(p => pattern.StartsWith(p, StringComparison.Ordinal)))
        {
            await AskForPurposeAsync(context);
            return;
        }

        if (context.User.Identity?.IsAuthenticated == true)
        {
            context.Response.OnStarting(() => RecordOutcomeAsync(context, pattern));
        }
        await next(context);
    }

    private static Task AskForPurposeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            return Results.Problem(
                $"A purpose is required to read persons, households and lineage: send the {AccessLog.PurposeHeader} header " +
                $"(e.g. \"{AccessLog.PurposeHeader}: seguimiento de caso\", at most {AccessLog.MaxPurposeLength} characters). Nothing was read.",
                statusCode: StatusCodes.Status400BadRequest, title: "Purpose required").ExecuteAsync(context);
        }
        var back = context.Request.Path + context.Request.QueryString;
        context.Response.Redirect($"{PurposePagePath}?volver={Uri.EscapeDataString(back)}");
        return Task.CompletedTask;
    }

    /// <summary>Runs when the answer's status is known, before its body: refused attempts and CSV downloads are logged here.</summary>
    private async Task RecordOutcomeAsync(HttpContext context, string? pattern)
    {
        var status = context.Response.StatusCode;
        var refused = status == StatusCodes.Status403Forbidden ||
                      (status == StatusCodes.Status302Found && RedirectsTo(context.Response.Headers.Location.ToString(), AccessDeniedPath));
        var user = RegistryUser.From(context.User);
        if (refused)
        {
            var reason = user.Is(RegistryRoles.CaseManager) || user.Is(RegistryRoles.Coordinator) ? "outside the reader's territory"
                : user.Is(RegistryRoles.Agency) ? "another agency's data"
                : "refused by the endpoint";
            await RecordDeniedAsync(log, context, reason);
        }
        else if (status is >= 200 and < 300 && pattern is not null && CsvDownloads.TryGetValue(pattern, out var kind))
        {
            await log.RecordAsync(context, user, kind, TargetOf(context), $"{context.Request.Path}", ct: context.RequestAborted);
        }
        else
        {
            return;
        }
        logger.LogDebug("Access logged: {Status} {Path}", status, context.Request.Path);
    }

    internal static Task RecordDeniedAsync(AccessLog log, HttpContext context, string reason) =>
        log.RecordAsync(context, RegistryUser.From(context.User), AccessKind.Denied, TargetOf(context),
            $"{context.Request.Method} {context.Request.Path}: {reason}", ct: context.RequestAborted);

    /// <summary>Whether a redirect (relative or absolute) leads to <paramref name="path"/> (a page refused with Forbid() redirects to the access-denied page).</summary>
    private static bool RedirectsTo(string location, string path) =>
        Uri.TryCreate(new Uri("http://registry.invalid"), location, out var target) && target.AbsolutePath == path;

    private static Guid? TargetOf(HttpContext context) =>
        context.Request.RouteValues.TryGetValue("id", out var id) && Guid.TryParse(id?.ToString(), out var g) ? g : null;

    private static string? PatternOf(HttpContext context) =>
        context.GetEndpoint() is RouteEndpoint { RoutePattern: RoutePattern p } ? p.RawText?.Trim('/') : null;
}

/// <summary>
/// A signed-in user refused by a role policy is logged (kind <c>denied</c>, with the policy) before
/// the usual 403 (API) or access-denied page; then the framework's own handling runs.
/// </summary>
public sealed class AuditedAuthorizationResultHandler(AccessLog log) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && context.User.Identity?.IsAuthenticated == true)
        {
            var policies = context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>()
                .Select(a => a.Policy ?? a.Roles).Where(p => !string.IsNullOrEmpty(p)).Distinct().ToList() ?? [];
            var roles = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<Microsoft.AspNetCore.Authorization.Infrastructure.RolesAuthorizationRequirement>()
                .SelectMany(r => r.AllowedRoles).Distinct().ToList() ?? [];
            var reason = $"role policy {(policies.Count == 0 ? "(default)" : string.Join(", ", policies))}" +
                         (roles.Count == 0 ? "" : $" requires {string.Join(" or ", roles)}");
            await AccessAudit.RecordDeniedAsync(log, context, reason);
        }
        // DCI partners get the spec's HttpErrorResponse body with their 401 / 403, not an empty answer.
        if ((authorizeResult.Challenged || authorizeResult.Forbidden) && context.Request.Path.StartsWithSegments("/dci", StringComparison.Ordinal))
        {
            await Dci.DciEndpoints.WriteRefusalAsync(context, challenged: authorizeResult.Challenged);
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}

public static class AccessAuditSetup
{
    public static IServiceCollection AddAccessAudit(this IServiceCollection services) =>
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuditedAuthorizationResultHandler>();

    /// <summary>After UseAuthorization: only authorised requests reach the purpose rule; refusals of the endpoints themselves are logged.</summary>
    public static IApplicationBuilder UseAccessAudit(this IApplicationBuilder app) => app.UseMiddleware<AccessAudit>();
}

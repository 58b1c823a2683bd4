using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Registry.Api.Access;

namespace Registry.Api.Coverage;

/// <summary>
/// /cobertura/hogares: the households of a territory with no service of a sector in the last 12 months, each a link to its
/// page — for readers who may open them (case managers of the municipality, stewards, auditors, admins); a coordinator
/// who is not also a case manager there is refused (the aggregates are theirs, the families are not). Logged with the ids shown.
/// </summary>
[Authorize(Policy = AccessPolicies.Coverage)]
public sealed class GapHouseholdsPageModel(CoverageQueries coverage, AccessLog log) : PageModel
{
    public GapHouseholdPage? Result { get; private set; }
    public CoverageRequest? Asked { get; private set; }
    public string? Error { get; private set; }
    public long Pages => Result is { } r ? Math.Max(1, (r.Total + r.PageSize - 1) / r.PageSize) : 1;

    public async Task<IActionResult> OnGetAsync(int? pagina, CancellationToken ct)
    {
        var user = RegistryUser.From(User);
        try
        {
            var (request, opens) = await coverage.AuthorizeAsync(CoverageEndpoints.Parse(Request.Query, coverage), user, ct);
            if (!opens) return Forbid();
            Asked = request;
            Result = await coverage.GapHouseholdsAsync(request with { Programme = null }, Math.Clamp(pagina ?? 1, 1, 100_000), ct);
            await log.RecordAsync(HttpContext, user, AccessKind.Coverage, null, CoverageEndpoints.Describe(request, "ui households") + $" page={Result.Page}",
                returned: Result.Items.Select(i => i.HouseholdId), ct: ct);
            return Page();
        }
        catch (CoverageRefusedException refusal) when (refusal.OutOfScope)
        {
            return Forbid();
        }
        catch (CoverageRefusedException refusal)
        {
            Error = refusal.Message;
            return Page();
        }
    }

    public string PageLink(int page)
    {
        var q = Request.Query.Where(p => p.Key != "pagina").Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value.ToString())}").Append($"pagina={page}");
        return "/cobertura/hogares?" + string.Join('&', q);
    }
}

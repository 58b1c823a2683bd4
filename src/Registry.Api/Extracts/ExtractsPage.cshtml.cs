using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Registry.Api.Access;
using Registry.Extracts;

namespace Registry.Api.Extracts;

/// <summary>Extract status for agencies (their own only) and stewards/auditors/admins: counts, progress, rejected-rows download.</summary>
[Authorize(Policy = AccessPolicies.Extracts)]
public sealed class ExtractsPageModel(ExtractStore store) : PageModel
{
    public IReadOnlyList<ExtractReport> Extracts { get; private set; } = [];
    public string? Agency { get; private set; }
    public Guid? Selected { get; private set; }
    public bool Pending => Extracts.Any(e => e.Status is not (ExtractStatus.Resolved or ExtractStatus.Rejected));

    public async Task OnGetAsync(Guid? id, CancellationToken ct)
    {
        Agency = ExtractEndpoints.OwnAgency(HttpContext);
        Selected = id;
        Extracts = [.. (await store.ListAsync(Agency, 200, ct)).Where(e => ExtractEndpoints.MaySee(HttpContext, e))];
    }
}

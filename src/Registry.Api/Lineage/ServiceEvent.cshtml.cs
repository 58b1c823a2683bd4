using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Registry.Api.Access;

namespace Registry.Api.Lineage;

/// <summary>A service event traced back to its file (name, SHA-256), row, the row's fields and the link decision.</summary>
[Authorize(Policy = AccessPolicies.Lineage)]
public sealed class ServiceEventModel(LineageQueries lineage, AccessLog log) : PageModel
{
    public ServiceEventTrace? Trace { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        Trace = await lineage.TraceServiceEventAsync(id, ct);
        if (Trace is null) return NotFound();
        await log.RecordAsync(HttpContext, RegistryUser.From(User), AccessKind.LineageServiceEvent, id, "ui", ct: ct);
        return Page();
    }
}

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Registry.Api.Access;

namespace Registry.Api.Households;

/// <summary>The household page: members, services by sector (one colour each) and as a timeline, gaps. Scoped, redacted and logged like the API.</summary>
[Authorize(Policy = AccessPolicies.RegistryRead)]
public sealed class HouseholdModel(HouseholdQueries households, TerritoryScope scope, AccessLog log) : PageModel
{
    public Household360? Household { get; private set; }
    public bool CanTrace { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        var user = RegistryUser.From(User);
        switch (await scope.HouseholdStandingAsync(user, id, ct))
        {
            case null: return NotFound();
            case { MergedInto: { } survivor }: return RedirectPermanent($"/hogares/{survivor}");
            case { Visible: false }: return Forbid();
        }
        Household = await households.LoadAsync(id, user, null, ct);
        if (Household is null) return NotFound();
        CanTrace = user.Is(RegistryRoles.Auditor) || user.Is(RegistryRoles.Steward) || user.Is(RegistryRoles.Admin);
        await log.RecordAsync(HttpContext, user, AccessKind.Household, id, "ui", ct: ct);
        return Page();
    }
}

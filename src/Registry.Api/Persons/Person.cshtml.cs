using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Registry.Api.Access;

namespace Registry.Api.Persons;

/// <summary>The person page: golden record with the source of each field, and every source record down to file and row.</summary>
[Authorize(Policy = AccessPolicies.RegistryRead)]
public sealed class PersonModel(PersonQueries persons, Review.ReviewQueries reviews, TerritoryScope scope, AccessLog log) : PageModel
{
    /// <summary>Merges, splits and steward decisions (stewards, auditors, admins only).</summary>
    public IReadOnlyList<Review.IdentityEventView> History { get; private set; } = [];
    public PersonView? View { get; private set; }
    public bool CanTrace { get; private set; }
    public bool CanSeeExtracts { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        var user = RegistryUser.From(User);
        if (await persons.SurvivorOfAsync(id, ct) is { } survivor) return RedirectPermanent($"/personas/{survivor}");
        View = await persons.LoadAsync(id, user, ct);
        if (View is null) return NotFound();
        if (!await scope.PersonVisibleAsync(user, id, ct)) return Forbid();
        CanTrace = CanSeeExtracts = user.Is(RegistryRoles.Auditor) || user.Is(RegistryRoles.Steward) || user.Is(RegistryRoles.Admin);
        if (CanTrace) History = await reviews.IdentityEventsAsync(id, ct);
        await log.RecordAsync(HttpContext, user, AccessKind.Person, id, "ui", ct: ct);
        return Page();
    }
}

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Registry.Api.Access;

/// <summary>The auditors' view of the access log: who read what, when and why; filtered and paged.</summary>
[Authorize(Policy = AccessPolicies.AccessLog)]
public sealed class AccessLogPageModel(AccessLog log) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Quien { get; set; }
    [BindProperty(SupportsGet = true)] public string? Tipo { get; set; }
    [BindProperty(SupportsGet = true)] public string? Objetivo { get; set; }
    [BindProperty(SupportsGet = true)] public int Pagina { get; set; } = 1;

    public AccessLogPage? Result { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var kind = AccessLog.Kinds.Contains(Tipo) ? Tipo : null;
        Guid? target = Guid.TryParse(Objetivo, out var g) ? g : null;
        var subject = string.IsNullOrWhiteSpace(Quien) ? null : Quien.Trim()[..Math.Min(Quien.Trim().Length, 200)];
        Result = await log.QueryAsync(new AccessLog.Filter(subject, kind, target, null, null, Math.Clamp(Pagina, 1, 100_000), 50), ct);
    }
}

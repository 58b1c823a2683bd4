using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Registry.Api.Access;

namespace Registry.Api.Search;

/// <summary>The search page: households and persons by name, CURP, address, territory or agency id; the purpose chosen here is logged with every read.</summary>
[Authorize(Policy = AccessPolicies.RegistryRead)]
public sealed class IndexModel(RegistrySearch search, AccessLog log) : PageModel
{
    public static readonly string[] Purposes = ["Seguimiento de caso", "Verificación de elegibilidad", "Auditoría", "Calidad de datos"];

    [BindProperty(SupportsGet = true)] public string? Nombre { get; set; }
    [BindProperty(SupportsGet = true)] public string? Curp { get; set; }
    [BindProperty(SupportsGet = true)] public string? Domicilio { get; set; }
    [BindProperty(SupportsGet = true)] public string? Municipio { get; set; }
    [BindProperty(SupportsGet = true)] public string? Poligono { get; set; }
    [BindProperty(SupportsGet = true)] public string? IdInstitucion { get; set; }
    [BindProperty(SupportsGet = true)] public string? Proposito { get; set; }

    public string? Error { get; private set; }
    public SearchPage<HouseholdHit>? Households { get; private set; }
    public SearchPage<PersonHit>? Persons { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Proposito = Purposes.Contains(Proposito) ? Proposito : AccessLog.PurposeOf(HttpContext) is { } current && Purposes.Contains(current) ? current : Purposes[0];
        string?[] given = [Nombre, Curp, Domicilio, Municipio, Poligono, IdInstitucion];
        if (given.All(string.IsNullOrWhiteSpace)) return Page();

        Response.Cookies.Append(AccessLog.PurposeCookie, Proposito!,
            new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
        var criteria = new SearchCriteria(Nombre, Curp, Domicilio, Municipio, Poligono, IdInstitucion, PageSize: 25);
        if (criteria.Problem() is { } problem)
        {
            Error = problem;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        var user = RegistryUser.From(User);
        Households = await search.HouseholdsAsync(criteria, user, ct);
        Persons = await search.PersonsAsync(criteria, user, ct);
        await log.RecordAsync(HttpContext, user, AccessKind.Search, null, "ui:" + criteria.Describe(), Proposito, [.. Households.Items.Select(h => h.Id), .. Persons.Items.Select(p => p.Id)], ct);
        return Page();
    }
}

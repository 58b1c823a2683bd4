using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Registry.Api.Access;

namespace Registry.Api.Search;

/// <summary>
/// The search page: households and persons by name, CURP, address, territory or agency id; the purpose
/// chosen here is logged with every read. The form is POSTed (with its antiforgery token), so a CURP
/// never appears in a URL; GET only shows the form.
/// </summary>
[Authorize(Policy = AccessPolicies.RegistryRead)]
[EnableRateLimiting(SearchLimits.RateLimitPolicy)]
public sealed class IndexModel(RegistrySearch search, AccessLog log) : PageModel
{
    public static readonly string[] Purposes = ["Seguimiento de caso", "Verificación de elegibilidad", "Auditoría", "Calidad de datos"];

    [BindProperty] public string? Nombre { get; set; }
    [BindProperty] public string? Curp { get; set; }
    [BindProperty] public string? Domicilio { get; set; }
    [BindProperty] public string? Municipio { get; set; }
    [BindProperty] public string? Poligono { get; set; }
    [BindProperty] public string? IdInstitucion { get; set; }
    [BindProperty] public string? Proposito { get; set; }

    public string? Error { get; private set; }
    public SearchPage<HouseholdHit>? Households { get; private set; }
    public SearchPage<PersonHit>? Persons { get; private set; }

    public void OnGet() => Proposito = ChosenPurpose();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Proposito = ChosenPurpose();
        string?[] given = [Nombre, Curp, Domicilio, Municipio, Poligono, IdInstitucion];
        if (given.All(string.IsNullOrWhiteSpace)) return Page();

        Response.Cookies.Append(AccessLog.PurposeCookie, Proposito,
            new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
        var criteria = new SearchCriteria(Nombre, Curp, Domicilio, Municipio, Poligono, IdInstitucion, PageSize: 25);
        if (criteria.Problem() is { } problem)
        {
            Error = problem;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        var user = RegistryUser.From(User);
        try
        {
            Households = await search.HouseholdsAsync(criteria, user, ct);
            Persons = await search.PersonsAsync(criteria, user, ct);
        }
        catch (Exception ex) when (SearchLimits.IsStatementTimeout(ex))
        {
            (Households, Persons) = (null, null);
            Error = SearchLimits.TooLongMessageEs;
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        await log.RecordAsync(HttpContext, user, AccessKind.Search, null, "ui:" + criteria.Describe(), Proposito, [.. Households.Items.Select(h => h.Id), .. Persons.Items.Select(p => p.Id)], ct);
        return Page();
    }

    private string ChosenPurpose() =>
        Purposes.Contains(Proposito) ? Proposito! : AccessLog.PurposeOf(HttpContext) is { } current && Purposes.Contains(current) ? current : Purposes[0];
}

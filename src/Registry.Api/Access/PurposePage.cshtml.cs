using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Registry.Api.Search;

namespace Registry.Api.Access;

/// <summary>
/// Asked before a person, household or lineage page opens when no purpose was chosen (AccessAudit
/// sends the reader here): the purpose is kept in the same cookie as the search page's chooser and
/// logged with every read; then the page that was asked for opens.
/// </summary>
public sealed class PurposePageModel : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Volver { get; set; }
    [BindProperty] public string? Proposito { get; set; }
    public string? Error { get; private set; }

    public string Back => Volver is { Length: > 0 } v && Url.IsLocalUrl(v) && !v.StartsWith(AccessAudit.PurposePagePath, StringComparison.Ordinal) ? v : "/";

    public void OnGet()
    {
    }

    public IActionResult OnPost()
    {
        if (Proposito is null || !IndexModel.Purposes.Contains(Proposito))
        {
            Error = "Elija el propósito de la consulta.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        Response.Cookies.Append(AccessLog.PurposeCookie, Proposito,
            new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
        return LocalRedirect(Back);
    }
}

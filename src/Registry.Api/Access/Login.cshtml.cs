using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Registry.Api.Web;

namespace Registry.Api.Access;

/// <summary>The UI's sign-in: the dev issuer's form (demo, tests) or a redirect to the OIDC provider (production). Both end in a cookie.</summary>
[AllowAnonymous]
[EnableRateLimiting(SignInLimits.Policy)]
public sealed class LoginModel(IOptions<AuthOptions> options, DevelopmentIssuer issuer) : PageModel
{
    public bool DevIssuer => options.Value.DevIssuer.Enabled;
    public bool Oidc => AuthSetup.UsesOidcLogin(options);
    public string ReturnUrl { get; private set; } = "/";
    public string? UserName { get; private set; }
    public bool Failed { get; private set; }
    /// <summary>Set when the user name is locked after repeated wrong passwords.</summary>
    public DateTimeOffset? LockedUntil { get; private set; }
    public IEnumerable<DevelopmentUser> Users => issuer.Users;

    public void OnGet(string? returnUrl) => ReturnUrl = UiEndpoints.LocalOnly(returnUrl);

    public async Task<IActionResult> OnPostAsync(string? username, string? password, string? returnUrl)
    {
        ReturnUrl = UiEndpoints.LocalOnly(returnUrl);
        if (!DevIssuer) return NotFound();
        var outcome = issuer.Authenticate(username, password);
        if (outcome.User is not { } user)
        {
            Failed = true;
            LockedUntil = outcome.LockedUntil;
            UserName = username;
            Response.StatusCode = outcome.Locked ? StatusCodes.Status429TooManyRequests : StatusCodes.Status401Unauthorized;
            return Page();
        }
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, AuthSetup.PrincipalFor(user));
        return LocalRedirect(ReturnUrl == "/" ? Landing(user) : ReturnUrl);
    }

    public IActionResult OnPostOidc(string? returnUrl) =>
        Oidc ? Challenge(new AuthenticationProperties { RedirectUri = UiEndpoints.LocalOnly(returnUrl) }, AuthSetup.OidcScheme) : NotFound();

    /// <summary>Where each role starts: agencies at their extracts, everyone else at search.</summary>
    private static string Landing(DevelopmentUser user) => user.Role switch
    {
        RegistryRoles.Agency => "/extractos",
        RegistryRoles.Coordinator => "/cobertura",
        _ => "/",
    };
}

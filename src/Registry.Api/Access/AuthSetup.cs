using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Registry.Api.Access;

/// <summary>
/// Authentication for people: JWT bearer tokens for the API (any OIDC provider via Auth:Authority,
/// or the development issuer), a cookie for the web UI (signed in by the dev login form, or by
/// the OIDC provider's login page when Auth:ClientId is set). A request with an
/// <c>Authorization: Bearer</c> header is judged by its token, any other by its cookie; API paths
/// answer 401/403 instead of redirecting to the login page.
/// </summary>
public static class AuthSetup
{
    public const string Scheme = "registry";
    public const string OidcScheme = OpenIdConnectDefaults.AuthenticationScheme;

    public static IServiceCollection AddRegistryAuth(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions();
        services.Configure<AuthOptions>(configuration.GetSection("Auth"));
        services.AddSingleton<DevelopmentIssuer>();
        services.AddSignInLimits();
        services.TryAddSingleton(TimeProvider.System);

        var auth = services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "bearer token or cookie", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters.NameClaimType = RegistryRoles.NameClaim;
                o.TokenValidationParameters.RoleClaimType = options.RoleClaim;
                o.TokenValidationParameters.ValidAudience = options.Audience;
                if (options.DevIssuer.Enabled)
                {
                    // The key is the issuer's (configured, or made up at start): set below, once the issuer exists.
                    o.TokenValidationParameters.ValidIssuer = DevelopmentIssuerOptions.Issuer;
                    o.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
                }
                else if (!string.IsNullOrWhiteSpace(options.Authority))
                {
                    o.Authority = options.Authority;
                    o.Audience = options.Audience;
                    o.RequireHttpsMetadata = options.RequireHttpsMetadata;
                }
                else
                {
                    // Neither configured: no bearer token can be valid (every API call is 401), but the host still starts for health checks.
                    o.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
                    o.TokenValidationParameters.ValidIssuer = "nobody";
                }
            })
            .AddCookie(o =>
            {
                o.LoginPath = "/login";
                o.LogoutPath = "/logout";
                o.AccessDeniedPath = "/denegado";
                o.Cookie = new SessionCookieBuilder(options.AllowInsecureCookieOnLoopback)
                {
                    Name = "registry.session", HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true,
                };
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = options.SessionIdle;
                o.Events.OnRedirectToLogin = context => ApiAnswer(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => ApiAnswer(context, StatusCodes.Status403Forbidden);
                o.Events.OnSigningIn = SessionRevalidation.OnSigningIn;
                o.Events.OnValidatePrincipal = SessionRevalidation.OnValidatePrincipal;
            });
        if (options.DevIssuer.Enabled)
        {
            services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
                .Configure<DevelopmentIssuer>((o, issuer) => o.TokenValidationParameters.IssuerSigningKey = issuer.SigningKey);
        }

        if (!options.DevIssuer.Enabled && !string.IsNullOrWhiteSpace(options.Authority) && !string.IsNullOrWhiteSpace(options.ClientId))
        {
            auth.AddOpenIdConnect(OidcScheme, o =>
            {
                o.Authority = options.Authority;
                o.ClientId = options.ClientId;
                o.ClientSecret = options.ClientSecret;
                o.RequireHttpsMetadata = options.RequireHttpsMetadata;
                o.ResponseType = "code";
                o.MapInboundClaims = false;
                o.GetClaimsFromUserInfoEndpoint = true;
                // The refresh token lets the session re-check the user's claims at the provider (SessionRevalidation).
                o.SaveTokens = true;
                o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.TokenValidationParameters.NameClaimType = RegistryRoles.NameClaim;
                o.TokenValidationParameters.RoleClaimType = options.RoleClaim;
                o.CallbackPath = "/signin-oidc";
            });
        }

        AccessPolicies.Add(services.AddAuthorizationBuilder());
        return services;
    }

    /// <summary>Whether the UI offers the OIDC provider's login (production) instead of the dev form.</summary>
    public static bool UsesOidcLogin(IOptions<AuthOptions> options) =>
        !options.Value.DevIssuer.Enabled && !string.IsNullOrWhiteSpace(options.Value.Authority) && !string.IsNullOrWhiteSpace(options.Value.ClientId);

    /// <summary>A cookie identity for a seeded user (the UI's dev login form).</summary>
    public static ClaimsPrincipal PrincipalFor(DevelopmentUser user) =>
        new(new ClaimsIdentity(user.Claims(), CookieAuthenticationDefaults.AuthenticationScheme, RegistryRoles.NameClaim, RegistryRoles.RoleClaim));

    /// <summary>
    /// The development issuer replaces real sign-in, so it refuses to run outside the Development
    /// environment unless Auth:DevIssuer:AllowOutsideDevelopment says so (the demo and the tests);
    /// when it runs, the log says so loudly, with the passwords it made up for users without one.
    /// </summary>
    public static void GuardDevIssuer(WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        if (app.Configuration["Auth:DevIssuer:Password"] is not null)
            throw new InvalidOperationException(
                "Auth:DevIssuer:Password (one password for every seeded user) is no longer read: give each user its own with Auth:DevIssuer:Passwords:<user>, or leave them unset for passwords made up at each start.");
        if (!options.DevIssuer.Enabled) return;
        if (!app.Environment.IsDevelopment() && !options.DevIssuer.AllowOutsideDevelopment)
            throw new InvalidOperationException(
                $"The development issuer (Auth:DevIssuer:Enabled) is for development only and this host runs in the '{app.Environment.EnvironmentName}' environment. " +
                "Configure an OIDC provider (Auth:Authority, Auth:ClientId) and turn the development issuer off; for a demo or a test, " +
                "set Auth:DevIssuer:AllowOutsideDevelopment=true as well.");
        var issuer = app.Services.GetRequiredService<DevelopmentIssuer>();
        app.Logger.LogWarning(
            "DEVELOPMENT ISSUER ENABLED in the '{Environment}' environment: seeded users sign in with passwords from configuration; never use it in production.",
            app.Environment.EnvironmentName);
        foreach (var (user, password) in issuer.GeneratedPasswords)
            app.Logger.LogWarning("Development issuer: no Auth:DevIssuer:Passwords:{User} configured; this run's password for {User} is {Password}", user, user, password);
    }

    private static Task ApiAnswer(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        // Machine clients (the REST API, FHIR) get the status; pages a redirect to sign in.
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/fhir") || context.Request.Path.StartsWithSegments("/dci"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}

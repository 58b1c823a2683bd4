using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Registry.Api.Access;

/// <summary>A seeded user of the development issuer.</summary>
public sealed record DevelopmentUser(
    string UserName, string DisplayName, string Role, string? Agency = null, string[]? Municipalities = null, string[]? SensitiveSectors = null)
{
    public IEnumerable<Claim> Claims()
    {
        yield return new Claim(RegistryRoles.NameClaim, UserName);
        yield return new Claim("sub", UserName);
        yield return new Claim("name", DisplayName);
        yield return new Claim(RegistryRoles.RoleClaim, Role);
        if (Agency is not null) yield return new Claim(RegistryRoles.AgencyClaim, Agency);
        foreach (var m in Municipalities ?? []) yield return new Claim(RegistryRoles.MunicipalityClaim, m);
        foreach (var s in SensitiveSectors ?? []) yield return new Claim(RegistryRoles.SensitiveSectorClaim, s);
    }
}

/// <summary>
/// Development issuer: one user per role (two agencies, case managers in different
/// municipalities, one of them granted the sensitive sectors), HS256 tokens from
/// <c>POST /auth/token</c>, and the credentials check behind the UI's login form.
/// Never on by default; production uses an OIDC provider (Auth:Authority).
/// </summary>
public sealed class DevelopmentIssuer(IOptions<AuthOptions> options, TimeProvider clock)
{
    public static readonly IReadOnlyList<DevelopmentUser> Users =
    [
        new("ssa.datos", "Oficial de datos SSA", RegistryRoles.Agency, Agency: "SSA-TAM"),
        new("dif.datos", "Oficial de datos DIF", RegistryRoles.Agency, Agency: "DIF-TAM"),
        new("gestora.reynosa", "Gestora Reynosa", RegistryRoles.CaseManager, Municipalities: ["REYNOSA"]),
        new("gestor.victoria", "Gestor Victoria", RegistryRoles.CaseManager, Municipalities: ["VICTORIA"]),
        new("gestora.salud", "Gestora Reynosa (salud y seguridad)", RegistryRoles.CaseManager, Municipalities: ["REYNOSA", "MATAMOROS"],
            SensitiveSectors: ["health", "security"]),
        new("custodio", "Custodio de datos", RegistryRoles.Steward),
        new("auditora", "Auditora", RegistryRoles.Auditor),
        new("admin", "Administración", RegistryRoles.Admin),
    ];

    private readonly DevelopmentIssuerOptions _options = options.Value.DevIssuer;

    public static SymmetricSecurityKey KeyFor(DevelopmentIssuerOptions options) =>
        options.SigningKey is { Length: >= 32 } key
            ? new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key))
            : throw new InvalidOperationException("Auth:DevIssuer:SigningKey must be set (32+ characters) when Auth:DevIssuer:Enabled is true.");

    /// <summary>The seeded user with these credentials, or null. Compares in constant time.</summary>
    public DevelopmentUser? Authenticate(string? userName, string? password)
    {
        var user = Users.FirstOrDefault(u => string.Equals(u.UserName, userName?.Trim(), StringComparison.OrdinalIgnoreCase));
        var ok = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(password ?? ""), Encoding.UTF8.GetBytes(_options.Password));
        return user is not null && ok ? user : null;
    }

    public (string Token, DateTimeOffset Expires) IssueToken(DevelopmentUser user, string audience)
    {
        var now = clock.GetUtcNow();
        var expires = now + _options.TokenLifetime;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = DevelopmentIssuerOptions.Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(user.Claims()),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(KeyFor(_options), SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
    }

    public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn);

    /// <summary>POST /auth/token (form: username, password) → a bearer token. Only mapped when the issuer is enabled.</summary>
    public static void Map(WebApplication app) =>
        app.MapPost("/auth/token", async (HttpRequest request, DevelopmentIssuer issuer, IOptions<AuthOptions> auth) =>
            {
                if (!request.HasFormContentType)
                    return Results.Problem("Send username and password as form fields.", statusCode: StatusCodes.Status400BadRequest);
                var form = await request.ReadFormAsync();
                var user = issuer.Authenticate(form["username"], form["password"]);
                if (user is null) return Results.Problem("Unknown user or wrong password.", statusCode: StatusCodes.Status401Unauthorized);
                var (token, expires) = issuer.IssueToken(user, auth.Value.Audience);
                return Results.Ok(new TokenResponse(token, "Bearer", (int)(expires - DateTimeOffset.UtcNow).TotalSeconds));
            })
            .AllowAnonymous().DisableAntiforgery()
            .WithName("IssueDevelopmentToken").WithTags("Auth")
            .WithSummary("Development issuer: a bearer token for a seeded user (form fields username, password). Absent unless Auth:DevIssuer:Enabled.");
}

using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Registry.Api.Access;

/// <summary>A seeded user of the development issuer.</summary>
public sealed record DevelopmentUser(
    string UserName, string DisplayName, string Role, string? Agency = null, string[]? Municipalities = null, string[]? SensitiveSectors = null,
    string[]? AlsoRoles = null)
{
    public IEnumerable<Claim> Claims()
    {
        yield return new Claim(RegistryRoles.NameClaim, UserName);
        yield return new Claim("sub", UserName);
        yield return new Claim("name", DisplayName);
        yield return new Claim(RegistryRoles.RoleClaim, Role);
        foreach (var r in AlsoRoles ?? []) yield return new Claim(RegistryRoles.RoleClaim, r);
        if (Agency is not null) yield return new Claim(RegistryRoles.AgencyClaim, Agency);
        foreach (var m in Municipalities ?? []) yield return new Claim(RegistryRoles.MunicipalityClaim, m);
        foreach (var s in SensitiveSectors ?? []) yield return new Claim(RegistryRoles.SensitiveSectorClaim, s);
    }
}

/// <summary>What a sign-in attempt came to: the user, or nobody (and, if so, whether the name is locked and until when).</summary>
public sealed record SignInOutcome(DevelopmentUser? User, DateTimeOffset? LockedUntil = null)
{
    public bool Locked => LockedUntil is not null;
}

/// <summary>
/// Development issuer: one user per role (two agencies, case managers in different
/// municipalities, one of them granted the sensitive sectors), HS256 tokens from
/// <c>POST /auth/token</c>, and the credentials check behind the UI's login form. Each user has
/// a password of its own from configuration (or one made up at start and logged); the signing
/// key is configured or made up at start. Never on by default, and refused outside Development
/// unless explicitly allowed; production uses an OIDC provider (Auth:Authority).
/// </summary>
public sealed class DevelopmentIssuer
{
    public static readonly IReadOnlyList<DevelopmentUser> SeededUsers =
    [
        new("ssa.datos", "Oficial de datos SSA", RegistryRoles.Agency, Agency: "SSA-TAM"),
        new("dif.datos", "Oficial de datos DIF", RegistryRoles.Agency, Agency: "DIF-TAM"),
        new("gestora.reynosa", "Gestora Reynosa", RegistryRoles.CaseManager, Municipalities: ["REYNOSA"]),
        new("gestor.victoria", "Gestor Victoria", RegistryRoles.CaseManager, Municipalities: ["VICTORIA"]),
        new("gestora.salud", "Gestora Reynosa (salud y seguridad)", RegistryRoles.CaseManager, Municipalities: ["REYNOSA", "MATAMOROS"],
            SensitiveSectors: ["health", "security"]),
        new("coordinadora.lazos", "Coordinadora Lazos del Bienestar", RegistryRoles.Coordinator, Municipalities: ["REYNOSA", "VICTORIA"]),
        new("coordinador.reynosa", "Coordinador y gestor Reynosa", RegistryRoles.Coordinator, Municipalities: ["REYNOSA"],
            AlsoRoles: [RegistryRoles.CaseManager]),
        new("custodio", "Custodio de datos", RegistryRoles.Steward),
        new("auditora", "Auditora", RegistryRoles.Auditor),
        new("admin", "Administración", RegistryRoles.Admin),
    ];

    private readonly DevelopmentIssuerOptions _options;
    private readonly TimeProvider _clock;
    private readonly SignInLockout _lockout;
    private readonly ConcurrentDictionary<string, DevelopmentUser> _users;
    private readonly Dictionary<string, byte[]> _passwords = new(StringComparer.OrdinalIgnoreCase);
    // Compared against when the user name is unknown, so both cases take the same time.
    private readonly byte[] _nobody = RandomNumberGenerator.GetBytes(32);

    public DevelopmentIssuer(IOptions<AuthOptions> options, TimeProvider clock, SignInLockout lockout)
    {
        _options = options.Value.DevIssuer;
        _clock = clock;
        _lockout = lockout;
        _users = new(SeededUsers.Select(u => KeyValuePair.Create(u.UserName, u)), StringComparer.OrdinalIgnoreCase);
        SigningKey = _options.SigningKey switch
        {
            null or "" => new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)),
            { Length: >= 32 } key => new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)),
            _ => throw new InvalidOperationException(
                "Auth:DevIssuer:SigningKey is shorter than 32 characters: set a longer one, or leave it unset for a fresh key at every start."),
        };
        foreach (var user in SeededUsers)
        {
            if (_options.Passwords.TryGetValue(user.UserName, out var configured) && !string.IsNullOrEmpty(configured))
                _passwords[user.UserName] = Encoding.UTF8.GetBytes(configured);
            else
            {
                var made = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', '-').Replace('/', '_');
                _passwords[user.UserName] = Encoding.UTF8.GetBytes(made);
                GeneratedPasswords[user.UserName] = made;
            }
        }
    }

    /// <summary>Key of the tokens it issues (and of the bearer tokens the API accepts from it).</summary>
    public SymmetricSecurityKey SigningKey { get; }

    /// <summary>Passwords made up at this start for users without a configured one (the host logs them once).</summary>
    public Dictionary<string, string> GeneratedPasswords { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The users as they are now (a web session re-reads its user's claims from here).</summary>
    public IEnumerable<DevelopmentUser> Users => SeededUsers.Select(u => _users.GetValueOrDefault(u.UserName)).OfType<DevelopmentUser>();

    public DevelopmentUser? Find(string? userName) => userName is null ? null : _users.GetValueOrDefault(userName.Trim());

    /// <summary>Test seam: changes (or, with <paramref name="remove"/>, withdraws) a seeded user's grants, as an administrator would at the provider.</summary>
    internal void Replace(DevelopmentUser user, bool remove = false)
    {
        if (remove) _users.TryRemove(user.UserName, out _);
        else _users[user.UserName] = user;
    }

    /// <summary>
    /// The seeded user with these credentials, or nobody. Compares in constant time. A locked user
    /// name is refused whatever the password; wrong passwords count towards its lockout.
    /// </summary>
    public SignInOutcome Authenticate(string? userName, string? password)
    {
        var name = userName?.Trim() ?? "";
        var user = Find(name);
        var expected = user is not null && _passwords.TryGetValue(user.UserName, out var p) ? p : _nobody;
        var ok = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(password ?? ""), expected) && user is not null;
        if (user is null) return new SignInOutcome(null);
        if (_lockout.LockedUntil(user.UserName) is { } until) return new SignInOutcome(null, until);
        if (!ok) return new SignInOutcome(null, _lockout.Failed(user.UserName));
        _lockout.Succeeded(user.UserName);
        return new SignInOutcome(user);
    }

    public (string Token, DateTimeOffset Expires) IssueToken(DevelopmentUser user, string audience)
    {
        var now = _clock.GetUtcNow();
        var expires = now + _options.TokenLifetime;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = DevelopmentIssuerOptions.Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(user.Claims()),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256),
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
                // Partner systems ask as OAuth 2.0 clients do (grant_type=client_credentials, client_id, client_secret): the
                // client is a seeded user, scoped by its role, agency, municipalities and grants like any other.
                var clientCredentials = form["grant_type"] == "client_credentials";
                var outcome = clientCredentials
                    ? issuer.Authenticate(form["client_id"], form["client_secret"])
                    : issuer.Authenticate(form["username"], form["password"]);
                if (outcome.LockedUntil is { } until)
                {
                    request.HttpContext.Response.Headers.RetryAfter = SignInLockout.RetryAfterSeconds(until, issuer._clock);
                    return Results.Problem(
                        $"Too many wrong passwords for this user: it is locked until {until.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC. Every password is refused until then.",
                        statusCode: StatusCodes.Status429TooManyRequests, title: "User locked");
                }
                if (outcome.User is not { } user) return Results.Problem("Unknown user or wrong password.", statusCode: StatusCodes.Status401Unauthorized);
                var (token, expires) = issuer.IssueToken(user, auth.Value.Audience);
                var seconds = (int)(expires - issuer._clock.GetUtcNow()).TotalSeconds;
                // RFC 6749's field names for OAuth clients; the API's own camelCase otherwise.
                return clientCredentials
                    ? Results.Json(new Dictionary<string, object> { ["access_token"] = token, ["token_type"] = "Bearer", ["expires_in"] = seconds })
                    : Results.Ok(new TokenResponse(token, "Bearer", seconds));
            })
            .AllowAnonymous().DisableAntiforgery()
            .RequireRateLimiting(SignInLimits.Policy)
            .WithName("IssueDevelopmentToken").WithTags("Auth")
            .WithSummary("Development issuer: a bearer token for a seeded user (form fields username, password; or OAuth client credentials: " +
                "grant_type=client_credentials, client_id, client_secret → access_token). Absent unless Auth:DevIssuer:Enabled. " +
                "Rate-limited per client address; a user name locks after repeated wrong passwords (429).");
}

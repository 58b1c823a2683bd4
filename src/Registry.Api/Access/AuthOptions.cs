namespace Registry.Api.Access;

/// <summary>Authentication settings (section <c>Auth</c>).</summary>
public sealed class AuthOptions
{
    /// <summary>OIDC provider (e.g. https://keycloak.example/realms/registry). Bearer tokens are validated against its keys.</summary>
    public string? Authority { get; set; }
    /// <summary>Expected audience of bearer tokens.</summary>
    public string Audience { get; set; } = "registry-api";
    /// <summary>Client id the web UI signs in with at <see cref="Authority"/> (authorisation code flow).</summary>
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    /// <summary>Claim carrying roles in the provider's tokens.</summary>
    public string RoleClaim { get; set; } = RegistryRoles.RoleClaim;
    /// <summary>Require HTTPS metadata (turn off only for a local provider on http).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>
    /// How long a web session trusts the roles, municipalities and sectors it was signed in with
    /// before asking the issuer again (the dev issuer's users, or the OIDC provider through the
    /// refresh token). A session the issuer no longer vouches for is signed out.
    /// </summary>
    public TimeSpan RevalidateAfter { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>Idle time after which a web session ends (sliding).</summary>
    public TimeSpan SessionIdle { get; set; } = TimeSpan.FromHours(8);
    /// <summary>Absolute length of a web session, however active: then the user signs in again.</summary>
    public TimeSpan SessionLimit { get; set; } = TimeSpan.FromHours(10);
    /// <summary>
    /// Let the session cookie go without its Secure flag on plain http, but only when the browser
    /// addresses a loopback host (127.0.0.1, ::1, localhost): the demo and the tests. Off by
    /// default: every other request gets a Secure cookie, https or not.
    /// </summary>
    public bool AllowInsecureCookieOnLoopback { get; set; }

    public SignInLimitOptions SignInLimit { get; set; } = new();
    public DevelopmentIssuerOptions DevIssuer { get; set; } = new();
}

/// <summary>Brakes on password guessing at <c>/login</c> and <c>/auth/token</c> (section <c>Auth:SignInLimit</c>).</summary>
public sealed class SignInLimitOptions
{
    /// <summary>Attempts a client address may make in a burst.</summary>
    public int Burst { get; set; } = 30;
    /// <summary>Attempts given back to each address every <see cref="Period"/>.</summary>
    public int PerPeriod { get; set; } = 5;
    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Consecutive wrong passwords after which a user name is locked.</summary>
    public int MaxFailures { get; set; } = 5;
    /// <summary>How long a locked user name refuses every password, the right one included.</summary>
    public TimeSpan Lockout { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>
/// The development issuer: seeded users, a token endpoint and the UI's login form. For the demo
/// and tests only; off unless enabled, and refused outside the Development environment unless
/// <see cref="AllowOutsideDevelopment"/> says otherwise.
/// </summary>
public sealed class DevelopmentIssuerOptions
{
    public bool Enabled { get; set; }
    /// <summary>Lets the issuer run in an environment other than Development (the demo, the tests). Logged loudly.</summary>
    public bool AllowOutsideDevelopment { get; set; }
    /// <summary>HMAC-SHA256 key for tokens it issues, 32+ characters. Unset: a fresh key each time the host starts.</summary>
    public string? SigningKey { get; set; }
    /// <summary>Password of each seeded user by user name. A user without one gets a fresh password each start, written to the log.</summary>
    public Dictionary<string, string> Passwords { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>A bearer token carries the user's grants of the moment it was issued, so it lives an hour, not a working day.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);
    public const string Issuer = "registry-dev-issuer";
}

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

    public DevelopmentIssuerOptions DevIssuer { get; set; } = new();
}

/// <summary>
/// The development issuer: seeded users, a token endpoint and the UI's login form. For the demo
/// and tests only; off unless enabled (appsettings.Development.json and `make demo` enable it).
/// </summary>
public sealed class DevelopmentIssuerOptions
{
    public bool Enabled { get; set; }
    /// <summary>HMAC-SHA256 key for tokens it issues, at least 32 characters. Required when enabled.</summary>
    public string? SigningKey { get; set; }
    /// <summary>Password of every seeded user.</summary>
    public string Password { get; set; } = "demo";
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(8);
    public const string Issuer = "registry-dev-issuer";
}

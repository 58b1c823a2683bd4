using System.Security.Claims;

namespace Registry.Api.Access;

/// <summary>The roles of the registry and the claims that scope them (same names in dev tokens and production OIDC tokens).</summary>
public static class RegistryRoles
{
    public const string Agency = "agency";
    public const string CaseManager = "case-manager";
    public const string Steward = "steward";
    public const string Auditor = "auditor";
    public const string Admin = "admin";

    public static readonly string[] All = [Agency, CaseManager, Steward, Auditor, Admin];

    /// <summary>Claim carrying the role(s); configurable for providers that name it otherwise (Auth:RoleClaim).</summary>
    public const string RoleClaim = "role";
    /// <summary>The agency an agency user belongs to (e.g. SSA-TAM).</summary>
    public const string AgencyClaim = "agency";
    /// <summary>A municipality a case manager works in (one claim per municipality).</summary>
    public const string MunicipalityClaim = "municipality";
    /// <summary>A sensitive sector (health, security) whose programme detail the user may see.</summary>
    public const string SensitiveSectorClaim = "sensitive_sector";
    public const string NameClaim = "preferred_username";

    /// <summary>Sectors whose programme, service type and status are hidden from case managers unless granted.</summary>
    public static readonly IReadOnlySet<string> SensitiveSectors = new HashSet<string>(["health", "security"], StringComparer.Ordinal);
}

/// <summary>Who is asking, read once from the claims: roles, agency, municipalities, sensitive-sector grants.</summary>
public sealed record RegistryUser(
    string Name, IReadOnlyList<string> Roles, string? Agency, IReadOnlyList<string> Municipalities, IReadOnlySet<string> SensitiveSectors)
{
    public bool Is(string role) => Roles.Contains(role, StringComparer.Ordinal);

    /// <summary>Roles that see every household (no territorial scope): stewards, auditors, admins.</summary>
    public bool SeesAllTerritories => Is(RegistryRoles.Steward) || Is(RegistryRoles.Auditor) || Is(RegistryRoles.Admin);

    /// <summary>Whether programme detail of a service in <paramref name="sector"/> is shown.</summary>
    public bool SeesDetailOf(string sector) =>
        !RegistryRoles.SensitiveSectors.Contains(sector) || SeesAllTerritories || SensitiveSectors.Contains(sector);

    public string RoleText => string.Join(',', Roles);

    public static RegistryUser From(ClaimsPrincipal principal)
    {
        var identity = principal.Identity as ClaimsIdentity;
        var roleType = identity?.RoleClaimType ?? RegistryRoles.RoleClaim;
        return new RegistryUser(
            principal.FindFirst(RegistryRoles.NameClaim)?.Value ?? principal.FindFirst("sub")?.Value ?? principal.Identity?.Name ?? "unknown",
            [.. principal.FindAll(roleType).Select(c => c.Value).Distinct(StringComparer.Ordinal)],
            principal.FindFirst(RegistryRoles.AgencyClaim)?.Value,
            // Folded in SQL (registry_fold_all), so "Reynosa" in a token matches "REYNOSA" in an extract.
            [.. principal.FindAll(RegistryRoles.MunicipalityClaim).Select(c => c.Value.Trim()).Where(m => m.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)],
            new HashSet<string>(principal.FindAll(RegistryRoles.SensitiveSectorClaim).Select(c => c.Value), StringComparer.Ordinal));
    }
}

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
    /// <summary>A programme coordinator: coverage aggregates of their municipalities; opens households only if also a case manager there.</summary>
    public const string Coordinator = "coordinator";

    public static readonly string[] All = [Agency, CaseManager, Steward, Auditor, Admin, Coordinator];

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
    public static readonly IReadOnlySet<string> SensitiveSectors = Registry.Feeds.Sectors.Sensitive;
}

/// <summary>Who is asking, read once from the claims: roles, agency, municipalities, sensitive-sector grants.</summary>
public sealed record RegistryUser(
    string Name, IReadOnlyList<string> Roles, string? Agency, IReadOnlyList<string> Municipalities, IReadOnlySet<string> SensitiveSectors)
{
    public bool Is(string role) => Roles.Contains(role, StringComparer.Ordinal);

    /// <summary>Roles that see every household (no territorial scope): stewards, auditors, admins.</summary>
    public bool SeesAllTerritories => Is(RegistryRoles.Steward) || Is(RegistryRoles.Auditor) || Is(RegistryRoles.Admin);

    /// <summary>
    /// The need-to-know rule for sensitive sources, the one place it is decided: may this reader see
    /// the detail of a source record (or service event, extract, feed) of <paramref name="sector"/>
    /// sent by <paramref name="agencyCode"/> — its agency, feed, programme, service type, status, file,
    /// row, keys and every value it supplied. Yes for non-sensitive sectors; for health and security
    /// only with the <c>sensitive_sector</c> grant, for the agency's own users (their own data), and for
    /// stewards, auditors and admins, who see every sector implicitly (they trace and correct records).
    /// Everyone else learns only that a service of that sector exists on a date.
    /// </summary>
    public bool SeesSource(string sector, string? agencyCode = null) =>
        !RegistryRoles.SensitiveSectors.Contains(sector) || SeesAllTerritories || SensitiveSectors.Contains(sector)
        || (agencyCode is not null && Is(RegistryRoles.Agency) && string.Equals(Agency, agencyCode, StringComparison.Ordinal));

    /// <summary>Sensitive sectors whose sources this reader may not see (except their own agency's); empty when they see all.</summary>
    public string[] HiddenSectors => SeesAllTerritories ? [] : [.. RegistryRoles.SensitiveSectors.Where(s => !SensitiveSectors.Contains(s)).Order(StringComparer.Ordinal)];

    /// <summary>Whether every source is visible to this reader (stored golden records and lists can be shown as they are).</summary>
    public bool SeesEverySource => HiddenSectors.Length == 0;

    /// <summary>The agency whose own sources an agency user sees whatever their sector (null for other roles).</summary>
    public string? OwnAgency => Is(RegistryRoles.Agency) ? Agency : null;

    public string RoleText => string.Join(',', Roles);

    /// <summary>Whether this reader may see coverage aggregates of <paramref name="municipality"/> (folded, as stored): everywhere for
    /// stewards, auditors and admins; in their own municipalities (<paramref name="ownFolded"/>, folded) for coordinators and case managers.</summary>
    public bool SeesCoverageOf(string municipality, IReadOnlyCollection<string> ownFolded) =>
        SeesAllTerritories || ((Is(RegistryRoles.Coordinator) || Is(RegistryRoles.CaseManager)) && ownFolded.Contains(municipality));

    /// <summary>Whether this reader may open the households of <paramref name="municipality"/> from a coverage list: a coordinator
    /// only when also a case manager there (the household's own page checks its territory again).</summary>
    public bool OpensHouseholdsOf(string municipality, IReadOnlyCollection<string> ownFolded) =>
        SeesAllTerritories || (Is(RegistryRoles.CaseManager) && ownFolded.Contains(municipality));

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

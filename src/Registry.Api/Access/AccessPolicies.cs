namespace Registry.Api.Access;

/// <summary>
/// Named authorisation policies, one per kind of data. Endpoints without a policy still need a
/// signed-in user (the fallback policy): deny by default.
/// </summary>
public static class AccessPolicies
{
    /// <summary>Households, persons and search: case managers (in their municipalities), stewards, auditors, admins.</summary>
    public const string RegistryRead = "registry-read";
    /// <summary>PROV lineage exports: stewards, auditors, admins.</summary>
    public const string Lineage = "lineage";
    /// <summary>Extracts and acceptance reports: agencies (their own), stewards, auditors, admins.</summary>
    public const string Extracts = "extracts";
    /// <summary>The access log: auditors only (nobody audits themselves).</summary>
    public const string AccessLog = "access-log";
    /// <summary>The review queue and identity history (read): stewards, auditors, admins.</summary>
    public const string ReviewRead = "review-read";
    /// <summary>Steward actions (review decisions, merges, splits): stewards and admins.</summary>
    public const string Stewardship = "stewardship";
    /// <summary>Counts and feed definitions: anyone with a registry role.</summary>
    public const string AnyRole = "any-role";
    /// <summary>The matching model page and its API (weights, thresholds, label-estimated accuracy): stewards and admins.</summary>
    public const string Models = "models";
    /// <summary>Coverage by territory (aggregates): coordinators and case managers (their municipalities), stewards, auditors, admins.</summary>
    public const string Coverage = "coverage";
    /// <summary>Operations (e.g. the job dashboard, promoting a shadow matching model): admins only.</summary>
    public const string Admin = "admin";

    public static void Add(Microsoft.AspNetCore.Authorization.AuthorizationBuilder authorization) => authorization
        .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
        .AddPolicy(RegistryRead, p => p.RequireRole(RegistryRoles.CaseManager, RegistryRoles.Steward, RegistryRoles.Auditor, RegistryRoles.Admin))
        .AddPolicy(Lineage, p => p.RequireRole(RegistryRoles.Steward, RegistryRoles.Auditor, RegistryRoles.Admin))
        .AddPolicy(Extracts, p => p.RequireRole(RegistryRoles.Agency, RegistryRoles.Steward, RegistryRoles.Auditor, RegistryRoles.Admin))
        .AddPolicy(AccessLog, p => p.RequireRole(RegistryRoles.Auditor))
        .AddPolicy(ReviewRead, p => p.RequireRole(RegistryRoles.Steward, RegistryRoles.Auditor, RegistryRoles.Admin))
        .AddPolicy(Stewardship, p => p.RequireRole(RegistryRoles.Steward, RegistryRoles.Admin))
        .AddPolicy(Models, p => p.RequireRole(RegistryRoles.Steward, RegistryRoles.Admin))
        .AddPolicy(Coverage, p => p.RequireRole(RegistryRoles.Coordinator, RegistryRoles.CaseManager, RegistryRoles.Steward, RegistryRoles.Auditor, RegistryRoles.Admin))
        .AddPolicy(AnyRole, p => p.RequireRole(RegistryRoles.All))
        .AddPolicy(Admin, p => p.RequireRole(RegistryRoles.Admin));
}

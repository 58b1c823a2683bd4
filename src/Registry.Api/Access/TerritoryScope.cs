using Dapper;
using Npgsql;

namespace Registry.Api.Access;

/// <summary>
/// A case manager's territory: a household is theirs when one of its members was reported by
/// some agency in one of their municipalities; a person is theirs when they were, or when they
/// belong to such a household. Other roles with registry access see every territory.
/// The database keeps both relations up to date (<c>household_territories</c>,
/// <c>person_territories</c>, maintained by triggers; migration 0009), so a check is one index
/// probe. The SQL fragments here are the only definition of "in scope"; search reuses them.
/// </summary>
public sealed class TerritoryScope(NpgsqlDataSource db)
{
    /// <summary>Household <c>{0}</c> has a member reported in one of @municipalities.</summary>
    public const string HouseholdInScopeSql = """
        EXISTS (SELECT 1 FROM household_territories scope_ht
                 WHERE scope_ht.household_id = {0} AND scope_ht.municipality = ANY (registry_fold_all(@municipalities)))
        """;

    /// <summary>Person <c>{0}</c> was reported in one of @municipalities, or belongs to a household that was.</summary>
    public const string PersonInScopeSql = """
        EXISTS (SELECT 1 FROM person_territories scope_pt
                 WHERE scope_pt.person_id = {0} AND scope_pt.municipality = ANY (registry_fold_all(@municipalities)))
        """;

    public static string HouseholdInScope(string idExpression) => HouseholdInScopeSql.Replace("{0}", idExpression, StringComparison.Ordinal);
    public static string PersonInScope(string idExpression) => PersonInScopeSql.Replace("{0}", idExpression, StringComparison.Ordinal);

    public async Task<bool> HouseholdVisibleAsync(RegistryUser user, Guid id, CancellationToken ct)
    {
        if (user.SeesAllTerritories) return true;
        if (!user.Is(RegistryRoles.CaseManager) || user.Municipalities.Count == 0) return false;
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            $"SELECT {HouseholdInScope("@id")}", new { id, municipalities = user.Municipalities.ToArray() }, cancellationToken: ct));
    }

    public async Task<bool> PersonVisibleAsync(RegistryUser user, Guid id, CancellationToken ct)
    {
        if (user.SeesAllTerritories) return true;
        if (!user.Is(RegistryRoles.CaseManager) || user.Municipalities.Count == 0) return false;
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            $"SELECT {PersonInScope("@id")}", new { id, municipalities = user.Municipalities.ToArray() }, cancellationToken: ct));
    }

    public static IResult OutOfScope() =>
        Results.Problem("Outside your municipalities.", statusCode: StatusCodes.Status403Forbidden);
}

using Dapper;
using Npgsql;

namespace Registry.Api.Access;

/// <summary>
/// A case manager's territory: the households that live in one of their municipalities now, and
/// those households' members; a person is theirs when they live there, or belong to such a household.
/// Where someone lives is decided by residence-authoritative feeds whose rows corroborate the
/// person's identity, or by a steward — never by any agency merely reporting them somewhere.
/// Other roles with registry access see every territory.
/// The database keeps both relations up to date (<c>household_territories</c>,
/// <c>person_territories</c>, maintained by triggers), so a check is one index probe. A territory
/// that stopped holding (a move, a membership that ended) keeps granting for <see cref="Grace"/>
/// after it ended (setting <c>Access:PastMembershipGrace</c>, default 90 days), so a case in hand is
/// not cut off mid-visit; then it grants nothing. The SQL fragments here are the only definition of
/// "in scope"; search reuses them. Every query using them binds <c>@municipalities</c> and
/// <c>@territoryGrace</c> (<see cref="Grace"/>).
/// </summary>
public sealed class TerritoryScope(NpgsqlDataSource db, IConfiguration configuration)
{
    public const string GraceSetting = "Access:PastMembershipGrace";
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromDays(90);

    /// <summary>How long a territory that ended still grants (bind as <c>@territoryGrace</c>).</summary>
    public TimeSpan Grace { get; } = ReadGrace(configuration);

    /// <summary>A territory row aliased <c>{0}</c> still grants: live, or ended less than the grace ago.</summary>
    public const string GrantsSql = "({0}.ended_at IS NULL OR {0}.ended_at > now() - @territoryGrace::interval)";

    // The reader's municipalities are folded once per statement (an InitPlan): a generic plan would otherwise fold them
    // again for every row it checks.

    /// <summary>Household <c>{0}</c> lives in one of @municipalities (or did, within the grace).</summary>
    public const string HouseholdInScopeSql = """
        EXISTS (SELECT 1 FROM household_territories scope_ht
                 WHERE scope_ht.household_id = {0} AND scope_ht.municipality = ANY ((SELECT registry_fold_all(@municipalities))::text[])
                   AND (scope_ht.ended_at IS NULL OR scope_ht.ended_at > now() - @territoryGrace::interval))
        """;

    /// <summary>Person <c>{0}</c> lives in one of @municipalities, or belongs to a household that does (or did, within the grace).</summary>
    public const string PersonInScopeSql = """
        EXISTS (SELECT 1 FROM person_territories scope_pt
                 WHERE scope_pt.person_id = {0} AND scope_pt.municipality = ANY ((SELECT registry_fold_all(@municipalities))::text[])
                   AND (scope_pt.ended_at IS NULL OR scope_pt.ended_at > now() - @territoryGrace::interval))
        """;

    public static string HouseholdInScope(string idExpression) => HouseholdInScopeSql.Replace("{0}", idExpression, StringComparison.Ordinal);
    public static string PersonInScope(string idExpression) => PersonInScopeSql.Replace("{0}", idExpression, StringComparison.Ordinal);
    public static string Grants(string territoryAlias) => GrantsSql.Replace("{0}", territoryAlias, StringComparison.Ordinal);

    /// <summary>"true" or "false" when the reader's role settles their reach without a look at the data, else null.</summary>
    private static string? SettledReach(RegistryUser user) =>
        user.SeesAllTerritories ? "true" : !user.Is(RegistryRoles.CaseManager) || user.Municipalities.Count == 0 ? "false" : null;

    public Task<bool> HouseholdVisibleAsync(RegistryUser user, Guid id, CancellationToken ct) => VisibleAsync(user, id, HouseholdInScope("@id"), ct);

    /// <summary>Where a household id stands for this reader, in one round trip: unknown (null), merged into another, or current and in scope or not.</summary>
    public async Task<HouseholdStanding?> HouseholdStandingAsync(RegistryUser user, Guid id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<HouseholdStanding>(new CommandDefinition(
            $"SELECT h.merged_into, {SettledReach(user) ?? HouseholdInScope("h.id")} AS visible FROM households h WHERE h.id = @id",
            new { id, municipalities = user.Municipalities.ToArray(), territoryGrace = Grace }, cancellationToken: ct));
    }

    public Task<bool> PersonVisibleAsync(RegistryUser user, Guid id, CancellationToken ct) => VisibleAsync(user, id, PersonInScope("@id"), ct);

    private async Task<bool> VisibleAsync(RegistryUser user, Guid id, string inScopeSql, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (SettledReach(user) is { } settled) return settled == "true";
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            $"SELECT {inScopeSql}", new { id, municipalities = user.Municipalities.ToArray(), territoryGrace = Grace }, cancellationToken: ct));
    }

    public static IResult OutOfScope() =>
        Results.Problem("Outside your municipalities.", statusCode: StatusCodes.Status403Forbidden);

    private static TimeSpan ReadGrace(IConfiguration configuration)
    {
        var text = configuration[GraceSetting];
        if (string.IsNullOrWhiteSpace(text)) return DefaultGrace;
        if (!TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var grace) || grace < TimeSpan.Zero)
            throw new InvalidOperationException($"{GraceSetting} '{text}' is not a duration ≥ 0 (d.hh:mm:ss, e.g. 90.00:00:00 for 90 days).");
        return grace;
    }
}

/// <summary>A known household id: the household it was merged into (null when current), and whether the reader's territory holds it.</summary>
public sealed record HouseholdStanding(Guid? MergedInto, bool Visible);

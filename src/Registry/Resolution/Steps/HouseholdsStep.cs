using Npgsql;
using Registry.Households;

namespace Registry.Resolution.Steps;

/// <summary>
/// Step 6, under the resolution lock: the agency's household id is the household's key; each live row's person
/// becomes a member, keeping its source record (<c>HouseholdsStep.sql</c>). After the identity ledger's merges,
/// households of different agencies that share members merge (<see cref="HouseholdMerger"/>).
/// </summary>
internal static class HouseholdsStep
{
    private static readonly string MembershipsSql = StepSql.Load("HouseholdsStep.sql");

    public static async Task WriteMembershipsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("households", locked: true);
        await StepSql.ExecuteAsync(connection, tx, MembershipsSql, ct);
    }

    public static async Task MergeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("household-merges", locked: true);
        await HouseholdMerger.ResolveAsync(connection, tx, ct);
    }
}

using Npgsql;
using Registry.Households;

namespace Registry.Resolution.Steps;

/// <summary>
/// Part of the attachments (<see cref="AttachmentsStep"/>, outside the resolution lock, under the attachments lock): the
/// agency's household id is the household's key; each live row's person — as its source record names it after the
/// identity phase's merges — becomes a member, keeping its source record (<c>HouseholdsStep.sql</c>). Then households of
/// different agencies that share members merge (<see cref="HouseholdMerger"/>).
/// </summary>
internal static class HouseholdsStep
{
    private static readonly string MembershipsSql = StepSql.Load("HouseholdsStep.sql");

    public static async Task WriteMembershipsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct, bool locked = false)
    {
        using var span = ResolutionTelemetry.Step("households", locked);
        await StepSql.ExecuteAsync(connection, tx, MembershipsSql, ct);
    }

    public static async Task MergeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct, bool locked = false)
    {
        using var span = ResolutionTelemetry.Step("household-merges", locked);
        await HouseholdMerger.ResolveAsync(connection, tx, ct);
    }
}

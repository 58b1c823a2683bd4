using Npgsql;
using Registry.Resolution.Steps;

namespace Registry.Review;

/// <summary>
/// Stewards' "not the same person" decisions among a set of persons, as the ids those persons have now: an
/// exclusion names the ids of its day, and either may since have been merged into another person (merged_into
/// always names the final survivor). Read by the resolver under its lock (<see cref="DecideStep"/>) and by any
/// other caller of the matcher's decisions (FHIR <c>$match</c>), so a steward's answer is never missed.
/// </summary>
public static class StewardExclusions
{
    private static readonly string Sql = StepSql.Load("DecideStep.Exclusions.sql");

    public static async Task<HashSet<(Guid, Guid)>> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, Guid[] ids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(ids);
        var set = new HashSet<(Guid, Guid)>();
        if (ids.Length == 0) return set;
        await using var command = new NpgsqlCommand(Sql, connection, tx);
        command.Parameters.AddWithValue("ids", ids);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) set.Add((reader.GetGuid(0), reader.GetGuid(1)));
        return set;
    }
}

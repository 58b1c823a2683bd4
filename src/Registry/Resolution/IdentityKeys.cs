using Registry.Contracts;
using Registry.Matching;

namespace Registry.Resolution;

/// <summary>The deterministic identity keys of a row. Only a CURP that is valid and consistent with its row is a key (<see cref="MatchRecord.IdentityCurp"/>).</summary>
public readonly record struct IdentityKeys(string? ValidCurp, string? Curp, string? AgencyPerson, string Row, string? Household)
{
    /// <param name="valid">The row's <see cref="MatchRecord.IdentityCurp"/>, as its match record already holds it.</param>
    public static IdentityKeys For(string agencyCode, Guid extractId, SourceRow row, string? valid)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new IdentityKeys(
            valid,
            valid is null ? null : "curp:" + valid,
            string.IsNullOrWhiteSpace(row.AgencyPersonId) ? null : $"agency:{agencyCode}:{row.AgencyPersonId.Trim()}",
            $"row:{extractId:N}:{row.RowNumber}",
            string.IsNullOrWhiteSpace(row.AgencyHouseholdId) ? null : $"household:{agencyCode}:{row.AgencyHouseholdId.Trim()}");
    }
}

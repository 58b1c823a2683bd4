using Registry.Contracts;
using Registry.Matching;
using Registry.Storage;

namespace Registry.Resolution.Steps;

/// <summary>
/// A row of the chunk as every step sees it, prepared once before any database work: the id its source
/// record will have, its deterministic keys, its normalised match features and the keys its candidates are
/// looked up by.
/// </summary>
internal sealed record PreparedRow(SourceRow Row, Guid SourceRecordId, IdentityKeys Keys, MatchRecord Features)
{
    /// <summary>The keys the row's candidates are looked up by, before the lock and under it.</summary>
    public QueryKeySet QueryKeys { get; } = Features.QueryKeyHashes();

    public static List<PreparedRow> Of(ResolveSourceRows chunk) => [.. chunk.Rows.Select(r => Prepare(chunk, r))];

    private static PreparedRow Prepare(ResolveSourceRows chunk, SourceRow row)
    {
        var id = TimeOrderedIds.Next();
        var features = MatchRecord.From(row, id);
        return new PreparedRow(row, id, IdentityKeys.For(chunk.AgencyCode, chunk.ExtractId, row, features.ValidCurp), features);
    }
}

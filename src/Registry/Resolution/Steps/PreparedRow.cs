using Registry.Contracts;
using Registry.Matching;
using Registry.Persons;
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

    /// <summary>
    /// The hashes of its record key (in its feed) and deterministic keys (<see cref="IdentityChanges"/>): what its chunk logs
    /// for others' known-row probes, and what decides whether its own early probe is made again under the lock.
    /// </summary>
    public int[] ChangeHashes { get; private init; } = [];

    public static List<PreparedRow> Of(ResolveSourceRows chunk) => [.. chunk.Rows.Select(r => Prepare(chunk, r))];

    private static PreparedRow Prepare(ResolveSourceRows chunk, SourceRow row)
    {
        var id = TimeOrderedIds.Next();
        var features = MatchRecord.From(row, id);
        var keys = IdentityKeys.For(chunk.AgencyCode, chunk.ExtractId, row, features.ValidCurp);
        int[] hashes = [IdentityChanges.RecordKeyHash(chunk.FeedCode, row.RecordKey),
            .. new[] { keys.Curp, keys.AgencyPerson }.OfType<string>().Select(IdentityChanges.KeyHash)];
        return new PreparedRow(row, id, keys, features) { ChangeHashes = hashes };
    }
}

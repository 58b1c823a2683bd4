using Npgsql;

namespace Registry.Matching;

/// <summary>
/// How common each name value (and each place, <see cref="Comparisons.PlaceFields"/>) is in the registry (<c>term_frequencies</c>, kept by the resolver),
/// loaded for the values of one chunk. A value's share of all records replaces the average u of
/// the "exact" level, so agreeing on GARCÍA counts for less than agreeing on ZOZAYA.
/// </summary>
public sealed class TermFrequencies
{
    private readonly Dictionary<(MatchField, string), long> counts = [];
    private readonly Dictionary<MatchField, long> totals = [];
    private long minRows;

    public double? Lookup(MatchField field, string value)
    {
        if (!totals.TryGetValue(field, out var total) || total < minRows) return null;
        return counts.TryGetValue((field, value), out var n) ? (double)n / total : 1.0 / total;
    }

    public static async Task<TermFrequencies> LoadAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IEnumerable<MatchRecord> records, MatchModel model, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(model);
        var result = new TermFrequencies { minRows = model.MinTermRows };
        var wanted = records
            .SelectMany(r => Comparisons.CountedFields.Select(f => (f, v: Comparisons.TermValue(r, f))))
            .Where(x => x.v is not null)
            .Select(x => (x.f, x.v!))
            .Concat(Comparisons.CountedFields.Select(f => (f, "")))
            .Distinct()
            .ToList();
        // The folded counts and those of closed epochs still set aside (folded after the closing chunk's commit, outside the
        // resolution lock), in one statement: the same sums before and after a fold. The open epoch's are not counted yet.
        await using var command = new NpgsqlCommand(
            """
            SELECT t.field, t.value, t.n
              FROM term_frequencies t JOIN unnest(@fields, @values) w(field, value) ON w.field = t.field AND w.value = t.value
            UNION ALL
            SELECT p.field, p.value, p.n
              FROM term_frequency_pending p JOIN unnest(@fields, @values) w(field, value) ON w.field = p.field AND w.value = p.value
             WHERE p.epoch < (SELECT epoch FROM resolution_epoch WHERE id = 1) AND p.epoch > (SELECT through FROM frequency_fold WHERE id = 1)
               -- Tested once: the set-aside rows are read only between an epoch's close and its fold.
               AND (SELECT through FROM frequency_fold WHERE id = 1) < (SELECT epoch FROM resolution_epoch WHERE id = 1) - 1
            """, connection, tx);
        command.Parameters.AddWithValue("fields", wanted.Select(w => MatchModel.Key(w.Item1)).ToArray());
        command.Parameters.AddWithValue("values", wanted.Select(w => w.Item2).ToArray());
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var field = Comparisons.Fields.First(f => MatchModel.Key(f) == reader.GetString(0));
            var value = reader.GetString(1);
            var n = reader.GetInt64(2);
            if (value.Length == 0) result.totals[field] = result.totals.GetValueOrDefault(field) + n;
            else result.counts[(field, value)] = result.counts.GetValueOrDefault((field, value)) + n;
        }
        return result;
    }
}

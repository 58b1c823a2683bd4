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
        await using var command = new NpgsqlCommand(
            """
            SELECT t.field, t.value, t.n
              FROM term_frequencies t JOIN unnest(@fields, @values) w(field, value) ON w.field = t.field AND w.value = t.value
            """, connection, tx);
        command.Parameters.AddWithValue("fields", wanted.Select(w => MatchModel.Key(w.Item1)).ToArray());
        command.Parameters.AddWithValue("values", wanted.Select(w => w.Item2).ToArray());
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var field = Comparisons.Fields.First(f => MatchModel.Key(f) == reader.GetString(0));
            var value = reader.GetString(1);
            if (value.Length == 0) result.totals[field] = reader.GetInt64(2);
            else result.counts[(field, value)] = reader.GetInt64(2);
        }
        return result;
    }
}

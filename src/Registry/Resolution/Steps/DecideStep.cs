using Npgsql;
using Registry.Matching;
using Registry.Storage;

namespace Registry.Resolution.Steps;

/// <summary>
/// Step 4: scoring and deciding (<see cref="ChunkMatcher"/>: link / review / new person / merge). Scores depend
/// only on the two records' features, so the chunk's own pairs and its early candidates are scored before the
/// lock (<see cref="PrescoreAsync"/>), with the name frequencies as they stand then; under the lock
/// (<see cref="DecideAsync"/>) only the caught-up candidates are scored, and the guards of the persons a row can
/// join are read as they stand: their CURPs and the stewards' exclusions.
/// </summary>
internal sealed class DecideStep
{
    private readonly ChunkMatcher matcher;

    private DecideStep(ChunkMatcher matcher, HashSet<int> linking)
    {
        this.matcher = matcher;
        Linking = linking;
    }

    /// <summary>Rows that already score the link threshold with someone: they will most likely join a person.</summary>
    public HashSet<int> Linking { get; }

    public static async Task<DecideStep> PrescoreAsync(NpgsqlConnection connection, NpgsqlTransaction tx, MatchModel model,
        List<PreparedRow> prepared, CandidateLookup early, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("prescore");
        var frequencies = await TermFrequencies.LoadAsync(connection, tx, prepared.Select(p => p.Features), model, ct);
        var matcher = new ChunkMatcher(model, frequencies.Lookup);
        var linking = matcher.Prescore([.. prepared.Select(p => (p.Row.RowNumber, p.Features))], early.Candidates);
        return new DecideStep(matcher, linking);
    }

    public async Task<ChunkDecisions> DecideAsync(NpgsqlConnection connection, NpgsqlTransaction tx, KnownRows known,
        List<CandidateRecord> candidates, CandidateIndex index, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("decide", locked: true);
        var rows = known.Rows;
        // The guards of the persons a row can join (PersonsInReach): their CURPs, from the index as it stands
        // under the lock (every record's valid CURP, counted per person), and the steward's exclusions.
        var personIds = rows.Where(r => r.KnownPerson is not null).Select(r => r.KnownPerson!.Value)
            .Concat(matcher.PersonsInReach(rows.Select(r => (r.RowNumber, r.Record)), candidates)).Distinct().ToArray();
        var personCurps = await index.CurpsOfAsync(personIds, ct);
        // Exclusions are read under the lock, all of those persons': a steward's "not the same person" is never missed.
        var exclusions = await Review.StewardExclusions.ReadAsync(connection, tx, personIds, ct);
        var keyed = await KeyedPersonRecordsAsync(connection, tx, rows, candidates, ct);
        return matcher.Decide(rows, candidates, personCurps, exclusions, TimeOrderedIds.Next, keyed);
    }

    private static readonly string KeyedRecordsSql =
        $"SELECT {MatchRecordRows.Columns("m")} FROM source_records s JOIN match_records m ON m.source_record_id = s.id " +
        "WHERE s.person_id = ANY(@ids) AND m.person_id = ANY(@ids)";

    /// <summary>
    /// The match records of the persons a row's deterministic key names, when the row scored the link threshold
    /// with someone (it may bridge its person to another: the merge guard compares the two persons' own records)
    /// and the blocking found none of its person's records. Read under the lock, as the registry stands.
    /// </summary>
    private async Task<List<MatchRecord>> KeyedPersonRecordsAsync(NpgsqlConnection connection, NpgsqlTransaction tx,
        List<IncomingRow> rows, List<CandidateRecord> candidates, CancellationToken ct)
    {
        var reached = new HashSet<(int, Guid)>();
        foreach (var c in candidates) reached.Add((c.RowNumber, c.Record.PersonId));
        var ids = rows.Where(r => r.KnownPerson is { } p && Linking.Contains(r.RowNumber) && !reached.Contains((r.RowNumber, p)))
            .Select(r => r.KnownPerson!.Value).Distinct().ToArray();
        var records = new List<MatchRecord>();
        if (ids.Length == 0) return records;
        await using var command = new NpgsqlCommand(KeyedRecordsSql, connection, tx);
        command.Parameters.AddWithValue("ids", ids);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) records.Add(MatchRecordRows.Read(reader, 0));
        return records;
    }
}

using Npgsql;
using Registry.Matching;
using Registry.Storage;

namespace Registry.Resolution.Steps;

/// <summary>
/// Step 4: scoring and deciding (<see cref="ChunkMatcher"/>: link / review / new person / merge). Scores depend
/// only on the two records' features, the name frequencies and the registry's size, and the last two change only
/// when an epoch closes (every <see cref="IdentityLedgerStep.EpochChunks"/> chunks). So the chunk's
/// own pairs and its early candidates are scored before the lock (<see cref="PrescoreAsync"/>); under the lock
/// (<see cref="InTurnAsync"/>) they are kept when no epoch closed meanwhile — otherwise everything is scored again —
/// and only the caught-up candidates are scored; then (<see cref="DecideAsync"/>) the guards of the persons a row can
/// join are read as they stand: their CURPs and the stewards' exclusions. Whatever was committed when the chunk was
/// scored early, its decisions are those of the registry the chunks before it left.
/// </summary>
internal sealed class DecideStep
{
    private const string EpochSql = "SELECT epoch, records FROM resolution_epoch WHERE id = 1";

    private readonly ChunkMatcher matcher;
    private readonly long epoch;

    private DecideStep(ChunkMatcher matcher, MatchModel model, long epoch, HashSet<int> linking)
    {
        this.matcher = matcher;
        this.epoch = epoch;
        Model = model;
        Linking = linking;
    }

    /// <summary>The model the chunk is scored with: the current one, its thresholds for the registry's size as of the epoch.</summary>
    public MatchModel Model { get; }

    /// <summary>Rows that already score the link threshold with someone: they will most likely join a person.</summary>
    public HashSet<int> Linking { get; }

    public static async Task<DecideStep> PrescoreAsync(NpgsqlConnection connection, NpgsqlTransaction tx, MatchModel model,
        List<PreparedRow> prepared, IReadOnlyList<CandidateRecord> candidates, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("prescore");
        while (true)
        {
            // Frequencies and size of one epoch: read again if one closed between the reads.
            var (epoch, records) = await EpochAsync(connection, tx, ct);
            // The thresholds for the registry's size: namesakes multiply as it grows.
            var sized = model.AtSize(records);
            var frequencies = await TermFrequencies.LoadAsync(connection, tx, prepared.Select(p => p.Features), sized, ct);
            if ((await EpochAsync(connection, tx, ct)).Epoch != epoch) continue;
            var matcher = new ChunkMatcher(sized, frequencies.Lookup);
            var linking = matcher.Prescore(Scored(prepared), candidates);
            return new DecideStep(matcher, sized, epoch, linking);
        }
    }

    /// <summary>
    /// In its turn, before the lock (canonical order): every chunk before this one has committed, and only a chunk in its
    /// turn closes an epoch, so the epoch this chunk will be decided in is known. When one closed since the early scoring,
    /// the chunk is scored again here — outside the lock, where <see cref="InTurnAsync"/> would do it under it.
    /// </summary>
    public async Task<DecideStep> InTurnBeforeLockAsync(NpgsqlConnection connection, NpgsqlTransaction tx, MatchModel model,
        List<PreparedRow> prepared, IReadOnlyList<CandidateRecord> candidates, CancellationToken ct)
    {
        var (current, _) = await EpochAsync(connection, tx, ct);
        return current == epoch ? this : await PrescoreAsync(connection, tx, model, prepared, candidates, ct);
    }

    /// <summary>
    /// Under the lock, with the candidates caught up: this scoring when its epoch is still open, the caught-up candidates
    /// scored with it; otherwise the chunk scored again with the frequencies and size the chunks before it left.
    /// </summary>
    public async Task<DecideStep> InTurnAsync(NpgsqlConnection connection, NpgsqlTransaction tx, MatchModel model,
        List<PreparedRow> prepared, IReadOnlyList<CandidateRecord> candidates, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("rescore", locked: true);
        var (current, _) = await EpochAsync(connection, tx, ct);
        span?.SetTag("registry.epoch_closed_meanwhile", current != epoch);
        if (current != epoch) return await PrescoreAsync(connection, tx, model, prepared, candidates, ct);
        Linking.UnionWith(matcher.LinkingWith(Scored(prepared), candidates));
        return this;
    }

    private static List<(int RowNumber, MatchRecord Record)> Scored(List<PreparedRow> prepared) =>
        [.. prepared.Select(p => (p.Row.RowNumber, p.Features))];

    private static async Task<(long Epoch, long Records)> EpochAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(EpochSql, connection, tx);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetInt64(1)) : (0, 0);
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
        span?.SetTag("registry.candidates", candidates.Count);
        span?.SetTag("registry.persons_in_reach", personIds.Length);
        var personCurps = await index.CurpsOfAsync(personIds, ct);
        Mark("decide-curps");
        // Exclusions are read under the lock, all of those persons': a steward's "not the same person" is never missed.
        var exclusions = await Review.StewardExclusions.ReadAsync(connection, tx, personIds, ct);
        Mark("decide-exclusions");
        var keyed = await KeyedPersonRecordsAsync(connection, tx, rows, candidates, ct);
        Mark("decide-keyed-records");
        var decisions = matcher.Decide(rows, candidates, personCurps, exclusions, TimeOrderedIds.Next, keyed);
        Mark("decide-matcher");
        return decisions;
    }

    /// <summary>A profile mark on the step's span: the time since its previous mark, named after what took it.</summary>
    private static void Mark(string name) => System.Diagnostics.Activity.Current?.AddEvent(new System.Diagnostics.ActivityEvent(name));

    private static readonly string KeyedRecordsSql =
        $"SELECT {MatchRecordRows.Columns("m")} FROM source_records s JOIN match_records m ON m.source_record_id = s.id " +
        "WHERE s.person_id = ANY(@ids) AND m.person_id = ANY(@ids) ORDER BY m.seq";

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

using Dapper;
using Npgsql;
using Registry.Api.Access;
using Registry.Contracts;
using Registry.Matching;
using Registry.Normalization;

namespace Registry.Api.Fhir;

/// <summary>FHIR's match grades (http://hl7.org/fhir/StructureDefinition/match-grade), as the registry's matcher decides them.</summary>
public enum MatchGrade
{
    /// <summary>The resolver would link the Patient to this person (a known identity CURP, or a score it links on).</summary>
    Certain,
    /// <summary>The resolver would ask a steward (review band, or a link its guards refuse).</summary>
    Probable,
    /// <summary>Scored at least <see cref="MatchModel.BridgeThreshold"/> (records that do not contradict each other), but a new person to the resolver.</summary>
    Possible,
}

/// <summary>A person the Patient may be: grade, the best pair's match weight (log2 odds) and that weight as a 0–1 score.</summary>
public sealed record PatientCandidate(Guid PersonId, MatchGrade Grade, double Weight, double Score);

/// <summary>
/// Patient/$match through the registry's own matcher, no second engine: the Patient becomes a feed row
/// (<see cref="PatientMapping.ToSourceRow"/>) normalised into a <see cref="MatchRecord"/> as the resolver normalises one;
/// its candidates are the records sharing one of its blocking keys in a <see cref="CandidateIndex"/> (the resolver's,
/// synced by <c>match_records.seq</c>); each is scored with the model in force at the registry's size, with the
/// registry's name frequencies, and <see cref="ChunkMatcher.Decide"/> decides as it would for a chunk of that one row
/// (the CURP key, the two-valid-CURPs guard, namesakes, stewards' exclusions). What it would link is <c>certain</c>,
/// what it would ask a steward about <c>probable</c>, the rest scoring at least the bridge threshold <c>possible</c>.
/// <para>
/// Everything is worked out over what the reader may see: candidate records from sources hidden from them
/// (<see cref="RegistryUser.SeesSource"/>) are left out before scoring, a case manager's candidates are the persons of
/// their territory (<see cref="TerritoryScope"/>), and each person's CURP for the guard is the one of the golden record
/// they may see. A grade therefore never reveals a value only a hidden source supplied.
/// </para>
/// <para>
/// The index is this host's own, loaded from <c>match_records</c> at the first $match (about 0.5 KB a record) and brought
/// up to date at each one by reading only the records written since.
/// </para>
/// </summary>
public sealed class PatientMatcher(NpgsqlDataSource db, CandidateIndex index, MatchModelStore models, TerritoryScope scope)
{
    private const int Row = 1;

    public async Task<(IReadOnlyList<PatientCandidate> Candidates, IReadOnlyDictionary<Guid, VisibleGolden> Golden)> MatchAsync(
        SourceRow row, RegistryUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(user);
        var record = MatchRecord.From(row, Guid.NewGuid());
        await using var connection = await db.OpenConnectionAsync(ct);
        var found = await index.CandidatesAsync(connection, null, [(Row, (IReadOnlyList<ulong>)record.QueryKeyHashes())], ct);
        var model = (await models.CurrentAsync(ct)).AtSize(index.Count);
        if (found.Count == 0) return ([], new Dictionary<Guid, VisibleGolden>());

        var candidates = await VisibleAsync(connection, found, user, ct);
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, ct);
        var frequencies = await TermFrequencies.LoadAsync(connection, tx, [record], model, ct);

        // The best pair with each person, as the resolver weighs a row against a person.
        var best = new Dictionary<Guid, double>();
        foreach (var c in candidates)
        {
            var weight = model.Score(Comparisons.Compare(record, c.Record), record, frequencies.Lookup).Total;
            if (!best.TryGetValue(c.Record.PersonId, out var current) || weight > current) best[c.Record.PersonId] = weight;
        }
        var floor = Math.Min(model.BridgeThreshold, model.ReviewThreshold);
        // The resolver's deterministic key: a known identity CURP names its person (person_keys holds what these records carry).
        var keyed = record.ValidCurp is { } curp
            ? candidates.Where(c => string.Equals(c.Record.ValidCurp, curp, StringComparison.Ordinal)).Select(c => c.Record.PersonId).ToHashSet()
            : [];
        var reach = best.Where(b => b.Value >= floor || keyed.Contains(b.Key)).Select(b => b.Key).ToArray();
        var persons = await CurrentInScopeAsync(connection, tx, reach, user, ct);
        if (persons.Count == 0) return ([], new Dictionary<Guid, VisibleGolden>());
        candidates = [.. candidates.Where(c => persons.Contains(c.Record.PersonId))];
        var known = keyed.Where(persons.Contains).Order().Cast<Guid?>().FirstOrDefault();

        var golden = await SensitiveSources.GoldenAsync(connection, persons, user, ct);
        var personCurps = persons.ToDictionary(p => p, p => golden.TryGetValue(p, out var g) && Curp.IsValid(g.Curp) ? g.Curp : null);
        var exclusions = await Registry.Review.StewardExclusions.ReadAsync(connection, tx, [.. persons], ct);
        var incoming = new IncomingRow(Row, record, known, known is null ? null : LinkRule.ExactCurp);
        var decisions = new ChunkMatcher(model, frequencies.Lookup).Decide([incoming], candidates, personCurps, exclusions, Guid.NewGuid);
        await tx.CommitAsync(ct);

        var certain = new HashSet<Guid>();
        var decision = decisions.Rows[0];
        if (!decision.CreatedPerson && decision.Rule != LinkRule.NewPerson) certain.Add(decision.PersonId);
        foreach (var merge in decisions.Merges)
        {
            certain.Add(merge.Survivor);
            certain.Add(merge.Merged);
        }
        var probable = decisions.Reviews.Select(r => r.CandidatePersonId).Where(p => p != Guid.Empty && !certain.Contains(p)).ToHashSet();
        var result = new List<PatientCandidate>();
        foreach (var person in persons)
        {
            var weight = best.GetValueOrDefault(person, double.NegativeInfinity);
            var grade = certain.Contains(person) ? MatchGrade.Certain : probable.Contains(person) ? MatchGrade.Probable : MatchGrade.Possible;
            if (grade == MatchGrade.Possible && weight < floor) continue;
            result.Add(new PatientCandidate(person, grade, Math.Round(weight, 3), ScoreOf(weight, model)));
        }
        return ([.. result.OrderBy(c => c.Grade).ThenByDescending(c => c.Weight).ThenBy(c => c.PersonId)], golden);
    }

    /// <summary>
    /// A match weight (log2 of the likelihood ratio) as a 0–1 score: the logistic of its distance from the review threshold,
    /// where the registry starts to take a pair as a question (0.5); the link threshold, 3 bits above it by default, is 0.89.
    /// </summary>
    public static double ScoreOf(double weight, MatchModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (double.IsNegativeInfinity(weight)) return 0;
        return Math.Round(1 / (1 + Math.Pow(2, model.ReviewThreshold - weight)), 4);
    }

    /// <summary>The candidates whose source the reader may see (all of them for a reader who sees every source).</summary>
    private static async Task<List<CandidateRecord>> VisibleAsync(NpgsqlConnection connection, List<CandidateRecord> found, RegistryUser user, CancellationToken ct)
    {
        if (user.SeesEverySource) return found;
        await using var command = new NpgsqlCommand(
            $"""
            SELECT sr.id FROM source_records sr JOIN extracts e ON e.id = sr.extract_id
             WHERE sr.id = ANY (@ids) AND NOT {SensitiveSources.VisibleSql("e.sector", "sr.agency_code")}
            """, connection);
        command.Parameters.AddWithValue("ids", found.Select(c => c.Record.SourceRecordId).Distinct().ToArray());
        SensitiveSources.AddParameters(command, user);
        var hidden = new HashSet<Guid>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) hidden.Add(reader.GetGuid(0));
        return hidden.Count == 0 ? found : [.. found.Where(c => !hidden.Contains(c.Record.SourceRecordId))];
    }

    /// <summary>Of <paramref name="ids"/>, the persons that are current (not merged away) and in the reader's territory.</summary>
    private async Task<List<Guid>> CurrentInScopeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid[] ids, RegistryUser user, CancellationToken ct)
    {
        if (ids.Length == 0) return [];
        if (!user.SeesAllTerritories && (!user.Is(RegistryRoles.CaseManager) || user.Municipalities.Count == 0)) return [];
        var inScope = user.SeesAllTerritories ? "true" : TerritoryScope.PersonInScope("p.id");
        return (await connection.QueryAsync<Guid>(new CommandDefinition(
            $"SELECT p.id FROM persons p WHERE p.id = ANY (@ids) AND p.merged_into IS NULL AND {inScope} ORDER BY p.id",
            new { ids, municipalities = user.Municipalities.ToArray(), territoryGrace = scope.Grace }, tx, cancellationToken: ct))).AsList();
    }
}

using Registry.Contracts;
using Registry.Normalization;

namespace Registry.Persons;

/// <summary>One current (not superseded) source record of a person, as survivorship sees it.</summary>
public sealed record GoldenSource(Guid SourceRecordId, SourceRow Row, string Sector, DateTimeOffset ReceivedAt)
{
    private string? identityCurp;
    private bool identityKnown;

    /// <summary>
    /// The row's CURP when it is an identity key (<see cref="Matching.MatchRecord.IdentityCurp"/>): computed on
    /// first use, or given by a resolver whose match record already holds it.
    /// </summary>
    public string? IdentityCurp
    {
        get
        {
            if (!identityKnown) (identityCurp, identityKnown) = (Matching.MatchRecord.IdentityCurp(Row), true);
            return identityCurp;
        }
        init => (identityCurp, identityKnown) = (value, true);
    }
}

/// <summary>A golden-record field: its value and the source record (and rule) it survived from.</summary>
public sealed record GoldenField(string Field, string Value, Guid SourceRecordId, string Rule);

/// <summary>
/// Survivorship: builds a person's golden record field by field from all its current source
/// records, each field pointing to the record it came from (hard rule 2). A validated CURP wins
/// and then arbitrates: the birth date, sex and name that agree with it survive. Otherwise the
/// most trusted sector for that field (civil-registry-backed enrolment and health records over
/// self-reported ones), then the value most sources agree on, then the most recent. Contact and
/// address fields take the most recent value (people move).
/// </summary>
public static class GoldenRecord
{
    public const string Curp = "curp";
    public const string GivenNames = "given_names";
    public const string PaternalSurname = "paternal_surname";
    public const string MaternalSurname = "maternal_surname";
    public const string Sex = "sex";
    public const string BirthDate = "birth_date";

    /// <summary>Trust of each sector for identity fields (higher wins); unknown sectors rank 0.</summary>
    public static readonly IReadOnlyDictionary<string, int> SectorTrust = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["education"] = 3, ["health"] = 3, ["social"] = 2, ["housing"] = 2, ["economy"] = 1, ["security"] = 1,
    };

    private static readonly (string Field, Func<SourceRow, string?> Get)[] Recent =
    [
        ("phone", r => r.Phone), ("street", r => r.Street), ("house_number", r => r.HouseNumber), ("colonia", r => r.Colonia),
        ("postal_code", r => r.PostalCode), ("municipality", r => r.Municipality), ("poligono", r => r.Poligono),
    ];

    public static IReadOnlyList<GoldenField> Build(IReadOnlyCollection<GoldenSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var fields = new List<GoldenField>(13);
        if (sources.Count == 0) return fields;
        // Computed for every row of every chunk (most persons have one record), so written with plain
        // loops over one ordered array: the rules read as before, without an iterator per rule.
        var ordered = sources.ToArray();
        if (ordered.Length > 1) Array.Sort(ordered, MostRecentFirst);

        // CURP: only one that is an identity key (valid, consistent with its row); the one most sources
        // carry, then the most recent. The person's CURP guards against merging another CURP's records.
        var chosen = MostCommonCurp(ordered);
        var curp = chosen?.IdentityCurp;
        if (chosen is not null) fields.Add(new GoldenField(Curp, curp!, chosen.SourceRecordId, "validated-curp"));

        // Birth date: the one the CURP encodes, else trust → agreement → recency.
        var curpBirth = curp is null ? null : Normalization.Curp.BirthDate(curp);
        var withBirth = Where(ordered, static (s, _) => s.Row.BirthDate is not null, 0);
        if (withBirth.Count > 0)
        {
            var agreeing = curpBirth is { } cb ? Where(withBirth, static (s, date) => s.Row.BirthDate == date, cb) : [];
            var (pick, rule) = agreeing.Count > 0 ? (Best(agreeing, static s => s.Row.BirthDate!.Value), "agrees-with-curp") : (Best(withBirth, static s => s.Row.BirthDate!.Value), "source-trust");
            fields.Add(new GoldenField(BirthDate, Dates.Iso(pick.Row.BirthDate!.Value), pick.SourceRecordId, rule));
        }
        else if (curpBirth is { } fromCurp)
        {
            fields.Add(new GoldenField(BirthDate, Dates.Iso(fromCurp), fields[0].SourceRecordId, "from-curp"));
        }

        // Sex: the CURP's letter, else the most trusted/agreed code.
        if (curp is not null)
        {
            fields.Add(new GoldenField(Sex, curp[10].ToString(), fields[0].SourceRecordId, "from-curp"));
        }
        else
        {
            var withSex = Where(ordered, static (s, _) => SexLetter(s.Row) is not null, 0);
            if (withSex.Count > 0)
            {
                var pick = Best(withSex, static s => SexLetter(s.Row)!.Value);
                fields.Add(new GoldenField(Sex, SexLetter(pick.Row)!.Value.ToString(), pick.SourceRecordId, "source-trust"));
            }
        }

        // Names: records whose name agrees with the CURP's letters first; separate columns over a split full name.
        var named = Where(ordered, static (s, _) => !string.IsNullOrWhiteSpace(s.Row.GivenNames) || !string.IsNullOrWhiteSpace(s.Row.PaternalSurname), 0);
        if (named.Count > 0)
        {
            var consistent = curp is null ? [] : Where(named, static (s, c) =>
                Normalization.Curp.Check(c, s.Row.PaternalSurname, s.Row.MaternalSurname, s.Row.GivenNames, null, Normalization.Sex.Unknown).NameLetters == PartAgreement.Agrees, curp);
            var pool = consistent.Count > 0 ? consistent : named;
            var rule = consistent.Count > 0 ? "consistent-with-curp" : "source-trust";
            var separate = Where(pool, static (s, _) => string.IsNullOrWhiteSpace(s.Row.FullName), 0);
            if (separate.Count > 0) pool = separate;
            AddName(fields, GivenNames, pool, static r => r.GivenNames, rule);
            AddName(fields, PaternalSurname, pool, static r => r.PaternalSurname, rule);
            AddName(fields, MaternalSurname, pool, static r => r.MaternalSurname, rule);
        }

        foreach (var (field, get) in Recent)
        {
            foreach (var s in ordered)
            {
                if (get(s.Row) is not { } value || string.IsNullOrWhiteSpace(value)) continue;
                fields.Add(new GoldenField(field, value.Trim(), s.SourceRecordId, "most-recent"));
                break;
            }
        }
        return fields;
    }

    /// <summary>Latest service date first, then latest received, then by id: the order "most recent" means.</summary>
    private static readonly Comparison<GoldenSource> MostRecentFirst = static (a, b) =>
    {
        var c = (b.Row.ServiceDate ?? DateOnly.MinValue).CompareTo(a.Row.ServiceDate ?? DateOnly.MinValue);
        if (c == 0) c = b.ReceivedAt.CompareTo(a.ReceivedAt);
        return c != 0 ? c : a.SourceRecordId.CompareTo(b.SourceRecordId);
    };

    /// <summary>The first (most recent) source carrying the identity CURP most sources carry.</summary>
    private static GoldenSource? MostCommonCurp(GoldenSource[] ordered)
    {
        GoldenSource? best = null;
        var bestCount = 0;
        for (var i = 0; i < ordered.Length; i++)
        {
            if (ordered[i].IdentityCurp is not { } curp) continue;
            var seenBefore = false;
            for (var j = 0; j < i && !seenBefore; j++) seenBefore = ordered[j].IdentityCurp == curp;
            if (seenBefore) continue; // counted at its first (most recent) source
            var count = 1;
            for (var j = i + 1; j < ordered.Length; j++) if (ordered[j].IdentityCurp == curp) count++;
            if (count > bestCount) (best, bestCount) = (ordered[i], count);
        }
        return best;
    }

    private static List<GoldenSource> Where<TState>(IReadOnlyList<GoldenSource> sources, Func<GoldenSource, TState, bool> keep, TState state)
    {
        var kept = new List<GoldenSource>(sources.Count);
        for (var i = 0; i < sources.Count; i++) if (keep(sources[i], state)) kept.Add(sources[i]);
        return kept;
    }

    private static void AddName(List<GoldenField> fields, string field, List<GoldenSource> pool, Func<SourceRow, string?> get, string rule)
    {
        GoldenSource? pick = null;
        var withValue = 0;
        foreach (var s in pool) if (!string.IsNullOrWhiteSpace(get(s.Row))) { pick ??= s; withValue++; }
        if (pick is null) return;
        // Chosen by the normalised value (accents and case do not split the vote); shown as the agency wrote it.
        if (withValue > 1)
            pick = Best(pool.FindAll(s => !string.IsNullOrWhiteSpace(get(s.Row))), s => TextNormalizer.Normalize(get(s.Row), EnyeMode.Keep));
        fields.Add(new GoldenField(field, DisplayName(get(pick.Row)!), pick.SourceRecordId, rule));
    }

    /// <summary>The name as written, upper case, single-spaced (most already are: then the value itself).</summary>
    public static string DisplayName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var clean = name.Length > 0 && name[0] != ' ' && name[^1] != ' ' && !name.Contains("  ", StringComparison.Ordinal);
        for (var i = 0; clean && i < name.Length; i++) clean = char.ToUpperInvariant(name[i]) == name[i] && !char.IsSurrogate(name[i]) && (name[i] == ' ' || !char.IsWhiteSpace(name[i]));
        return clean ? name : string.Join(' ', name.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToUpperInvariant();
    }

    /// <summary>Most trusted sector first, then the value most sources agree on, then the most recent (input order).</summary>
    private static GoldenSource Best<T>(List<GoldenSource> candidates, Func<GoldenSource, T> value)
    {
        if (candidates.Count == 1) return candidates[0];
        var topTrust = int.MinValue;
        foreach (var s in candidates) topTrust = Math.Max(topTrust, Trust(s));
        var trusted = new List<(GoldenSource Source, T Value)>(candidates.Count);
        foreach (var s in candidates) if (Trust(s) == topTrust) trusted.Add((s, value(s)));
        var comparer = EqualityComparer<T>.Default; // strings: ordinal
        var (pick, top) = (trusted[0].Source, 0);
        foreach (var (s, v) in trusted)
        {
            var n = 0;
            foreach (var (_, other) in trusted) if (comparer.Equals(v, other)) n++;
            if (n > top) (pick, top) = (s, n);
        }
        return pick;
    }

    private static int Trust(GoldenSource s) => SectorTrust.GetValueOrDefault(s.Sector);

    private static char? SexLetter(SourceRow row) => SexCodes.CurpLetter(SexCodes.Parse(row.Sex, SexConvention.Mexican));
}

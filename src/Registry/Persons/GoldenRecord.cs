using System.Globalization;
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
        var fields = new List<GoldenField>();
        if (sources.Count == 0) return fields;
        var ordered = sources
            .OrderByDescending(s => s.Row.ServiceDate ?? DateOnly.MinValue)
            .ThenByDescending(s => s.ReceivedAt)
            .ThenBy(s => s.SourceRecordId)
            .ToList();

        // CURP: only one that is an identity key (valid, consistent with its row); the one most sources
        // carry, then the most recent. The person's CURP guards against merging another CURP's records.
        var curps = ordered.Select(s => (s, curp: s.IdentityCurp)).Where(x => x.curp is not null).ToList();
        string? curp = null;
        if (curps.Count > 0)
        {
            var chosen = curps.GroupBy(x => x.curp).OrderByDescending(g => g.Count()).ThenBy(g => curps.IndexOf(g.First())).First().First();
            curp = chosen.curp!;
            fields.Add(new GoldenField(Curp, curp, chosen.s.SourceRecordId, "validated-curp"));
        }

        // Birth date: the one the CURP encodes, else trust → agreement → recency.
        var curpBirth = curp is null ? null : Normalization.Curp.BirthDate(curp);
        var withBirth = ordered.Where(s => s.Row.BirthDate is not null).ToList();
        if (withBirth.Count > 0)
        {
            var agreeing = curpBirth is { } cb ? withBirth.Where(s => s.Row.BirthDate == cb).ToList() : [];
            var (pick, rule) = agreeing.Count > 0 ? (Best(agreeing, s => Dates.Iso(s.Row.BirthDate!.Value)), "agrees-with-curp") : (Best(withBirth, s => Dates.Iso(s.Row.BirthDate!.Value)), "source-trust");
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
            var withSex = ordered.Where(s => SexLetter(s.Row) is not null).ToList();
            if (withSex.Count > 0)
            {
                var pick = Best(withSex, s => SexLetter(s.Row)!);
                fields.Add(new GoldenField(Sex, SexLetter(pick.Row)!, pick.SourceRecordId, "source-trust"));
            }
        }

        // Names: records whose name agrees with the CURP's letters first; separate columns over a split full name.
        var named = ordered.Where(s => !string.IsNullOrWhiteSpace(s.Row.GivenNames) || !string.IsNullOrWhiteSpace(s.Row.PaternalSurname)).ToList();
        if (named.Count > 0)
        {
            var consistent = curp is null ? [] : named.Where(s =>
                Normalization.Curp.Check(curp, s.Row.PaternalSurname, s.Row.MaternalSurname, s.Row.GivenNames, null, Normalization.Sex.Unknown).NameLetters == PartAgreement.Agrees).ToList();
            var pool = consistent.Count > 0 ? consistent : named;
            var rule = consistent.Count > 0 ? "consistent-with-curp" : "source-trust";
            var separate = pool.Where(s => string.IsNullOrWhiteSpace(s.Row.FullName)).ToList();
            if (separate.Count > 0) pool = separate;
            AddName(fields, GivenNames, pool, r => r.GivenNames, rule);
            AddName(fields, PaternalSurname, pool, r => r.PaternalSurname, rule);
            AddName(fields, MaternalSurname, pool, r => r.MaternalSurname, rule);
        }

        foreach (var (field, get) in Recent)
        {
            var pick = ordered.FirstOrDefault(s => !string.IsNullOrWhiteSpace(get(s.Row)));
            if (pick is not null) fields.Add(new GoldenField(field, get(pick.Row)!.Trim(), pick.SourceRecordId, "most-recent"));
        }
        return fields;
    }

    private static void AddName(List<GoldenField> fields, string field, List<GoldenSource> pool, Func<SourceRow, string?> get, string rule)
    {
        var withValue = pool.Where(s => !string.IsNullOrWhiteSpace(get(s.Row))).ToList();
        if (withValue.Count == 0) return;
        // Chosen by the normalised value (accents and case do not split the vote); shown as the agency wrote it.
        var pick = Best(withValue, s => TextNormalizer.Normalize(get(s.Row), EnyeMode.Keep));
        var display = string.Join(' ', get(pick.Row)!.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToUpperInvariant();
        fields.Add(new GoldenField(field, display, pick.SourceRecordId, rule));
    }

    /// <summary>Most trusted sector first, then the value most sources agree on, then the most recent (input order).</summary>
    private static GoldenSource Best(List<GoldenSource> candidates, Func<GoldenSource, string> value)
    {
        var topTrust = candidates.Max(Trust);
        var trusted = candidates.Where(s => Trust(s) == topTrust).ToList();
        var counts = trusted.GroupBy(value, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var top = counts.Values.Max();
        return trusted.First(s => counts[value(s)] == top);
    }

    private static int Trust(GoldenSource s) => SectorTrust.GetValueOrDefault(s.Sector);

    private static string? SexLetter(SourceRow row) =>
        SexCodes.CurpLetter(SexCodes.Parse(row.Sex, SexConvention.Mexican))?.ToString(CultureInfo.InvariantCulture);
}

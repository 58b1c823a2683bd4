using Registry.Feeds;

namespace Registry.Persons;

/// <summary>
/// A person's golden record as a reader without a sensitive-sector grant (<see cref="Sectors.Sensitive"/>: health,
/// security) sees it — the case manager's view. Derived by <see cref="GoldenRecordWriter"/> in the same write as the
/// golden record itself, whatever changed the person's sources (a chunk, a merge, a split, a steward's decision), and
/// stored beside it (persons.restricted_view, restricted_golden, restricted_name_seen), so that a
/// search or a household page of such a reader reads it instead of recomputing it per request.
/// The rule is the one the API applied per request before (SensitiveSources): the stored golden record as it is when
/// every field survived from a source the reader may see, else survivorship over only those sources.
/// </summary>
/// <param name="View">What the reader sees: one of <see cref="AsGolden"/>, <see cref="IdentityAsGolden"/>, <see cref="Own"/>, <see cref="Hidden"/>.</param>
/// <param name="Document">
/// Survivorship over the person's non-sensitive current sources (the golden document's format) for <see cref="IdentityAsGolden"/>
/// and <see cref="Own"/>; null for the other views.
/// </param>
/// <param name="NameSeen">
/// A non-sensitive current source carries the golden name itself (each name part the same once written as the golden record
/// writes names), so its folded name is the person's search name: a name search needs no look at the records to know that
/// the reader finds the person through a source they may see.
/// </param>
public sealed record RestrictedGolden(string View, string? Document, bool NameSeen)
{
    /// <summary>Every golden field survived from a non-sensitive source: the reader sees persons.golden as it is.</summary>
    public const string AsGolden = "as-golden";

    /// <summary>
    /// CURP, names and birth date survived from non-sensitive sources, another field (a phone, an address) did not: lists
    /// show the person's columns as they are; the person page shows <see cref="Document"/>.
    /// </summary>
    public const string IdentityAsGolden = "identity-as-golden";

    /// <summary>An identity field survived from a sensitive source: the reader sees <see cref="Document"/> everywhere.</summary>
    public const string Own = "own";

    /// <summary>The person has no current non-sensitive source: the reader never finds them and sees no value of theirs.</summary>
    public const string Hidden = "hidden";

    /// <summary>The golden fields lists show of a person (search hits, household members).</summary>
    public static readonly IReadOnlyList<string> IdentityFields =
        [GoldenRecord.Curp, GoldenRecord.GivenNames, GoldenRecord.PaternalSurname, GoldenRecord.MaternalSurname, GoldenRecord.BirthDate];

    /// <param name="sources">The person's current source records, as survivorship read them.</param>
    /// <param name="golden">The golden record built from all of them.</param>
    public static RestrictedGolden Derive(IReadOnlyList<GoldenSource> sources, IReadOnlyList<GoldenField> golden)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(golden);
        List<GoldenSource>? open = null;
        foreach (var s in sources) if (!Sectors.Sensitive.Contains(s.Sector)) (open ??= new List<GoldenSource>(sources.Count)).Add(s);
        if (open is null) return new RestrictedGolden(Hidden, null, false);
        var nameSeen = false;
        foreach (var s in open) nameSeen |= CarriesName(s.Row, golden);
        // Most persons have sources of one sector, or none sensitive: nothing to survive apart.
        if (open.Count == sources.Count) return new RestrictedGolden(AsGolden, null, nameSeen);

        var allOpen = true;
        var identityOpen = true;
        foreach (var f in golden)
        {
            if (open.Exists(s => s.SourceRecordId == f.SourceRecordId)) continue;
            allOpen = false;
            identityOpen &= !IdentityFields.Contains(f.Field);
        }
        if (allOpen) return new RestrictedGolden(AsGolden, null, nameSeen);
        return new RestrictedGolden(identityOpen ? IdentityAsGolden : Own, GoldenDocument.Write(GoldenRecord.Build(open)), nameSeen);
    }

    /// <summary>The row's name parts, written as the golden record writes names, are the golden record's (a part neither has counts as the same).</summary>
    private static bool CarriesName(Contracts.SourceRow row, IReadOnlyList<GoldenField> golden) =>
        Same(row.GivenNames, golden, GoldenRecord.GivenNames) && Same(row.PaternalSurname, golden, GoldenRecord.PaternalSurname)
        && Same(row.MaternalSurname, golden, GoldenRecord.MaternalSurname);

    private static bool Same(string? part, IReadOnlyList<GoldenField> golden, string field)
    {
        string? value = null;
        foreach (var f in golden) if (f.Field == field) value = f.Value;
        return string.IsNullOrWhiteSpace(part) ? value is null : value is not null && GoldenRecord.DisplayName(part) == value;
    }
}

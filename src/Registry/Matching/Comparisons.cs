using Registry.Normalization;

namespace Registry.Matching;

/// <summary>The fields a record pair is compared on, in the order of the comparison vector.</summary>
public enum MatchField
{
    Curp,
    GivenNames,
    PaternalSurname,
    MaternalSurname,
    BirthDate,
    Sex,
    PostalCode,
    Municipality,
    Phone,
    OtherId,
    Street,
    Colonia,
}

/// <summary>
/// Comparison levels per field (Fellegi–Sunter "agreement patterns"). Level 0 of every field is
/// "missing on either side": it carries no evidence (weight 0). Higher levels are weaker agreement;
/// the last level is disagreement. Names are what the evidence shows stewards and auditors.
/// </summary>
public static class Comparisons
{
    public static readonly MatchField[] Fields = Enum.GetValues<MatchField>();

    public static readonly IReadOnlyDictionary<MatchField, string[]> LevelNames = new Dictionary<MatchField, string[]>
    {
        [MatchField.Curp] = ["missing", "exact", "same-first-10", "edit-distance-2", "different",
            "agrees-with-other-record", "one-part-differs-from-other-record", "disagrees-with-other-record"],
        [MatchField.GivenNames] = ["missing", "exact", "nickname-or-dropped-maria-jose", "jaro-winkler-0.92-or-phonetic", "contained", "jaro-winkler-0.80",
            "swapped-with-first-surname", "different"],
        [MatchField.PaternalSurname] = ["missing", "exact", "jaro-winkler-0.92-or-phonetic", "swapped-with-maternal", "jaro-winkler-0.80", "different"],
        [MatchField.MaternalSurname] = ["missing", "exact", "jaro-winkler-0.92-or-phonetic", "swapped-with-paternal", "different"],
        [MatchField.BirthDate] = ["missing", "exact", "day-month-swapped", "year-off-by-one", "one-part-differs", "different"],
        [MatchField.Sex] = ["missing", "same", "different"],
        [MatchField.PostalCode] = ["missing", "same", "different"],
        [MatchField.Municipality] = ["missing", "same", "different"],
        [MatchField.Phone] = ["missing", "same", "different"],
        [MatchField.OtherId] = ["missing", "exact", "one-edit", "different"],
        [MatchField.Street] = ["missing", "same-street-and-number", "same-street-or-jaro-winkler-0.90", "different"],
        [MatchField.Colonia] = ["missing", "same", "one-edit-jaro-winkler-0.90-or-contained", "different"],
    };

    /// <summary>
    /// Fields whose "exact" level is adjusted by how common the value is in the registry: MARÍA GARCÍA is weak evidence, and
    /// so is a birth date an agency types when it does not know one (01/01/1900, the first of January).
    /// </summary>
    public static readonly MatchField[] TermFrequencyFields = [MatchField.GivenNames, MatchField.PaternalSurname, MatchField.MaternalSurname, MatchField.BirthDate, MatchField.Colonia];

    /// <summary>
    /// Where a pair can be said to live together, narrowest first in most of Mexico: how many of the registry's records
    /// live there (<c>term_frequencies</c>) is how many namesakes a name shared there has to be told from
    /// (<see cref="MatchModel.NameUnique"/>; the narrowest place both name counts). The municipality is the widest: a pair
    /// that shares no colonia or postal code (a clinic that writes neither) fears the namesakes of its municipality, not
    /// those of the whole registry. The postal code's and the municipality's counts say only that: their weights are not
    /// adjusted by them.
    /// </summary>
    public static readonly MatchField[] PlaceFields = [MatchField.Colonia, MatchField.PostalCode, MatchField.Municipality];

    /// <summary>Every field whose values the registry counts (<c>term_frequencies</c>): <see cref="TermFrequencyFields"/> and <see cref="PlaceFields"/>.</summary>
    public static readonly MatchField[] CountedFields = [.. TermFrequencyFields.Union(PlaceFields)];

    /// <summary>
    /// Term-frequency fields whose values are many and evenly spread, so that only an unusually common value says something:
    /// their frequency only ever lowers the weight (never above the level's average u).
    /// </summary>
    public static bool TermFrequencyOnlyLowers(MatchField field) => field == MatchField.BirthDate;

    /// <summary>The comparison vector of a pair: one level per field, indexed by <see cref="MatchField"/>.</summary>
    public static byte[] Compare(MatchRecord a, MatchRecord b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var v = new byte[Fields.Length];
        v[(int)MatchField.Curp] = CompareCurp(a.ValidCurp ?? a.InvalidCurp, b.ValidCurp ?? b.InvalidCurp) is var curp and not 0 ? curp
            : CompareCurpWithRecord(a, b) is var ab and not 0 ? ab
            : CompareCurpWithRecord(b, a);
        v[(int)MatchField.GivenNames] = CompareGiven(a, b);
        v[(int)MatchField.PaternalSurname] = CompareSurname(a.PaternalKey, a.PaternalPhonetic, b.PaternalKey, b.PaternalPhonetic, a.MaternalKey, b.MaternalKey, hasWeakBand: true);
        // Given name and first surname written in each other's column (AMELIA MONTALVAN / MONTALVAN AMELIA): one level of
        // the given names that speaks for both, the first surname then no evidence of its own.
        if (v[(int)MatchField.GivenNames] == GivenDifferent && v[(int)MatchField.PaternalSurname] >= 4 && GivenSwappedWithSurname(a, b))
            (v[(int)MatchField.GivenNames], v[(int)MatchField.PaternalSurname]) = (GivenSwapped, 0);
        v[(int)MatchField.MaternalSurname] = CompareSurname(a.MaternalKey, a.MaternalPhonetic, b.MaternalKey, b.MaternalPhonetic, a.PaternalKey, b.PaternalKey, hasWeakBand: false);
        v[(int)MatchField.BirthDate] = Dates.Compare(a.BirthDate, b.BirthDate) switch
        {
            DateAgreement.Missing => 0,
            DateAgreement.Exact => 1,
            DateAgreement.DayMonthSwapped => 2,
            DateAgreement.YearOffByOne => 3,
            DateAgreement.OneComponentDiffers when OneSlip(a.BirthDate!.Value, b.BirthDate!.Value) => 4,
            _ => 5,
        };
        v[(int)MatchField.Sex] = Same(a.Sex, b.Sex);
        v[(int)MatchField.PostalCode] = Same(a.PostalCode, b.PostalCode);
        v[(int)MatchField.Municipality] = Same(a.Municipality, b.Municipality);
        v[(int)MatchField.Phone] = Same(a.Phone, b.Phone);
        // Typed documents: RC → TI → CC with one NUIP agree; other numbers of other types are no evidence (IdentityDocuments).
        v[(int)MatchField.OtherId] = IdentityDocuments.Compare(a.OtherId, b.OtherId);
        v[(int)MatchField.Street] = CompareStreet(a.StreetKey, b.StreetKey);
        v[(int)MatchField.Colonia] = CompareColonia(a.Colonia, b.Colonia);
        // The street and the colonia written in each other's column (free-text address lines): the colonias are no evidence.
        if (v[(int)MatchField.Colonia] == ColoniaDifferent && (Crosswise(a.Colonia, b.StreetKey) || Crosswise(b.Colonia, a.StreetKey)))
            v[(int)MatchField.Colonia] = 0;
        return v;
    }

    /// <summary>
    /// Two dates that agree on two of day, month and year differ by one slip of the hand in the third: one digit
    /// (1962 / 1960, 03 / 08) or its two adjacent digits transposed (1987 / 1978, 12 / 21). A year 27 apart on the same
    /// day and month is no slip: at a state's size namesakes born on the same day of another year are many, and
    /// "one part differs" had counted as a birth date that tells them apart.
    /// </summary>
    internal static bool OneSlip(DateOnly a, DateOnly b) =>
        a.Year != b.Year ? Slip(a.Year, b.Year, 4) : a.Month != b.Month ? Slip(a.Month, b.Month, 2) : Slip(a.Day, b.Day, 2);

    private static bool Slip(int x, int y, int width)
    {
        Span<char> a = stackalloc char[width];
        Span<char> b = stackalloc char[width];
        if (!x.TryFormat(a, out var na, "D" + width, System.Globalization.CultureInfo.InvariantCulture) || na != width
            || !y.TryFormat(b, out var nb, "D" + width, System.Globalization.CultureInfo.InvariantCulture) || nb != width) return false;
        int first = -1, count = 0;
        for (var i = 0; i < width; i++)
            if (a[i] != b[i])
            {
                if (count++ == 0) first = i;
            }
        return count == 1 || (count == 2 && first + 1 < width && a[first] == b[first + 1] && a[first + 1] == b[first]);
    }

    /// <summary>Two different valid CURPs, or two different valid documents of one type (two CCs), are two people, whatever else agrees (hard rule 3).</summary>
    public static bool ConflictingStrongIds(MatchRecord a, MatchRecord b) =>
        a.ValidCurp is not null && b.ValidCurp is not null && !string.Equals(a.ValidCurp, b.ValidCurp, StringComparison.Ordinal)
        || IdentityDocuments.Conflict(a.OtherId, b.OtherId);

    private static byte CompareCurp(string? a, string? b)
    {
        if (a is null || b is null) return 0;
        if (string.Equals(a, b, StringComparison.Ordinal)) return 1;
        if (a.AsSpan(0, 10).SequenceEqual(b.AsSpan(0, 10))) return 2;
        return EditDistance.DamerauLevenshtein(a, b, 3) <= 2 ? (byte)3 : (byte)4;
    }

    /// <summary>
    /// One record has a CURP, the other none: the CURP is a second, independent copy of its owner's
    /// name initials, internal consonants, birth date and sex, checked against the other record's own
    /// data (RENAPO derivation). It speaks only for what its own row did not say — a missing birth date
    /// or second surname, a typo, data the CURP contradicts: a complete row that agrees with its CURP
    /// has already been compared field by field, and counting the same facts twice would link a
    /// one-digit birth-day slip without asking a steward.
    /// </summary>
    private static byte CompareCurpWithRecord(MatchRecord owner, MatchRecord other)
    {
        var curp = owner.ValidCurp ?? owner.InvalidCurp;
        if (curp is null || SaysAllItsCurpSays(owner)) return 0;
        var sex = other.Sex switch { 'H' => Sex.Male, 'M' => Sex.Female, _ => Sex.Unknown };
        var check = Curp.Check(curp, other.PaternalKey, other.MaternalKey, other.GivenKey, other.BirthDate, sex);
        if (check.Expected is null || check.NameLetters == PartAgreement.Unknown) return 0;
        var differing = Differing(check);
        // The other record may have its surnames swapped (the CURP's own row too, but then the row is no key).
        if (differing > 0 && other.MaternalKey is not null)
            differing = Math.Min(differing, Differing(Curp.Check(curp, other.MaternalKey, other.PaternalKey, other.GivenKey, other.BirthDate, sex)));
        if (differing == 0) return check.BirthDate == DateAgreement.Exact ? (byte)5 : (byte)6;
        return differing == 1 && check.BirthDate != DateAgreement.Missing ? (byte)6 : (byte)7;
    }

    /// <summary>The row has every part a CURP encodes and its CURP is its identity key (consistent with all of them).</summary>
    private static bool SaysAllItsCurpSays(MatchRecord r) =>
        r.ValidCurp is not null && r.BirthDate is not null && r.Sex is not null
        && r.PaternalKey is not null && r.MaternalKey is not null && r.GivenKey.Length > 0;

    private static int Differing(CurpConsistency check) =>
        // A date unlike the other's (not a swap, a year off by one or one differing part) is a relative, not a slip.
        (check.NameLetters == PartAgreement.Differs ? 1 : 0) + (check.Consonants == PartAgreement.Differs ? 1 : 0)
        + check.BirthDate switch { DateAgreement.Exact or DateAgreement.Missing => 0, DateAgreement.Different => 2, _ => 1 }
        + (check.Sex == PartAgreement.Differs ? 1 : 0);

    private const byte GivenSwapped = 6;
    private const byte GivenDifferent = 7;

    /// <summary>
    /// A's given names are B's first surname and A's first surname B's given names (both exactly or Jaro–Winkler ≥ 0.92;
    /// at least one exactly): the two columns were swapped. Single given name and surname words only — a compound
    /// given name is not a surname.
    /// </summary>
    private static bool GivenSwappedWithSurname(MatchRecord a, MatchRecord b)
    {
        if (a.PaternalKey is not { } ap || b.PaternalKey is not { } bp || a.GivenKey.Length == 0 || b.GivenKey.Length == 0) return false;
        var given = string.Equals(a.GivenKey, bp, StringComparison.Ordinal);
        var surname = string.Equals(ap, b.GivenKey, StringComparison.Ordinal);
        return (given || surname)
            && (given || JaroWinkler.Similarity(a.GivenKey, bp) >= 0.92)
            && (surname || JaroWinkler.Similarity(ap, b.GivenKey) >= 0.92);
    }

    private static byte CompareGiven(MatchRecord a, MatchRecord b)
    {
        if (a.GivenKey.Length == 0 || b.GivenKey.Length == 0) return 0;
        if (string.Equals(a.GivenKey, b.GivenKey, StringComparison.Ordinal)) return 1;
        switch (PersonName.CompareGivenNames(a.GivenKey, b.GivenKey))
        {
            case GivenNameAgreement.Exact: return 1;
            case GivenNameAgreement.SameSignificantName or GivenNameAgreement.Nickname: return 2;
        }
        var jw = JaroWinkler.Similarity(a.GivenKey, b.GivenKey);
        if (jw >= 0.92 || (a.GivenPhonetic.Length > 0 && string.Equals(a.GivenPhonetic, b.GivenPhonetic, StringComparison.Ordinal)
                           && JaroWinkler.Similarity(a.GivenSignificant, b.GivenSignificant) >= 0.85 && !SecondNamesDiffer(a, b)))
            return 3;
        if (PersonName.CompareGivenNames(a.GivenKey, b.GivenKey) == GivenNameAgreement.Contained) return 4;
        return jw >= 0.80 ? (byte)5 : GivenDifferent;
    }

    /// <summary>
    /// Two compound given names that share their significant name but carry different second names — JUAN PABLO / JUAN
    /// DAVID, LUZ ELENA / LUZ DARY, CARLOS MARIO / CARLOS ANDRÉS — are two names, not one name spelt two ways: brothers
    /// and sisters are named so. The significant name's phonetic agreement then says nothing about the rest. A second
    /// name missing on one side (JUAN / JUAN PABLO), a dropped MARÍA or JOSÉ, or a typo in it (JUAN DACVID) is not a
    /// difference.
    /// </summary>
    internal static bool SecondNamesDiffer(MatchRecord a, MatchRecord b)
    {
        var ra = OtherGivenWords(a);
        var rb = OtherGivenWords(b);
        return ra.Length > 0 && rb.Length > 0 && JaroWinkler.Similarity(ra, rb) < 0.85;
    }

    /// <summary>The given-name words besides the significant one, MARÍA and JOSÉ left out ("JUAN PABLO" → "PABLO").</summary>
    private static string OtherGivenWords(MatchRecord r)
    {
        if (r.GivenKey.IndexOf(' ', StringComparison.Ordinal) < 0) return "";
        var skipped = false;
        var rest = new List<string>(2);
        foreach (var word in r.GivenKey.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!skipped && string.Equals(word, r.GivenSignificant, StringComparison.Ordinal)) skipped = true;
            else if (!NormalizationData.GivenNameSkip.Contains(word)) rest.Add(word);
        }
        return string.Join(' ', rest);
    }

    private static byte CompareSurname(string? a, string? aPhonetic, string? b, string? bPhonetic, string? aOther, string? bOther, bool hasWeakBand)
    {
        if (a is null || b is null) return 0;
        if (string.Equals(a, b, StringComparison.Ordinal)) return 1;
        var jw = JaroWinkler.Similarity(a, b);
        if (jw >= 0.92 || string.Equals(aPhonetic, bPhonetic, StringComparison.Ordinal)) return 2;
        // Swapped: the surnames crossed over (or one side wrote only the other's surname in this
        // column). One shared surname alone is not a swap: siblings-in-law and strangers share one.
        // One of the two may carry a typo (GONZALEZ CAMNTU for CANTU GONZALEZ), not both.
        if ((Alike(a, bOther) && (aOther is null || Alike(aOther, b)) && (Equal(a, bOther) || aOther is null || Equal(aOther, b))) ||
            (Alike(b, aOther) && (bOther is null || Alike(bOther, a)) && (Equal(b, aOther) || bOther is null || Equal(bOther, a))))
            return 3;
        if (hasWeakBand) return jw >= 0.80 ? (byte)4 : (byte)5;
        return 4;
    }

    private static bool Equal(string? a, string? b) => a is not null && string.Equals(a, b, StringComparison.Ordinal);

    private static bool Alike(string? a, string? b) => a is not null && b is not null && (Equal(a, b) || JaroWinkler.Similarity(a, b) >= 0.92);

    private static byte CompareStreet(string? a, string? b)
    {
        if (a is null || b is null) return 0;
        if (string.Equals(a, b, StringComparison.Ordinal)) return 1;
        var sa = a.Split('|')[0];
        var sb = b.Split('|')[0];
        return string.Equals(sa, sb, StringComparison.Ordinal) || JaroWinkler.Similarity(sa, sb) >= 0.90 ? (byte)2 : (byte)3;
    }

    /// <summary>
    /// Same colonia; nearly (a typo — Jaro–Winkler ≥ 0.90 or one edit —, or one written with more words: AMPLIACIÓN PUERTA DEL SOL / PUERTA DEL SOL — which may
    /// be the neighbouring colonia, so this level weighs less); different.
    /// </summary>
    private static byte CompareColonia(string? a, string? b)
    {
        if (a is null || b is null) return 0;
        if (string.Equals(a, b, StringComparison.Ordinal)) return 1;
        return JaroWinkler.Similarity(a, b) >= 0.90
               || (Math.Min(a.Length, b.Length) >= 4 && (EditDistance.DamerauLevenshtein(a, b, 2) <= 1
                   || a.Contains(b, StringComparison.Ordinal) || b.Contains(a, StringComparison.Ordinal)))
            ? (byte)2 : ColoniaDifferent;
    }

    private const byte ColoniaDifferent = 3;

    /// <summary>A colonia that is the other record's street (its name, without the house number).</summary>
    private static bool Crosswise(string? colonia, string? streetKey)
    {
        if (colonia is null || streetKey is null) return false;
        var bar = streetKey.IndexOf('|', StringComparison.Ordinal);
        var street = bar < 0 ? streetKey : streetKey[..bar];
        return street.Length > 0 && (string.Equals(colonia, street, StringComparison.Ordinal) || JaroWinkler.Similarity(colonia, street) >= 0.90);
    }

    private static byte Same<T>(T? a, T? b) => a is null || b is null ? (byte)0 : EqualityComparer<T>.Default.Equals(a, b) ? (byte)1 : (byte)2;

    /// <summary>The value a counted field is counted by (<see cref="CountedFields"/>): its frequency adjusts the "exact" level of a term-frequency field.</summary>
    public static string? TermValue(MatchRecord r, MatchField field) => field switch
    {
        MatchField.GivenNames => r.GivenKey.Length == 0 ? null : r.GivenKey,
        MatchField.PaternalSurname => r.PaternalKey,
        MatchField.MaternalSurname => r.MaternalKey,
        MatchField.BirthDate => r.BirthDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        MatchField.Colonia => r.Colonia,
        MatchField.PostalCode => r.PostalCode,
        MatchField.Municipality => r.Municipality,
        _ => null,
    };
}

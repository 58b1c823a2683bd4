namespace Registry.SyntheticPopulation;

/// <summary>
/// How dirty an agency's records are. Each rate is the probability that one agency registration of
/// a person (the identity the agency typed once and repeats on every service row) carries that
/// error; <see cref="Retyped"/> rows are typed again with fresh errors. Rates marked "of eligible"
/// apply only where the error is possible (a MARÍA/JOSÉ to drop, a nickname to use, a day ≤ 12 to swap).
/// </summary>
public sealed record ErrorProfile
{
    public required string Name { get; init; }
    /// <summary>The CURP column is left blank.</summary>
    public double CurpMissing { get; init; }
    /// <summary>One CURP character typed wrong (same class: letter for letter, digit for digit).</summary>
    public double CurpTypo { get; init; }
    /// <summary>An OCR slip in the CURP: 0↔O, 1↔I, 5↔S, 8↔B.</summary>
    public double CurpOcr { get; init; }
    /// <summary>One edit in a name part (keyboard slip, deletion, transposition, or a Spanish spelling confusion: S/Z, B/V, Y/LL, J/G, H dropped).</summary>
    public double NameTypo { get; init; }
    /// <summary>An OCR slip in a name (O→0, I→1, S→5).</summary>
    public double NameOcr { get; init; }
    /// <summary>The person is registered by nickname (PEPE, LUPITA, CHUY — Data/nicknames-es.txt), of eligible.</summary>
    public double Nickname { get; init; }
    /// <summary>A leading MARÍA/JOSÉ dropped (MARÍA GUADALUPE → GUADALUPE), of eligible.</summary>
    public double DropMariaJose { get; init; }
    /// <summary>A leading MARÍA/JOSÉ abbreviated (MA. GUADALUPE, J. LUIS), of eligible.</summary>
    public double AbbreviateMariaJose { get; init; }
    public double MaternalMissing { get; init; }
    /// <summary>Paternal and maternal surname swapped.</summary>
    public double SurnamesSwapped { get; init; }
    /// <summary>Day and month swapped, of eligible (day ≤ 12 and day ≠ month).</summary>
    public double DobDayMonthSwap { get; init; }
    /// <summary>One digit of the birth date typed wrong (still a valid date).</summary>
    public double DobDigit { get; init; }
    /// <summary>Birth year off by one.</summary>
    public double DobYear { get; init; }
    public double DobMissing { get; init; }
    /// <summary>Sex recorded wrong.</summary>
    public double SexWrong { get; init; }
    /// <summary>Reported in another municipality (moved, or typed the clinic's).</summary>
    public double MunicipalityOther { get; init; }
    /// <summary>Accents dropped (and Ñ typed as N half the time).</summary>
    public double AccentsDropped { get; init; }
    /// <summary>Names typed in mixed case (Juan Carlos).</summary>
    public double MixedCase { get; init; }
    /// <summary>The same person registered a second time by the same agency under another id.</summary>
    public double DuplicateRegistration { get; init; }
    /// <summary>A service row typed again by hand (its own errors, not the registration's).</summary>
    public double Retyped { get; init; }
    /// <summary>Colombia: the identity document is not captured.</summary>
    public double DocumentMissing { get; init; }
    /// <summary>Colombia: the agency holds the person's earlier document (the child's registro civil for a teenager's TI), of eligible.</summary>
    public double DocumentEarlier { get; init; }
    /// <summary>Colombia: one digit of the document number typed wrong (no check digit catches it: another valid document).</summary>
    public double DocumentTypo { get; init; }
    /// <summary>The phone is not captured.</summary>
    public double PhoneMissing { get; init; }
    /// <summary>Another phone than the person's: a new number, or a neighbour's or relative's (one digit typed wrong half the time).</summary>
    public double PhoneOther { get; init; }
    /// <summary>The street written another way: a typo in its name, or its type word dropped or abbreviated (CALLE → C.).</summary>
    public double StreetVariant { get; init; }
    /// <summary>The house number is not captured.</summary>
    public double HouseNumberMissing { get; init; }
    /// <summary>The postal code is not captured.</summary>
    public double PostalCodeMissing { get; init; }

    /// <summary>Exact data; only the CURP is sometimes not captured (agencies that never ask for it).</summary>
    public static readonly ErrorProfile Clean = new() { Name = "clean", CurpMissing = 0.10 };

    public static readonly ErrorProfile Typical = new()
    {
        Name = "typical", CurpMissing = 0.30, CurpTypo = 0.02, CurpOcr = 0.01, NameTypo = 0.05, NameOcr = 0.005,
        Nickname = 0.03, DropMariaJose = 0.10, AbbreviateMariaJose = 0.05, MaternalMissing = 0.06, SurnamesSwapped = 0.02,
        DobDayMonthSwap = 0.01, DobDigit = 0.01, DobYear = 0.01, DobMissing = 0.02, SexWrong = 0.002, MunicipalityOther = 0.01,
        AccentsDropped = 0.5, MixedCase = 0.05, DuplicateRegistration = 0.03, Retyped = 0.10,
    };

    public static readonly ErrorProfile Hard = new()
    {
        Name = "hard", CurpMissing = 0.45, CurpTypo = 0.05, CurpOcr = 0.03, NameTypo = 0.15, NameOcr = 0.02,
        Nickname = 0.08, DropMariaJose = 0.25, AbbreviateMariaJose = 0.10, MaternalMissing = 0.15, SurnamesSwapped = 0.05,
        DobDayMonthSwap = 0.03, DobDigit = 0.03, DobYear = 0.03, DobMissing = 0.05, SexWrong = 0.005, MunicipalityOther = 0.03,
        AccentsDropped = 0.7, MixedCase = 0.10, DuplicateRegistration = 0.08, Retyped = 0.25,
    };

    /// <summary>
    /// A Colombian population (<see cref="Country"/> CO) with the hard profile's name, date and registration errors,
    /// and document errors in place of the CURP's: 30 % of registrations without a document, 30 % of eligible with the
    /// earlier document of the person's succession (RC for a TI, TI for a CC), 2 % with a digit typed wrong.
    /// </summary>
    public static readonly ErrorProfile Colombia = Hard with
    {
        Name = "colombia", Country = "CO", CurpMissing = 0, CurpTypo = 0, CurpOcr = 0,
        DocumentMissing = 0.30, DocumentEarlier = 0.30, DocumentTypo = 0.02,
    };

    /// <summary>
    /// Sparse records (issue 27): agencies that never ask for the CURP and often not for the birth date — a community
    /// kitchen's list with one full-name column, a housing programme's census — so what links a person's rows is the
    /// name plus the address, phone and postal code. The typical profile's name and date errors; no CURP; 40 % of
    /// registrations without a birth date; the address evidence with its own errors: phone missing 15 % (on top of the
    /// households and people without one) or another number 5 %, street written another way 10 %, house number
    /// missing 5 %, postal code missing 10 %. The accuracy benchmark draws it from two agencies that carry such
    /// evidence (<see cref="AccuracyFeeds"/>).
    /// </summary>
    public static readonly ErrorProfile Sparse = Typical with
    {
        Name = "sparse", CurpMissing = 1.0, CurpTypo = 0, CurpOcr = 0, DobMissing = 0.40,
        PhoneMissing = 0.15, PhoneOther = 0.05, StreetVariant = 0.10, HouseNumberMissing = 0.05, PostalCodeMissing = 0.10,
        AccuracyFeeds = ["osc-comedores", "itavu-mejoramiento"],
    };

    /// <summary>
    /// The feeds `make bench-accuracy` writes extracts of for this profile; empty: a health and a social agency of the
    /// profile's country (SSA and DIF, or Medellín's two).
    /// </summary>
    public IReadOnlyList<string> AccuracyFeeds { get; init; } = [];

    /// <summary>The country whose population the profile draws: MX (default) or CO.</summary>
    public string Country { get; init; } = "MX";

    public static ErrorProfile Named(string name) => name.ToLowerInvariant() switch
    {
        "clean" => Clean,
        "typical" => Typical,
        "hard" => Hard,
        "colombia" => Colombia,
        "sparse" => Sparse,
        _ => throw new ArgumentException($"unknown error profile '{name}': use clean, typical, hard, colombia or sparse", nameof(name)),
    };
}

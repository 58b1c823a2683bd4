using System.Globalization;

namespace Registry.Normalization;

/// <summary>
/// The parts of a CURP that follow from a person's data (RENAPO rules): positions 1–4 (name
/// letters), 5–10 (birth date YYMMDD), 11 (sex H/M, when known), 12–13 (state, when given) and
/// 14–16 (internal consonants). Positions 17 (homonym) and 18 (check digit) are assigned by RENAPO.
/// </summary>
public sealed record CurpParts(string Letters, string BirthDate, char? Sex, string? State, string Consonants)
{
    /// <summary>Positions 1–10: letters and birth date, always derivable.</summary>
    public string First10 => Letters + BirthDate;

    /// <summary>Positions 1–16, or null when sex or state is unknown.</summary>
    public string? First16 => Sex is { } s && State is not null ? First10 + s + State + Consonants : null;
}

/// <summary>Whether one part of a CURP agrees with the person's data.</summary>
public enum PartAgreement
{
    /// <summary>Not comparable (data missing on one side).</summary>
    Unknown,
    Agrees,
    Differs,
}

/// <summary>
/// Per-part comparison of a CURP with the data it was reported with. A valid CURP whose letters,
/// date or sex disagree with the row is evidence of a wrong CURP (a relative's, a typo) rather
/// than an identity: the resolver should not link on it blindly. <see cref="Expected"/> holds
/// the parts derived from the row (birth date and state taken from the CURP itself when the row
/// has none), null when the CURP is malformed.
/// </summary>
public sealed record CurpConsistency(
    bool CurpValid,
    PartAgreement NameLetters,
    PartAgreement Consonants,
    DateAgreement BirthDate,
    PartAgreement Sex,
    CurpParts? Expected)
{
    /// <summary>Valid CURP with no part that disagrees (missing data does not count against it).</summary>
    public bool Consistent =>
        CurpValid && NameLetters != PartAgreement.Differs && Consonants != PartAgreement.Differs &&
        BirthDate is DateAgreement.Exact or DateAgreement.Missing && Sex != PartAgreement.Differs;

    /// <summary>Number of parts that disagree (name letters, consonants, birth date, sex).</summary>
    public int Disagreements =>
        (NameLetters == PartAgreement.Differs ? 1 : 0) + (Consonants == PartAgreement.Differs ? 1 : 0) +
        (BirthDate is DateAgreement.Exact or DateAgreement.Missing ? 0 : 1) + (Sex == PartAgreement.Differs ? 1 : 0);
}

/// <summary>
/// CURP derivation and consistency (Instructivo Normativo para la Asignación de la CURP):
/// accents removed, particles (DE, LA, DEL, MC…) skipped in compound names, a leading
/// MARIA/MA/M/JOSE/J skipped when another given name follows, Ñ and special characters → X,
/// a missing second surname → X, and an inconvenient word in positions 1–4 (Data/curp-inconvenient-words.txt)
/// gets its second letter replaced by X (BUEI → BXEI).
/// </summary>
public static partial class Curp
{
    /// <summary>True for a RENAPO state code (AS … ZS, NE = born abroad).</summary>
    public static bool IsStateCode(string? code) => code is not null && States.Contains(code.ToUpperInvariant());

    /// <summary>Derives positions 1–16 (sex and state only when known/valid).</summary>
    public static CurpParts Derive(string? paternal, string? maternal, string? givenNames, DateOnly birthDate, Sex sex = Sex.Unknown, string? state = null)
    {
        var (first, second, given) = Words(paternal, maternal, givenNames);
        return DeriveFromWords(first, second, given, birthDate, sex, state);
    }

    /// <summary>Positions 1–16 from the three name words (<see cref="Words"/>).</summary>
    private static CurpParts DeriveFromWords(string first, string second, string given, DateOnly birthDate, Sex sex, string? state)
    {
        Span<char> letters = stackalloc char[4];
        letters[0] = Initial(first);
        letters[1] = InternalVowel(first);
        letters[2] = Initial(second);
        letters[3] = Initial(given);
        if (NormalizationData.InconvenientWords.Contains(new string(letters))) letters[1] = 'X';

        Span<char> consonants = [InternalConsonant(first), InternalConsonant(second), InternalConsonant(given)];
        var upperState = state?.Trim().ToUpperInvariant();
        return new CurpParts(
            new string(letters),
            birthDate.ToString("yyMMdd", CultureInfo.InvariantCulture),
            SexCodes.CurpLetter(sex),
            upperState is not null && States.Contains(upperState) ? upperState : null,
            new string(consonants));
    }

    /// <inheritdoc cref="Derive(string?, string?, string?, DateOnly, Sex, string?)"/>
    public static CurpParts Derive(NormalizedName name, DateOnly birthDate, Sex sex = Sex.Unknown, string? state = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Derive(name.Paternal, name.Maternal, name.GivenNames, birthDate, sex, state);
    }

    /// <summary>Compares a CURP with the name, birth date and sex it came with, part by part.</summary>
    public static CurpConsistency Check(string? curp, string? paternal, string? maternal, string? givenNames, DateOnly? birthDate, Sex sex)
    {
        var clean = Clean(curp);
        if (clean is null || clean.Length != 18)
            return new CurpConsistency(false, PartAgreement.Unknown, PartAgreement.Unknown, DateAgreement.Missing, PartAgreement.Unknown, null);

        var (first, second, given) = Words(paternal, maternal, givenNames);
        var curpDate = char.IsAsciiDigit(clean[4]) ? BirthDate(clean) : null;
        var derived = DeriveFromWords(first, second, given, birthDate ?? curpDate ?? new DateOnly(1900, 1, 1), sex, clean.Substring(11, 2));
        var hasSecond = second.Length > 0;

        // Positions compared only where the row has the data; a row without a second surname agrees
        // with an X, and is silent about a letter (the agency may just have dropped it).
        var letters = Combine(
            Compare(first.Length > 0, derived.Letters[0], clean[0]),
            // RENAPO puts an X in second place when the first four letters spell an inconvenient word
            // (LOCA → LXCA); a CURP typed with the plain vowel is the same person's, mistyped.
            clean[1] == InternalVowel(first) && first.Length > 0 ? PartAgreement.Agrees : Compare(first.Length > 0, derived.Letters[1], clean[1]),
            hasSecond ? Compare(true, derived.Letters[2], clean[2]) : clean[2] == 'X' ? PartAgreement.Agrees : PartAgreement.Unknown,
            Compare(given.Length > 0, derived.Letters[3], clean[3]));
        var consonants = Combine(
            Compare(first.Length > 0, derived.Consonants[0], clean[13]),
            hasSecond ? Compare(true, derived.Consonants[1], clean[14]) : clean[14] == 'X' ? PartAgreement.Agrees : PartAgreement.Unknown,
            Compare(given.Length > 0, derived.Consonants[2], clean[15]));

        var sexAgreement = SexCodes.CurpLetter(sex) is not { } letter || clean[10] is not ('H' or 'M')
            ? PartAgreement.Unknown
            : letter == clean[10] ? PartAgreement.Agrees : PartAgreement.Differs;

        return new CurpConsistency(
            IsValid(clean),
            letters,
            consonants,
            Dates.Compare(curpDate, birthDate),
            sexAgreement,
            derived);
    }

    /// <inheritdoc cref="Check(string?, string?, string?, string?, DateOnly?, Sex)"/>
    public static CurpConsistency Check(string? curp, NormalizedName name, DateOnly? birthDate, Sex sex)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Check(curp, name.Paternal, name.Maternal, name.GivenNames, birthDate, sex);
    }

    /// <summary>
    /// The CURP as an identity key, cleaned: valid (structure and check digit) and not contradicted by
    /// the row it came with (name letters, internal consonants, birth date, sex; data the row lacks does
    /// not count against it). Null otherwise. A valid CURP the row contradicts — a typo the check digit
    /// missed (it misses any change in position 9 and some in others), a relative's CURP — is evidence
    /// for matching, never a key: it neither links by itself nor keeps two records apart.
    /// </summary>
    public static string? IdentityKey(string? curp, string? givenNames, string? paternal, string? maternal, DateOnly? birthDate, Sex sex)
    {
        var clean = Clean(curp);
        return IsValid(clean) && Check(clean, paternal, maternal, givenNames, birthDate, sex).Consistent ? clean : null;
    }

    /// <summary>
    /// An X in the CURP stands for Ñ or a character RENAPO cannot write, which agencies often type as
    /// N or drop (NUÑEZ → NUNEZ): it agrees with nothing and contradicts nothing.
    /// </summary>
    private static PartAgreement Compare(bool known, char expected, char actual) =>
        !known ? PartAgreement.Unknown : expected == actual ? PartAgreement.Agrees : actual == 'X' ? PartAgreement.Unknown : PartAgreement.Differs;

    private static PartAgreement Combine(params ReadOnlySpan<PartAgreement> parts)
    {
        var any = false;
        foreach (var p in parts)
        {
            if (p == PartAgreement.Differs) return PartAgreement.Differs;
            any |= p == PartAgreement.Agrees;
        }
        return any ? PartAgreement.Agrees : PartAgreement.Unknown;
    }

    /// <summary>The word used for each of the three name positions ("" when missing).</summary>
    private static (string First, string Second, string Given) Words(string? paternal, string? maternal, string? givenNames)
    {
        var p = SignificantWord(paternal);
        var m = SignificantWord(maternal);
        if (p.Length == 0) (p, m) = (m, string.Empty);

        var given = CurpWordsOf(givenNames);
        given.RemoveAll(IsParticleWord);
        var g = given.Count switch
        {
            0 => string.Empty,
            1 => given[0],
            _ => NormalizationData.GivenNameSkip.Contains(Fold(given[0])) ? given[1] : given[0],
        };
        return (p, m, g);
    }

    /// <summary>First word of a compound surname that is not a particle ("DE LA CRUZ" → CRUZ).</summary>
    private static string SignificantWord(string? part)
    {
        var words = CurpWordsOf(part);
        foreach (var w in words) if (!IsParticleWord(w)) return w;
        return words.Count > 0 ? words[0] : string.Empty;
    }

    /// <summary>
    /// Words as RENAPO reads them: upper case, accents off, Ñ kept, dots dropped (MA. → MA) and
    /// any other character kept so that it becomes X if it lands in a CURP position.
    /// </summary>
    private static List<string> CurpWordsOf(string? text)
    {
        var words = new List<string>();
        if (string.IsNullOrWhiteSpace(text)) return words;
        Span<char> buffer = stackalloc char[Math.Min(text.Length, 256)];
        var n = 0;
        foreach (var raw in text.Length <= 256 ? text : text[..256])
        {
            if (char.IsWhiteSpace(raw) || raw is ',' or ';')
            {
                if (n > 0) words.Add(new string(buffer[..n]));
                n = 0;
                continue;
            }
            if (raw == '.') continue;
            var c = char.ToUpperInvariant(raw);
            var folded = c == 'Ñ' ? 'Ñ' : TextNormalizer.FoldLetter(c);
            buffer[n++] = folded == '\0' ? c : folded;
        }
        if (n > 0) words.Add(new string(buffer[..n]));
        return words;
    }

    private static bool IsParticleWord(string word) => NormalizationData.Particles.Contains(Fold(word));

    private static string Fold(string word) => TextNormalizer.Normalize(word);

    private static char Initial(string word) => word.Length == 0 ? 'X' : Letter(word[0]);

    private static char InternalVowel(string word)
    {
        for (var i = 1; i < word.Length; i++) if (word[i] is 'A' or 'E' or 'I' or 'O' or 'U') return word[i];
        return 'X';
    }

    private static char InternalConsonant(string word)
    {
        for (var i = 1; i < word.Length; i++)
        {
            var c = word[i];
            if (c == 'Ñ') return 'X';
            if (c is >= 'A' and <= 'Z' && c is not ('A' or 'E' or 'I' or 'O' or 'U')) return c;
        }
        return 'X';
    }

    /// <summary>Ñ and anything outside A–Z become X.</summary>
    private static char Letter(char c) => c is >= 'A' and <= 'Z' ? c : 'X';
}

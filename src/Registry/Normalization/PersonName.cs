namespace Registry.Normalization;

/// <summary>Order of the parts in a single full-name column.</summary>
public enum NameOrder
{
    /// <summary>Mexican civil order: GIVEN… PATERNAL MATERNAL ("JUAN DE LA CRUZ PEREZ").</summary>
    GivenFirst,
    /// <summary>Agency/listing order: PATERNAL MATERNAL GIVEN… ("DE LA CRUZ PEREZ JUAN").</summary>
    SurnamesFirst,
}

/// <summary>How two given-name fields relate, strongest first after <see cref="Exact"/>.</summary>
public enum GivenNameAgreement
{
    /// <summary>One side is blank: no evidence either way.</summary>
    Missing,
    /// <summary>Nothing in common.</summary>
    Different,
    /// <summary>Every name of the shorter side appears in the longer ("MARIA" vs "MARIA GUADALUPE").</summary>
    Contained,
    /// <summary>A nickname resolves to the other side ("PEPE" vs "JOSE", "LUPITA" vs "MA. GUADALUPE").</summary>
    Nickname,
    /// <summary>Same significant name, a leading MARIA/JOSE dropped on one side ("MARIA GUADALUPE" vs "GUADALUPE").</summary>
    SameSignificantName,
    /// <summary>Same names after normalisation (accents, abbreviations, particles).</summary>
    Exact,
}

/// <summary>
/// Personal names as Mexican and Colombian registries write them: two surnames, compound
/// given names (JOSE LUIS, MARIA DE LOS ANGELES), particles (DE LA, DEL, Y, MC…) that RENAPO
/// ignores, abbreviations (MA., J., GPE.) and nicknames. Display forms keep the particles
/// and Ñ; matching keys drop particles, expand abbreviations and fold Ñ→N so that the
/// same person spelled by two agencies yields the same key. Data tables are in Data/*.txt.
/// </summary>
public static class PersonName
{
    /// <summary>True for a particle of the RENAPO list (DE, DEL, LA, LOS, LAS, Y, MC, MAC, VAN, VON…).</summary>
    public static bool IsParticle(string word) => NormalizationData.Particles.Contains(word);

    /// <summary>
    /// Matching key of a surname (or any name part): canonical text without particles
    /// ("de la Cruz" → "CRUZ", "Núñez" → "NUNEZ"). A part made only of particles keeps them.
    /// Empty for blank input.
    /// </summary>
    public static string SurnameKey(string? surname) => JoinKey(TextNormalizer.Words(surname), expandAbbreviations: false);

    /// <summary>
    /// Matching key of the given names: abbreviations expanded (MA. → MARIA, leading J. → JOSE),
    /// particles dropped ("MA. DE LOS ÁNGELES" → "MARIA ANGELES"). Nicknames are not resolved
    /// here (PEPE stays PEPE): see <see cref="CanonicalGivenNames"/> and <see cref="CompareGivenNames"/>.
    /// </summary>
    public static string GivenKey(string? givenNames) => JoinKey(TextNormalizer.Words(givenNames), expandAbbreviations: true);

    /// <summary>
    /// The given name that identifies the person, as RENAPO uses it for the CURP: a leading
    /// MARIA/MA/M/JOSE/J is skipped when another given name follows, particles are ignored
    /// ("JOSÉ LUIS" → LUIS, "MARÍA DE LOS ÁNGELES" → ANGELES, "MARÍA" → MARIA). Empty for blank input.
    /// </summary>
    public static string SignificantGivenName(string? givenNames)
    {
        var words = GivenWords(TextNormalizer.Words(givenNames));
        return SignificantOf(words);
    }

    /// <summary>
    /// Canonical given name(s) behind a nickname or abbreviation ("PANCHO" → [FRANCISCO],
    /// "BETO" → [ALBERTO, ROBERTO, …], "CHEMA" → [JOSE MARIA]); the name itself when it is not one.
    /// </summary>
    public static IReadOnlyList<string> CanonicalGivenNames(string? name)
    {
        var key = TextNormalizer.Normalize(name);
        if (key.Length == 0) return [];
        if (NormalizationData.Nicknames.TryGetValue(key, out var canonical)) return canonical;
        if (NormalizationData.GivenAbbreviations.TryGetValue(key, out var full) && key.Length > 1) return [full];
        return [key];
    }

    /// <summary>
    /// The nickname table in force (<see cref="NicknameTable"/>: Data/nicknames-es.txt by default): normalised nickname → canonical given
    /// name(s). Read-only; the synthetic population uses it to write the nicknames this code resolves.
    /// </summary>
    public static IReadOnlyDictionary<string, string[]> Nicknames => NormalizationData.Nicknames;

    /// <summary>How two given-name fields relate; see <see cref="GivenNameAgreement"/>.</summary>
    public static GivenNameAgreement CompareGivenNames(string? a, string? b)
    {
        var wa = GivenWords(TextNormalizer.Words(a));
        var wb = GivenWords(TextNormalizer.Words(b));
        if (wa.Count == 0 || wb.Count == 0) return GivenNameAgreement.Missing;
        if (wa.SequenceEqual(wb, StringComparer.Ordinal)) return GivenNameAgreement.Exact;
        var sa = SignificantOf(wa);
        var sb = SignificantOf(wb);
        if (string.Equals(sa, sb, StringComparison.Ordinal) && (IsSkippable(wa[0]) || IsSkippable(wb[0])))
            return GivenNameAgreement.SameSignificantName;
        if (NicknameMatch(wa, wb, sb) || NicknameMatch(wb, wa, sa)) return GivenNameAgreement.Nickname;
        var (shorter, longer) = wa.Count <= wb.Count ? (wa, wb) : (wb, wa);
        if (shorter.All(w => longer.Contains(w, StringComparer.Ordinal))) return GivenNameAgreement.Contained;
        return GivenNameAgreement.Different;
    }

    /// <summary>Normalises separately captured parts (any may be blank).</summary>
    public static NormalizedName Normalize(string? givenNames, string? paternal, string? maternal) =>
        new(givenNames, paternal, maternal);

    /// <summary>
    /// Splits a single full-name column into given names, paternal and maternal surname.
    /// Particles stay with the word they precede ("JUAN DE LA CRUZ PEREZ" → paternal "DE LA CRUZ",
    /// maternal "PEREZ"). A comma means "surnames, given names" whatever <paramref name="order"/> says.
    /// With a single surname the maternal one is missing; with three words the middle one is taken
    /// as a second given name only when it and its neighbour are common given names
    /// ("JOSE LUIS PEREZ" → given "JOSE LUIS", paternal "PEREZ"). Prefer separate columns when a feed has them.
    /// </summary>
    public static NormalizedName Split(string? fullName, NameOrder order = NameOrder.GivenFirst)
    {
        if (string.IsNullOrWhiteSpace(fullName)) return new NormalizedName(null, null, null);
        var comma = fullName.IndexOf(',', StringComparison.Ordinal);
        if (comma >= 0)
        {
            var surnames = Units(TextNormalizer.Words(fullName[..comma], EnyeMode.Keep));
            var given = TextNormalizer.Normalize(fullName[(comma + 1)..], EnyeMode.Keep);
            return new NormalizedName(given,
                surnames.Count > 0 ? surnames[0] : null,
                surnames.Count > 1 ? string.Join(' ', surnames.Skip(1)) : null);
        }

        var units = Units(TextNormalizer.Words(fullName, EnyeMode.Keep));
        var n = units.Count;
        if (order == NameOrder.GivenFirst)
        {
            return n switch
            {
                1 => new NormalizedName(units[0], null, null),
                2 => new NormalizedName(units[0], units[1], null),
                _ when LooksGiven(units[n - 2]) && LooksGiven(units[n - 3]) =>
                    new NormalizedName(string.Join(' ', units.Take(n - 1)), units[n - 1], null),
                _ => new NormalizedName(string.Join(' ', units.Take(n - 2)), units[n - 2], units[n - 1]),
            };
        }
        return n switch
        {
            1 => new NormalizedName(null, units[0], null),
            2 => new NormalizedName(units[1], units[0], null),
            _ when LooksGiven(units[1]) && LooksGiven(units[2]) =>
                new NormalizedName(string.Join(' ', units.Skip(1)), units[0], null),
            _ => new NormalizedName(string.Join(' ', units.Skip(2)), units[0], units[1]),
        };
    }

    /// <summary>Given-name words after abbreviation expansion and without particles (keys, Ñ folded).</summary>
    internal static List<string> GivenWords(string[] words)
    {
        var result = new List<string>(words.Length);
        for (var i = 0; i < words.Length; i++)
        {
            var w = words[i];
            if (IsParticle(w)) continue;
            if (NormalizationData.GivenAbbreviations.TryGetValue(w, out var full) && (w.Length > 1 || i == 0 && words.Length > 1))
            {
                foreach (var part in full.Split(' ')) result.Add(part);
                continue;
            }
            result.Add(w);
        }
        if (result.Count == 0) result.AddRange(words);
        return result;
    }

    internal static string SignificantOf(List<string> givenWords) => givenWords.Count switch
    {
        0 => string.Empty,
        1 => givenWords[0],
        _ => IsSkippable(givenWords[0]) ? givenWords[1] : givenWords[0],
    };

    private static bool IsSkippable(string word) => NormalizationData.GivenNameSkip.Contains(word);

    private static bool NicknameMatch(List<string> nickSide, List<string> other, string otherSignificant)
    {
        var otherJoined = string.Join(' ', other);
        var phrase = string.Join(' ', nickSide);
        foreach (var candidate in nickSide.Prepend(phrase))
        {
            if (!NormalizationData.Nicknames.TryGetValue(candidate, out var canonical)) continue;
            foreach (var c in canonical)
            {
                if (string.Equals(c, otherJoined, StringComparison.Ordinal) || string.Equals(c, otherSignificant, StringComparison.Ordinal))
                    return true;
                if (!c.Contains(' ', StringComparison.Ordinal) && other.Contains(c, StringComparer.Ordinal) && nickSide.Count == 1)
                    return true;
            }
        }
        return false;
    }

    private static bool LooksGiven(string unit)
    {
        var key = JoinKey(TextNormalizer.Words(unit), expandAbbreviations: true);
        return NormalizationData.CommonGivenNames.Contains(key) || NormalizationData.GivenNameSkip.Contains(key);
    }

    private static string JoinKey(string[] words, bool expandAbbreviations)
    {
        if (words.Length == 0) return string.Empty;
        if (expandAbbreviations) return string.Join(' ', GivenWords(words));
        var kept = words.Where(w => !IsParticle(w)).ToArray();
        return string.Join(' ', kept.Length == 0 ? words : kept);
    }

    /// <summary>Groups particles with the word that follows them; trailing particles join the last unit.</summary>
    private static List<string> Units(string[] words)
    {
        var units = new List<string>();
        var start = 0;
        for (var i = 0; i < words.Length; i++)
        {
            var folded = TextNormalizer.Normalize(words[i]);
            if (IsParticle(folded) && i < words.Length - 1) continue;
            units.Add(string.Join(' ', words, start, i - start + 1));
            start = i + 1;
        }
        if (start < words.Length)
        {
            var tail = string.Join(' ', words, start, words.Length - start);
            if (units.Count == 0) units.Add(tail);
            else units[^1] += " " + tail;
        }
        return units;
    }
}

/// <summary>
/// A person's name split into its parts, in display form (upper case, accents stripped,
/// Ñ and particles kept) and as matching keys (particles dropped, abbreviations expanded,
/// Ñ→N) plus Spanish phonetic keys. Built once per row; keys are computed in the constructor.
/// </summary>
public sealed record NormalizedName
{
    public NormalizedName(string? givenNames, string? paternal, string? maternal)
    {
        GivenNames = TextNormalizer.Normalize(givenNames, EnyeMode.Keep);
        Paternal = NullIfEmpty(TextNormalizer.Normalize(paternal, EnyeMode.Keep));
        Maternal = NullIfEmpty(TextNormalizer.Normalize(maternal, EnyeMode.Keep));
        GivenKey = PersonName.GivenKey(GivenNames);
        SignificantGivenName = PersonName.SignificantGivenName(GivenNames);
        PaternalKey = NullIfEmpty(PersonName.SurnameKey(Paternal));
        MaternalKey = NullIfEmpty(PersonName.SurnameKey(Maternal));
        GivenPhonetic = SpanishPhonetic.Encode(SignificantGivenName);
        PaternalPhonetic = PaternalKey is null ? null : SpanishPhonetic.Encode(PaternalKey);
        MaternalPhonetic = MaternalKey is null ? null : SpanishPhonetic.Encode(MaternalKey);
    }

    /// <summary>Given names, display form ("MARIA DE LOS ANGELES"); empty when unknown.</summary>
    public string GivenNames { get; }
    /// <summary>Paternal (first) surname, display form ("DE LA CRUZ"), or null.</summary>
    public string? Paternal { get; }
    /// <summary>Maternal (second) surname, display form ("NÚÑEZ" → "NUÑEZ"), or null when missing.</summary>
    public string? Maternal { get; }

    /// <summary>Given names key ("MARIA ANGELES").</summary>
    public string GivenKey { get; }
    /// <summary>The given name RENAPO would use ("ANGELES" for MARIA DE LOS ANGELES).</summary>
    public string SignificantGivenName { get; }
    /// <summary>Paternal surname key ("CRUZ"), or null.</summary>
    public string? PaternalKey { get; }
    /// <summary>Maternal surname key ("NUNEZ"), or null.</summary>
    public string? MaternalKey { get; }
    /// <summary>Spanish phonetic key of the significant given name.</summary>
    public string GivenPhonetic { get; }
    /// <summary>Spanish phonetic key of the paternal surname, or null.</summary>
    public string? PaternalPhonetic { get; }
    /// <summary>Spanish phonetic key of the maternal surname, or null.</summary>
    public string? MaternalPhonetic { get; }

    /// <summary>True when neither surname is known and there are no given names.</summary>
    public bool IsEmpty => GivenNames.Length == 0 && Paternal is null && Maternal is null;

    /// <summary>"GIVEN|PATERNAL|MATERNAL" keys, for exact-match blocking.</summary>
    public string FullKey => $"{GivenKey}|{PaternalKey}|{MaternalKey}";

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}

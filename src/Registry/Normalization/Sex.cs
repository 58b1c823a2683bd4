using System.Collections.Frozen;

namespace Registry.Normalization;

/// <summary>Sex as recorded by an agency (the CURP's H/M position and most registries).</summary>
public enum Sex
{
    /// <summary>Blank, unrecognised, non-binary/X, or ambiguous under the feed's convention.</summary>
    Unknown = 0,
    Female = 1,
    Male = 2,
}

/// <summary>What a bare single letter M (and F) means in a feed.</summary>
public enum SexConvention
{
    /// <summary>
    /// Nobody said: M is ambiguous (mujer in Spanish, male in English) and parses to
    /// <see cref="Sex.Unknown"/>. Unambiguous codes (H, F, V, MUJER, MASCULINO, 1/2…) still parse.
    /// </summary>
    Unspecified,
    /// <summary>Mexican/RENAPO convention: H = hombre, M = mujer (CURP position 11).</summary>
    Mexican,
    /// <summary>English convention: M = male, F = female.</summary>
    English,
}

/// <summary>
/// Sex codes from agency extracts → <see cref="Sex"/>. The trap is the letter M: one agency's
/// M is "mujer" (Mexican convention, as in the CURP), another's is "masculino"/"male". The
/// caller must therefore state the feed's <see cref="SexConvention"/> — there is no default
/// parameter — and may pass the feed's own value map, which wins over everything.
/// Words are matched after normalisation (MUJER, Mujer, mujer.; FEMENINO, FEM, F; HOMBRE,
/// MASCULINO, MASC, VARÓN, H). Numeric codes follow INEGI/DANE: 1 = male, 2 = female.
/// </summary>
public static class SexCodes
{
    private static readonly FrozenDictionary<string, Sex> Unambiguous = new Dictionary<string, Sex>(StringComparer.Ordinal)
    {
        ["H"] = Sex.Male, ["HOMBRE"] = Sex.Male, ["HOMBRES"] = Sex.Male, ["MASCULINO"] = Sex.Male, ["MASC"] = Sex.Male,
        ["MAS"] = Sex.Male, ["VARON"] = Sex.Male, ["V"] = Sex.Male, ["MALE"] = Sex.Male, ["MAN"] = Sex.Male,
        ["NINO"] = Sex.Male, ["1"] = Sex.Male, ["01"] = Sex.Male,
        ["F"] = Sex.Female, ["MUJER"] = Sex.Female, ["MUJERES"] = Sex.Female, ["FEMENINO"] = Sex.Female, ["FEM"] = Sex.Female,
        ["FEMALE"] = Sex.Female, ["WOMAN"] = Sex.Female, ["NINA"] = Sex.Female, ["2"] = Sex.Female, ["02"] = Sex.Female,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Parses a sex code. <paramref name="feedMap"/> (raw value → sex, matched after normalisation)
    /// is consulted first; then unambiguous codes; then M per <paramref name="convention"/>.
    /// </summary>
    public static Sex Parse(string? raw, SexConvention convention, IReadOnlyDictionary<string, Sex>? feedMap = null)
    {
        var key = TextNormalizer.Normalize(raw);
        if (key.Length == 0) return Sex.Unknown;
        if (feedMap is not null)
        {
            foreach (var (value, sex) in feedMap)
                if (string.Equals(TextNormalizer.Normalize(value), key, StringComparison.Ordinal)) return sex;
        }
        if (Unambiguous.TryGetValue(key, out var known)) return known;
        if (key == "M")
        {
            return convention switch
            {
                SexConvention.Mexican => Sex.Female,
                SexConvention.English => Sex.Male,
                _ => Sex.Unknown,
            };
        }
        return Sex.Unknown;
    }

    /// <summary>True when <paramref name="raw"/> is a bare M and the convention does not say what it means.</summary>
    public static bool IsAmbiguous(string? raw, SexConvention convention) =>
        convention == SexConvention.Unspecified && TextNormalizer.Normalize(raw) == "M";

    /// <summary>The CURP character for a sex (H/M), or null for unknown.</summary>
    public static char? CurpLetter(Sex sex) => sex switch
    {
        Sex.Male => 'H',
        Sex.Female => 'M',
        _ => null,
    };
}

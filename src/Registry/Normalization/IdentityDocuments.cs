using System.Collections.Frozen;

namespace Registry.Normalization;

/// <summary>
/// Typed identity documents: Colombia's cédula de ciudadanía (CC), tarjeta de identidad (TI, minors 7–17), registro
/// civil de nacimiento with its NUIP (RC), cédula de extranjería (CE), passport (PA), permiso por protección temporal
/// (PPT), and Mexico's CURP as a type too. A feed sends a type and a number (<c>document_type</c>,
/// <c>document_number</c>); a valid one travels as the row's other identifier in the typed form <c>CC:1036612345</c>
/// (a CURP goes to the CURP field, whose own rules apply).
/// <para>
/// Why types matter for matching. Since 2003 a child's registro civil carries a NUIP (10 digits) that the tarjeta de
/// identidad and then the cédula keep: one person's RC, TI and CC with the same number is a <b>succession</b>, the
/// same person at another age — full agreement, not a mismatch of types. Two different numbers of <b>different</b>
/// types are no evidence either way (a TI issued before the NUIP had its own number, and a cédula replaced it). Two
/// different valid numbers of the <b>same</b> type are two people: like two valid CURPs they never auto-merge
/// (hard rule 3; <see cref="Conflict"/>).
/// </para>
/// </summary>
public static class IdentityDocuments
{
    public const string CedulaCiudadania = "CC";
    public const string TarjetaIdentidad = "TI";
    public const string RegistroCivil = "RC";
    public const string CedulaExtranjeria = "CE";
    public const string Pasaporte = "PA";
    public const string PermisoProteccionTemporal = "PPT";
    public const string Curp = "CURP";

    /// <summary>Every type a feed may send (after its code list), as stored.</summary>
    public static readonly IReadOnlyList<string> Types =
        [CedulaCiudadania, TarjetaIdentidad, RegistroCivil, CedulaExtranjeria, Pasaporte, PermisoProteccionTemporal, Curp];

    /// <summary>The types that carry one NUIP through a person's life (RC → TI → CC).</summary>
    public static readonly IReadOnlySet<string> NuipSuccession = new HashSet<string>(StringComparer.Ordinal)
        { RegistroCivil, TarjetaIdentidad, CedulaCiudadania };

    // The names agencies write for each type, normalised (accents and dots dropped).
    private static readonly FrozenDictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["CC"] = CedulaCiudadania, ["CEDULA"] = CedulaCiudadania, ["CEDULA DE CIUDADANIA"] = CedulaCiudadania, ["CEDULA CIUDADANIA"] = CedulaCiudadania,
        ["TI"] = TarjetaIdentidad, ["TARJETA DE IDENTIDAD"] = TarjetaIdentidad, ["TARJETA IDENTIDAD"] = TarjetaIdentidad,
        ["RC"] = RegistroCivil, ["NUIP"] = RegistroCivil, ["REGISTRO CIVIL"] = RegistroCivil, ["REGISTRO CIVIL DE NACIMIENTO"] = RegistroCivil,
        ["CE"] = CedulaExtranjeria, ["CEDULA DE EXTRANJERIA"] = CedulaExtranjeria,
        ["PA"] = Pasaporte, ["PAS"] = Pasaporte, ["PASAPORTE"] = Pasaporte,
        ["PPT"] = PermisoProteccionTemporal, ["PEP"] = PermisoProteccionTemporal, ["PERMISO POR PROTECCION TEMPORAL"] = PermisoProteccionTemporal,
        ["CURP"] = Curp,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The canonical type an agency's text names (<c>C.C.</c>, <c>Cédula</c>, <c>NUIP</c> → CC, CC, RC), or null.</summary>
    public static string? ParseType(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var key = string.Join(' ', TextNormalizer.Words(text.Replace(".", "", StringComparison.Ordinal)));
        return Aliases.GetValueOrDefault(key);
    }

    /// <summary>
    /// Why <paramref name="number"/> is no valid document of <paramref name="type"/> (null when it is one), and the
    /// number as compared (<paramref name="clean"/>: digits only for the numeric types, upper-case letters and digits
    /// for a passport). A CURP is checked by <see cref="Normalization.Curp"/> instead.
    /// </summary>
    public static string? Problem(string type, string number, out string clean)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(number);
        var alnum = string.Concat(number.Where(char.IsAsciiLetterOrDigit)).ToUpperInvariant();
        clean = alnum;
        if (type == Pasaporte)
            return alnum.Length is < 5 or > 12 ? $"not a passport number: {alnum.Length} letters and digits, 5 to 12 expected"
                : Placeholder(alnum) ? "a placeholder, not a passport number" : null;
        if (type == Curp) return null;
        // Separators (1.036.612.345, 1036 612 345) are how people write numbers; letters are not.
        if (number.Any(c => char.IsLetter(c))) return $"not a {Name(type)}: letters in a number";
        var (min, max) = type switch
        {
            CedulaCiudadania => (5, 10),   // from 1952's few-digit numbers to today's 10
            TarjetaIdentidad => (10, 11),  // NUIP (10) or the older date-based number (11)
            RegistroCivil => (10, 11),     // NUIP (10) or the older date-based serial (11)
            CedulaExtranjeria => (4, 10),
            PermisoProteccionTemporal => (6, 10),
            _ => (5, 12),
        };
        if (alnum.Length < min || alnum.Length > max)
            return $"not a {Name(type)}: {alnum.Length} digits, {(min == max ? $"{min}" : $"{min} to {max}")} expected";
        if (alnum[0] == '0') return $"not a {Name(type)}: a leading zero";
        if (Placeholder(alnum)) return $"a placeholder, not a {Name(type)}";
        return null;
    }

    /// <summary>The typed form stored as the row's other identifier (<c>CC:1036612345</c>).</summary>
    public static string Typed(string type, string clean) => type + ":" + clean;

    /// <summary>Splits a typed identifier into type and number; an untyped one (NSS, FEBRL's soc_sec_id) has no type.</summary>
    public static (string? Type, string Number) Split(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && Types.Contains(id[..colon]) ? (id[..colon], id[(colon + 1)..]) : (null, id);
    }

    /// <summary>
    /// Two typed documents of the same type with different numbers: two people, whatever else agrees (hard rule 3).
    /// Every typed identifier that reaches matching was valid on reading (invalid ones are left out with a warning).
    /// </summary>
    public static bool Conflict(string? a, string? b)
    {
        if (a is null || b is null) return false;
        var (ta, na) = Split(a);
        var (tb, nb) = Split(b);
        return ta is not null && ta == tb && !string.Equals(na, nb, StringComparison.Ordinal);
    }

    /// <summary>
    /// How two identifiers agree: <c>1</c> same number (also RC → TI → CC, one NUIP carried on), <c>2</c> one edit,
    /// <c>3</c> different, <c>0</c> no evidence (missing, or different numbers of different types: a TI issued before
    /// the NUIP and the cédula that replaced it).
    /// </summary>
    public static byte Compare(string? a, string? b)
    {
        if (a is null || b is null) return 0;
        var (ta, na) = Split(a);
        var (tb, nb) = Split(b);
        if (ta is not null && tb is not null && ta != tb)
            return string.Equals(na, nb, StringComparison.Ordinal) && NuipSuccession.Contains(ta) && NuipSuccession.Contains(tb) ? (byte)1 : (byte)0;
        if (string.Equals(na, nb, StringComparison.Ordinal)) return 1;
        return EditDistance.DamerauLevenshtein(na, nb, 2) <= 1 ? (byte)2 : (byte)3;
    }

    private static bool Placeholder(string s) =>
        s.All(c => c == s[0]) || "1234567890123".StartsWith(s, StringComparison.Ordinal) || "0123456789".StartsWith(s, StringComparison.Ordinal);

    private static string Name(string type) => type switch
    {
        CedulaCiudadania => "cédula de ciudadanía",
        TarjetaIdentidad => "tarjeta de identidad",
        RegistroCivil => "registro civil / NUIP",
        CedulaExtranjeria => "cédula de extranjería",
        PermisoProteccionTemporal => "PPT",
        _ => type,
    };
}

using System.Collections.Frozen;
using System.Text;

namespace Registry.Normalization;

/// <summary>
/// An address reduced to the parts that identify a dwelling. Display forms are canonical text
/// (upper case, no accents, Ñ→N); <see cref="Number"/> is <see cref="Addresses.WithoutNumber"/>
/// for "S/N" (sin número).
/// </summary>
public sealed record NormalizedAddress(
    string? Street,
    string? Number,
    string? Interior,
    string? SettlementType,
    string? Colonia,
    string? PostalCode)
{
    /// <summary>True when the address says S/N (sin número).</summary>
    public bool HasNoNumber => Number == Addresses.WithoutNumber;

    /// <summary>
    /// Compact key "POSTALCODE|STREET|NUMBER|COLONIA": street and colonia without type words,
    /// particles or spaces ("CALLE DE LA PAZ" → "PAZ"), the interior left out.
    /// </summary>
    public string MatchKey =>
        $"{PostalCode}|{Addresses.CompactKey(Street, dropStreetTypes: true)}|{Number}|{Addresses.CompactKey(Colonia, dropStreetTypes: false)}";
}

/// <summary>
/// Free-text addresses from Mexican and Colombian extracts: expands the street-type
/// abbreviations (C./CALLE, AV./AVENIDA, BLVD., PRIV., CARR., CDA., CRA.…), finds the exterior
/// number (NO./NUM./#/a trailing number; S/N = sin número), the interior (INT./DEPTO.),
/// the colonia (COL., FRACC., BARRIO… or the unmarked second comma-separated part) and the
/// 5-digit postal code (C.P. or a trailing 5-digit group). Vocabulary in Data/address-words.txt.
/// Heuristic by nature: separate colonia/postal-code columns, when a feed has them, win.
/// </summary>
public static class Addresses
{
    /// <summary>The <see cref="NormalizedAddress.Number"/> of an address without number (S/N).</summary>
    public const string WithoutNumber = "SN";

    private const string Comma = ",";

    private static FrozenDictionary<string, string> StreetTypes => NormalizationData.AddressWords("street");
    private static FrozenDictionary<string, string> Settlements => NormalizationData.AddressWords("settlement");
    private static FrozenDictionary<string, string> NumberMarkers => NormalizationData.AddressWords("number");
    private static FrozenDictionary<string, string> InteriorMarkers => NormalizationData.AddressWords("interior");
    private static FrozenDictionary<string, string> PostalMarkers => NormalizationData.AddressWords("postal");
    private static FrozenDictionary<string, string> StopWords => NormalizationData.AddressWords("stop");

    /// <summary>
    /// Parses an address line; <paramref name="colonia"/> and <paramref name="postalCode"/> from
    /// separate columns take precedence over what is found in the line.
    /// </summary>
    public static NormalizedAddress Parse(string? line, string? colonia = null, string? postalCode = null)
    {
        var tokens = Tokenize(line);
        var used = new bool[tokens.Count];

        string? postal = FindPostalCode(tokens, used);
        var street = new List<string>();
        string? number = null;
        string? interior = null;
        string? settlementType = null;
        var coloniaWords = new List<string>();
        var mode = Mode.Street;
        var segment = 0;

        for (var i = 0; i < tokens.Count; i++)
        {
            if (used[i]) continue;
            var t = tokens[i];
            var next = i + 1 < tokens.Count && !used[i + 1] ? tokens[i + 1] : null;

            if (t == Comma)
            {
                if (mode == Mode.Street) number ??= PopTrailingNumber(street);
                segment++;
                mode = segment == 1 && coloniaWords.Count == 0 ? Mode.Colonia : Mode.Other;
                continue;
            }
            if (t == WithoutNumber)
            {
                number = WithoutNumber;
                continue;
            }
            if (NumberMarkers.ContainsKey(t) && next is not null && (StartsWithDigit(next) || next == WithoutNumber))
            {
                number = next;
                used[i + 1] = true;
                if (mode is Mode.Colonia && coloniaWords.Count > 0) mode = Mode.Other;
                continue;
            }
            if (InteriorMarkers.ContainsKey(t) && next is not null && next != Comma)
            {
                interior = next;
                used[i + 1] = true;
                continue;
            }
            if (t is "MZ" or "MZA" or "MANZANA" or "LT" or "LOTE" && next is not null && StartsWithDigit(next))
            {
                var part = (t.StartsWith('M') ? "MZ " : "LT ") + next;
                number = number is null || number == WithoutNumber ? part : number + " " + part;
                used[i + 1] = true;
                continue;
            }
            if (Settlements.TryGetValue(t, out var settlement))
            {
                if (mode == Mode.Street) number ??= PopTrailingNumber(street);
                settlementType = settlement;
                coloniaWords.Clear();
                mode = Mode.Colonia;
                // "UNIDAD HABITACIONAL", "U. HAB.": skip the rest of the type.
                while (i + 1 < tokens.Count && tokens[i + 1] is "HABITACIONAL" or "HAB") i++;
                continue;
            }

            switch (mode)
            {
                case Mode.Street:
                    street.Add(street.Count == 0 && StreetTypes.TryGetValue(t, out var type) ? type : t);
                    break;
                case Mode.Colonia:
                    coloniaWords.Add(t);
                    break;
            }
        }
        if (mode == Mode.Street) number ??= PopTrailingNumber(street);

        if (!string.IsNullOrWhiteSpace(colonia))
        {
            var separate = Parse("X, " + colonia);
            coloniaWords = separate.Colonia is null ? [] : [separate.Colonia];
            settlementType = separate.SettlementType ?? settlementType;
        }
        var postalColumn = ExtractPostalCode(postalCode);
        if (postalColumn is not null) postal = postalColumn;

        if (settlementType is null && coloniaWords.Count > 0) settlementType = "COLONIA";
        return new NormalizedAddress(
            street.Count == 0 ? null : string.Join(' ', street),
            number,
            interior,
            coloniaWords.Count == 0 ? null : settlementType,
            coloniaWords.Count == 0 ? null : string.Join(' ', coloniaWords),
            postal);
    }

    /// <summary>Expands the street type and canonicalises a street name ("Av. Juárez" → "AVENIDA JUAREZ").</summary>
    public static string NormalizeStreet(string? street)
    {
        var tokens = Tokenize(street).Where(t => t != Comma).ToList();
        if (tokens.Count > 0 && StreetTypes.TryGetValue(tokens[0], out var type)) tokens[0] = type;
        return string.Join(' ', tokens);
    }

    /// <summary>A 5-digit postal code in the text (after C.P. if present), or null.</summary>
    public static string? ExtractPostalCode(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var tokens = Tokenize(text);
        // A column holding the code alone: five digits (four when a spreadsheet dropped the leading zero); zeros only are a placeholder.
        if (tokens.Count == 1 && tokens[0].Length is 4 or 5 && IsDigits(tokens[0]))
            return tokens[0].Trim('0').Length == 0 ? null : tokens[0].PadLeft(5, '0');
        return FindPostalCode(tokens, new bool[tokens.Count]);
    }

    /// <summary>
    /// The colonia (barrio, fraccionamiento) as one comparable key: its settlement word (COL., FRACC.) dropped, then
    /// <see cref="CompactKey"/> ("COL. LAS CUMBRES" and "Las Cumbres" → "CUMBRES"); null when there is none. The one rule for
    /// matching's colonia and a household's address.
    /// </summary>
    public static string? ColoniaKey(string? colonia) =>
        string.IsNullOrWhiteSpace(colonia) || Parse(null, colonia).Colonia is not { Length: > 0 } c ? null : CompactKey(c, dropStreetTypes: false);

    public static string CompactKey(string? text, bool dropStreetTypes)
    {
        if (string.IsNullOrEmpty(text)) return string.Empty;
        var sb = new StringBuilder(text.Length);
        var words = text.Split(' ');
        var kept = 0;
        for (var i = 0; i < words.Length; i++)
        {
            var w = words[i];
            if (StopWords.ContainsKey(w)) continue;
            if (dropStreetTypes && i == 0 && StreetTypes.ContainsKey(w) && words.Length > 1) continue;
            sb.Append(w);
            kept++;
        }
        return kept == 0 ? text.Replace(" ", "", StringComparison.Ordinal) : sb.ToString();
    }

    private enum Mode { Street, Colonia, Other }

    private static string? FindPostalCode(List<string> tokens, bool[] used)
    {
        for (var i = 0; i < tokens.Count - 1; i++)
        {
            if (!PostalMarkers.ContainsKey(tokens[i])) continue;
            var j = i + 1;
            if (tokens[j] == "POSTAL" && j + 1 < tokens.Count) j++;
            if (tokens[j].Length == 5 && IsDigits(tokens[j]))
            {
                for (var k = i; k <= j; k++) used[k] = true;
                return tokens[j];
            }
        }
        // Unmarked: a 5-digit group closing a comma-separated part, not after a number marker,
        // and not the first number of the first part (that is the house number).
        var firstNumberSeen = false;
        var segment = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t == Comma) { segment++; continue; }
            var isNumber = StartsWithDigit(t);
            var endsPart = i + 1 == tokens.Count || tokens[i + 1] == Comma;
            var afterMarker = i > 0 && NumberMarkers.ContainsKey(tokens[i - 1]);
            if (isNumber && t.Length == 5 && IsDigits(t) && endsPart && !afterMarker && (segment > 0 || firstNumberSeen))
            {
                used[i] = true;
                return t;
            }
            if (isNumber && segment == 0) firstNumberSeen = true;
        }
        return null;
    }

    private static string? PopTrailingNumber(List<string> street)
    {
        if (street.Count < 2) return null;
        var last = street[^1];
        // "123 B" → 123B
        if (last.Length == 1 && char.IsAsciiLetter(last[0]) && street.Count >= 3 && IsDigits(street[^2]) && HasNameBefore(street, street.Count - 2))
        {
            var withLetter = street[^2] + last;
            street.RemoveRange(street.Count - 2, 2);
            return withLetter;
        }
        if (!StartsWithDigit(last) || !HasNameBefore(street, street.Count - 1)) return null;
        street.RemoveAt(street.Count - 1);
        return last;
    }

    private static bool HasNameBefore(List<string> street, int end)
    {
        for (var i = 0; i < end; i++)
        {
            if (i == 0 && StreetTypes.ContainsKey(street[i])) continue;
            if (!StartsWithDigit(street[i]) && !StopWords.ContainsKey(street[i])) return true;
        }
        return false;
    }

    /// <summary>Canonical tokens; ',' kept as a token, '#' kept, S/N and SIN NUMERO → SN, C.P. → CP, 12-B → 12B.</summary>
    private static List<string> Tokenize(string? text)
    {
        var tokens = new List<string>();
        if (string.IsNullOrWhiteSpace(text)) return tokens;
        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = char.ToUpperInvariant(text[i]);
            var letter = c == 'Ñ' ? 'N' : TextNormalizer.FoldLetter(c);
            if (letter != '\0' || char.IsAsciiDigit(c))
            {
                current.Append(letter != '\0' ? letter : c);
                continue;
            }
            if (c == '-' && current.Length > 0 && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]))
            {
                // 12-B → 12B; 12-30 (Colombian plate) keeps its dash.
                if (char.IsAsciiDigit(current[^1]) && char.IsAsciiDigit(text[i + 1])) current.Append('-');
                continue;
            }
            if (c is '\'' or '’') continue;
            Flush(current, tokens);
            if (c is ',' or ';') tokens.Add(Comma);
            else if (c is '#' or '/') tokens.Add(c.ToString());
        }
        Flush(current, tokens);

        // Multi-token forms.
        var merged = new List<string>(tokens.Count);
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            var next = i + 1 < tokens.Count ? tokens[i + 1] : null;
            var next2 = i + 2 < tokens.Count ? tokens[i + 2] : null;
            if (t == "S" && next == "/" && next2 == "N") { merged.Add(WithoutNumber); i += 2; continue; }
            if (t == "S" && next == "N") { merged.Add(WithoutNumber); i++; continue; }
            if (t == "SIN" && next is "NUMERO" or "NUM" or "NO") { merged.Add(WithoutNumber); i++; continue; }
            if (t == "C" && next == "P") { merged.Add("CP"); i++; continue; }
            if (t == "/") continue;
            merged.Add(t);
        }
        return merged;
    }

    private static void Flush(StringBuilder current, List<string> tokens)
    {
        if (current.Length == 0) return;
        tokens.Add(current.ToString());
        current.Clear();
    }

    private static bool StartsWithDigit(string s) => s.Length > 0 && char.IsAsciiDigit(s[0]);

    private static bool IsDigits(string s)
    {
        foreach (var c in s) if (!char.IsAsciiDigit(c)) return false;
        return s.Length > 0;
    }
}

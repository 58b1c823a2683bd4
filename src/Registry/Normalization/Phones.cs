namespace Registry.Normalization;

/// <summary>
/// Phone numbers from Mexican and Colombian extracts reduced to their 10 national digits, so
/// "+52 1 (81) 1234-5678", "044 81 1234 5678" and "8112345678" are one key. Strips the
/// country codes +52/52 (and the old mobile "1" after 52), +57/57, the retired Mexican mobile
/// prefixes 044/045 and long-distance 01, keeps the last 10 digits; text after the number
/// (EXT 12) is ignored. A number is valid when it has 10 digits, does not start with 0 or 1
/// and is not a placeholder (all one digit, 1234567890).
/// </summary>
public static class Phones
{
    /// <summary>The 10 national digits, or null when fewer than 10 digits are present.</summary>
    public static string? Normalize(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        Span<char> digits = stackalloc char[32];
        var n = 0;
        foreach (var c in raw)
        {
            if (char.IsAsciiDigit(c))
            {
                if (n == digits.Length) break;
                digits[n++] = c;
            }
            else if (char.IsLetter(c) && n >= 10) break; // extension: "EXT 12", "x12"
        }
        ReadOnlySpan<char> d = digits[..n];
        if (d.Length > 10)
        {
            if (d.Length == 13 && d.StartsWith("521")) d = d[3..];
            else if (d.Length == 13 && (d.StartsWith("044") || d.StartsWith("045"))) d = d[3..];
            else if (d.Length == 12 && (d.StartsWith("52") || d.StartsWith("57") || d.StartsWith("01"))) d = d[2..];
            else if (d.Length == 14 && (d.StartsWith("0052") || d.StartsWith("0057"))) d = d[4..];
            else d = d[^10..];
        }
        return d.Length == 10 ? new string(d) : null;
    }

    /// <summary>True for a plausible 10-digit national number (see the type summary).</summary>
    public static bool IsValid(string? normalized)
    {
        if (normalized is null || normalized.Length != 10) return false;
        foreach (var c in normalized) if (!char.IsAsciiDigit(c)) return false;
        if (normalized[0] is '0' or '1') return false;
        if (normalized.AsSpan().IndexOfAnyExcept(normalized[0]) < 0) return false;
        return normalized is not ("1234567890" or "0123456789" or "9876543210");
    }
}

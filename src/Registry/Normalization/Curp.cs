namespace Registry.Normalization;

/// <summary>
/// Mexican CURP (Clave Única de Registro de Población): 18 characters —
/// 4 name letters, YYMMDD birth date, sex (H/M), 2-letter state, 3 internal consonants,
/// 1 homonym character (digit before 2000, letter from 2000) and a check digit.
/// A CURP that fails structure or check digit is never used as an identity key.
/// </summary>
public static partial class Curp
{
    // Alphabet of the check-digit algorithm: 0-9, A-N, Ñ, O-Z (Ñ = 24).
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ";

    private static readonly HashSet<string> States =
    [
        "AS", "BC", "BS", "CC", "CL", "CM", "CS", "CH", "DF", "DG", "GT", "GR", "HG", "JC", "MC", "MN", "MS",
        "NT", "NL", "OC", "PL", "QT", "QR", "SP", "SL", "SR", "TC", "TS", "TL", "VZ", "YN", "ZS", "NE",
    ];

    /// <summary>Upper-cases and strips spaces; returns null for blank input.</summary>
    public static string? Clean(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        Span<char> buffer = stackalloc char[raw.Length];
        var n = 0;
        foreach (var c in raw)
        {
            if (char.IsWhiteSpace(c) || c == '-') continue;
            buffer[n++] = char.ToUpperInvariant(c);
        }
        return n == 0 ? null : new string(buffer[..n]);
    }

    /// <summary>Check digit over the first 17 characters, or -1 when a character is outside the alphabet.</summary>
    public static int CheckDigit(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var value = Alphabet.IndexOf(first17[i]);
            if (value < 0) return -1;
            sum += value * (18 - i);
        }
        return (10 - sum % 10) % 10;
    }

    /// <summary>Structure (letters, a past birth date, sex, state, consonants, homonym) and check digit.</summary>
    public static bool IsValid(string? curp)
    {
        if (curp is null || curp.Length != 18) return false;
        for (var i = 0; i < 4; i++) if (!IsLetter(curp[i])) return false;
        for (var i = 4; i < 10; i++) if (!char.IsAsciiDigit(curp[i])) return false;
        if (curp[10] is not ('H' or 'M')) return false;
        if (!States.Contains(curp.Substring(11, 2))) return false;
        for (var i = 13; i < 16; i++) if (!IsLetter(curp[i])) return false;
        if (!char.IsAsciiDigit(curp[16]) && !IsLetter(curp[16])) return false;
        if (!char.IsAsciiDigit(curp[17])) return false;
        // A letter for a digit in the homonym character keeps the check digit when the two are 5 apart (O for 0, as OCR
        // reads it) and moves the birth a century on: a CURP cannot be issued for a birth still to come.
        if (BirthDate(curp) is not { } born || born > DateOnly.FromDateTime(DateTime.UtcNow)) return false;
        return CheckDigit(curp) == curp[17] - '0';
    }

    /// <summary>Birth date encoded in positions 5–10; the homonym character tells the century.</summary>
    public static DateOnly? BirthDate(string curp)
    {
        if (curp.Length < 17) return null;
        for (var i = 4; i < 10; i++) if (!char.IsAsciiDigit(curp[i])) return null; // an OCR'd O for 0 is no date
        var yy = (curp[4] - '0') * 10 + (curp[5] - '0');
        var mm = (curp[6] - '0') * 10 + (curp[7] - '0');
        var dd = (curp[8] - '0') * 10 + (curp[9] - '0');
        var year = (char.IsAsciiDigit(curp[16]) ? 1900 : 2000) + yy;
        if (mm is < 1 or > 12 || dd < 1 || dd > DateTime.DaysInMonth(year, mm)) return null;
        return new DateOnly(year, mm, dd);
    }

    private static bool IsLetter(char c) => c is >= 'A' and <= 'Z' or 'Ñ';
}

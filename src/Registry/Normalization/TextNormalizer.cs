using System.Buffers;
using System.Globalization;
using System.Text;

namespace Registry.Normalization;

/// <summary>What to do with Ñ when folding text.</summary>
public enum EnyeMode
{
    /// <summary>Ñ → N: matching keys, because many extracts already lost the tilde.</summary>
    FoldToN,
    /// <summary>Keep Ñ: display forms and CURP check-digit input.</summary>
    Keep,
    /// <summary>Ñ → X: RENAPO's rule when deriving CURP letters.</summary>
    ToX,
}

/// <summary>
/// One canonical spelling for free text coming from agency extracts: upper case, accents
/// stripped (Á→A, Ü→U, also decomposed input), Ñ per <see cref="EnyeMode"/>, punctuation
/// turned into word breaks (apostrophes simply dropped: D'ANGELO → DANGELO), whitespace
/// collapsed and trimmed. Every other normaliser builds on this, so two spellings of the
/// same name differ only in what really differs. Allocation-free when the input is already
/// canonical.
/// </summary>
public static class TextNormalizer
{
    /// <summary>Canonical form, or an empty string for null/blank input.</summary>
    public static string Normalize(string? text, EnyeMode enye = EnyeMode.FoldToN)
    {
        if (string.IsNullOrEmpty(text)) return string.Empty;
        char[]? rented = null;
        var capacity = text.Length * 2;
        Span<char> buffer = capacity <= 512 ? stackalloc char[capacity] : (rented = ArrayPool<char>.Shared.Rent(capacity));
        try
        {
            var n = Normalize(text, buffer, enye);
            var result = buffer[..n];
            return result.SequenceEqual(text) ? text : new string(result);
        }
        finally
        {
            if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Writes the canonical form of <paramref name="text"/> into <paramref name="destination"/>
    /// (which must hold 2 × the input length) and returns the number of characters written.
    /// </summary>
    public static int Normalize(ReadOnlySpan<char> text, Span<char> destination, EnyeMode enye = EnyeMode.FoldToN)
    {
        var n = 0;
        var pendingSpace = false;
        foreach (var raw in text)
        {
            var c = char.ToUpperInvariant(raw);
            if (c is >= 'A' and <= 'Z' or >= '0' and <= '9')
            {
                Emit(ref n, ref pendingSpace, destination, c);
                continue;
            }
            if (c is '\'' or '’' or '‘' or '`' or '´') continue;
            if (c == '\u0303' && n > 0 && destination[n - 1] == 'N')
            {
                // Decomposed Ñ (N + combining tilde).
                destination[n - 1] = Enye(enye);
                continue;
            }
            if (c < 128)
            {
                pendingSpace = n > 0;
                continue;
            }
            if (CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark)
                continue;
            switch (c)
            {
                case 'Ñ':
                    Emit(ref n, ref pendingSpace, destination, Enye(enye));
                    continue;
                case 'Æ':
                    Emit(ref n, ref pendingSpace, destination, 'A');
                    destination[n++] = 'E';
                    continue;
                case 'Œ':
                    Emit(ref n, ref pendingSpace, destination, 'O');
                    destination[n++] = 'E';
                    continue;
                case 'ß':
                    Emit(ref n, ref pendingSpace, destination, 'S');
                    destination[n++] = 'S';
                    continue;
            }
            var folded = FoldLetter(c);
            if (folded != '\0') Emit(ref n, ref pendingSpace, destination, folded);
            else pendingSpace = n > 0;
        }
        return n;
    }

    /// <summary>
    /// The letter without its accent (Á→A, Ü→U, Ç→C), or '\0' when <paramref name="upper"/>
    /// is not a letter. Expects an upper-case character; Ñ is left to the caller.
    /// </summary>
    public static char FoldLetter(char upper)
    {
        switch (upper)
        {
            case >= 'A' and <= 'Z': return upper;
            case 'À' or 'Á' or 'Â' or 'Ã' or 'Ä' or 'Å': return 'A';
            case 'Ç': return 'C';
            case 'È' or 'É' or 'Ê' or 'Ë': return 'E';
            case 'Ì' or 'Í' or 'Î' or 'Ï': return 'I';
            case 'Ð': return 'D';
            case 'Ò' or 'Ó' or 'Ô' or 'Õ' or 'Ö' or 'Ø': return 'O';
            case 'Ù' or 'Ú' or 'Û' or 'Ü': return 'U';
            case 'Ý' or 'Ÿ': return 'Y';
        }
        if (upper < 128 || !char.IsLetter(upper)) return '\0';
        // Rare letters (Ł, Š, Ő…): take the base letter of the canonical decomposition.
        var decomposed = upper.ToString().Normalize(NormalizationForm.FormD);
        var first = char.ToUpperInvariant(decomposed[0]);
        return first is >= 'A' and <= 'Z' ? first : '\0';
    }

    /// <summary>The words of the canonical form; empty for blank input.</summary>
    public static string[] Words(string? text, EnyeMode enye = EnyeMode.FoldToN)
    {
        var normalized = Normalize(text, enye);
        return normalized.Length == 0 ? [] : normalized.Split(' ');
    }

    private static char Enye(EnyeMode mode) => mode switch
    {
        EnyeMode.Keep => 'Ñ',
        EnyeMode.ToX => 'X',
        _ => 'N',
    };

    private static void Emit(ref int n, ref bool pendingSpace, Span<char> destination, char c)
    {
        if (pendingSpace)
        {
            destination[n++] = ' ';
            pendingSpace = false;
        }
        destination[n++] = c;
    }
}

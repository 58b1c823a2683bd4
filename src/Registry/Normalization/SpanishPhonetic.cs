namespace Registry.Normalization;

/// <summary>
/// Phonetic key for Spanish names: a "sounds-like" respelling that merges the letters
/// Mexican and Colombian clerks confuse when they type what they hear — B/V/W, C/S/Z (soft C),
/// hard C/K/QU, G/J before E/I (and silent U in GUE/GUI), LL/Y, silent H, X (initial XI/XE/XA
/// as J, other initial X as S, medial X as KS), PH/F, final or pre-consonant Y as I — and
/// collapses doubled letters. Unlike Soundex it keeps vowels, which are rarely mistyped in
/// Spanish and carry most of the distinction between short names. Each word is encoded on its
/// own and the codes are joined by a space: VELÁZQUEZ, VELASQUEZ and BELASQUES all give BELASKES.
/// </summary>
public static class SpanishPhonetic
{
    /// <summary>Phonetic key of a name (any case, accents, punctuation); empty for blank input.</summary>
    public static string Encode(string? text)
    {
        var normalized = TextNormalizer.Normalize(text);
        if (normalized.Length == 0) return string.Empty;
        Span<char> buffer = normalized.Length <= 256 ? stackalloc char[normalized.Length * 2] : new char[normalized.Length * 2];
        var n = 0;
        foreach (var range in normalized.AsSpan().Split(' '))
        {
            var word = normalized.AsSpan(range);
            if (n > 0) buffer[n++] = ' ';
            var written = EncodeWord(word, buffer[n..]);
            if (written == 0 && n > 0) n--;
            n += written;
        }
        return new string(buffer[..n]);
    }

    /// <summary>Encodes one canonical word (A–Z only; see <see cref="TextNormalizer"/>) into <paramref name="destination"/> (2 × length).</summary>
    public static int EncodeWord(ReadOnlySpan<char> word, Span<char> destination)
    {
        var n = 0;
        var i = 0;
        while (i < word.Length)
        {
            var c = word[i];
            var next = i + 1 < word.Length ? word[i + 1] : '\0';
            var next2 = i + 2 < word.Length ? word[i + 2] : '\0';
            switch (c)
            {
                case 'A' or 'E' or 'I' or 'O' or 'U':
                    Put(destination, ref n, c);
                    break;
                case 'B' or 'V' or 'W':
                    Put(destination, ref n, 'B');
                    break;
                case 'C':
                    if (next == 'H')
                    {
                        Put(destination, ref n, 'C');
                        Put(destination, ref n, 'H');
                        i += 2;
                        continue;
                    }
                    Put(destination, ref n, next is 'E' or 'I' ? 'S' : 'K');
                    break;
                case 'Q':
                    Put(destination, ref n, 'K');
                    if (next == 'U') i++;
                    break;
                case 'K':
                    Put(destination, ref n, 'K');
                    break;
                case 'G':
                    if (next is 'E' or 'I') Put(destination, ref n, 'J');
                    else
                    {
                        Put(destination, ref n, 'G');
                        if (next == 'U' && next2 is 'E' or 'I') i++;
                    }
                    break;
                case 'H':
                    break;
                case 'L':
                    if (next == 'L')
                    {
                        Put(destination, ref n, 'Y');
                        i += 2;
                        continue;
                    }
                    Put(destination, ref n, 'L');
                    break;
                case 'Y':
                    Put(destination, ref n, IsVowel(next) ? 'Y' : 'I');
                    break;
                case 'Z' or 'S':
                    Put(destination, ref n, 'S');
                    break;
                case 'X':
                    if (i == 0) Put(destination, ref n, next is 'A' or 'E' or 'I' ? 'J' : 'S');
                    else
                    {
                        Put(destination, ref n, 'K');
                        Put(destination, ref n, 'S');
                    }
                    break;
                case 'P':
                    if (next == 'H')
                    {
                        Put(destination, ref n, 'F');
                        i += 2;
                        continue;
                    }
                    Put(destination, ref n, 'P');
                    break;
                case >= 'A' and <= 'Z':
                    Put(destination, ref n, c);
                    break;
                case 'Ñ':
                    Put(destination, ref n, 'N');
                    break;
            }
            i++;
        }
        return n;
    }

    private static bool IsVowel(char c) => c is 'A' or 'E' or 'I' or 'O' or 'U';

    private static void Put(Span<char> destination, ref int n, char code)
    {
        if (n > 0 && destination[n - 1] == code) return;
        destination[n++] = code;
    }
}

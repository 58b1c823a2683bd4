namespace Registry.Normalization;

/// <summary>
/// Jaro–Winkler similarity, the standard string comparator of record linkage (Winkler 1990):
/// tolerant of transpositions and rewarding a common prefix, which suits names where typos
/// cluster at the end. Prefix scale 0.1, prefix capped at 4. Ordinal comparison: normalise first.
/// Allocation-free for strings up to 256 characters.
/// </summary>
public static class JaroWinkler
{
    /// <summary>Weight given to each common prefix character.</summary>
    public const double PrefixScale = 0.1;
    /// <summary>Longest prefix that earns the bonus.</summary>
    public const int MaxPrefix = 4;

    /// <summary>Similarity in [0, 1]: 1 for equal strings (two empty strings included), 0 when one is empty.</summary>
    public static double Similarity(string? a, string? b) => Similarity(a.AsSpan(), b.AsSpan());

    /// <inheritdoc cref="Similarity(string?, string?)"/>
    public static double Similarity(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var jaro = Jaro(a, b);
        if (jaro <= 0) return jaro;
        var prefix = 0;
        var limit = Math.Min(MaxPrefix, Math.Min(a.Length, b.Length));
        while (prefix < limit && a[prefix] == b[prefix]) prefix++;
        return jaro + prefix * PrefixScale * (1 - jaro);
    }

    /// <summary>Plain Jaro similarity in [0, 1].</summary>
    public static double Jaro(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.Length == 0 && b.Length == 0) return 1;
        if (a.Length == 0 || b.Length == 0) return 0;
        if (a.SequenceEqual(b)) return 1;

        var window = Math.Max(0, Math.Max(a.Length, b.Length) / 2 - 1);
        Span<bool> aMatched = a.Length <= 256 ? stackalloc bool[a.Length] : new bool[a.Length];
        Span<bool> bMatched = b.Length <= 256 ? stackalloc bool[b.Length] : new bool[b.Length];

        var matches = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var start = Math.Max(0, i - window);
            var end = Math.Min(b.Length - 1, i + window);
            for (var j = start; j <= end; j++)
            {
                if (bMatched[j] || a[i] != b[j]) continue;
                aMatched[i] = bMatched[j] = true;
                matches++;
                break;
            }
        }
        if (matches == 0) return 0;

        var transpositions = 0;
        var k = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (!aMatched[i]) continue;
            while (!bMatched[k]) k++;
            if (a[i] != b[k]) transpositions++;
            k++;
        }
        double m = matches;
        return (m / a.Length + m / b.Length + (m - transpositions / 2.0) / m) / 3.0;
    }
}

namespace Registry.Normalization;

/// <summary>
/// Levenshtein and Damerau (optimal string alignment) distances with an early exit: callers
/// only care whether two keys are within a small budget (1–2 edits), so the computation stops
/// as soon as every cell of a row exceeds <c>max</c> and returns <c>max + 1</c>.
/// Allocation-free for strings up to 255 characters.
/// </summary>
public static class EditDistance
{
    /// <summary>Insertions, deletions and substitutions; <paramref name="max"/> + 1 when the distance exceeds it.</summary>
    public static int Levenshtein(ReadOnlySpan<char> a, ReadOnlySpan<char> b, int max = int.MaxValue - 1) =>
        Compute(a, b, max, transpositions: false);

    /// <summary>As <see cref="Levenshtein"/> but an adjacent transposition (PEREZ/PERZE) costs 1.</summary>
    public static int DamerauLevenshtein(ReadOnlySpan<char> a, ReadOnlySpan<char> b, int max = int.MaxValue - 1) =>
        Compute(a, b, max, transpositions: true);

    /// <inheritdoc cref="Levenshtein(ReadOnlySpan{char}, ReadOnlySpan{char}, int)"/>
    public static int Levenshtein(string? a, string? b, int max = int.MaxValue - 1) => Levenshtein(a.AsSpan(), b.AsSpan(), max);

    /// <inheritdoc cref="DamerauLevenshtein(ReadOnlySpan{char}, ReadOnlySpan{char}, int)"/>
    public static int DamerauLevenshtein(string? a, string? b, int max = int.MaxValue - 1) => DamerauLevenshtein(a.AsSpan(), b.AsSpan(), max);

    private static int Compute(ReadOnlySpan<char> a, ReadOnlySpan<char> b, int max, bool transpositions)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        // Common prefix and suffix never cost anything.
        while (a.Length > 0 && b.Length > 0 && a[0] == b[0]) { a = a[1..]; b = b[1..]; }
        while (a.Length > 0 && b.Length > 0 && a[^1] == b[^1]) { a = a[..^1]; b = b[..^1]; }
        if (Math.Abs(a.Length - b.Length) > max) return max + 1;
        if (a.Length == 0) return b.Length;
        if (b.Length == 0) return a.Length;

        var width = b.Length + 1;
        Span<int> rows = width * 3 <= 768 ? stackalloc int[width * 3] : new int[width * 3];
        var before = rows[..width];
        var previous = rows.Slice(width, width);
        var current = rows.Slice(2 * width, width);
        for (var j = 0; j < width; j++) previous[j] = j;

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMin = i;
            for (var j = 1; j < width; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var value = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (transpositions && i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    value = Math.Min(value, before[j - 2] + 1);
                current[j] = value;
                if (value < rowMin) rowMin = value;
            }
            if (rowMin > max) return max + 1;
            var recycled = before;
            before = previous;
            previous = current;
            current = recycled;
        }
        var distance = previous[width - 1];
        return distance > max ? max + 1 : distance;
    }
}

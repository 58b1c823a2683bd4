namespace Registry.Coverage;

/// <summary>
/// Small-cell suppression for published counts. A count 1 … k−1 is hidden (primary suppression: it could
/// single out a family); zero stays visible (it names nobody). Counts tied by one linear relation — the areas
/// of a territory and its total, new + returning = reached, none + one + several = households — form a
/// <em>group</em>: if exactly one count of a group were hidden, the others would give it back (a total minus
/// the rest), so a second count of that group is hidden too, the smallest non-zero one first (complementary
/// suppression). Repeated until no group has exactly one hidden count. Pure logic: the API builds the cells
/// and groups of each table it publishes.
/// </summary>
public static class SmallCellSuppression
{
    public const int DefaultMinimum = 5;

    /// <param name="values">Every count published together (one index per cell).</param>
    /// <param name="groups">Indexes of cells tied by one linear relation.</param>
    /// <param name="minimum">k: counts below it (but above zero) are hidden.</param>
    /// <returns>For each cell, whether it is hidden.</returns>
    public static bool[] Apply(IReadOnlyList<long> values, IEnumerable<IReadOnlyList<int>> groups, int minimum)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(groups);
        var hidden = new bool[values.Count];
        for (var i = 0; i < values.Count; i++) hidden[i] = values[i] > 0 && values[i] < minimum;
        var all = groups.Where(g => g.Count > 1).ToList();
        bool changed;
        do
        {
            changed = false;
            foreach (var group in all)
            {
                var count = 0;
                foreach (var i in group) if (hidden[i]) count++;
                if (count != 1) continue;
                // The smallest visible non-zero count of the group, else the smallest visible one.
                var pick = -1;
                foreach (var i in group)
                {
                    if (hidden[i]) continue;
                    if (pick < 0 || Rank(values[i]) < Rank(values[pick])) pick = i;
                }
                if (pick < 0) continue;
                hidden[pick] = true;
                changed = true;
            }
        } while (changed);
        return hidden;
    }

    private static long Rank(long value) => value == 0 ? long.MaxValue : value;

    /// <summary>How a hidden count reads: "&lt;5" for k = 5.</summary>
    public static string HiddenText(int minimum) => "<" + minimum.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

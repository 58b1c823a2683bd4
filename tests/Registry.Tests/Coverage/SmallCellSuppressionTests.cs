using Registry.Coverage;

namespace Registry.Tests.Coverage;

public sealed class SmallCellSuppressionTests
{
    [Fact]
    public void A_count_below_five_is_hidden_and_zero_and_five_are_shown()
    {
        var hidden = SmallCellSuppression.Apply([0, 1, 4, 5, 120], [], 5);
        Assert.Equal([false, true, true, false, false], hidden);
    }

    [Fact]
    public void A_lone_small_area_hides_a_second_area_so_the_total_minus_the_others_does_not_give_it_back()
    {
        // Areas 3, 40, 12, 9 and their total 64: with only the 3 hidden, 64 − 40 − 12 − 9 = 3.
        long[] values = [3, 40, 12, 9, 64];
        var hidden = SmallCellSuppression.Apply(values, [[0, 1, 2, 3, 4]], 5);
        Assert.True(hidden[0]);
        Assert.Equal(2, hidden.Count(h => h));
        // The smallest other area is the one hidden with it.
        Assert.True(hidden[3]);
        Assert.False(hidden[4]);
    }

    [Fact]
    public void Two_small_areas_already_protect_each_other()
    {
        var hidden = SmallCellSuppression.Apply([2, 3, 50, 55], [[0, 1, 2, 3]], 5);
        Assert.Equal([true, true, false, false], hidden);
    }

    [Fact]
    public void Suppression_spreads_across_tables_that_share_a_count_until_no_relation_has_a_single_hidden_count()
    {
        // Rows: area A (new 2, returning 30, reached 32), area B (new 20, returning 25, reached 45); totals 22, 55, 77.
        // Groups: each row (new + returning = reached) and each column (A + B = total).
        long[] v = [2, 30, 32, 20, 25, 45, 22, 55, 77];
        int[][] groups = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6], [1, 4, 7], [2, 5, 8]];
        var hidden = SmallCellSuppression.Apply(v, groups, 5);
        Assert.True(hidden[0]);
        foreach (var g in groups) Assert.NotEqual(1, g.Count(i => hidden[i]));
    }

    [Fact]
    public void Hidden_counts_read_as_less_than_k()
    {
        Assert.Equal("<5", SmallCellSuppression.HiddenText(5));
        Assert.Equal("<10", SmallCellSuppression.HiddenText(10));
    }
}

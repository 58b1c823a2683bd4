using Registry.Matching;
using Xunit.Abstractions;

namespace Registry.Tests.Matching;

/// <summary>
/// EM trained on a synthetic registry's own records (20k rows of the hard profile, in memory, as the
/// workers' candidate index holds them) against the starting values, on the candidate pairs that
/// blocking gives, with the truth known. The earlier trainer linked 8 pairs of different persons
/// here where the starting values link 3 (docs/measurements.md, 2026-12-06).
/// </summary>
public sealed class EmOnSyntheticPopulationTests(ITestOutputHelper output)
{
    private static readonly Lazy<SyntheticPairs> Registry = new(() => new SyntheticPairs(20_000, seed: 20261123));

    [Fact]
    public void EM_on_the_registry_s_own_records_does_not_lower_precision_against_the_starting_values()
    {
        var s = Registry.Value;
        var random = new Random(1);
        var trained = EmTrainer.Train(MatchModel.Default, s.RandomVectors(50_000, random), s.BlockedPairs(50_000, random), "fs-em-test");

        Assert.NotNull(trained);
        var before = s.Evaluate(MatchModel.Default);
        var after = s.Evaluate(trained.Model);
        output.WriteLine($"starting values: {before}");
        output.WriteLine($"EM (match share {trained.MatchShare:F3}, {trained.BlockedPairs} pairs, {trained.RepeatedPairsSkipped} repeated skipped): {after}");
        Assert.True(after.Links - after.CorrectLinks <= before.Links - before.CorrectLinks,
            $"EM links {after.Links - after.CorrectLinks} pairs of different persons, the starting values {before.Links - before.CorrectLinks}");
        Assert.True(after.Precision >= before.Precision, $"precision {before.Precision:F4} -> {after.Precision:F4}");
        Assert.True(after.CorrectLinks >= before.CorrectLinks * 0.99, "EM must not buy its precision with recall");
    }

    [Fact]
    public void The_trained_copy_of_a_model_scores_with_its_own_weights_not_its_parent_s()
    {
        _ = MatchModel.Default.Weights; // cached on the parent
        var m = MatchModel.Default.M.ToDictionary(kv => kv.Key, kv => (double[])kv.Value.Clone());
        m["birth_date"][5] = 0.3;
        var copy = MatchModel.Default with { Version = "copy", M = m };

        Assert.NotEqual(MatchModel.Default.Weights[(int)MatchField.BirthDate][5], copy.Weights[(int)MatchField.BirthDate][5]);
    }

    [Fact]
    public void A_pair_found_by_its_birth_date_and_surname_learns_nothing_about_them()
    {
        var a = new MatchRecord { SourceRecordId = Guid.NewGuid(), GivenKey = "ANA", GivenPhonetic = "AN", PaternalKey = "GARZA", PaternalPhonetic = "GRS", BirthDate = new DateOnly(1990, 5, 4) };
        var b = a with { SourceRecordId = Guid.NewGuid(), GivenKey = "LUCIA", GivenPhonetic = "LS" };

        var conditioned = EmTrainer.ConditionedFields(a, b);

        Assert.NotEqual(0, conditioned & (1 << (int)MatchField.BirthDate));
        Assert.Equal(0, conditioned & (1 << (int)MatchField.GivenNames));
        Assert.Empty(EmTrainer.Prepare([(a, a with { SourceRecordId = Guid.NewGuid() })])); // one registration repeated teaches nothing
    }
}

using Registry.Contracts;
using Registry.Matching;

namespace Registry.Tests.Matching;

/// <summary>The thresholds follow the registry's size: what links among 100k records asks a steward among 1M.</summary>
public sealed class RegistrySizePriorTests
{
    [Fact]
    public void Thresholds_stay_as_set_up_to_the_reference_size_and_rise_by_log2_of_the_growth_beyond()
    {
        var model = MatchModel.Default;

        Assert.Same(model, model.AtSize(50_000));
        Assert.Same(model, model.AtSize(model.PriorReferenceRecords));
        var big = model.AtSize(1_000_000);
        Assert.Equal(model.LinkThreshold + Math.Log2(10), big.LinkThreshold, 3);
        Assert.Equal(model.ReviewThreshold + Math.Log2(10), big.ReviewThreshold, 3);
        Assert.Equal(model.Version, big.Version);
    }

    [Fact]
    public void A_pair_that_links_in_a_town_sized_registry_goes_to_review_in_a_state_sized_one()
    {
        // Same given name and first surname, the second misspelt, same sex, birth date with one part differing, same municipality: ~23 bits.
        var registry = Record("MARIO", "MALDONADO", "MEJIA", new DateOnly(1962, 6, 21));
        var incoming = Record("MARIO", "MALDONADO", "MEGIA", new DateOnly(1962, 6, 24));
        var score = MatchModel.Default.Score(Comparisons.Compare(incoming, registry), incoming);
        Assert.InRange(score.Total, MatchModel.Default.LinkThreshold, MatchModel.Default.AtSize(1_000_000).LinkThreshold);

        Assert.Equal(MatchOutcome.Link, MatchModel.Default.AtSize(100_000).Classify(score));
        Assert.Equal(MatchOutcome.Review, MatchModel.Default.AtSize(1_000_000).Classify(score));
    }

    private static MatchRecord Record(string given, string paternal, string maternal, DateOnly birth) =>
        MatchRecord.From(new SourceRow
        {
            RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = given, PaternalSurname = paternal, MaternalSurname = maternal,
            BirthDate = birth, Sex = "H", Municipality = "REYNOSA",
        }, Guid.NewGuid(), Guid.NewGuid());
}

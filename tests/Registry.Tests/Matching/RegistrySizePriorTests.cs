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

        Assert.Equal(model.LinkThreshold, model.AtSize(50_000).LinkThreshold);
        Assert.Equal(model.ReviewThreshold, model.AtSize(model.PriorReferenceRecords).ReviewThreshold);
        Assert.Equal(50_000, model.AtSize(50_000).RegistryRecords);
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

    [Theory]
    [InlineData(0.0001, 0.0001, 0.0002, 100_000, true)]   // ZOZAYA-like: no namesake expected among 100k records
    [InlineData(0.0001, 0.0001, 0.0002, 10_000_000_000, false)] // the same name in a registry of 10^10 records
    [InlineData(0.03, 0.06, 0.04, 100_000, false)]       // MARÍA HERNÁNDEZ GARCÍA: hundreds of namesakes
    public void Names_alone_link_only_where_the_registry_makes_a_namesake_unlikely(double given, double paternal, double maternal, long records, bool links)
    {
        var a = Record("ANA", "ZOZAYA", "PEÑA", null);
        var b = Record("ANA", "ZOZAYA", "PEÑA", null);
        double? Frequency(MatchField field, string value) => field switch
        {
            MatchField.GivenNames => given, MatchField.PaternalSurname => paternal, MatchField.MaternalSurname => maternal, _ => null,
        };
        var model = MatchModel.Default with { LinkThreshold = 5 }; // the names' weights alone clear it: only the namesake rule decides
        var score = model.Score(Comparisons.Compare(a, b), a, Frequency);

        Assert.False(MatchModel.SeparatesNamesakes(score.Vector));
        Assert.Equal(links, model.AtSize(records).Links(score));
    }

    private static MatchRecord Record(string given, string paternal, string maternal, DateOnly? birth) =>
        MatchRecord.From(new SourceRow
        {
            RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = given, PaternalSurname = paternal, MaternalSurname = maternal,
            BirthDate = birth, Sex = "H", Municipality = "REYNOSA",
        }, Guid.NewGuid(), Guid.NewGuid());
}

/// <summary>A birth date thousands of records share (an agency's placeholder) is weak evidence; an ordinary one keeps its weight.</summary>
public sealed class BirthDateFrequencyTests
{
    [Fact]
    public void A_placeholder_birth_date_weighs_little_an_ordinary_one_as_before()
    {
        var placeholder = new DateOnly(1900, 1, 1);
        var ordinary = new DateOnly(1962, 6, 21);
        // 2 % of the registry carries 1900-01-01; an ordinary date is one in ~20,000.
        double? Frequency(MatchField field, string value) => field != MatchField.BirthDate ? null
            : value == "1900-01-01" ? 0.02 : 0.00005 / 2;

        double BirthWeight(DateOnly date)
        {
            var a = Record(date);
            var b = Record(date);
            return MatchModel.Default.Score(Comparisons.Compare(a, b), a, Frequency).FieldWeights[(int)MatchField.BirthDate];
        }

        var average = MatchModel.Default.Weights[(int)MatchField.BirthDate][1];
        Assert.Equal(average, BirthWeight(ordinary), 2);
        Assert.True(BirthWeight(placeholder) < average - 8, $"placeholder {BirthWeight(placeholder)} vs {average}");
    }

    private static MatchRecord Record(DateOnly birth) =>
        MatchRecord.From(new SourceRow
        {
            RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = "ANA", PaternalSurname = "LUNA", MaternalSurname = "SOTO",
            BirthDate = birth, Sex = "M",
        }, Guid.NewGuid(), Guid.NewGuid());
}

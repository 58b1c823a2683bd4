using Registry.Contracts;
using Registry.Matching;

namespace Registry.Tests.Matching;

/// <summary>
/// Compound given names (issue 27): JUAN PABLO and JUAN DAVID share their first name's sound, but they are two names —
/// brothers are named so — not one name spelt two ways.
/// </summary>
public sealed class CompoundGivenNameTests
{
    private static MatchRecord Record(string given, string paternal = "LOPEZ", string? maternal = "HERNANDEZ", DateOnly? birth = null) =>
        MatchRecord.From(new SourceRow
        {
            RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = given, PaternalSurname = paternal, MaternalSurname = maternal,
            BirthDate = birth, Sex = "H", Municipality = "MEDELLIN",
        }, Guid.NewGuid(), Guid.NewGuid());

    private static string GivenLevel(string a, string b) =>
        Comparisons.LevelNames[MatchField.GivenNames][Comparisons.Compare(Record(a), Record(b))[(int)MatchField.GivenNames]];

    [Theory]
    [InlineData("JUAN PABLO", "JUAN DAVID")]
    [InlineData("LUZ ELENA", "LUZ DARY")]
    [InlineData("CARLOS MARIO", "CARLOS ANDRÉS")]
    [InlineData("LUIS ALBERTO", "LUIS FERNANDO")]
    public void Different_second_names_are_not_the_same_name_spelt_otherwise(string a, string b)
    {
        var level = GivenLevel(a, b);
        Assert.NotEqual("jaro-winkler-0.92-or-phonetic", level);
        Assert.NotEqual("exact", level);
    }

    [Theory]
    [InlineData("JUAN DACVID", "JUAN DAVID")]   // a typo in the second name
    [InlineData("ANDREZ FELIPE", "ANDRES FELIPE")] // a typo in the first
    public void A_typo_or_a_spelling_still_agrees_nearly(string a, string b) =>
        Assert.Equal("jaro-winkler-0.92-or-phonetic", GivenLevel(a, b));

    [Fact]
    public void A_missing_second_name_is_no_difference() =>
        Assert.NotEqual("different", GivenLevel("JUAN", "JUAN PABLO"));

    [Fact]
    public void Brothers_without_birth_dates_are_no_question_for_a_steward()
    {
        var model = MatchModel.Default.AtSize(100_000);
        var a = Record("JUAN PABLO");
        var score = model.Score(Comparisons.Compare(a, Record("JUAN DAVID")), a);
        Assert.Equal(MatchOutcome.NonMatch, model.Classify(score));
        // The same person, his second name typed with a slip, still is one.
        var same = model.Score(Comparisons.Compare(a, Record("JUAN PABLP")), a);
        Assert.NotEqual(MatchOutcome.NonMatch, model.Classify(same));
    }
}

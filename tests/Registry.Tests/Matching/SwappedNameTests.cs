using Registry.Contracts;
using Registry.Matching;

namespace Registry.Tests.Matching;

/// <summary>Given name and first surname written in each other's column (issue 27): a comparison level of its own.</summary>
public sealed class SwappedNameTests
{
    private static MatchRecord Record(string given, string surname, DateOnly? birth, string? street = null, string? number = null) =>
        MatchRecord.From(new SourceRow
        {
            RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = given, PaternalSurname = surname, BirthDate = birth,
            Street = street, HouseNumber = number, PostalCode = "3145",
        }, Guid.NewGuid(), Guid.NewGuid());

    [Fact]
    public void Swapped_given_name_and_surname_agree_at_their_own_level_and_link_with_the_rest()
    {
        var a = Record("AMELIA", "MONTALVAN", new DateOnly(1907, 1, 1), "MALVERN ROAD", "12");
        var b = Record("MONTALVAN", "AMELIA", new DateOnly(1907, 1, 1), "MALVERN ROAD", "12");

        var score = MatchModel.Default.Score(Comparisons.Compare(a, b), a);

        Assert.Equal("swapped-with-first-surname", score.Evidence()["given_names"].Level);
        Assert.Equal("missing", score.Evidence()["paternal_surname"].Level);
        Assert.True(MatchModel.Default.Links(score), $"score {score.Total}");
    }

    [Fact]
    public void A_typo_on_one_side_of_the_swap_still_counts_but_two_different_names_do_not()
    {
        var a = Record("MADELINE", "CONAGHTY", new DateOnly(1985, 8, 10));
        Assert.Equal("swapped-with-first-surname",
            MatchModel.Default.Score(Comparisons.Compare(a, Record("CONAGHTY", "MADELNIE", new DateOnly(1985, 8, 10))), a).Evidence()["given_names"].Level);
        // One shared word is no swap: HANNAH MASON and MASON WHITE.
        var other = MatchModel.Default.Score(Comparisons.Compare(a, Record("CONAGHTY", "WHITE", new DateOnly(1985, 8, 10))), a);
        Assert.Equal("different", other.Evidence()["given_names"].Level);
    }
}

/// <summary>"One part of the birth date differs" means one slip of the hand, not another year on the same day.</summary>
public sealed class BirthDateSlipTests
{
    [Theory]
    [InlineData("1962-06-21", "1960-06-21", true)]  // one digit of the year
    [InlineData("1987-04-14", "1978-04-14", true)]  // two adjacent digits transposed
    [InlineData("2009-03-29", "2009-08-29", true)]  // one digit of the month
    [InlineData("2009-11-29", "2009-09-29", false)] // PEDRO SANDOVAL and PEDRO SANDOVAL MARTÍNEZ, namesakes at 1M records
    [InlineData("1990-03-12", "1990-03-21", true)]  // the day's digits transposed
    [InlineData("1974-12-18", "2001-12-18", false)] // LUPITA MORENO and GUADALUPE MORENO: namesakes 27 years apart
    [InlineData("1972-06-04", "1985-06-04", false)] // two digits of the year
    [InlineData("1987-04-24", "1987-04-06", false)] // both digits of the day, not transposed
    public void Only_a_slip_of_one_digit_or_a_transposition_counts_as_one_part_differing(string a, string b, bool slip)
    {
        var x = DateOnly.Parse(a, System.Globalization.CultureInfo.InvariantCulture);
        var y = DateOnly.Parse(b, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(slip, Comparisons.OneSlip(x, y));
        var level = Comparisons.Compare(Record(x), Record(y))[(int)MatchField.BirthDate];
        Assert.Equal(slip ? "one-part-differs" : "different", Comparisons.LevelNames[MatchField.BirthDate][level]);
    }

    private static MatchRecord Record(DateOnly birth) => MatchRecord.From(new Registry.Contracts.SourceRow
    {
        RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = "GUADALUPE", PaternalSurname = "MORENO", BirthDate = birth,
    }, Guid.NewGuid(), Guid.NewGuid());
}

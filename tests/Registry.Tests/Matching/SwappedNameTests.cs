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

using Registry.Contracts;
using Registry.Matching;

namespace Registry.Tests.Matching;

/// <summary>Another personal identifier and the street: what they add, and what they never do alone.</summary>
public sealed class OtherIdAndStreetTests
{
    private static MatchRecord Record(string given, string surname, DateOnly? birth, string? otherId = null, string? street = null, string? number = null,
        string? postal = null) =>
        MatchRecord.From(new SourceRow
        {
            RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = given, PaternalSurname = surname, BirthDate = birth,
            OtherId = otherId, Street = street, HouseNumber = number, PostalCode = postal,
        }, Guid.NewGuid(), Guid.NewGuid());

    private static string Level(MatchRecord a, MatchRecord b, string field) =>
        MatchModel.Default.Score(Comparisons.Compare(a, b), a).Evidence()[field].Level;

    [Theory]
    [InlineData("7535316", "7535316", "exact")]
    [InlineData("7535316", "7535361", "one-edit")]
    [InlineData("7535316", "1234567", "different")]
    [InlineData("7535316", "0000000", "missing")] // a placeholder is no identifier
    [InlineData("7535316", "", "missing")]
    public void Other_identifiers_compare_exactly_by_one_edit_or_not_at_all(string a, string b, string level) =>
        Assert.Equal(level, Level(Record("SARAH", "BRUHN", null, otherId: a), Record("SARAH", "BRUHN", null, otherId: b), "other_id"));

    [Fact]
    public void A_shared_identifier_links_a_record_whose_name_and_birth_date_carry_typos()
    {
        var registry = Record("SARAH", "BRUHN", new DateOnly(1930, 2, 13), otherId: "7535316", street: "FORBES STREET", number: "44");
        var incoming = Record("SARHA", "BRUNH", new DateOnly(1930, 12, 13), otherId: "7535316", street: "FORBES ST", number: "44");

        var score = MatchModel.Default.Score(Comparisons.Compare(incoming, registry), incoming);

        Assert.Equal(MatchOutcome.Link, MatchModel.Default.Classify(score.Total));
        Assert.True(incoming.BlockingKeys().Intersect(registry.BlockingKeys()).Any(), "the identifier is a blocking key");
    }

    [Fact]
    public void The_street_is_household_evidence_capped_with_the_postal_code()
    {
        var a = Record("JUAN", "PEREZ", new DateOnly(1962, 8, 2), street: "CALLE HIDALGO", number: "12", postal: "88500");
        var b = Record("JUAN", "PEREZ", new DateOnly(1990, 11, 20), street: "C. HIDALGO", number: "12", postal: "88500");

        var evidence = MatchModel.Default.Score(Comparisons.Compare(a, b), a).Evidence();

        Assert.Equal("same-street-and-number", evidence["street"].Level);
        Assert.True(evidence["street"].Weight + evidence["postal_code"].Weight <= MatchModel.Default.HouseholdFieldsCap + 1e-9);
    }
}

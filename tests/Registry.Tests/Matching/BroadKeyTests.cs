using Registry.Contracts;
using Registry.Matching;

namespace Registry.Tests.Matching;

/// <summary>
/// The keys that hold one surname only (surname + given name + year, + day and month, + municipality; birth date +
/// surname) give a row the records they hold only when the other surname is near the row's, or missing on either
/// side — and the year key only those born on the row's day or in its month: everyone else of that name born that year
/// is a namesake, and those blocks grow with the registry.
/// </summary>
public sealed class BroadKeyTests
{
    private static readonly string[] OtherSurnames =
    [
        "LOPEZ", "PEREZ", "SANCHEZ", "RAMIREZ", "CRUZ", "FLORES", "MORALES", "REYES", "JIMENEZ", "TORRES", "DIAZ", "RUIZ",
        "MENDOZA", "AGUILAR", "ORTIZ", "MORENO", "CASTILLO", "ROMERO", "ALVAREZ", "CHAVEZ", "RIVERA", "JUAREZ", "DOMINGUEZ",
        "MEDINA", "CASTRO", "VARGAS", "GUZMAN", "ROJAS", "SALINAS", "CANTU",
    ];

    private static MatchRecord Record(string paternal, string? maternal, DateOnly birth, string given = "MARIA") => MatchRecord.From(new SourceRow
    {
        RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = given, PaternalSurname = paternal, MaternalSurname = maternal,
        BirthDate = birth,
    }, Guid.NewGuid(), Guid.NewGuid());

    // MARÍA HERNÁNDEZ born in 1980, thirty other second surnames, two each, never on the row's day or month.
    private static IEnumerable<MatchRecord> Namesakes() =>
        OtherSurnames.SelectMany((s, i) => new[] { Record("HERNANDEZ", s, new DateOnly(1980, 1 + i % 12, 1 + i % 27)), Record(s, "HERNANDEZ", new DateOnly(1980, 1 + i % 12, 2 + i % 27)) });

    [Fact]
    public void A_row_meets_the_namesakes_of_its_year_only_when_their_other_surname_is_near_or_missing()
    {
        var index = new CandidateIndex();
        index.FileInMemory(Namesakes());
        // The row's person with a typo in the second surname and another day; and one with no second surname.
        var typo = Record("HERNANDEZ", "GRACIA", new DateOnly(1980, 5, 14));
        var single = Record("HERNANDEZ", null, new DateOnly(1980, 5, 24));
        index.FileInMemory([typo, single]);

        var row = Record("HERNANDEZ", "GARCIA", new DateOnly(1980, 5, 4));
        var found = index.LookupInMemory([(1, row.QueryKeyHashes())]).Candidates.Select(c => c.Record.SourceRecordId).ToHashSet();

        Assert.Equal(new[] { typo.SourceRecordId, single.SourceRecordId }.Order(), found.Order());
        // The same keys, looked up as plain hashes, meet every namesake: what the row met before.
        var plain = new List<ulong>();
        row.KeyHashes(query: true, plain);
        Assert.Equal(62, index.LookupInMemory([(1, plain)]).Candidates.Count);
    }

    [Fact]
    public void A_row_with_one_surname_meets_the_namesakes_of_its_year_born_on_its_day_or_in_its_month()
    {
        // No second surname to tell them apart: through the year key every namesake one date slip away (the day, the
        // month, or the two swapped) is a candidate — and no one else of that name born in 1980, of whom a state has dozens.
        var index = new CandidateIndex();
        var namesakes = Namesakes().ToList();
        index.FileInMemory(namesakes);
        var row = Record("HERNANDEZ", null, new DateOnly(1980, 5, 4));
        var found = index.LookupInMemory([(1, row.QueryKeyHashes())]).Candidates.Select(c => c.Record.SourceRecordId).Order();
        var slipped = namesakes.Where(n => n.BirthDate is { Month: 5 } or { Day: 4 } or { Month: 4, Day: 5 }).Select(n => n.SourceRecordId).Order();
        Assert.Equal(10, slipped.Count());
        Assert.Equal(slipped, found);
    }

    [Fact]
    public void A_namesake_whose_curp_gives_a_date_near_the_rows_is_met_through_the_year_key()
    {
        // The index keeps a record's birth date and reads its CURP's only when the CURP says something else: a record
        // with no birth date, and one whose birth date is off but whose CURP is born in the row's month, are both met.
        static MatchRecord WithCurp(DateOnly? birth, DateOnly curpBirth)
        {
            var parts = Registry.Normalization.Curp.Derive("HERNANDEZ", null, "MARIA", curpBirth, Registry.Normalization.Sex.Female, "TS");
            var first17 = parts.Letters + parts.BirthDate + parts.Sex + parts.State + parts.Consonants + "0";
            return MatchRecord.From(new SourceRow
            {
                RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = "MARIA", PaternalSurname = "HERNANDEZ",
                BirthDate = birth, Curp = first17 + Registry.Normalization.Curp.CheckDigit(first17),
            }, Guid.NewGuid(), Guid.NewGuid());
        }
        var undated = WithCurp(null, new DateOnly(1980, 5, 11));
        var misdated = WithCurp(new DateOnly(1980, 9, 20), new DateOnly(1980, 5, 11));
        var far = WithCurp(new DateOnly(1980, 9, 20), new DateOnly(1980, 9, 20));
        var index = new CandidateIndex();
        index.FileInMemory([undated, misdated, far]);

        var row = Record("HERNANDEZ", null, new DateOnly(1980, 5, 4));
        var found = index.LookupInMemory([(1, row.QueryKeyHashes())]).Candidates.Select(c => c.Record.SourceRecordId).Order();

        Assert.Equal(new[] { undated.SourceRecordId, misdated.SourceRecordId }.Order(), found);
    }

    [Fact]
    public void A_catch_up_keeps_the_namesakes_a_fresh_lookup_keeps()
    {
        var index = new CandidateIndex();
        index.FileInMemory(Namesakes().Take(20));
        var row = Record("HERNANDEZ", "GARCIA", new DateOnly(1980, 5, 4));
        var rows = new[] { (1, (IReadOnlyList<ulong>)row.QueryKeyHashes()) };
        var early = index.LookupInMemory(rows);
        // Filed after the early lookup: more namesakes, and the row's person with a typo in the second surname.
        var typo = Record("HERNANDEZ", "GARSIA", new DateOnly(1980, 6, 4));
        index.FileInMemory([.. Namesakes().Skip(20), typo]);

        var caughtUp = index.CatchUpInMemory(early, rows).Select(c => c.Record.SourceRecordId).ToList();
        var fresh = index.LookupInMemory(rows).Candidates.Select(c => c.Record.SourceRecordId).ToList();
        Assert.Equal(fresh, caughtUp);
        Assert.Equal([typo.SourceRecordId], fresh);
    }

    [Theory]
    [InlineData("GARCIA", "GRACIA", true)]      // a transposition
    [InlineData("ESQUIVEL", "ZQUIVEL", true)]   // the first letter lost and the next misheard
    [InlineData("GARCIA", "GARZA", true)]       // two edits: a namesake of a near surname stays a candidate
    [InlineData("GARCIA", "LOPEZ", false)]
    [InlineData("GARCIA", null, true)]          // one side with one surname only
    public void Other_surnames_are_near_within_two_edits_of_their_sounds(string mine, string? theirs, bool near)
    {
        static string? P(string? s) => s is null ? null : Registry.Normalization.SpanishPhonetic.Encode(s);
        Assert.Equal(near, MatchRecord.NamesNear("MARIA", "ERNANDES", P(mine), "MARIA", "ERNANDES", P(theirs)));
    }
}

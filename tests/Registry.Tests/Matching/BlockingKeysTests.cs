using Registry.Contracts;
using Registry.Matching;

namespace Registry.Tests.Matching;

/// <summary>
/// Blocking keys: a record must still share one with its person's other records after the error
/// pairs the keys are designed for, and keys must not grow with the registry (no span of years).
/// </summary>
public sealed class BlockingKeysTests
{
    private static readonly DateOnly Birth = new(1984, 3, 17);

    private static MatchRecord Record(string given, string paternal, string? maternal, DateOnly? birth) =>
        MatchRecord.From(new SourceRow
        {
            RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = given, PaternalSurname = paternal, MaternalSurname = maternal,
            BirthDate = birth,
        }, Guid.NewGuid(), Guid.NewGuid());

    /// <summary>The keys through which <paramref name="later"/>, arriving after <paramref name="stored"/>, finds it.</summary>
    private static string[] Finds(MatchRecord later, MatchRecord stored)
    {
        var keys = later.QueryKeys().Intersect(stored.BlockingKeys()).ToArray();
        // A shared key is not enough when every shared key is broad: the index must also keep the record (NamesNear).
        var index = new CandidateIndex();
        index.FileInMemory([stored]);
        return index.LookupInMemory([(1, later.QueryKeyHashes())]).Candidates.Count == 1 ? keys : [];
    }

    public static TheoryData<string, string, string?, DateOnly?> TwoErrors => new()
    {
        // A surname typo and a wrong day: surname + given + year.
        { "CLAUDIA", "TREVIÑO", "ZQUIVEL", new DateOnly(1984, 3, 27) },
        // A typo in the first surname and a wrong year: second surname + given + day and month.
        { "CLAUDIA", "TRVENIO", "ESQUIVEL", new DateOnly(1985, 3, 17) },
        // A typo in the second surname and a wrong year: first surname + given + day and month.
        { "CLAUDIA", "TREVIÑO", "ZQUIVEL", new DateOnly(1983, 3, 17) },
        // The second surname missing and a wrong year: first surname + given + day and month.
        { "CLAUDIA", "TREVIÑO", null, new DateOnly(1990, 3, 17) },
        // Typos in the given name and the first surname: birth date + second surname.
        { "CLAUDA", "TREVINIO", "ESQUIVEL", Birth },
        // No birth date at all: both surnames and the given name, in either order.
        { "CLAUDIA", "ESQUIVEL", "TREVIÑO", null },
    };

    [Theory]
    [MemberData(nameof(TwoErrors))]
    public void A_record_with_two_errors_and_the_clean_one_find_each_other_whichever_comes_first(string given, string paternal, string? maternal, DateOnly? birth)
    {
        var clean = Record("CLAUDIA", "TREVIÑO", "ESQUIVEL", Birth);
        var faulty = Record(given, paternal, maternal, birth);
        Assert.NotEmpty(Finds(faulty, clean));
        Assert.NotEmpty(Finds(clean, faulty));
    }

    [Fact]
    public void Swapped_surnames_with_a_slip_in_the_day_still_share_a_key()
    {
        // DIEGO SOTO RAMÍREZ 1954-08-13 and DIEGO RAMÍREZ SOTO 1954-08-23: the surname + given + year key
        // takes either surname in either position (it had taken the first surname under one prefix and the
        // second under another, so a swap met nothing).
        var a = Record("DIEGO", "SOTO", "RAMIREZ", new DateOnly(1954, 8, 13));
        var b = Record("DIEGO", "RAMIREZ", "SOTO", new DateOnly(1954, 8, 23));
        Assert.NotEmpty(Finds(a, b));
        Assert.NotEmpty(Finds(b, a));
        // Swapped, the second surname missing on one side and the year wrong: either surname + given + day and month.
        var c = Record("JOSE LUIS", "RAMIREZ", "CRUZ", new DateOnly(1992, 6, 27));
        var d = Record("JOSE LUIS", "CRUZ", null, new DateOnly(1993, 6, 27));
        Assert.NotEmpty(Finds(c, d));
        Assert.NotEmpty(Finds(d, c));
    }

    [Fact]
    public void A_row_whose_CURP_says_another_birth_date_is_filed_under_both()
    {
        // YOLANDA SÁNCHEZ MALDONADO 2011-12-07, and YLANDA SÁNCHEZ 2011-07-12 (day and month swapped, a typo in
        // the given name, no second surname) whose CURP says 2011-12-07: only the CURP's date is shared.
        var clean = Record("YOLANDA", "SANCHEZ", "MALDONADO", new DateOnly(2011, 12, 7));
        var faulty = MatchRecord.From(new SourceRow
        {
            RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = "YLANDA", PaternalSurname = "SANCHEZ",
            BirthDate = new DateOnly(2011, 7, 12), Curp = "SAMY111207MTSNLLA5",
        }, Guid.NewGuid(), Guid.NewGuid());
        Assert.NotEmpty(Finds(faulty, clean));
        Assert.NotEmpty(Finds(clean, faulty));
    }

    [Fact]
    public void A_row_registered_by_nickname_shares_the_name_keys_of_the_full_name()
    {
        // LUPE VARGAS 1986-05-31 (no second surname, a digit of the year wrong) and GUADALUPE VARGAS SILVA 1981-05-31:
        // the surname + given + day-month key, with LUPE read as GUADALUPE.
        var nickname = Record("LUPE", "VARGAS", null, new DateOnly(1986, 5, 31));
        var full = Record("MARIA GUADALUPE", "VARGAS", "SILVA", new DateOnly(1981, 5, 31));
        Assert.NotEmpty(Finds(nickname, full));
        Assert.NotEmpty(Finds(full, nickname));
        // Without a birth date: both surnames and the given name, CHEMA read as JOSÉ MARÍA.
        var chema = Record("CHEMA", "HERRERA", "MENDOZA", null);
        var joseMaria = Record("J. MARIA", "HERRERA", "MENDOZA", new DateOnly(1990, 11, 30));
        Assert.NotEmpty(Finds(chema, joseMaria));
        Assert.NotEmpty(Finds(joseMaria, chema));
    }

    [Fact]
    public void One_surname_only_and_a_birth_date_missing_on_one_side_still_share_a_key()
    {
        // FEBRL's GEORGIA WHITE 1944-09-18 and GEORGIA WHITE without a date; LUIS ÁNGEL PÉREZ (no second surname, dated)
        // and LUIS ÁNGEL PÉREZ BARRERA without a date: the names-only key needs both surnames.
        var dated = Record("GEORGIA", "WHITE", null, new DateOnly(1944, 9, 18));
        var dateless = Record("GEORGIA", "WHITE", null, null);
        Assert.NotEmpty(Finds(dated, dateless));
        Assert.NotEmpty(Finds(dateless, dated));
        var single = Record("LUIS ANGEL", "PEREZ", null, new DateOnly(1953, 6, 19));
        var both = Record("LUIS ANGEL", "PEREZ", "BARRERA", null);
        Assert.NotEmpty(Finds(single, both));
        Assert.NotEmpty(Finds(both, single));
        // Two dated records with one surname each and different dates are namesakes: no names-only key between them.
        Assert.Empty(Finds(Record("GEORGIA", "WHITE", null, new DateOnly(1971, 2, 5)), dated));
    }

    [Fact]
    public void Given_name_and_surname_written_in_each_other_s_column_share_a_key()
    {
        // FEBRL: MONTALVAN / AMELIA and AMELIA / MONTALVAN, 1907-01-01.
        var a = Record("AMELIA", "MONTALVAN", null, new DateOnly(1907, 1, 1));
        var b = Record("MONTALVAN", "AMELIA", null, new DateOnly(1907, 1, 1));
        Assert.NotEmpty(Finds(a, b));
        Assert.NotEmpty(Finds(b, a));
        // With a second surname on both sides: the birth date + surname key keeps a record whose surname is the row's given name.
        var c = Record("AMELIA", "MONTALVAN", "RUIZ", new DateOnly(1907, 1, 1));
        var d = Record("MONTALVAN", "AMELIA", "RUIZ", new DateOnly(1907, 1, 1));
        Assert.NotEmpty(Finds(c, d));
        Assert.NotEmpty(Finds(d, c));
    }

    [Fact]
    public void Namesakes_born_in_different_years_share_no_key_unless_their_day_and_month_agree()
    {
        // Keys by year, not by a span of years: a span's block grows with the registry (at 1M records a
        // five-year key held ~14 records), and it was most of a row's candidates.
        var a = Record("JOSE", "HERNANDEZ", null, new DateOnly(1985, 6, 2));
        Assert.Empty(Finds(Record("JOSE", "HERNANDEZ", null, new DateOnly(1986, 9, 21)), a));
        Assert.NotEmpty(Finds(Record("JOSE", "HERNANDEZ", null, new DateOnly(1986, 6, 2)), a));
    }

    [Fact]
    public void Namesakes_born_in_one_year_on_another_day_and_month_are_not_candidates_through_the_year_key()
    {
        // JOSÉ HERNÁNDEZ without a second surname, born 1985: the surname + given + year key holds every one of them
        // (dozens at a state's size). It is filed for a wrong day or a wrong month, not both: the others are namesakes.
        var a = Record("JOSE", "HERNANDEZ", null, new DateOnly(1985, 6, 2));
        Assert.Empty(Finds(Record("JOSE", "HERNANDEZ", "GARCIA", new DateOnly(1985, 9, 21)), a));
        Assert.Empty(Finds(a, Record("JOSE", "HERNANDEZ", "GARCIA", new DateOnly(1985, 9, 21))));
        // One slip — the day, the month, or the two swapped — and it is still the person's key.
        foreach (var slip in new[] { new DateOnly(1985, 6, 22), new DateOnly(1985, 9, 2), new DateOnly(1985, 2, 6) })
        {
            Assert.NotEmpty(Finds(Record("JOSE", "HERNANDEZ", "GARCIA", slip), a));
            Assert.NotEmpty(Finds(a, Record("JOSE", "HERNANDEZ", "GARCIA", slip)));
        }
    }

    [Fact]
    public void Born_the_same_day_with_the_same_given_name_is_a_candidate_only_with_a_related_surname()
    {
        // Birth date + given name is filed for surnames that both changed or both carry a typo: JOSÉ HERNÁNDEZ GARCÍA and
        // JOSÉ LÓPEZ PÉREZ, born the same day, are namesakes (a state has several a day); JOSÉ FERNÁNDEZ GARZA is the
        // first with a typo in each surname.
        var a = Record("JOSE", "HERNANDEZ", "GARCIA", new DateOnly(1985, 6, 2));
        Assert.Empty(Finds(Record("JOSE", "LOPEZ", "PEREZ", new DateOnly(1985, 6, 2)), a));
        Assert.Empty(Finds(a, Record("JOSE", "LOPEZ", "PEREZ", new DateOnly(1985, 6, 2))));
        Assert.NotEmpty(Finds(Record("JOSE", "FERNANDEZ", "GARZA", new DateOnly(1985, 6, 2)), a));
        Assert.NotEmpty(Finds(a, Record("JOSE", "FERNANDEZ", "GARZA", new DateOnly(1985, 6, 2))));
    }

    [Fact]
    public void The_names_only_key_is_looked_up_when_a_birth_date_is_missing_on_either_side()
    {
        // Both dated, the whole date different: namesakes, not one person with a missing date —
        // a dated record does not look up everyone of its name (at 1M records that was half its candidates).
        var dated = Record("JOSE", "HERNANDEZ", "GARCIA", new DateOnly(1985, 6, 2));
        Assert.Empty(Finds(Record("JOSE", "HERNANDEZ", "GARCIA", new DateOnly(1961, 11, 24)), dated));
        // A dateless record finds the dated one, and a dated one finds the dateless one.
        var dateless = Record("JOSE", "GARCIA", "HERNANDEZ", null);
        Assert.NotEmpty(Finds(dateless, dated));
        Assert.NotEmpty(Finds(dated, dateless));
    }
}

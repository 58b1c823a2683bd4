using Registry.Contracts;
using Registry.Matching;
using Registry.Normalization;

namespace Registry.Tests.Matching;

/// <summary>One record has a CURP, the other none: the CURP is compared with the other record's own data.</summary>
public sealed class CurpAgainstRecordTests
{
    private static readonly DateOnly Birth = new(1980, 6, 12);
    // SERGIO CANTU GONZALEZ, 1980-06-12, male, Tamaulipas.
    private static readonly string SergioCurp = Valid("CAGS800612HTSNNR0");

    private static string Valid(string first17) => first17 + Curp.CheckDigit(first17);

    private static MatchRecord Record(string given, string paternal, string? maternal, DateOnly? birth, string? curp = null, string sex = "H") =>
        MatchRecord.From(new SourceRow
        {
            RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = given, PaternalSurname = paternal, MaternalSurname = maternal,
            BirthDate = birth, Curp = curp, Sex = sex,
        }, Guid.NewGuid(), Guid.NewGuid());

    private static FieldEvidence Curp_(MatchRecord a, MatchRecord b) => MatchModel.Default.Score(Comparisons.Compare(a, b), a).Evidence()["curp"];

    [Fact]
    public void A_CURP_that_agrees_with_the_other_records_name_date_and_sex_is_positive_evidence()
    {
        var evidence = Curp_(Record("SERGIO", "CANTU", "GONZALEZ", Birth), Record("SERGIO", "CANTU", "GONZALEZ", null, SergioCurp));

        Assert.Equal("agrees-with-other-record", evidence.Level);
        Assert.True(evidence.Weight > 3);
    }

    [Fact]
    public void A_CURP_carries_what_its_own_row_lost_swapped_surnames_and_a_typo()
    {
        // The row says GONZALEZ CAMNTU (surnames swapped, a typo): its CURP is no identity key, but it is
        // exactly the other record's CANTU GONZALEZ.
        var withCurp = Record("SERGIO", "GONZALEZ", "CAMNTU", Birth, SergioCurp);
        Assert.Null(withCurp.ValidCurp);

        Assert.Equal("agrees-with-other-record", Curp_(withCurp, Record("SERGIO", "CANTU", "GONZALEZ", Birth)).Level);
    }

    [Fact]
    public void A_namesake_relative_born_on_another_date_disagrees_and_a_date_slip_differs_in_one_part()
    {
        var withCurp = Record("SERGIO", "CANTU", "GONZALEZ", null, SergioCurp);

        Assert.Equal("disagrees-with-other-record", Curp_(Record("SERGIO", "CANTU", "GONZALEZ", new DateOnly(2004, 3, 1)), withCurp).Level);
        Assert.Equal("one-part-differs-from-other-record", Curp_(Record("SERGIO", "CANTU", "GONZALEZ", new DateOnly(1980, 12, 6)), withCurp).Level);
    }

    [Fact]
    public void A_complete_row_that_agrees_with_its_CURP_is_not_counted_twice()
    {
        // Every part the CURP encodes is already in the row and compared field by field: a birth-day
        // slip on the other side must weigh once (the birth-date field), not twice.
        var complete = Record("SERGIO", "CANTU", "GONZALEZ", Birth, SergioCurp);
        Assert.NotNull(complete.ValidCurp);

        Assert.Equal("missing", Curp_(Record("SERGIO", "CANTU", null, new DateOnly(1980, 6, 2)), complete).Level);
        Assert.Equal("missing", Curp_(Record("SERGIO", "CANTU", "GONZALEZ", Birth), complete).Level);
    }

    [Fact]
    public void Swapped_surnames_with_a_typo_in_one_of_them_are_still_swapped()
    {
        var evidence = MatchModel.Default.Score(Comparisons.Compare(Record("SERGIO", "GONZALEZ", "CAMNTU", Birth), Record("SERGIO", "CANTU", "GONZALEZ", Birth)), Record("SERGIO", "CANTU", "GONZALEZ", Birth)).Evidence();

        Assert.Equal("swapped-with-maternal", evidence["paternal_surname"].Level);
        Assert.Equal("swapped-with-paternal", evidence["maternal_surname"].Level);
    }

    [Fact]
    public void A_CURP_of_someone_else_is_negative_evidence()
    {
        var evidence = Curp_(Record("LAURA", "CANTU", "GONZALEZ", new DateOnly(1999, 1, 1), sex: "M"), Record("SERGIO", "CANTU", "GONZALEZ", null, SergioCurp));

        Assert.Equal("disagrees-with-other-record", evidence.Level);
        Assert.True(evidence.Weight < 0);
    }

    [Fact]
    public void With_CURPs_on_both_sides_or_on_neither_the_CURP_levels_are_unchanged()
    {
        Assert.Equal("exact", Curp_(Record("SERGIO", "CANTU", "GONZALEZ", Birth, SergioCurp), Record("SERGIO", "CANTU", null, null, SergioCurp)).Level);
        Assert.Equal("missing", Curp_(Record("SERGIO", "CANTU", "GONZALEZ", Birth), Record("SERGIO", "CANTU", null, null)).Level);
    }

    [Fact]
    public void A_row_without_birth_date_blocks_on_its_CURPs_even_when_the_CURP_is_mistyped()
    {
        var mistyped = "CXGS800612HTSNNR0" + SergioCurp[17]; // check digit no longer matches
        Assert.False(Curp.IsValid(mistyped));

        var row = Record("SERGIO", "CANTU", "GONZALEZ", null, mistyped);
        Assert.Equal(Birth, row.BlockingBirthDate);
        Assert.Contains(row.BlockingKeys(), k => k.StartsWith("dg:1980-06-12:", StringComparison.Ordinal));
        Assert.Null(Record("SERGIO", "CANTU", "GONZALEZ", null, "CAGS8OO612HTSNNR0" + SergioCurp[17]).BlockingBirthDate); // O for 0: no date
    }

    [Fact]
    public void Two_people_given_the_same_mistyped_CURP_do_not_agree_on_a_birth_date_read_from_it()
    {
        var mistyped = "CXGS800612HTSNNR0" + SergioCurp[17];
        var a = Record("SERGIO", "CANTU", "GONZALEZ", null, mistyped);
        var b = Record("BRENDA", "MARTINEZ", null, null, mistyped);

        Assert.Null(a.BirthDate);
        Assert.Equal(0, Comparisons.Compare(a, b)[(int)MatchField.BirthDate]);
    }
}

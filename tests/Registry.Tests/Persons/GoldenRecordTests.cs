using System.Text.Json;
using Registry.Contracts;
using Registry.Normalization;
using Registry.Persons;

namespace Registry.Tests.Persons;

/// <summary>Survivorship: which source each golden field comes from, and the rule a steward sees.</summary>
public sealed class GoldenRecordTests
{
    private static readonly DateOnly Birth = new(1980, 6, 12);
    // SERGIO CANTU GONZALEZ, 1980-06-12, male, Tamaulipas.
    private static readonly string SergioCurp = Valid("CAGS800612HTSNNR0");
    // SERGIO CANTU GONZALEZ, 1980-06-12, male, Nuevo León: another valid identity key for the same row.
    private static readonly string OtherCurp = Valid("CAGS800612HNLNNR0");
    private static readonly DateTimeOffset Received = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static int next;

    private static string Valid(string first17) => first17 + Curp.CheckDigit(first17);

    private static GoldenSource Source(string sector = "health", int day = 1, string? curp = null, string? given = "SERGIO",
        string? paternal = "CANTU", string? maternal = "GONZALEZ", DateOnly? birth = null, string? sex = "H", string? fullName = null,
        string? phone = null, string? street = null) =>
        new(new Guid(Interlocked.Increment(ref next), 0, 0, new byte[8]), new SourceRow
        {
            RowNumber = 1, RecordKey = "k", ContentHash = "h", Curp = curp, GivenNames = given, PaternalSurname = paternal,
            MaternalSurname = maternal, BirthDate = birth, Sex = sex, FullName = fullName, Phone = phone, Street = street,
            ServiceDate = new DateOnly(2026, 1, day),
        }, sector, Received);

    private static GoldenField Field(IReadOnlyList<GoldenField> fields, string name) => Assert.Single(fields, f => f.Field == name);

    [Fact]
    public void One_record_gives_every_field_it_has_and_the_CURP_arbitrates_date_and_sex()
    {
        var only = Source(curp: SergioCurp, birth: Birth, phone: "833 123 4567", street: " Calle Hidalgo ");

        var fields = GoldenRecord.Build([only]);

        Assert.All(fields, f => Assert.Equal(only.SourceRecordId, f.SourceRecordId));
        Assert.Equal(("validated-curp", SergioCurp), (Field(fields, "curp").Rule, Field(fields, "curp").Value));
        Assert.Equal(("agrees-with-curp", "1980-06-12"), (Field(fields, "birth_date").Rule, Field(fields, "birth_date").Value));
        Assert.Equal(("from-curp", "H"), (Field(fields, "sex").Rule, Field(fields, "sex").Value));
        Assert.Equal("consistent-with-curp", Field(fields, "paternal_surname").Rule);
        Assert.Equal(("most-recent", "Calle Hidalgo"), (Field(fields, "street").Rule, Field(fields, "street").Value));
        Assert.DoesNotContain(fields, f => f.Field == "colonia");
    }

    [Fact]
    public void A_CURP_without_a_birth_date_in_any_record_gives_the_date()
    {
        var fields = GoldenRecord.Build([Source(curp: SergioCurp)]);

        Assert.Equal(("from-curp", "1980-06-12"), (Field(fields, "birth_date").Rule, Field(fields, "birth_date").Value));
    }

    [Fact]
    public void The_CURP_most_records_carry_wins_then_the_most_recent()
    {
        var recentOther = Source(day: 9, curp: OtherCurp);
        var older = Source(day: 2, curp: SergioCurp);
        var oldest = Source(day: 1, curp: SergioCurp);
        var majority = Field(GoldenRecord.Build([oldest, recentOther, older]), "curp");
        Assert.Equal((SergioCurp, older.SourceRecordId), (majority.Value, majority.SourceRecordId));

        var tie = GoldenRecord.Build([oldest, recentOther]);
        Assert.Equal((OtherCurp, recentOther.SourceRecordId), (Field(tie, "curp").Value, Field(tie, "curp").SourceRecordId));
    }

    [Fact]
    public void The_birth_date_that_agrees_with_the_CURP_beats_a_more_trusted_and_more_common_one()
    {
        var agreeing = Source(sector: "economy", curp: SergioCurp, birth: Birth);
        var wrong1 = Source(sector: "health", day: 5, birth: new DateOnly(1981, 6, 12));
        var wrong2 = Source(sector: "health", day: 6, birth: new DateOnly(1981, 6, 12));

        var birth = Field(GoldenRecord.Build([wrong1, agreeing, wrong2]), "birth_date");

        Assert.Equal(("1980-06-12", agreeing.SourceRecordId, "agrees-with-curp"), (birth.Value, birth.SourceRecordId, birth.Rule));
    }

    [Fact]
    public void Without_a_CURP_the_most_trusted_sector_wins_then_agreement_then_recency()
    {
        var economyA = Source(sector: "economy", day: 9, birth: new DateOnly(1990, 1, 1), sex: "M");
        var economyB = Source(sector: "economy", day: 8, birth: new DateOnly(1990, 1, 1), sex: "M");
        var healthOld = Source(sector: "health", day: 1, birth: new DateOnly(1980, 6, 12), sex: "H");
        var healthNew = Source(sector: "health", day: 2, birth: new DateOnly(1980, 6, 13), sex: "H");
        var educationSame = Source(sector: "education", day: 1, birth: new DateOnly(1980, 6, 12), sex: "H");

        var fields = GoldenRecord.Build([economyA, economyB, healthOld, healthNew, educationSame]);

        // health and education trust alike: 06-12 is given by two of them, 06-13 by one.
        Assert.Equal(("1980-06-12", "source-trust"), (Field(fields, "birth_date").Value, Field(fields, "birth_date").Rule));
        Assert.Equal(healthOld.SourceRecordId, Field(fields, "birth_date").SourceRecordId); // same date, same day: the earlier id
        Assert.Equal("H", Field(fields, "sex").Value);
        Assert.DoesNotContain(fields, f => f.Field == "curp");

        var tie = Field(GoldenRecord.Build([healthOld, healthNew]), "birth_date");
        Assert.Equal(("1980-06-13", healthNew.SourceRecordId), (tie.Value, tie.SourceRecordId));
    }

    [Fact]
    public void Names_agreeing_with_the_CURP_win_and_separate_columns_beat_a_split_full_name()
    {
        var typo = Source(day: 9, given: "SERJIO", paternal: "KANTU");
        var fromFullName = Source(day: 8, given: "SERGIO", paternal: "CANTU", fullName: "SERGIO CANTU GONZALEZ", curp: SergioCurp);
        var separate = Source(day: 1, sector: "economy", given: "  sergio ", paternal: "Cantú");

        var fields = GoldenRecord.Build([typo, fromFullName, separate]);

        Assert.Equal(("SERGIO", separate.SourceRecordId, "consistent-with-curp"),
            (Field(fields, "given_names").Value, Field(fields, "given_names").SourceRecordId, Field(fields, "given_names").Rule));
        Assert.Equal("CANTÚ", Field(fields, "paternal_surname").Value);

        var noCurp = GoldenRecord.Build([typo, Source(day: 1, given: "SERGIO")]);
        Assert.Equal(("SERJIO", "source-trust"), (Field(noCurp, "given_names").Value, Field(noCurp, "given_names").Rule));
    }

    [Fact]
    public void Names_that_differ_only_in_accents_and_case_vote_together()
    {
        var a = Source(day: 9, paternal: "NUÑEZ");
        var b = Source(day: 8, paternal: "Núñez");
        var c = Source(day: 7, paternal: "nuñez");
        var recent = Source(day: 10, paternal: "NUNES");

        var paternal = Field(GoldenRecord.Build([c, recent, b, a]), "paternal_surname");

        Assert.Equal(("NUÑEZ", a.SourceRecordId), (paternal.Value, paternal.SourceRecordId));
    }

    [Fact]
    public void The_stored_document_display_columns_and_anchor_point_to_the_sources()
    {
        var curpRecord = Source(day: 1, curp: SergioCurp, birth: Birth);
        var recent = Source(day: 5, paternal: "CANTÚ", phone: "8331234567");

        var (document, display, anchor) = GoldenRecordWriter.Compute([curpRecord, recent]);

        Assert.Equal(string.Join("|", SergioCurp, "SERGIO", "CANTÚ", "GONZALEZ", "H", "1980-06-12"), string.Join("|", display));
        Assert.Equal(recent.SourceRecordId, anchor);
        var fields = GoldenDocument.Parse(document);
        Assert.Equal(GoldenRecord.Build([curpRecord, recent]), fields);
        var phone = fields.Single(f => f.Field == "phone");
        Assert.Equal(("8331234567", recent.SourceRecordId, "most-recent"), (phone.Value, phone.SourceRecordId, phone.Rule));
        Assert.Equal("validated-curp", fields.Single(f => f.Field == "curp").Rule);
        // Each record is named once, however many fields survived from it.
        Assert.Equal(2, JsonDocument.Parse(document).RootElement.GetProperty("sources").GetArrayLength());
        // The writer is reused between documents: a second, shorter one carries nothing of the first.
        var only = Source(given: "ANA", paternal: null, maternal: null, sex: null);
        var (second, _, _) = GoldenRecordWriter.Compute([only]);
        Assert.Equal($$"""{"sources":["{{only.SourceRecordId}}"],"given_names":["ANA",0,"source-trust"]}""", second);
        Assert.Throws<FormatException>(() => GoldenDocument.Parse("""{"given_names":{"value":"ANA"}}"""));
    }
}

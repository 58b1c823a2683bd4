using Registry.Contracts;
using Registry.Matching;

namespace Registry.Tests.Matching;

/// <summary>
/// Sparse records (issue 27): rows without a birth date or CURP — a community kitchen's list, a housing census — link by
/// name plus where the person lives when that is strong enough, ask a steward when it is close, and never link on a name
/// and a place that thousands share.
/// </summary>
public sealed class SparseRecordTests
{
    private const string Phone = "8341234567";
    private static readonly string[] HouseholdFields = ["postal_code", "municipality", "phone", "street", "colonia"];

    [Fact]
    public void A_record_without_birth_date_links_on_its_name_address_and_phone()
    {
        var person = Guid.NewGuid();
        var registry = Record(person, "ROSA ISELA", "CANTU", "MEDINA", new DateOnly(1979, 4, 2), phone: Phone, street: "CALLE HIDALGO", number: "1204", postal: "87085");
        // The kitchen's list: one full-name column, no birth date, no second surname.
        var incoming = Record(default, "ROSA ISELA", "CANTU", null, birth: null, phone: Phone, street: "C. HIDALGO", number: "1204", postal: "87085");
        Assert.True(incoming.QueryKeys().Intersect(registry.BlockingKeys()).Any(), "they share a blocking key");

        var d = Decide([Row(1, incoming)], [new CandidateRecord(1, registry)]);

        Assert.Equal(person, d.Rows[0].PersonId);
        Assert.Equal(LinkRule.Probabilistic, d.Rows[0].Rule);
        Assert.Equal("missing", d.Rows[0].Score!.Evidence()["birth_date"].Level);
        Assert.Empty(d.Reviews);
    }

    [Fact]
    public void A_row_without_a_given_name_and_with_a_surname_typo_meets_its_record_by_birth_date_and_postal_code()
    {
        var registry = Record(Guid.NewGuid(), "ERIN", "ZIMMERMANN", null, new DateOnly(1935, 12, 28), postal: "2226", street: "BOOROONDARA STREET", number: "80");
        var incoming = Record(default, "", "ZIMMERRMNN", null, new DateOnly(1935, 12, 28), postal: "2226", street: "BOOROONDARA STREET", number: "9");
        var neighbour = Record(Guid.NewGuid(), "ERIN", "ZIMMERMANN", null, new DateOnly(1935, 12, 29), postal: "2226");

        Assert.Contains(incoming.QueryKeys().Intersect(registry.BlockingKeys()), k => k.StartsWith("dz:", StringComparison.Ordinal));
        Assert.DoesNotContain(incoming.QueryKeys().Intersect(neighbour.BlockingKeys()), k => k.StartsWith("dz:", StringComparison.Ordinal));
    }

    [Fact]
    public void The_same_name_alone_in_the_same_municipality_does_not_link()
    {
        var person = Guid.NewGuid();
        var registry = Record(person, "ROSA ISELA", "CANTU", "MEDINA", new DateOnly(1979, 4, 2), phone: Phone);
        var incoming = Record(default, "ROSA ISELA", "CANTU", "MEDINA", birth: null);

        var d = Decide([Row(1, incoming)], [new CandidateRecord(1, registry)]);

        Assert.NotEqual(person, d.Rows[0].PersonId);
        Assert.True(d.Rows[0].CreatedPerson);
    }

    [Fact]
    public void The_same_name_and_postal_code_without_phone_or_house_asks_a_steward()
    {
        var person = Guid.NewGuid();
        var registry = Record(person, "ROSA ISELA", "CANTU", "MEDINA", new DateOnly(1979, 4, 2), postal: "87085");
        var incoming = Record(default, "ROSA ISELA", "CANTU", "MEDINA", birth: null, postal: "87085");

        var d = Decide([Row(1, incoming)], [new CandidateRecord(1, registry)]);

        Assert.True(d.Rows[0].CreatedPerson);
        var review = Assert.Single(d.Reviews);
        Assert.Equal(person, review.CandidatePersonId);
        Assert.Equal(ReviewReason.NamesOnly, review.Reason);
    }

    [Fact]
    public void Given_name_and_surname_written_in_each_others_column_still_link_on_the_address()
    {
        var person = Guid.NewGuid();
        var registry = Record(person, "AMELIA", "MONTALVAN", "RUIZ", new DateOnly(1983, 11, 14), street: "CALLE HIDALGO", number: "44", postal: "87085", phone: Phone);
        var incoming = Record(default, "MONTALVAN", "AMELIA", "RUIZ", birth: null, street: "HIDALGO", number: "44", postal: "87085", phone: Phone);

        var d = Decide([Row(1, incoming)], [new CandidateRecord(1, registry)]);

        Assert.Equal(person, d.Rows[0].PersonId);
        Assert.Equal("swapped-with-first-surname", d.Rows[0].Score!.Evidence()["given_names"].Level);
    }

    [Fact]
    public void A_dateless_record_with_given_name_and_its_only_surname_swapped_shares_a_blocking_key_without_any_address()
    {
        var registry = Record(Guid.NewGuid(), "SOPHIE", "SNELL", null, new DateOnly(1923, 11, 14));
        var incoming = Record(default, "SNELL", "SOPHIE", null, birth: null, municipality: "HAHNDORF");

        Assert.Contains(incoming.QueryKeys(), k => k.StartsWith("s1:", StringComparison.Ordinal) && registry.BlockingKeys().Contains(k));
    }

    [Fact]
    public void A_dateless_record_with_a_surname_typo_meets_its_person_through_the_postal_code_and_the_municipality()
    {
        var registry = Record(Guid.NewGuid(), "ROSA ISELA", "CANTU", "MEDINA", new DateOnly(1979, 4, 2), postal: "87085");
        var typo = Record(default, "ROSA ISELA", "CANTU", "MEDIMA", birth: null, postal: "87085");
        var noPostal = Record(default, "ROSA ISELA", "KANTU", "MEDINA", birth: null);

        Assert.Contains(typo.QueryKeys(), k => k.StartsWith("zg:", StringComparison.Ordinal) && registry.BlockingKeys().Contains(k));
        Assert.Contains(noPostal.QueryKeys(), k => k.StartsWith("mg:", StringComparison.Ordinal) && registry.BlockingKeys().Contains(k));
    }

    [Fact]
    public void A_son_named_after_his_father_without_a_birth_date_at_the_same_address_is_not_linked_to_him()
    {
        var father = Guid.NewGuid();
        var registry = Record(father, "JUAN", "PEREZ", "GARCIA", new DateOnly(1962, 8, 2), phone: Phone, street: "HIDALGO", number: "12", postal: "88500");
        // The son's second surname is his mother's.
        var son = Record(default, "JUAN", "PEREZ", "LOPEZ", birth: null, phone: Phone, street: "HIDALGO", number: "12", postal: "88500");

        var d = Decide([Row(1, son)], [new CandidateRecord(1, registry)]);

        Assert.NotEqual(father, d.Rows[0].PersonId);
        Assert.True(d.Rows[0].CreatedPerson);
    }

    [Fact]
    public void A_brother_without_a_birth_date_at_the_same_address_is_not_linked_to_his_brother()
    {
        var brother = Guid.NewGuid();
        var registry = Record(brother, "VICTOR", "HINOJOSA", "PONCE", new DateOnly(1973, 10, 13), "H", phone: Phone, street: "HIDALGO", number: "12", postal: "88500");
        var incoming = Record(default, "RAUL", "HINOJOSA", "PONCE", birth: null, "H", phone: Phone, street: "HIDALGO", number: "12", postal: "88500");

        var d = Decide([Row(1, incoming)], [new CandidateRecord(1, registry)]);

        Assert.True(d.Rows[0].CreatedPerson);
        Assert.Empty(d.Reviews);
    }

    [Fact]
    public void Two_different_cedulas_never_link_however_much_of_the_address_agrees()
    {
        var person = Guid.NewGuid();
        var registry = Record(person, "ROSA ISELA", "CANTU", "MEDINA", null, phone: Phone, street: "CL 56 # 49-12", postal: "050012", document: "CC:1036612345");
        var incoming = Record(default, "ROSA ISELA", "CANTU", "MEDINA", null, phone: Phone, street: "CL 56 # 49-12", postal: "050012", document: "CC:1036612346");

        var d = Decide([Row(1, incoming)], [new CandidateRecord(1, registry)]);

        Assert.NotEqual(person, d.Rows[0].PersonId);
        var review = Assert.Single(d.Reviews);
        Assert.Equal(ReviewReason.TwoValidDocuments, review.Reason);
    }

    [Fact]
    public void Without_a_birth_date_the_address_counts_more_but_still_as_one_piece_of_evidence()
    {
        var dated = Record(default, "JUAN", "PEREZ", "GARCIA", new DateOnly(1962, 8, 2), phone: Phone, street: "HIDALGO", number: "12", postal: "88500");
        var sameDate = Record(default, "JUAN", "PEREZ", "GARCIA", new DateOnly(1962, 8, 2), phone: Phone, street: "HIDALGO", number: "12", postal: "88500");
        var dateless = Record(default, "JUAN", "PEREZ", "GARCIA", null, phone: Phone, street: "HIDALGO", number: "12", postal: "88500");

        static double Household(MatchScore s) => HouseholdFields.Sum(f => s.Evidence()[f].Weight);

        Assert.Equal(MatchModel.Default.HouseholdFieldsCap, Household(MatchModel.Default.Score(Comparisons.Compare(sameDate, dated), sameDate)), 3);
        Assert.Equal(MatchModel.Default.HouseholdFieldsCapWithoutBirthDate, Household(MatchModel.Default.Score(Comparisons.Compare(dateless, dated), dateless)), 3);
    }

    [Fact]
    public void Two_dateless_records_with_the_same_name_in_the_same_colonia_link()
    {
        var person = Guid.NewGuid();
        // The housing census: street, number, postal code, colonia; no birth date, no phone.
        var census = Record(person, "ROSA ISELA", "CANTU", "MEDINA", null, street: "HIDALGO", number: "12", postal: "87085", colonia: "MAINERO");
        // The kitchen's list: the full name, the colonia and the municipality, nothing else.
        var kitchen = Record(default, "ROSA ISELA", "CANTU", "MEDINA", null, colonia: "COL. Mainero");

        var d = DecideInRegistry([Row(1, kitchen)], [new CandidateRecord(1, census)]);

        Assert.Equal(person, d.Rows[0].PersonId);
        Assert.Equal("same", d.Rows[0].Score!.Evidence()["colonia"].Level);
        Assert.Empty(d.Reviews);
    }

    [Fact]
    public void The_same_name_in_another_colonia_of_the_municipality_is_neither_linked_nor_asked_about()
    {
        var person = Guid.NewGuid();
        var census = Record(person, "ROSA ISELA", "CANTU", "MEDINA", null, street: "HIDALGO", number: "12", postal: "87085", colonia: "MAINERO");
        var kitchen = Record(default, "ROSA ISELA", "CANTU", "MEDINA", null, colonia: "TAMATAN");

        var d = DecideInRegistry([Row(1, kitchen)], [new CandidateRecord(1, census)]);

        Assert.NotEqual(person, d.Rows[0].PersonId);
        Assert.True(d.Rows[0].CreatedPerson);
        // Names are all they share and the colonias disagree: a steward would have nothing to decide by.
        Assert.Empty(d.Reviews);
    }

    [Fact]
    public void A_record_in_another_colonia_still_links_on_its_phone()
    {
        var person = Guid.NewGuid();
        var census = Record(person, "ROSA ISELA", "CANTU", "MEDINA", null, phone: Phone, street: "HIDALGO", number: "12", postal: "87085", colonia: "MAINERO");
        // Moved to another colonia, kept the phone: the phone tells her from her namesakes, the place question does not arise.
        var kitchen = Record(default, "ROSA ISELA", "CANTU", "MEDINA", null, phone: Phone, colonia: "TAMATAN");

        var d = DecideInRegistry([Row(1, kitchen)], [new CandidateRecord(1, census)]);

        Assert.Equal(person, d.Rows[0].PersonId);
        Assert.Equal("different", d.Rows[0].Score!.Evidence()["colonia"].Level);
    }

    [Fact]
    public void A_common_name_in_the_same_colonia_asks_a_steward_rather_than_linking()
    {
        var person = Guid.NewGuid();
        // JOSÉ GARCÍA HERNÁNDEZ: enough of them live in any colonia of 2,000 records that the colonia cannot tell them apart.
        var census = Record(person, "JOSE", "GARCIA", "HERNANDEZ", null, "H", street: "HIDALGO", number: "12", postal: "87085", colonia: "MAINERO");
        var kitchen = Record(default, "JOSE", "GARCIA", "HERNANDEZ", null, "H", colonia: "MAINERO");

        var d = DecideInRegistry([Row(1, kitchen)], [new CandidateRecord(1, census)]);

        Assert.True(d.Rows[0].CreatedPerson);
        var review = Assert.Single(d.Reviews);
        Assert.Equal(person, review.CandidatePersonId);
        // The colonia and the municipality it lies in count once (below): names plus one place is the review band.
        Assert.Contains(review.Reason, (ReviewReason[])[ReviewReason.NamesOnly, ReviewReason.ReviewBand]);
    }

    [Fact]
    public void The_same_colonia_or_postal_code_counts_once_not_again_for_the_municipality_it_lies_in()
    {
        var census = Record(Guid.NewGuid(), "ROSA ISELA", "CANTU", "MEDINA", null, postal: "87085", colonia: "MAINERO");
        var kitchen = Record(default, "ROSA ISELA", "CANTU", "MEDINA", null, colonia: "MAINERO");
        var elsewhere = Record(default, "ROSA ISELA", "CANTU", "MEDINA", null, colonia: "TAMATAN");
        var sameCode = Record(default, "ROSA ISELA", "CANTU", "MEDINA", null, postal: "87085", colonia: "MAINERO");

        var inColonia = InRegistry.Score(Comparisons.Compare(kitchen, census), kitchen, Frequency);
        var inOtherColonia = InRegistry.Score(Comparisons.Compare(elsewhere, census), elsewhere, Frequency);
        var inBoth = InRegistry.Score(Comparisons.Compare(sameCode, census), sameCode, Frequency);

        // Whoever lives in colonia Mainero lives in Victoria: the municipality's agreement says nothing more there.
        Assert.Equal("same", inColonia.Evidence()["municipality"].Level);
        Assert.Equal(0, inColonia.Evidence()["municipality"].Weight);
        Assert.True(inOtherColonia.Evidence()["municipality"].Weight > 0, "the municipality still counts where no narrower place agrees");
        // The postal code and the colonia that holds it: the narrower of the two counts, not their sum.
        var postal = inBoth.Evidence()["postal_code"].Weight;
        var colonia = inBoth.Evidence()["colonia"].Weight;
        Assert.Equal(Math.Max(postal, inColonia.Evidence()["colonia"].Weight), postal + colonia, 3);
    }

    [Fact]
    public void A_common_name_part_shared_in_a_colonia_where_namesakes_are_expected_asks_no_steward()
    {
        // JOSE GARCIA without a second surname or a date, and ROSA ISELA CANTU the same, each against a census record of
        // the same colonia (2,000 of the registry's 100,000 records).
        var census = Record(Guid.NewGuid(), "JOSE", "GARCIA", "HERNANDEZ", null, colonia: "MAINERO");
        var jose = Record(default, "JOSE", "GARCIA", null, null, colonia: "MAINERO");
        var rosa = Record(default, "ROSA ISELA", "CANTU", null, null, colonia: "MAINERO");
        var rosaCensus = Record(Guid.NewGuid(), "ROSA ISELA", "CANTU", "MEDINA", null, colonia: "MAINERO");

        var common = InRegistry.Score(Comparisons.Compare(jose, census), jose, Frequency);
        var rare = InRegistry.Score(Comparisons.Compare(rosa, rosaCensus), rosa, Frequency);

        // 2,000 × 3 % × 5 % = 3 other JOSE GARCIAs expected in the colonia; 2,000 × 1 % × 1 % = 0.2 ROSA ISELA CANTUs.
        Assert.True(InRegistry.NamesakesExpected(common));
        Assert.False(InRegistry.NamesakesExpected(rare));
        // Scored in the review band on such evidence, the first is no question for a steward, the second is.
        Assert.Equal(MatchOutcome.NonMatch, InRegistry.Classify(common with { Total = 18 }));
        Assert.Equal(MatchOutcome.Review, InRegistry.Classify(rare with { Total = 18 }));
        // A phone or a birth date in common is another matter: it tells namesakes apart, and the band decides.
        var withPhone = common with { Total = 18, Vector = [.. common.Vector.Select((level, i) => i == (int)MatchField.Phone ? (byte)1 : level)] };
        Assert.Equal(MatchOutcome.Review, InRegistry.Classify(withPhone));
    }

    [Fact]
    public void A_rare_full_name_in_a_small_municipality_links_where_the_whole_registry_would_hold_namesakes()
    {
        // A clinic that writes neither colonia nor postal code: the records share the municipality only. ROSA ISELA CANTÚ
        // MEDINA has 100,000 × 1 % × 1 % × 1 % = 0.1 namesakes in the registry (too many to link on), but 0.005 in a
        // municipality holding 5 % of it: the namesakes to fear are those who live there.
        var person = Guid.NewGuid();
        var census = Record(person, "ROSA ISELA", "CANTU", "MEDINA", null, municipality: "TULA");
        var clinic = Record(default, "ROSA ISELA", "CANTU", "MEDINA", null, municipality: "TULA");
        static double? InSmallMunicipality(MatchField field, string value) => field == MatchField.Municipality ? 0.05 : Frequency(field, value);
        static double? InCapital(MatchField field, string value) => field == MatchField.Municipality ? 0.6 : Frequency(field, value);

        var small = InRegistry.Score(Comparisons.Compare(clinic, census), clinic, InSmallMunicipality);
        var capital = InRegistry.Score(Comparisons.Compare(clinic, census), clinic, InCapital);
        var unknown = InRegistry.Score(Comparisons.Compare(clinic, census), clinic, Frequency);

        Assert.True(InRegistry.NameUnique(small with { Total = 25 }));
        // Where 60 % of the registry lives, the municipality hardly narrows it: a steward is asked, as without it.
        Assert.False(InRegistry.NameUnique(capital with { Total = 25 }));
        Assert.False(InRegistry.NameUnique(unknown with { Total = 25 }));
        Assert.Equal(MatchOutcome.Link, InRegistry.Classify(small with { Total = 25 }));
        Assert.Equal(MatchOutcome.Review, InRegistry.Classify(capital with { Total = 25 }));
    }

    [Fact]
    public void The_same_name_in_the_same_colonia_with_a_birth_date_that_disagrees_is_not_linked()
    {
        var mother = Guid.NewGuid();
        var census = Record(mother, "ROSA ISELA", "CANTU", "MEDINA", new DateOnly(1961, 3, 9), street: "HIDALGO", number: "12", postal: "87085", colonia: "MAINERO");
        var namesake = Record(default, "ROSA ISELA", "CANTU", "MEDINA", new DateOnly(1990, 7, 21), colonia: "MAINERO");

        var d = DecideInRegistry([Row(1, namesake)], [new CandidateRecord(1, census)]);

        Assert.True(d.Rows[0].CreatedPerson);
        Assert.Empty(d.Reviews);
    }

    [Fact]
    public void A_colonia_written_another_way_still_agrees_and_one_in_the_street_column_is_no_evidence()
    {
        var census = Record(default, "ROSA ISELA", "CANTU", "MEDINA", null, street: "HIDALGO", number: "12", colonia: "COL. LAS CUMBRES");

        string Level(MatchRecord other) => Comparisons.LevelNames[MatchField.Colonia][Comparisons.Compare(other, census)[(int)MatchField.Colonia]];

        Assert.Equal("same", Level(Record(default, "ROSA ISELA", "CANTU", "MEDINA", null, colonia: "Las Cumbres")));
        Assert.Equal("one-edit-jaro-winkler-0.90-or-contained", Level(Record(default, "ROSA ISELA", "CANTU", "MEDINA", null, colonia: "LAS CUMBRS")));
        Assert.Equal("different", Level(Record(default, "ROSA ISELA", "CANTU", "MEDINA", null, colonia: "TAMATAN")));
        // The census's street in the colonia column and its colonia in the street column.
        Assert.Equal("missing", Level(Record(default, "ROSA ISELA", "CANTU", "MEDINA", null, street: "LAS CUMBRES", number: "12", colonia: "HIDALGO")));
    }

    // A registry of 100,000 records, 2,000 of them in each colonia and 120 in each postal code; JOSE, GARCIA and HERNANDEZ are
    // as common as in Tamaulipas (given name 3 %, surnames 5 %), the other names 1 % each: ROSA ISELA CANTU MEDINA is expected
    // 0.1 times among the registry's other records (too many to link on the name alone), 0.002 times among its colonia's.
    private static readonly MatchModel InRegistry = MatchModel.Default.AtSize(100_000);

    private static double? Frequency(MatchField field, string value) => field switch
    {
        MatchField.Colonia => 0.02,
        MatchField.PostalCode => 0.0012,
        MatchField.GivenNames => value == "JOSE" ? 0.03 : 0.01,
        MatchField.PaternalSurname or MatchField.MaternalSurname => value is "GARCIA" or "HERNANDEZ" ? 0.05 : 0.01,
        _ => null,
    };

    private static ChunkDecisions DecideInRegistry(IncomingRow[] rows, CandidateRecord[] candidates) =>
        new ChunkMatcher(InRegistry, Frequency).Decide(rows, candidates, new Dictionary<Guid, string?>(), new HashSet<(Guid, Guid)>(), Guid.CreateVersion7);

    private static ChunkDecisions Decide(IncomingRow[] rows, CandidateRecord[] candidates) =>
        new ChunkMatcher(MatchModel.Default).Decide(rows, candidates, new Dictionary<Guid, string?>(), new HashSet<(Guid, Guid)>(), Guid.CreateVersion7);

    private static IncomingRow Row(int n, MatchRecord r) => new(n, r, null, null);

    private static MatchRecord Record(Guid person, string given, string paternal, string? maternal, DateOnly? birth, string sex = "M",
        string? phone = null, string? street = null, string? number = null, string? postal = null, string? document = null,
        string municipality = "VICTORIA", string? colonia = null) =>
        MatchRecord.From(new SourceRow
        {
            RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = given, PaternalSurname = paternal, MaternalSurname = maternal,
            BirthDate = birth, Sex = sex, Phone = phone, Street = street, HouseNumber = number, PostalCode = postal,
            Municipality = municipality, OtherId = document, Colonia = colonia,
        }, Guid.NewGuid(), person);
}

using Registry.Contracts;
using Registry.Matching;
using Registry.Normalization;

namespace Registry.Tests.Matching;

/// <summary>Decisions a steward would check by hand: who is linked, who goes to review, who never merges.</summary>
public sealed class ChunkMatcherTests
{
    private static readonly DateOnly Birth = new(1987, 3, 14);

    [Fact]
    public void A_nickname_without_maternal_surname_and_the_same_birth_date_links_to_the_registry_person()
    {
        var person = Guid.NewGuid();
        var registry = Record(person, "JOSE", "HERNANDEZ", "LOPEZ", Birth, "H", postal: "87000");
        var incoming = Row(1, Record(default, "PEPE", "HERNÁNDEZ", null, Birth, "H", postal: "87000"));

        var d = Decide([incoming], [new CandidateRecord(1, registry)]);

        Assert.Equal(person, d.Rows[0].PersonId);
        Assert.Equal(LinkRule.Probabilistic, d.Rows[0].Rule);
        Assert.Equal("nickname-or-dropped-maria-jose", d.Rows[0].Score!.Evidence()["given_names"].Level);
        Assert.Empty(d.Reviews);
    }

    [Fact]
    public void A_father_and_his_namesake_son_at_the_same_address_are_never_linked()
    {
        var father = Guid.NewGuid();
        var registry = Record(father, "JUAN", "PEREZ", "GARCIA", new DateOnly(1962, 8, 2), "H", postal: "88500", phone: "8991234567");
        var son = Row(1, Record(default, "JUAN", "PEREZ", "GARCIA", new DateOnly(1990, 11, 20), "H", postal: "88500", phone: "8991234567"));

        var d = Decide([son], [new CandidateRecord(1, registry)]);

        Assert.NotEqual(father, d.Rows[0].PersonId);
        Assert.True(d.Rows[0].CreatedPerson);
    }

    [Fact]
    public void Two_different_valid_CURPs_never_link_however_alike_the_rest_is_a_steward_is_asked()
    {
        var person = Guid.NewGuid();
        var curpA = Curp17("PEGJ870314HTSRRN0");
        var curpB = Curp17("PEGJ870314HTSRRN1");
        var registry = Record(person, "JUAN", "PEREZ", "GARCIA", Birth, "H", curp: curpA);
        var incoming = Row(1, Record(default, "JUAN", "PEREZ", "GARCIA", Birth, "H", curp: curpB));

        var d = Decide([incoming], [new CandidateRecord(1, registry)], curps: new() { [person] = curpA });

        Assert.NotEqual(person, d.Rows[0].PersonId);
        var review = Assert.Single(d.Reviews);
        Assert.Equal(person, review.CandidatePersonId);
        Assert.Equal(ReviewReason.TwoValidCurps, review.Reason);
    }

    [Fact]
    public void Two_different_valid_CURPs_with_little_else_in_common_are_no_question()
    {
        var person = Guid.NewGuid();
        var curpA = Curp17("PEGJ870314HTSRRN0");
        var registry = Record(person, "JUAN", "PEREZ", "GARCIA", Birth, "H", curp: curpA);
        var incoming = Row(1, Record(default, "JUAN", "PEREZ", "LOPEZ", new DateOnly(2011, 2, 3), "H", curp: Curp17("PELJ110203HTSRPN0")));

        var d = Decide([incoming], [new CandidateRecord(1, registry)], curps: new() { [person] = curpA });

        Assert.NotEqual(person, d.Rows[0].PersonId);
        Assert.Empty(d.Reviews);
    }

    [Fact]
    public void A_CURP_typo_the_check_digit_missed_is_evidence_and_does_not_keep_the_record_from_its_person()
    {
        var person = Guid.NewGuid();
        var curp = Curp17("PEGJ870314HTSRRN0");
        // Position 9 weighs 10 in the check digit: 870314 → 870324 still passes it, but no longer fits the row's birth date.
        var typo = curp[..8] + "2" + curp[9..];
        Assert.True(Curp.IsValid(typo));
        var registry = Record(person, "JUAN", "PEREZ", "GARCIA", Birth, "H", curp: curp);
        var incoming = Record(default, "JUAN", "PEREZ", "GARCIA", Birth, "H", curp: typo);
        Assert.Null(incoming.ValidCurp);
        Assert.Equal(typo, incoming.InvalidCurp);

        var d = Decide([Row(1, incoming)], [new CandidateRecord(1, registry)], curps: new() { [person] = curp });

        Assert.Equal(person, d.Rows[0].PersonId);
        Assert.Equal(LinkRule.Probabilistic, d.Rows[0].Rule);
        Assert.Equal("edit-distance-2", d.Rows[0].Score!.Evidence()["curp"].Level);
    }

    [Fact]
    public void An_uncertain_pair_goes_to_review_and_the_record_stays_its_own_person()
    {
        var person = Guid.NewGuid();
        // Same names, one part of the birth date wrong, no maternal surname: neither clearly the same nor clearly not.
        var registry = Record(person, "ROSA ELENA", "MARTINEZ", "CRUZ", new DateOnly(1975, 6, 9), "M", municipality: "REYNOSA");
        var incoming = Row(1, Record(default, "ROSA ELENA", "MARTINEZ", null, new DateOnly(1975, 6, 19), "M", municipality: "REYNOSA"));

        var d = Decide([incoming], [new CandidateRecord(1, registry)]);

        Assert.NotEqual(person, d.Rows[0].PersonId);
        var review = Assert.Single(d.Reviews);
        Assert.Equal(person, review.CandidatePersonId);
        Assert.InRange(review.Score.Total, MatchModel.Default.ReviewThreshold, MatchModel.Default.LinkThreshold);
    }

    [Fact]
    public async Task A_record_that_matches_two_agreeing_registry_persons_merges_them_into_the_older_id()
    {
        var older = Guid.CreateVersion7();
        await Task.Delay(5); // person ids are time-ordered (v7): the survivor is the one created first
        var newer = Guid.CreateVersion7();
        var a = Record(older, "MARIA GUADALUPE", "TORRES", "DIAZ", Birth, "M", postal: "87020");
        var b = Record(newer, "GUADALUPE", "TORRES", "DIAZ", Birth, "M", phone: "8341112233");
        var bridge = Row(1, Record(default, "MA. GUADALUPE", "TORRES", "DIAZ", Birth, "M", postal: "87020", phone: "8341112233"));

        var d = Decide([bridge], [new CandidateRecord(1, a), new CandidateRecord(1, b)]);

        var merge = Assert.Single(d.Merges);
        Assert.Equal((older, newer), (merge.Survivor, merge.Merged));
        Assert.Equal(older, d.Rows[0].PersonId);
    }

    [Fact]
    public async Task A_record_its_agency_id_already_linked_still_merges_the_person_it_proves_to_be()
    {
        // The agency's id links the row to its own earlier person; its data (now with the second
        // surname and birth date the first visit lacked) is plainly another agency's person too.
        var older = Guid.CreateVersion7();
        await Task.Delay(5);
        var known = Guid.CreateVersion7();
        var other = Record(older, "SANTIAGO", "VILLARREAL", "TORRES", Birth, "H", postal: "89000");
        var own = Record(known, "SANTIAGO", "VILLARREAL", null, Birth, "H");
        var row = new IncomingRow(1, Record(default, "SANTIAFGO", "VILLARREAL", "TORRES", Birth, "H", postal: "89000"), known, LinkRule.AgencyPersonId);

        var d = Decide([row], [new CandidateRecord(1, other), new CandidateRecord(1, own)]);

        var merge = Assert.Single(d.Merges);
        Assert.Equal((older, known), (merge.Survivor, merge.Merged));
        Assert.Equal(LinkRule.AgencyPersonId, d.Rows[0].Rule);
    }

    [Fact]
    public async Task A_record_its_agency_id_linked_bridges_its_person_even_when_no_blocking_key_reached_that_person_s_records()
    {
        // The clinic's first visit: SANTIAGO VILLARREAL, no second surname, the birth year one off. This visit, typed
        // again: the second surname and the right date, plainly DIF's person. When no key of this row reaches the first
        // visit's record, the merge guard had no records of the clinic's person and refused to judge (a review task).
        // The resolver now reads the key's person's records for it.
        var older = Guid.CreateVersion7();
        await Task.Delay(5);
        var known = Guid.CreateVersion7();
        var other = Record(older, "SANTIAGO", "VILLARREAL", "TORRES", Birth, "H", postal: "89000");
        var own = Record(known, "SANTIAGO", "VILLARREAL", null, Birth.AddYears(1), "H");
        var row = new IncomingRow(1, Record(default, "SANTIAGO", "VILLARREAL", "TORRES", Birth, "H", postal: "89000"), known, LinkRule.AgencyPersonId);

        var before = Decide([row], [new CandidateRecord(1, other)]);
        Assert.Empty(before.Merges);
        Assert.Contains(before.Reviews, r => r.Reason == ReviewReason.BridgesIncomparable);

        var d = new ChunkMatcher(MatchModel.Default).Decide([row], [new CandidateRecord(1, other)], new Dictionary<Guid, string?>(),
            new HashSet<(Guid, Guid)>(), Guid.CreateVersion7, keyedPersonRecords: [own]);
        var merge = Assert.Single(d.Merges);
        Assert.Equal((older, known), (merge.Survivor, merge.Merged));
    }

    [Fact]
    public void A_key_s_person_whose_own_records_disagree_with_the_other_person_is_still_not_merged()
    {
        // The same, but the clinic's person is a namesake born on another date: its records, read for the guard, disagree.
        var other = Guid.CreateVersion7();
        var known = Guid.CreateVersion7();
        var theirs = Record(other, "SANTIAGO", "VILLARREAL", "TORRES", Birth, "H", postal: "89000");
        var own = Record(known, "SANTIAGO", "VILLARREAL", "TORRES", new DateOnly(1961, 10, 2), "H");
        var row = new IncomingRow(1, Record(default, "SANTIAGO", "VILLARREAL", "TORRES", Birth, "H", postal: "89000"), known, LinkRule.AgencyPersonId);

        var d = new ChunkMatcher(MatchModel.Default).Decide([row], [new CandidateRecord(1, theirs)], new Dictionary<Guid, string?>(),
            new HashSet<(Guid, Guid)>(), Guid.CreateVersion7, keyedPersonRecords: [own]);

        Assert.Empty(d.Merges);
        Assert.Contains(d.Reviews, r => r.Reason == ReviewReason.BridgesDisagreeing);
    }

    [Fact]
    public void A_record_a_key_already_linked_asks_no_question_about_a_middling_namesake()
    {
        var known = Guid.CreateVersion7();
        var namesake = Record(Guid.CreateVersion7(), "SANTIAGO", "VILLARREAL", null, new DateOnly(1979, 3, 1), "H");
        var row = new IncomingRow(1, Record(default, "SANTIAGO", "VILLARREAL", "TORRES", Birth, "H"), known, LinkRule.AgencyPersonId);

        var d = Decide([row], [new CandidateRecord(1, namesake)]);

        Assert.Equal(known, d.Rows[0].PersonId);
        Assert.Empty(d.Reviews);
        Assert.Empty(d.Merges);
    }

    [Fact]
    public void A_steward_separation_is_never_overridden_by_a_bridging_record()
    {
        var a = Guid.CreateVersion7();
        var b = Guid.CreateVersion7();
        var ra = Record(a, "MARIA GUADALUPE", "TORRES", "DIAZ", Birth, "M");
        var rb = Record(b, "GUADALUPE", "TORRES", "DIAZ", Birth, "M");
        var bridge = Row(1, Record(default, "MA. GUADALUPE", "TORRES", "DIAZ", Birth, "M"));

        var d = Decide([bridge], [new CandidateRecord(1, ra), new CandidateRecord(1, rb)], exclusions: [(a, b)]);

        Assert.Empty(d.Merges);
        Assert.Contains(d.Reviews, r => r.Reason == ReviewReason.StewardSeparated);
    }

    [Fact]
    public void Duplicates_within_one_chunk_become_one_new_person()
    {
        var rows = new[]
        {
            Row(1, Record(default, "FRANCISCO", "GOMEZ", "RUIZ", Birth, "H")),
            Row(2, Record(default, "PACO", "GOMEZ", "RUIZ", Birth, "H")),
            Row(3, Record(default, "LUCIA", "GOMEZ", "RUIZ", new DateOnly(2012, 1, 5), "M")),
        };

        var d = Decide(rows, []);

        Assert.Equal(d.Rows[0].PersonId, d.Rows[1].PersonId);
        Assert.NotEqual(d.Rows[0].PersonId, d.Rows[2].PersonId);
        Assert.Equal(2, d.Rows.Count(r => r.CreatedPerson));
    }

    [Fact]
    public void Agreeing_on_a_common_surname_counts_for_less_than_on_a_rare_one()
    {
        var common = Record(default, "MARIA", "GARCIA", "HERNANDEZ", Birth, "M");
        var rare = Record(default, "MARIA", "ZOZAYA", "HERNANDEZ", Birth, "M");
        double? Tf(MatchField f, string v) => f == MatchField.PaternalSurname ? (v == "GARCIA" ? 0.06 : 0.0001) : null;

        var commonScore = MatchModel.Default.Score(Comparisons.Compare(common, common), common, Tf).Total;
        var rareScore = MatchModel.Default.Score(Comparisons.Compare(rare, rare), rare, Tf).Total;

        Assert.True(rareScore - commonScore > 5, $"rare {rareScore} vs common {commonScore}");
    }

    [Fact]
    public void Day_and_month_swapped_or_a_surname_typo_still_link_a_full_name_match()
    {
        var person = Guid.NewGuid();
        var registry = Record(person, "ALEJANDRA", "VILLARREAL", "SALINAS", new DateOnly(1991, 4, 7), "M");
        var swapped = Row(1, Record(default, "ALEJANDRA", "VILLAREAL", "SALINAS", new DateOnly(1991, 7, 4), "M"));

        var d = Decide([swapped], [new CandidateRecord(1, registry)]);

        Assert.Equal(person, d.Rows[0].PersonId);
    }

    [Fact]
    public void Scoring_ahead_of_the_lock_changes_no_decision()
    {
        var jose = Guid.NewGuid();
        var maria = Guid.NewGuid();
        var candidates = new[]
        {
            new CandidateRecord(1, Record(jose, "JOSE", "HERNANDEZ", "LOPEZ", Birth, "H", postal: "87000")),
            new CandidateRecord(2, Record(maria, "MARIA", "GARCIA", "RUIZ", new DateOnly(1990, 2, 3), "M")),
            new CandidateRecord(3, Record(maria, "MARIA", "GARCIA", "RUIZ", new DateOnly(1990, 2, 3), "M")),
        };
        var rows = new[]
        {
            Row(1, Record(default, "PEPE", "HERNÁNDEZ", null, Birth, "H", postal: "87000")),
            Row(2, Record(default, "MARIA", "GARCIA", "RUIZ", new DateOnly(1990, 3, 2), "M")),
            Row(3, Record(default, "MA.", "GARCIA", null, new DateOnly(1990, 2, 3), "M")),
            Row(4, Record(default, "LUCIA", "ZOZAYA", "PEÑA", new DateOnly(2001, 6, 9), "M")),
            Row(5, Record(default, "LUCIA", "SOSAYA", "PEÑA", new DateOnly(2001, 6, 9), "M")),
        };
        static double? Frequencies(MatchField field, string value) => value.StartsWith('G') ? 0.05 : 0.0001;
        ChunkDecisions Run(bool prescore)
        {
            var matcher = new ChunkMatcher(MatchModel.Default, Frequencies);
            // Ahead of the lock the matcher sees only the first candidate; the others arrive with the catch-up.
            if (prescore) matcher.Prescore([.. rows.Select(r => (r.RowNumber, r.Record))], candidates[..1]);
            return matcher.Decide(rows, candidates, new Dictionary<Guid, string?>(), new HashSet<(Guid, Guid)>(), Guid.CreateVersion7);
        }

        var (plain, ahead) = (Run(prescore: false), Run(prescore: true));

        static string Show(ChunkDecisions d) => string.Join("; ", d.Rows.Select(r =>
            $"{r.RowNumber} {r.Rule} {(d.Rows.Any(o => o.CreatedPerson && o.PersonId == r.PersonId) ? "new:" + d.Rows.First(o => o.PersonId == r.PersonId).RowNumber : r.PersonId.ToString())} {r.Score?.Total:F4}"))
            + " | " + string.Join("; ", d.Reviews.Select(v => $"{v.RowNumber}->{v.CandidatePersonId} {v.Score.Total:F4}"));
        Assert.Equal(Show(plain), Show(ahead));
        Assert.Equal(jose, plain.Rows[0].PersonId);
        Assert.Equal(plain.Rows[3].PersonId, plain.Rows[4].PersonId);
    }

    [Fact]
    public void Prescoring_names_the_rows_that_reach_the_link_threshold_with_a_candidate_or_each_other()
    {
        // The resolver stages a row's golden record as a new person of its own only for the other rows.
        // Row 5 too, though two valid CURPs will keep it a person of its own: the resolver then computes its golden record under the lock.
        var jose = Record(Guid.NewGuid(), "JOSE", "HERNANDEZ", "LOPEZ", Birth, "H", postal: "87000");
        var juan = Record(Guid.NewGuid(), "JUAN", "PEREZ", "GARCIA", Birth, "H", curp: Curp17("PEGJ870314HTSRRN0"));
        var rows = new[]
        {
            Row(1, Record(default, "PEPE", "HERNÁNDEZ", null, Birth, "H", postal: "87000")),
            Row(2, Record(default, "LUCIA", "ZOZAYA", "PEÑA", new DateOnly(2001, 6, 9), "M")),
            Row(3, Record(default, "LUCIA", "ZOZAYA", "PEÑA", new DateOnly(2001, 6, 9), "M")),
            Row(4, Record(default, "ROSA", "MEDINA", "SOTO", new DateOnly(1975, 1, 30), "M")),
            Row(5, Record(default, "JUAN", "PEREZ", "GARCIA", Birth, "H", curp: Curp17("PEGJ870314HTSRRN1"))),
        };

        var linking = new ChunkMatcher(MatchModel.Default).Prescore([.. rows.Select(r => (r.RowNumber, r.Record))],
            [new CandidateRecord(1, jose), new CandidateRecord(5, juan)]);

        Assert.Equal([1, 2, 3, 5], linking.Order());
    }

    [Fact]
    public void A_record_that_agrees_on_names_alone_is_asked_about_not_linked()
    {
        // ROSA MARÍA HERRERA RODRÍGUEZ of Reynosa without a birth date or CURP: at a state's size she has namesakes there.
        var person = Guid.NewGuid();
        var registry = Record(person, "ROSA MARIA", "HERRERA", "RODRIGUEZ", new DateOnly(1971, 5, 2), "M", municipality: "REYNOSA");
        var incoming = Row(1, Record(default, "ROSA MARÍA", "HERRERA", "RODRÍGUEZ", null, "M", municipality: "REYNOSA"));

        var d = Decide([incoming], [new CandidateRecord(1, registry)]);

        Assert.NotEqual(person, d.Rows[0].PersonId);
        var review = Assert.Single(d.Reviews);
        Assert.Equal(person, review.CandidatePersonId);
        Assert.Equal(ReviewReason.NamesOnly, review.Reason);
    }

    [Fact]
    public void Names_and_a_shared_phone_without_a_birth_date_still_link()
    {
        var person = Guid.NewGuid();
        var registry = Record(person, "ROSA MARIA", "HERRERA", "RODRIGUEZ", new DateOnly(1971, 5, 2), "M", phone: "8991234567", municipality: "REYNOSA");
        var incoming = Row(1, Record(default, "ROSA MARIA", "HERRERA", "RODRIGUEZ", null, "M", phone: "8991234567", municipality: "REYNOSA"));

        var d = Decide([incoming], [new CandidateRecord(1, registry)]);

        Assert.Equal(person, d.Rows[0].PersonId);
        Assert.Empty(d.Reviews);
    }

    [Fact]
    public void A_record_two_namesakes_match_equally_goes_to_a_steward_instead_of_the_first()
    {
        // Two registry persons of the same name and birth date who are not one (different valid CURPs); the row has no CURP.
        var (a, b) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var curpA = Curp17("HERR710502MTSRDS0");
        var curpB = Curp17("HERR710502MTSRDS1");
        var ra = Record(a, "ROSA MARIA", "HERRERA", "RODRIGUEZ", new DateOnly(1971, 5, 2), "M", curp: curpA);
        var rb = Record(b, "ROSA MARIA", "HERRERA", "RODRIGUEZ", new DateOnly(1971, 5, 2), "M", curp: curpB);
        var incoming = Row(1, Record(default, "ROSA MARIA", "HERRERA", "RODRIGUEZ", new DateOnly(1971, 5, 2), "M"));

        var d = Decide([incoming], [new CandidateRecord(1, ra), new CandidateRecord(1, rb)], curps: new() { [a] = curpA, [b] = curpB });

        Assert.True(d.Rows[0].CreatedPerson);
        Assert.Equal(new[] { a, b }.Order(), d.Reviews.Select(r => r.CandidatePersonId).Order());
        Assert.Empty(d.Merges);
    }

    [Fact]
    public void An_agency_id_that_names_a_person_the_row_contradicts_does_not_link_it()
    {
        // The agency reused (or mistyped) its id: the row is someone else entirely.
        var person = Guid.NewGuid();
        var registry = Record(person, "JUAN", "PEREZ", "GARCIA", new DateOnly(1962, 8, 2), "H");
        var incoming = KnownRow(1, Record(default, "LUCIA", "ZOZAYA", "PEÑA", new DateOnly(2001, 6, 9), "M"), person, LinkRule.AgencyPersonId);

        var d = Decide([incoming], [new CandidateRecord(1, registry)]);

        Assert.NotEqual(person, d.Rows[0].PersonId);
        Assert.True(d.Rows[0].CreatedPerson);
        var review = Assert.Single(d.Reviews);
        Assert.Equal(person, review.CandidatePersonId);
        Assert.Equal(ReviewReason.ContradictedAgencyId, review.Reason);
    }

    [Fact]
    public void An_agency_id_row_with_ordinary_typing_errors_keeps_its_person()
    {
        var person = Guid.NewGuid();
        var registry = Record(person, "MARIA GUADALUPE", "TORRES", "DIAZ", new DateOnly(1980, 4, 12), "M");
        var incoming = KnownRow(1, Record(default, "GUADALUPE", "TOREZ", null, new DateOnly(1980, 12, 4), "M"), person, LinkRule.AgencyPersonId);

        var d = Decide([incoming], [new CandidateRecord(1, registry)]);

        Assert.Equal(person, d.Rows[0].PersonId);
        Assert.Equal(LinkRule.AgencyPersonId, d.Rows[0].Rule);
        Assert.Empty(d.Reviews);
    }

    [Fact]
    public void A_row_that_carries_little_more_than_its_key_is_not_contradicted_by_what_it_lacks()
    {
        // Only the agency id and a municipality: nothing to judge the person by, and people move.
        var person = Guid.NewGuid();
        var registry = Record(person, "JUAN", "PEREZ", "GARCIA", new DateOnly(1962, 8, 2), "H", municipality: "VICTORIA");
        var incoming = KnownRow(1, MatchRecord.From(new SourceRow { RowNumber = 1, RecordKey = "k", ContentHash = "h", Municipality = "REYNOSA" },
            Guid.NewGuid()), person, LinkRule.AgencyPersonId);

        var d = Decide([incoming], [new CandidateRecord(1, registry)]);

        Assert.Equal(person, d.Rows[0].PersonId);
        Assert.Empty(d.Reviews);
    }

    private static ChunkDecisions Decide(IncomingRow[] rows, CandidateRecord[] candidates,
        Dictionary<Guid, string?>? curps = null, HashSet<(Guid, Guid)>? exclusions = null) =>
        new ChunkMatcher(MatchModel.Default).Decide(rows, candidates, curps ?? [], exclusions ?? [], Guid.CreateVersion7);

    private static IncomingRow Row(int n, MatchRecord r) => new(n, r, null, null);

    private static IncomingRow KnownRow(int n, MatchRecord r, Guid person, LinkRule rule) => new(n, r, person, rule);

    private static string Curp17(string first17) => first17 + Curp.CheckDigit(first17);

    private static MatchRecord Record(Guid person, string given, string paternal, string? maternal, DateOnly? birth, string sex,
        string? curp = null, string? postal = null, string? phone = null, string? municipality = null) =>
        MatchRecord.From(new SourceRow
        {
            RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = given, PaternalSurname = paternal, MaternalSurname = maternal,
            BirthDate = birth, Sex = sex, Curp = curp, PostalCode = postal, Phone = phone, Municipality = municipality,
        }, Guid.NewGuid(), person);
}

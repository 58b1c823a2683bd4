using Registry.Contracts;
using Registry.Matching;

namespace Registry.Tests.Matching;

/// <summary>
/// Colombian documents in matching: a child's registro civil and later tarjeta de identidad with one NUIP are evidence
/// of one person; two different cédulas never auto-merge (hard rule 3), however alike the rest is.
/// </summary>
public sealed class TypedDocumentMatchingTests
{
    private static readonly DateOnly Birth = new(2012, 5, 9);

    [Fact]
    public void A_childs_registro_civil_and_tarjeta_de_identidad_with_one_NUIP_link_without_a_birth_date()
    {
        var person = Guid.NewGuid();
        var registry = Record(person, "JUAN DAVID", "RESTREPO", "ZAPATA", Birth, "H", "RC:1034567890");
        // Years later a clinic registers him with his TI, the same NUIP, and no birth date.
        var incoming = Row(1, Record(default, "JUAN DAVID", "RESTREPO", "ZAPATA", null, "H", "TI:1034567890"));

        var d = Decide([incoming], [new CandidateRecord(1, registry)]);

        Assert.Equal(person, d.Rows[0].PersonId);
        Assert.Equal("exact", d.Rows[0].Score!.Evidence()["other_id"].Level);
        // Without the documents the same two records are not linked: names alone do not tell namesakes apart.
        var bare = Row(1, Record(default, "JUAN DAVID", "RESTREPO", "ZAPATA", null, "H", null));
        Assert.NotEqual(person, Decide([bare], [new CandidateRecord(1, Record(person, "JUAN DAVID", "RESTREPO", "ZAPATA", Birth, "H", null))]).Rows[0].PersonId);
    }

    [Fact]
    public void Two_different_cedulas_never_link_however_alike_the_rest_is_a_steward_is_asked()
    {
        var person = Guid.NewGuid();
        var registry = Record(person, "LUZ MARINA", "GIRALDO", "OSPINA", new DateOnly(1971, 2, 3), "M", "CC:43512890", phone: "3104567890");
        var incoming = Row(1, Record(default, "LUZ MARINA", "GIRALDO", "OSPINA", new DateOnly(1971, 2, 3), "M", "CC:43512891", phone: "3104567890"));

        var d = Decide([incoming], [new CandidateRecord(1, registry)]);

        Assert.NotEqual(person, d.Rows[0].PersonId);
        var review = Assert.Single(d.Reviews);
        Assert.Equal(person, review.CandidatePersonId);
        Assert.Equal(ReviewReason.TwoValidDocuments, review.Reason);
    }

    [Fact]
    public void An_agency_id_does_not_put_a_second_cedula_on_its_person_a_steward_is_asked()
    {
        // The agency reused a member id for the head's sister: same surnames, another cédula.
        var person = Guid.NewGuid();
        var registry = Record(person, "LUZ MARINA", "GIRALDO", "OSPINA", new DateOnly(1971, 2, 3), "M", "CC:43512890", phone: "3104567890");
        var incoming = new IncomingRow(1, Record(default, "LUZ MARINA", "GIRALDO", "OSPINA", new DateOnly(1971, 2, 3), "M", "CC:43998877", phone: "3104567890"),
            person, LinkRule.AgencyPersonId);

        var d = Decide([incoming], [new CandidateRecord(1, registry)]);

        Assert.NotEqual(person, d.Rows[0].PersonId);
        Assert.Contains(d.Reviews, r => r.CandidatePersonId == person && r.Reason == ReviewReason.ContradictedAgencyId);
        // Its own earlier document of the succession is no conflict: the key links.
        var child = Guid.NewGuid();
        var rc = Record(child, "SALOME", "ARANGO", "ZAPATA", new DateOnly(2016, 2, 2), "M", "RC:1020304050");
        var ti = new IncomingRow(1, Record(default, "SALOME", "ARANGO", "ZAPATA", new DateOnly(2016, 2, 2), "M", "TI:1020304050"), child, LinkRule.AgencyPersonId);
        Assert.Equal(child, Decide([ti], [new CandidateRecord(1, rc)]).Rows[0].PersonId);
    }

    [Fact]
    public void A_row_without_a_document_does_not_bridge_two_persons_holding_different_cedulas()
    {
        // Two registry persons, same name and birth date, different cédulas; a row without any document matches both.
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var ra = Record(a, "LUZ MARINA", "GIRALDO", "OSPINA", new DateOnly(1971, 2, 3), "M", "CC:43512890", phone: "3104567890");
        var rb = Record(b, "LUZ MARINA", "GIRALDO", "OSPINA", new DateOnly(1971, 2, 3), "M", "CC:43998877", phone: "3104567890");
        var incoming = Row(1, Record(default, "LUZ MARINA", "GIRALDO", "OSPINA", new DateOnly(1971, 2, 3), "M", null, phone: "3104567890"));

        var d = Decide([incoming], [new CandidateRecord(1, ra), new CandidateRecord(1, rb)]);

        Assert.Empty(d.Merges);
    }

    [Fact]
    public void A_TI_and_a_later_cedula_with_their_own_numbers_are_neither_evidence_nor_a_conflict()
    {
        var person = Guid.NewGuid();
        var registry = Record(person, "CARLOS MARIO", "ARANGO", "HENAO", new DateOnly(1988, 7, 21), "H", "TI:88072154321", phone: "3001112233");
        var incoming = Row(1, Record(default, "CARLOS MARIO", "ARANGO", "HENAO", new DateOnly(1988, 7, 21), "H", "CC:1036612345", phone: "3001112233"));

        var d = Decide([incoming], [new CandidateRecord(1, registry)]);

        Assert.Equal(person, d.Rows[0].PersonId);
        Assert.Equal("missing", d.Rows[0].Score!.Evidence()["other_id"].Level);
    }

    private static ChunkDecisions Decide(IncomingRow[] rows, CandidateRecord[] candidates) =>
        new ChunkMatcher(MatchModel.Default).Decide(rows, candidates, new Dictionary<Guid, string?>(), new HashSet<(Guid, Guid)>(), Guid.CreateVersion7);

    private static IncomingRow Row(int n, MatchRecord r) => new(n, r, null, null);

    private static MatchRecord Record(Guid person, string given, string paternal, string? maternal, DateOnly? birth, string sex, string? document,
        string? phone = null) =>
        MatchRecord.From(new SourceRow
        {
            RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = given, PaternalSurname = paternal, MaternalSurname = maternal,
            BirthDate = birth, Sex = sex, OtherId = document, Phone = phone, Municipality = "MEDELLIN",
        }, Guid.NewGuid(), person);
}

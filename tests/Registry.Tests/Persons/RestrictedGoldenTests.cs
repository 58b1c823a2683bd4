using System.Text.Json;
using Registry.Contracts;
using Registry.Persons;

namespace Registry.Tests.Persons;

/// <summary>What a reader without a sensitive-sector grant sees of a golden record, as the writer derives it.</summary>
public sealed class RestrictedGoldenTests
{
    private static readonly DateTimeOffset Received = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static int next;

    private static GoldenSource Source(string sector, int day, string given = "SERGIO", string? maternal = "GONZALEZ", DateOnly? birth = null,
        string? phone = null) =>
        new(new Guid(Interlocked.Increment(ref next), 0, 0, new byte[8]), new SourceRow
        {
            RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = given, PaternalSurname = "CANTU", MaternalSurname = maternal,
            BirthDate = birth, Phone = phone, ServiceDate = new DateOnly(2026, 1, day),
        }, sector, Received);

    private static RestrictedGolden Derive(params GoldenSource[] sources) => GoldenRecordWriter.Compute(sources).Restricted;

    private static Dictionary<string, string> Values(string document) =>
        GoldenDocument.Parse(document).ToDictionary(f => f.Field, f => f.Value);

    [Fact]
    public void A_person_only_sensitive_sources_know_is_hidden()
    {
        Assert.Equal(new RestrictedGolden(RestrictedGolden.Hidden, null, false), Derive(Source("health", 1), Source("security", 2)));
    }

    [Fact]
    public void A_person_of_non_sensitive_sources_is_seen_as_the_golden_record_with_its_name()
    {
        Assert.Equal(new RestrictedGolden(RestrictedGolden.AsGolden, null, true), Derive(Source("social", 1), Source("education", 2, given: "sergio ")));
    }

    [Fact]
    public void A_clinic_that_outranks_DIF_for_names_gives_the_reader_survivorship_over_DIF_without_the_clinics_phone()
    {
        var restricted = Derive(Source("social", 1, birth: new DateOnly(1980, 6, 12)), Source("health", 2, phone: "899-555-0101"));

        // Health outranks DIF for names, but both wrote the same: the listed name and birth date are DIF's too.
        Assert.Equal(RestrictedGolden.Own, restricted.View);
        var values = Values(restricted.Document!);
        Assert.False(values.ContainsKey("phone"));
        Assert.Equal("1980-06-12", values["birth_date"]);
        Assert.True(restricted.NameSeen);
    }

    [Fact]
    public void A_phone_only_a_security_source_gave_leaves_identity_fields_of_visible_sources_listed_as_stored()
    {
        // The prevention centre is the most recent source (the phone's) but, trusted least for names, not their survivor.
        var restricted = Derive(Source("education", 1, birth: new DateOnly(1980, 6, 12)), Source("security", 2, phone: "899-555-0101"));

        Assert.Equal(RestrictedGolden.IdentityAsGolden, restricted.View);
        Assert.False(Values(restricted.Document!).ContainsKey("phone"));
    }

    [Fact]
    public void A_name_only_a_clinic_wrote_is_not_one_a_visible_source_carries()
    {
        var restricted = Derive(Source("social", 1, given: "SERGIO"), Source("health", 2, given: "SERGIO ALBERTO"));

        Assert.Equal(RestrictedGolden.Own, restricted.View);
        Assert.Equal("SERGIO", Values(restricted.Document!)["given_names"]);
        Assert.False(restricted.NameSeen);
    }
}

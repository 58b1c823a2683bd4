using Registry.Feeds;

namespace Registry.Tests.Feeds;

/// <summary>
/// Field-level quality (hard rule 8, issue 27): a row is rejected only when it lacks a required field or
/// names no one; an invalid or implausible optional value is left out with a warning and the row kept.
/// </summary>
public sealed class FieldQualityTests
{
    private static readonly DateOnly Today = new(2026, 12, 6);

    private static readonly FeedDefinition Feed = new()
    {
        Code = "prueba", Agency = new AgencyInfo("AG", "Agencia"), Sector = "social", Kind = FeedKinds.CsvDrop,
        Csv = new CsvDialect { DateFormats = ["dd/MM/yyyy"] },
        Fields = new[]
        {
            "agency_person_id", "curp", "given_names", "paternal_surname", "maternal_surname", "birth_date", "phone",
            "postal_code", "other_id", "programme", "service_date",
        }.ToDictionary(f => f, f => (IReadOnlyList<string>)[f.ToUpperInvariant()], StringComparer.Ordinal),
        Required = ["programme"],
    };

    private static Dictionary<string, string?> Row(params (string Field, string? Value)[] changes)
    {
        var row = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["agency_person_id"] = "A-1", ["given_names"] = "ANA", ["paternal_surname"] = "LOPEZ", ["birth_date"] = "04/09/1967",
            ["programme"] = "Despensa", ["service_date"] = "01/10/2026",
        };
        foreach (var (field, value) in changes) row[field] = value;
        return row;
    }

    private static (RowQuality Quality, Dictionary<string, string?> Values) Check(FeedDefinition feed, params (string, string?)[] changes)
    {
        var values = Row(changes);
        return (FieldQuality.Check(values, feed, Today, "column"), values);
    }

    [Fact]
    public void A_clean_row_is_accepted_with_its_dates_and_no_warning()
    {
        var (q, _) = Check(Feed);
        Assert.False(q.Rejected);
        Assert.Equal((new DateOnly(1967, 9, 4), new DateOnly(2026, 10, 1)), (q.BirthDate, q.ServiceDate));
        Assert.Null(q.Warnings);
    }

    [Theory]
    [InlineData("birth_date", "31/02/1975", "day 31 does not exist in 1975-02")]
    [InlineData("birth_date", "19804103", "is not a date in the formats dd/MM/yyyy")]
    [InlineData("birth_date", "01/01/2031", "is in the future (after 2026-12-06)")]
    [InlineData("birth_date", "01/01/1850", "year 1850 is before 1900")]
    [InlineData("service_date", "31/09/2026", "day 31 does not exist in 2026-09")]
    [InlineData("curp", "XXXX", "not a CURP: 4 letters and digits, a CURP has 18")]
    [InlineData("phone", "N/D", "not a phone number")]
    [InlineData("phone", "0000000000", "placeholder")]
    [InlineData("postal_code", "S/N", "not a postal code")]
    [InlineData("postal_code", "00000", "not a postal code")]
    [InlineData("other_id", "0", "not an identifier")]
    public void An_invalid_optional_value_is_left_out_with_a_warning_and_the_row_is_kept(string field, string value, string reason)
    {
        var (q, values) = Check(Feed, (field, value));

        Assert.False(q.Rejected, q.Rejection);
        var warning = Assert.Single(q.Warnings!);
        Assert.Equal((field, value), (warning.Field, warning.Value));
        Assert.Contains(reason, warning.Reason, StringComparison.Ordinal);
        Assert.Null(values[field]); // not used by matching or the golden record
        if (field == "birth_date") Assert.Null(q.BirthDate);
        if (field == "service_date") Assert.Null(q.ServiceDate);
    }

    [Theory]
    [InlineData("postal_code", "88540")]
    [InlineData("postal_code", "C.P. 88540")]
    [InlineData("postal_code", "4011")] // a spreadsheet dropped the leading zero
    [InlineData("phone", "899-158-8139")]
    [InlineData("curp", "GOCX670904MTSNNM02")]
    [InlineData("other_id", "7535316")]
    public void A_usable_value_is_kept_without_a_warning(string field, string value)
    {
        var (q, values) = Check(Feed, (field, value));
        Assert.Null(q.Warnings);
        Assert.Equal(value, values[field]);
    }

    [Fact]
    public void The_earliest_plausible_birth_year_is_the_feeds_own()
    {
        var strict = Feed with { Quality = new FieldQualitySettings { EarliestBirthYear = 1920 } };

        var (before, _) = Check(strict, ("birth_date", "02/03/1915"));
        var (after, _) = Check(strict, ("birth_date", "02/03/1921"));
        var (byDefault, _) = Check(Feed, ("birth_date", "02/03/1915"));

        Assert.Contains("year 1915 is before 1920, the feed's earliest plausible birth year", Assert.Single(before.Warnings!).Reason, StringComparison.Ordinal);
        Assert.Null(before.BirthDate);
        Assert.Equal(new DateOnly(1921, 3, 2), after.BirthDate);
        Assert.Equal(new DateOnly(1915, 3, 2), byDefault.BirthDate);
    }

    [Fact]
    public void A_CURP_of_18_characters_that_fails_its_check_warns_but_stays_for_matching_as_a_possible_typo()
    {
        var (q, values) = Check(Feed, ("curp", "GOCX670904MTSNNM03"));

        Assert.False(q.Rejected);
        Assert.Contains("its check digit is 3, the one computed from the other 17 characters is 2", Assert.Single(q.Warnings!).Reason, StringComparison.Ordinal);
        Assert.Equal("GOCX670904MTSNNM03", values["curp"]);
    }

    [Fact]
    public void Several_bad_values_give_one_warning_each()
    {
        var (q, _) = Check(Feed, ("birth_date", "1990-13-01"), ("phone", "123"), ("curp", "N/A"));
        Assert.Equal(["birth_date", "curp", "phone"], q.Warnings!.Select(w => w.Field));
    }

    [Fact]
    public void A_missing_required_field_rejects_the_row()
    {
        var (q, _) = Check(Feed, ("programme", null));
        Assert.Equal("required field programme (column 'PROGRAMME') is empty", q.Rejection);
    }

    [Fact]
    public void An_invalid_value_of_a_required_field_rejects_the_row_saying_why()
    {
        var feed = Feed with { Required = ["programme", "service_date"] };
        var (q, _) = Check(feed, ("service_date", "31/09/2026"));
        Assert.StartsWith("service_date '31/09/2026' (column 'SERVICE_DATE') is not a valid date in the feed's formats (dd/MM/yyyy): ", q.Rejection, StringComparison.Ordinal);
        Assert.Contains("day 31 does not exist in 2026-09", q.Rejection, StringComparison.Ordinal);
    }

    [Fact]
    public void A_row_with_no_name_and_no_identifier_is_rejected_as_attributable_to_no_one()
    {
        var (q, _) = Check(Feed, ("agency_person_id", null), ("given_names", null), ("paternal_surname", " -- "), ("curp", "XXXX"), ("other_id", "000"));
        Assert.StartsWith("the row cannot be attributed to anyone: it has no name and no identifier", q.Rejection, StringComparison.Ordinal);
        Assert.Contains("agency_person_id (column 'AGENCY_PERSON_ID')", q.Rejection, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("agency_person_id", "A-1")]
    [InlineData("curp", "GOCX670904MTSNNM02")]
    [InlineData("other_id", "7535316")]
    [InlineData("paternal_surname", "LOPEZ")]
    public void A_row_with_a_name_or_one_identifier_is_attributable(string field, string value)
    {
        var (q, _) = Check(Feed, ("agency_person_id", null), ("given_names", null), ("paternal_surname", null), (field, value));
        Assert.False(q.Rejected, q.Rejection);
    }

    private static readonly FeedDefinition Colombian = Feed with
    {
        Code = "medellin", Country = Countries.Colombia,
        Fields = Feed.Fields.Concat(new[] { "document_type", "document_number" }.ToDictionary(f => f, f => (IReadOnlyList<string>)[f.ToUpperInvariant()]))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
    };

    [Theory]
    [InlineData("C.C.", "1.036.612.345", "CC:1036612345")]
    [InlineData("Tarjeta de identidad", "1012345678", "TI:1012345678")]
    [InlineData("NUIP", "1012345678", "RC:1012345678")]
    public void A_valid_typed_document_travels_as_the_typed_other_identifier(string type, string number, string typed)
    {
        var (q, values) = Check(Colombian, ("document_type", type), ("document_number", number));
        Assert.False(q.Rejected);
        Assert.Null(q.Warnings);
        Assert.Equal(typed, values["other_id"]);
    }

    [Theory]
    [InlineData("TI", "123456789", "not a tarjeta de identidad: 9 digits, 10 to 11 expected")]
    [InlineData("CC", "00000000", "a leading zero")]
    [InlineData("LIBRETA", "1036612345", "a document of unknown type 'LIBRETA'")]
    [InlineData(null, "1036612345", "a document number without its type")]
    public void An_invalid_document_is_left_out_with_a_warning_and_the_row_is_kept(string? type, string number, string reason)
    {
        var (q, values) = Check(Colombian, ("document_type", type), ("document_number", number));
        Assert.False(q.Rejected);
        var warning = Assert.Single(q.Warnings!);
        Assert.Equal(("document_number", number), (warning.Field, warning.Value));
        Assert.Contains(reason, warning.Reason, StringComparison.Ordinal);
        Assert.Null(values.GetValueOrDefault("other_id"));
    }

    [Fact]
    public void A_CURP_sent_as_a_document_type_is_the_rows_CURP_and_its_own_rules_apply()
    {
        var (q, values) = Check(Colombian, ("document_type", "CURP"), ("document_number", "XXXX"));
        Assert.Null(values["curp"]);
        Assert.Equal("curp", Assert.Single(q.Warnings!).Field);
    }

    [Fact]
    public void A_row_known_only_by_its_document_is_attributed_to_someone()
    {
        var (q, _) = Check(Colombian, ("agency_person_id", null), ("given_names", null), ("paternal_surname", null),
            ("document_type", "CC"), ("document_number", "43512890"));
        Assert.False(q.Rejected);
    }
}

using Registry.Normalization;

namespace Registry.Tests.Normalization;

public sealed class DatesTests
{
    private static readonly DateOnly Today = new(2026, 3, 15);

    [Theory]
    [InlineData("05/03/1980", "dd/MM/yyyy")]
    [InlineData("5/3/1980", "d/M/yyyy")]
    [InlineData("1980-03-05", "yyyy-MM-dd")]
    [InlineData("5-3-80", "d-M-yy")]
    [InlineData("19800305", "yyyyMMdd")]
    [InlineData("29285", "excel")]
    public void Each_feed_format_reads_the_same_day(string raw, string format)
    {
        var result = Dates.Parse(raw, [format], Today, lenient: false);

        Assert.True(result.Ok, result.Error);
        Assert.Equal(new DateOnly(1980, 3, 5), result.Date);
        Assert.Equal(format, result.Format);
    }

    [Fact]
    public void Formats_are_tried_in_the_feeds_order()
    {
        var result = Dates.Parse("1980-03-05", ["dd/MM/yyyy", "yyyy-MM-dd"], Today, lenient: false);

        Assert.Equal("yyyy-MM-dd", result.Format);
    }

    [Theory]
    [InlineData("01-01-26", 2026)]
    [InlineData("01-06-26", 1926)]
    [InlineData("15-03-26", 2026)]
    [InlineData("16-03-26", 1926)]
    [InlineData("01-01-99", 1999)]
    [InlineData("01-01-05", 2005)]
    public void Two_digit_years_are_never_after_the_reference_date(string raw, int year)
    {
        Assert.Equal(year, Dates.Parse(raw, ["dd-MM-yy"], Today, lenient: false).Date!.Value.Year);
    }

    [Fact]
    public void Excel_serials_follow_the_1900_system_and_its_phantom_leap_day()
    {
        Assert.Equal(new DateOnly(1900, 1, 1), Dates.FromExcelSerial(1).Date);
        Assert.Equal(new DateOnly(1900, 2, 28), Dates.FromExcelSerial(59).Date);
        Assert.Equal(new DateOnly(1900, 3, 1), Dates.FromExcelSerial(61).Date);
        Assert.Equal(new DateOnly(2026, 1, 1), Dates.FromExcelSerial(46023.75).Date);
        var phantom = Dates.FromExcelSerial(60);
        Assert.False(phantom.Ok);
        Assert.Contains("29/02/1900", phantom.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_impossible_day_is_rejected_with_a_reason()
    {
        var result = Dates.Parse("31/02/1980", ["dd/MM/yyyy"], Today, lenient: false);

        Assert.False(result.Ok);
        Assert.Contains("day 31 does not exist in 1980-02", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Dates_before_1900_are_rejected()
    {
        var result = Dates.Parse("01/01/1899", ["dd/MM/yyyy"], Today, lenient: false);

        Assert.False(result.Ok);
        Assert.Contains("before 1900", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_future_birth_date_is_rejected_but_a_future_service_date_parses()
    {
        var birth = Dates.ParseBirthDate("01/01/2027", ["dd/MM/yyyy"], Today);
        Assert.False(birth.Ok);
        Assert.Contains("in the future", birth.Error, StringComparison.Ordinal);

        Assert.True(Dates.Parse("01/01/2027", ["dd/MM/yyyy"], Today).Ok);
    }

    [Fact]
    public void Text_in_none_of_the_formats_names_the_formats_tried()
    {
        var result = Dates.Parse("ayer", ["dd/MM/yyyy"], Today, lenient: false);

        Assert.False(result.Ok);
        Assert.Contains("'ayer' is not a date in the formats dd/MM/yyyy", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1980-03-05T00:00:00")]
    [InlineData("1980-03-05 00:00:00")]
    [InlineData("05.03.1980")]
    [InlineData("5 MAR 1980")]
    [InlineData("05-mar-1980")]
    [InlineData("5/3/80")]
    [InlineData("5 de marzo de 1980")]
    [InlineData("05-Mzo-1980")]
    [InlineData("29285")]
    public void The_lenient_fallback_reads_common_shapes_the_feed_did_not_declare(string raw)
    {
        var result = Dates.Parse(raw, ["dd/MM/yyyy"], Today);

        Assert.Equal(new DateOnly(1980, 3, 5), result.Date);
        Assert.StartsWith("lenient:", result.Format, StringComparison.Ordinal);
    }

    [Fact]
    public void The_lenient_fallback_reads_day_first_and_month_first_only_when_day_first_is_impossible()
    {
        Assert.Equal(new DateOnly(1980, 5, 3), Dates.Parse("03/05/1980", null, Today).Date);
        Assert.Equal(new DateOnly(1980, 5, 13), Dates.Parse("05/13/1980", null, Today).Date);
    }

    [Fact]
    public void Without_the_fallback_an_undeclared_shape_is_rejected()
    {
        Assert.False(Dates.Parse("1980-03-05", ["dd/MM/yyyy"], Today, lenient: false).Ok);
    }

    [Theory]
    [InlineData("1980-03-05", "1980-03-05", DateAgreement.Exact)]
    [InlineData("1980-03-05", "1980-05-03", DateAgreement.DayMonthSwapped)]
    [InlineData("1980-03-05", "1981-03-05", DateAgreement.YearOffByOne)]
    [InlineData("1980-03-05", "1980-03-15", DateAgreement.OneComponentDiffers)]
    [InlineData("1980-03-05", "1988-03-05", DateAgreement.OneComponentDiffers)]
    [InlineData("1980-03-05", "1981-04-05", DateAgreement.Different)]
    public void Two_birth_dates_are_classified_by_how_they_differ(string a, string b, DateAgreement expected)
    {
        Assert.Equal(expected, Dates.Compare(DateOnly.Parse(a, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(b, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void A_missing_date_is_no_evidence()
    {
        Assert.Equal(DateAgreement.Missing, Dates.Compare(null, new DateOnly(1980, 1, 1)));
    }
}

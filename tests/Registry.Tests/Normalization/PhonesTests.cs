using Registry.Normalization;

namespace Registry.Tests.Normalization;

public sealed class PhonesTests
{
    [Theory]
    [InlineData("+52 1 (81) 1234-5678")]
    [InlineData("52 81 1234 5678")]
    [InlineData("044 81 1234 5678")]
    [InlineData("045-81-1234-5678")]
    [InlineData("01 81 1234 5678")]
    [InlineData("(81) 1234.5678")]
    [InlineData("8112345678 ext. 204")]
    public void Every_Mexican_spelling_of_one_number_gives_the_same_ten_digits(string raw)
    {
        Assert.Equal("8112345678", Phones.Normalize(raw));
    }

    [Theory]
    [InlineData("+57 310 555 1234", "3105551234")]
    [InlineData("57 601 555 1234", "6015551234")]
    [InlineData("0057 3105551234", "3105551234")]
    public void Colombian_numbers_lose_their_country_code(string raw, string expected)
    {
        Assert.Equal(expected, Phones.Normalize(raw));
    }

    [Fact]
    public void Longer_digit_runs_keep_their_last_ten_digits()
    {
        Assert.Equal("5512345678", Phones.Normalize("999 55 1234 5678"));
    }

    [Theory]
    [InlineData("555-1234")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("sin teléfono")]
    public void Too_few_digits_is_no_phone(string? raw)
    {
        Assert.Null(Phones.Normalize(raw));
    }

    [Theory]
    [InlineData("8112345678", true)]
    [InlineData("3105551234", true)]
    [InlineData("0000000000", false)]
    [InlineData("5555555555", false)]
    [InlineData("1234567890", false)]
    [InlineData("0112345678", false)]
    [InlineData("81123456", false)]
    public void Placeholders_and_impossible_numbers_are_invalid(string number, bool valid)
    {
        Assert.Equal(valid, Phones.IsValid(number));
    }
}

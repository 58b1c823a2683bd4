using Registry.Normalization;

namespace Registry.Tests.Normalization;

public sealed class SexCodesTests
{
    [Theory]
    [InlineData("H", Sex.Male)]
    [InlineData("hombre", Sex.Male)]
    [InlineData("Masculino", Sex.Male)]
    [InlineData("MASC.", Sex.Male)]
    [InlineData("Varón", Sex.Male)]
    [InlineData("1", Sex.Male)]
    [InlineData("F", Sex.Female)]
    [InlineData("Mujer", Sex.Female)]
    [InlineData("FEMENINO", Sex.Female)]
    [InlineData("fem", Sex.Female)]
    [InlineData("2", Sex.Female)]
    [InlineData("", Sex.Unknown)]
    [InlineData("X", Sex.Unknown)]
    [InlineData("NO ESPECIFICADO", Sex.Unknown)]
    public void Unambiguous_codes_parse_without_a_convention(string raw, Sex expected)
    {
        Assert.Equal(expected, SexCodes.Parse(raw, SexConvention.Unspecified));
    }

    [Fact]
    public void A_bare_M_means_mujer_or_male_only_when_the_feed_says_which()
    {
        Assert.Equal(Sex.Unknown, SexCodes.Parse("M", SexConvention.Unspecified));
        Assert.True(SexCodes.IsAmbiguous("m", SexConvention.Unspecified));
        Assert.Equal(Sex.Female, SexCodes.Parse("M", SexConvention.Mexican));
        Assert.Equal(Sex.Male, SexCodes.Parse("M", SexConvention.English));
        Assert.False(SexCodes.IsAmbiguous("M", SexConvention.Mexican));
    }

    [Fact]
    public void The_feeds_own_value_map_wins_over_the_built_in_codes()
    {
        var map = new Dictionary<string, Sex> { ["1"] = Sex.Female, ["0"] = Sex.Male };

        Assert.Equal(Sex.Female, SexCodes.Parse("1", SexConvention.Unspecified, map));
        Assert.Equal(Sex.Male, SexCodes.Parse("0", SexConvention.Unspecified, map));
        Assert.Equal(Sex.Male, SexCodes.Parse("HOMBRE", SexConvention.Unspecified, map));
    }
}

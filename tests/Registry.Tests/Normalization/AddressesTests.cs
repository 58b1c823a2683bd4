using Registry.Normalization;

namespace Registry.Tests.Normalization;

public sealed class AddressesTests
{
    [Fact]
    public void A_typical_Mexican_address_line_splits_into_street_number_colonia_and_postal_code()
    {
        var address = Addresses.Parse("C. Hidalgo No. 123, Col. Centro, C.P. 87000, Cd. Victoria, Tamps.");

        Assert.Equal("CALLE HIDALGO", address.Street);
        Assert.Equal("123", address.Number);
        Assert.Equal("CENTRO", address.Colonia);
        Assert.Equal("COLONIA", address.SettlementType);
        Assert.Equal("87000", address.PostalCode);
    }

    [Theory]
    [InlineData("Av. Juárez 45", "AVENIDA JUAREZ")]
    [InlineData("AVE JUAREZ 45", "AVENIDA JUAREZ")]
    [InlineData("Blvd. Díaz Ordaz # 45", "BOULEVARD DIAZ ORDAZ")]
    [InlineData("Priv. Las Rosas 45", "PRIVADA LAS ROSAS")]
    [InlineData("Carr. Nacional km 45", "CARRETERA NACIONAL KM")]
    [InlineData("Cda. del Sol 45", "CERRADA DEL SOL")]
    public void Street_type_abbreviations_are_expanded(string line, string street)
    {
        Assert.Equal(street, Addresses.Parse(line).Street);
    }

    [Theory]
    [InlineData("Calle Morelos S/N, Col. Centro")]
    [InlineData("CALLE MORELOS SN COL CENTRO")]
    [InlineData("Calle Morelos sin número, Centro")]
    public void Sin_numero_is_recognised_in_its_usual_spellings(string line)
    {
        var address = Addresses.Parse(line);

        Assert.True(address.HasNoNumber);
        Assert.Equal("CALLE MORELOS", address.Street);
        Assert.Equal("CENTRO", address.Colonia);
    }

    [Fact]
    public void A_number_inside_the_street_name_is_not_taken_for_the_house_number()
    {
        var address = Addresses.Parse("Calle 5 de Mayo 210-B Int. 3");

        Assert.Equal("CALLE 5 DE MAYO", address.Street);
        Assert.Equal("210B", address.Number);
        Assert.Equal("3", address.Interior);
    }

    [Fact]
    public void A_fraccionamiento_is_a_colonia_of_another_type()
    {
        var address = Addresses.Parse("Priv. Olmo 12 Fracc. Las Palmas 89000");

        Assert.Equal("FRACCIONAMIENTO", address.SettlementType);
        Assert.Equal("LAS PALMAS", address.Colonia);
        Assert.Equal("12", address.Number);
        Assert.Equal("89000", address.PostalCode);
    }

    [Fact]
    public void Separate_colonia_and_postal_code_columns_take_precedence()
    {
        var address = Addresses.Parse("Av. Reforma 300", colonia: "Col. Juárez", postalCode: "6600");

        Assert.Equal("JUAREZ", address.Colonia);
        Assert.Equal("06600", address.PostalCode);
        Assert.Equal("300", address.Number);
    }

    [Fact]
    public void Two_spellings_of_one_address_share_the_matching_key()
    {
        var a = Addresses.Parse("C. de la Paz #12, Col. Centro, CP 87000");
        var b = Addresses.Parse("CALLE LA PAZ NUM 12 COLONIA CENTRO 87000");

        Assert.Equal("87000|PAZ|12|CENTRO", a.MatchKey);
        Assert.Equal(a.MatchKey, b.MatchKey);
    }

    [Fact]
    public void A_five_digit_house_number_is_not_taken_for_the_postal_code()
    {
        var address = Addresses.Parse("Carretera Federal 12345");

        Assert.Null(address.PostalCode);
        Assert.Equal("12345", address.Number);
    }

    [Fact]
    public void Postal_codes_are_found_after_their_marker()
    {
        Assert.Equal("06600", Addresses.ExtractPostalCode("Col. Juárez C.P. 06600 CDMX"));
        Assert.Equal("44100", Addresses.ExtractPostalCode("Código Postal 44100"));
        Assert.Null(Addresses.ExtractPostalCode("sin datos"));
    }

    [Theory]
    [InlineData("88540", "88540")]   // a postal-code column holds the code alone
    [InlineData(" 88540 ", "88540")]
    [InlineData("8540", "08540")]    // leading zero lost by a spreadsheet
    [InlineData("00000", null)]      // a placeholder
    [InlineData("885401", null)]
    public void A_postal_code_column_holding_the_code_alone_is_read(string column, string? expected)
    {
        Assert.Equal(expected, Addresses.ExtractPostalCode(column));
    }

    [Fact]
    public void A_Colombian_plate_keeps_its_cross_street()
    {
        var address = Addresses.Parse("Cra. 45 # 12-30, Barrio La Candelaria");

        Assert.Equal("CARRERA 45", address.Street);
        Assert.Equal("12-30", address.Number);
        Assert.Equal("BARRIO", address.SettlementType);
        Assert.Equal("LA CANDELARIA", address.Colonia);
    }
}

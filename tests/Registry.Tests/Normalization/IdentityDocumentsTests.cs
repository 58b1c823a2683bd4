using Registry.Normalization;

namespace Registry.Tests.Normalization;

/// <summary>Colombia's typed documents: what counts as a valid one, and how two of them agree.</summary>
public sealed class IdentityDocumentsTests
{
    [Theory]
    [InlineData("CC", "CC")]
    [InlineData("C.C.", "CC")]
    [InlineData("Cédula de ciudadanía", "CC")]
    [InlineData("tarjeta de identidad", "TI")]
    [InlineData("T.I", "TI")]
    [InlineData("NUIP", "RC")]
    [InlineData("Registro Civil", "RC")]
    [InlineData("PEP", "PPT")]
    [InlineData("curp", "CURP")]
    public void The_names_agencies_write_for_a_type_are_read_as_that_type(string text, string type) =>
        Assert.Equal(type, IdentityDocuments.ParseType(text));

    [Fact]
    public void An_unknown_type_is_no_type() => Assert.Null(IdentityDocuments.ParseType("LIBRETA MILITAR"));

    [Theory]
    [InlineData("CC", "1.036.612.345", "1036612345")]
    [InlineData("CC", "43512890", "43512890")]
    [InlineData("TI", "1001234567", "1001234567")]
    [InlineData("TI", "05031512345", null)] // leading zero
    [InlineData("RC", "1012345678", "1012345678")]
    [InlineData("TI", "123456789", null)]   // 9 digits: no TI
    [InlineData("CC", "1036A12345", null)]  // letters
    [InlineData("CC", "11111111", null)]    // placeholder
    [InlineData("CC", "12345678", null)]    // placeholder
    [InlineData("CC", "1234", null)]
    [InlineData("PA", "AB123456", "AB123456")]
    public void A_number_is_valid_only_in_its_types_shape(string type, string number, string? clean)
    {
        var problem = IdentityDocuments.Problem(type, number, out var cleaned);
        if (clean is null) Assert.NotNull(problem);
        else
        {
            Assert.Null(problem);
            Assert.Equal(clean, cleaned);
        }
    }

    [Fact]
    public void The_NUIP_carried_from_registro_civil_to_tarjeta_de_identidad_to_cedula_is_one_person()
    {
        Assert.Equal(1, IdentityDocuments.Compare("RC:1012345678", "TI:1012345678"));
        Assert.Equal(1, IdentityDocuments.Compare("TI:1012345678", "CC:1012345678"));
        Assert.False(IdentityDocuments.Conflict("RC:1012345678", "CC:1012345678"));
    }

    [Fact]
    public void Different_numbers_of_different_types_are_no_evidence_an_old_TI_had_its_own_number()
    {
        Assert.Equal(0, IdentityDocuments.Compare("TI:85031512345", "CC:1036612345"));
        Assert.False(IdentityDocuments.Conflict("TI:85031512345", "CC:1036612345"));
        // The same digits in a passport and a cédula are a coincidence, not a succession.
        Assert.Equal(0, IdentityDocuments.Compare("PA:43512890", "CC:43512890"));
    }

    [Fact]
    public void Two_different_numbers_of_one_type_conflict_even_one_digit_apart()
    {
        Assert.Equal(3, IdentityDocuments.Compare("CC:43512890", "CC:71234567"));
        Assert.Equal(2, IdentityDocuments.Compare("CC:43512890", "CC:43512891"));
        Assert.True(IdentityDocuments.Conflict("CC:43512890", "CC:43512891"));
        Assert.False(IdentityDocuments.Conflict("CC:43512890", "CC:43512890"));
    }

    [Fact]
    public void An_untyped_identifier_compares_by_its_digits_and_never_conflicts()
    {
        Assert.Equal(1, IdentityDocuments.Compare("43512890", "CC:43512890"));
        Assert.False(IdentityDocuments.Conflict("43512891", "CC:43512890"));
        Assert.False(IdentityDocuments.Conflict("43512891", "43512890"));
    }
}

using Registry.Normalization;

namespace Registry.Tests.Normalization;

public sealed class CurpTests
{
    // Check digits computed independently: S = Σ value(cᵢ)·(18−i) over 0-9 A-N Ñ O-Z, check = (10 − S mod 10) mod 10.
    [Theory]
    [InlineData("LOOA531113HTCPBN0", 7)] // a publicly known CURP
    [InlineData("PELL850312HNLRPS0", 1)]
    [InlineData("CUXA901201MDFRXN0", 2)]
    [InlineData("HEXJ010704HTSRXNA", 6)]
    [InlineData("BXEI700101HDFNSG0", 6)]
    [InlineData("GOMC780925MJCNRR0", 7)]
    public void The_check_digit_matches_the_RENAPO_algorithm(string first17, int expected)
    {
        Assert.Equal(expected, Curp.CheckDigit(first17));
        Assert.True(Curp.IsValid(first17 + expected));
    }

    [Fact]
    public void A_CURP_with_a_wrong_check_digit_or_state_is_not_valid()
    {
        Assert.False(Curp.IsValid("LOOA531113HTCPBN08"));
        Assert.False(Curp.IsValid("LOOA531113HXXPBN07"));
        Assert.True(Curp.IsValid(Curp.Clean(" looa 531113-htcpbn07 ")));
    }

    [Fact]
    public void A_CURP_whose_homonym_character_puts_the_birth_in_the_future_is_not_valid()
    {
        Assert.True(Curp.IsValid("COLM680822HTSMNR03"));
        // An OCR'd O for the 0: the check digit still agrees, but a letter means born in 2068.
        Assert.Equal(Curp.CheckDigit("COLM680822HTSMNRO"), Curp.CheckDigit("COLM680822HTSMNR0"));
        Assert.False(Curp.IsValid("COLM680822HTSMNRO3"));
    }

    [Fact]
    public void The_homonym_character_tells_the_century_of_birth()
    {
        Assert.Equal(new DateOnly(1953, 11, 13), Curp.BirthDate("LOOA531113HTCPBN07"));
        Assert.Equal(new DateOnly(2001, 7, 4), Curp.BirthDate("HEXJ010704HTSRXNA6"));
    }

    [Fact]
    public void A_published_CURP_is_derived_from_its_owners_data()
    {
        var parts = Curp.Derive("López", "Obrador", "Andrés Manuel", new DateOnly(1953, 11, 13), Sex.Male, "TC");

        Assert.Equal("LOOA531113", parts.First10);
        Assert.Equal("LOOA531113HTCPBN", parts.First16);
    }

    [Fact]
    public void JOSE_is_skipped_so_JOSE_LUIS_PEREZ_LOPEZ_starts_PELL()
    {
        var parts = Curp.Derive("PÉREZ", "LÓPEZ", "JOSÉ LUIS", new DateOnly(1985, 3, 12), Sex.Male, "NL");

        Assert.Equal("PELL", parts.Letters);
        Assert.Equal("850312", parts.BirthDate);
        Assert.Equal('H', parts.Sex);
        Assert.Equal("NL", parts.State);
        Assert.Equal("RPS", parts.Consonants);
        Assert.Equal("PELL850312HNLRPS", parts.First16);
    }

    [Fact]
    public void Particles_are_dropped_MARIA_is_skipped_and_Enye_becomes_X()
    {
        var parts = Curp.Derive("DE LA CRUZ", "ÑÚÑEZ", "MARÍA DE LOS ÁNGELES", new DateOnly(1990, 12, 1), Sex.Female, "DF");

        Assert.Equal("CUXA901201MDFRXN", parts.First16);
    }

    [Fact]
    public void Abbreviated_MA_and_J_are_skipped_like_the_full_names()
    {
        Assert.Equal("G", Curp.Derive("GOMEZ", "NUÑEZ", "MA. GUADALUPE", new DateOnly(1978, 9, 25)).Letters[3..]);
        Assert.Equal("J", Curp.Derive("GOMEZ", "NUÑEZ", "J. JESUS", new DateOnly(1978, 9, 25)).Letters[3..]);
        Assert.Equal("M", Curp.Derive("GOMEZ", "NUÑEZ", "MARIA", new DateOnly(1978, 9, 25)).Letters[3..]);
    }

    [Fact]
    public void A_missing_maternal_surname_becomes_X()
    {
        var parts = Curp.Derive("Hernández", null, "Juan", new DateOnly(2001, 7, 4), Sex.Male, "TS");

        Assert.Equal("HEXJ010704HTSRXN", parts.First16);
    }

    [Fact]
    public void With_only_a_maternal_surname_it_takes_the_first_position()
    {
        Assert.Equal("HEXJ", Curp.Derive(null, "HERNANDEZ", "JUAN", new DateOnly(2001, 7, 4)).Letters);
    }

    [Theory]
    [InlineData("BUENO", "ESTRADA", "IGNACIO", "BXEI")]
    [InlineData("MEJIA", "ARROYO", "RAUL", "MXAR")]
    [InlineData("PEÑA", "DIAZ", "OSCAR", "PEDO")]
    public void An_inconvenient_word_gets_an_X_in_second_place(string paternal, string maternal, string given, string raw)
    {
        var letters = Curp.Derive(paternal, maternal, given, new DateOnly(1970, 1, 1)).Letters;

        Assert.Equal(raw[0] + "X" + raw[2..], letters);
    }

    [Fact]
    public void A_word_outside_the_list_is_left_alone()
    {
        Assert.Equal("GOMC", Curp.Derive("GOMEZ", "MARTINEZ", "CLAUDIA", new DateOnly(1978, 9, 25)).Letters);
    }

    [Fact]
    public void Enye_and_special_characters_in_a_letter_position_become_X()
    {
        Assert.Equal("XUXA", Curp.Derive("ÑUÑO", "-", "ANA", new DateOnly(1980, 1, 1)).Letters);
    }

    [Fact]
    public void Sex_and_state_are_left_out_when_unknown_or_invalid()
    {
        var parts = Curp.Derive("PEREZ", "LOPEZ", "LUIS", new DateOnly(1985, 3, 12), Sex.Unknown, "ZZ");

        Assert.Null(parts.Sex);
        Assert.Null(parts.State);
        Assert.Null(parts.First16);
        Assert.Equal("PELL850312", parts.First10);
    }

    [Fact]
    public void A_CURP_that_fits_the_row_is_consistent()
    {
        var check = Curp.Check("PELL850312HNLRPS01", "Pérez", "López", "José Luis", new DateOnly(1985, 3, 12), Sex.Male);

        Assert.True(check.Consistent);
        Assert.Equal(PartAgreement.Agrees, check.NameLetters);
        Assert.Equal(PartAgreement.Agrees, check.Consonants);
        Assert.Equal(DateAgreement.Exact, check.BirthDate);
        Assert.Equal(PartAgreement.Agrees, check.Sex);
        Assert.Equal(0, check.Disagreements);
    }

    [Fact]
    public void A_relatives_CURP_shows_which_parts_disagree()
    {
        // The row is the wife, the CURP is her husband's.
        var check = Curp.Check("PELL850312HNLRPS01", "Pérez", "López", "Ana", new DateOnly(1987, 6, 2), Sex.Female);

        Assert.True(check.CurpValid);
        Assert.False(check.Consistent);
        Assert.Equal(PartAgreement.Differs, check.NameLetters);
        Assert.Equal(DateAgreement.Different, check.BirthDate);
        Assert.Equal(PartAgreement.Differs, check.Sex);
        Assert.Equal(4, check.Disagreements);
        Assert.Equal("PELA870602MNLRPN", check.Expected!.First16);
    }

    [Fact]
    public void A_swapped_day_and_month_is_reported_as_such()
    {
        var check = Curp.Check("PELL850312HNLRPS01", "PEREZ", "LOPEZ", "JOSE LUIS", new DateOnly(1985, 12, 3), Sex.Male);

        Assert.Equal(DateAgreement.DayMonthSwapped, check.BirthDate);
        Assert.Equal(PartAgreement.Agrees, check.NameLetters);
        Assert.False(check.Consistent);
    }

    [Fact]
    public void Missing_data_in_the_row_is_no_evidence_against_the_CURP()
    {
        var name = PersonName.Normalize("JOSE LUIS", "PEREZ", null);
        var check = Curp.Check("PELL850312HNLRPS01", name, null, Sex.Unknown);

        Assert.True(check.Consistent);
        Assert.Equal(DateAgreement.Missing, check.BirthDate);
        Assert.Equal(PartAgreement.Unknown, check.Sex);
        Assert.Equal(PartAgreement.Agrees, check.NameLetters);
    }

    [Fact]
    public void A_malformed_CURP_is_not_valid_and_compares_nothing()
    {
        var check = Curp.Check("PELL85", "PEREZ", "LOPEZ", "LUIS", new DateOnly(1985, 3, 12), Sex.Male);

        Assert.False(check.CurpValid);
        Assert.Equal(PartAgreement.Unknown, check.NameLetters);
    }

    [Fact]
    public void Only_a_valid_CURP_that_its_row_does_not_contradict_is_an_identity_key()
    {
        const string curp = "LOOA531113HTCPBN07"; // ANDRÉS MANUEL LÓPEZ OBRADOR, 13 Nov 1953, H, Tabasco
        var birth = new DateOnly(1953, 11, 13);
        Assert.Equal(curp, Curp.IdentityKey(" looa531113htcpbn07 ", "ANDRÉS MANUEL", "LÓPEZ", "OBRADOR", birth, Sex.Male));
        // What the row does not say does not count against the CURP.
        Assert.Equal(curp, Curp.IdentityKey(curp, null, null, null, null, Sex.Unknown));
        // Position 9 has weight 10 in the check digit, so any typo there passes it: 531113 → 531123.
        const string typo = "LOOA531123HTCPBN07";
        Assert.True(Curp.IsValid(typo));
        Assert.Null(Curp.IdentityKey(typo, "ANDRÉS MANUEL", "LÓPEZ", "OBRADOR", birth, Sex.Male));
        Assert.Null(Curp.IdentityKey(curp, "ANDRÉS MANUEL", "LÓPEZ", "OBRADOR", birth, Sex.Female));
        Assert.Null(Curp.IdentityKey(curp, "BEATRIZ", "GUTIÉRREZ", "MÜLLER", birth, Sex.Male));
        Assert.Null(Curp.IdentityKey("LOOA531113HTCPBN08", "ANDRÉS MANUEL", "LÓPEZ", "OBRADOR", birth, Sex.Male));
    }

    [Fact]
    public void An_enye_typed_as_N_and_an_inconvenient_word_typed_plainly_do_not_contradict_the_CURP()
    {
        // NUÑEZ → X in the CURP; the agency typed NUNEZ.
        var nunez = "NURL770816HTSXMS0" + Curp.CheckDigit("NURL770816HTSXMS0");
        Assert.True(Curp.Check(nunez, "NUNEZ", "RAMIREZ", "LUIS", new DateOnly(1977, 8, 16), Sex.Male).Consistent);
        Assert.Equal(nunez, Curp.IdentityKey(nunez, "LUIS", "NUNEZ", "RAMIREZ", new DateOnly(1977, 8, 16), Sex.Male));
        // LOPEZ CANTU ANA → LOCA is inconvenient, RENAPO writes LXCA; a CURP typed LOCA is still hers.
        var loca = "LOCA821106MTSPNN0" + Curp.CheckDigit("LOCA821106MTSPNN0");
        Assert.True(Curp.Check(loca, "LOPEZ", "CANTU", "ANA LAURA", new DateOnly(1982, 11, 6), Sex.Female).Consistent);
        // A letter that is simply another one still contradicts.
        Assert.False(Curp.Check(loca, "LUPEZ", "CANTU", "ANA LAURA", new DateOnly(1982, 11, 6), Sex.Female).Consistent);
    }
}

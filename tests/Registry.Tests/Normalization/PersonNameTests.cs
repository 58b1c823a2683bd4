using Registry.Normalization;

namespace Registry.Tests.Normalization;

public sealed class PersonNameTests
{
    [Fact]
    public void Particles_are_kept_for_display_and_dropped_from_the_surname_key()
    {
        var name = PersonName.Normalize("Juan", "de la Cruz", "Núñez");

        Assert.Equal("DE LA CRUZ", name.Paternal);
        Assert.Equal("CRUZ", name.PaternalKey);
        Assert.Equal("NUÑEZ", name.Maternal);
        Assert.Equal("NUNEZ", name.MaternalKey);
    }

    [Fact]
    public void A_surname_made_only_of_particles_keeps_them_in_its_key()
    {
        Assert.Equal("DE LA", PersonName.SurnameKey("De la"));
    }

    [Fact]
    public void Compound_given_names_keep_every_name_but_lose_the_particles()
    {
        Assert.Equal("MARIA ANGELES", PersonName.GivenKey("María de los Ángeles"));
        Assert.Equal("JOSE LUIS", PersonName.GivenKey("JOSÉ LUIS"));
    }

    [Theory]
    [InlineData("MA. GUADALUPE", "MARIA GUADALUPE")]
    [InlineData("Ma Guadalupe", "MARIA GUADALUPE")]
    [InlineData("M. GUADALUPE", "MARIA GUADALUPE")]
    [InlineData("J. LUIS", "JOSE LUIS")]
    [InlineData("FCO. JAVIER", "FRANCISCO JAVIER")]
    [InlineData("MA. DE LA LUZ", "MARIA LUZ")]
    public void Abbreviated_given_names_are_expanded(string raw, string expected)
    {
        Assert.Equal(expected, PersonName.GivenKey(raw));
    }

    [Fact]
    public void A_trailing_initial_is_not_mistaken_for_MARIA_or_JOSE()
    {
        Assert.Equal("JUAN M", PersonName.GivenKey("JUAN M."));
        Assert.Equal("J", PersonName.GivenKey("J."));
    }

    [Theory]
    [InlineData("JOSÉ LUIS", "LUIS")]
    [InlineData("MARÍA DE LOS ÁNGELES", "ANGELES")]
    [InlineData("MA. GUADALUPE", "GUADALUPE")]
    [InlineData("J. JESUS", "JESUS")]
    [InlineData("MARÍA", "MARIA")]
    [InlineData("JUAN CARLOS", "JUAN")]
    public void The_significant_given_name_skips_a_leading_MARIA_or_JOSE_only_when_another_name_follows(string given, string expected)
    {
        Assert.Equal(expected, PersonName.SignificantGivenName(given));
    }

    [Theory]
    [InlineData("Pepe", "JOSE")]
    [InlineData("Paco", "FRANCISCO")]
    [InlineData("PANCHO", "FRANCISCO")]
    [InlineData("Frank", "FRANCISCO")]
    [InlineData("Chuy", "JESUS")]
    [InlineData("Chucho", "JESUS")]
    [InlineData("Lupita", "GUADALUPE")]
    [InlineData("Memo", "GUILLERMO")]
    [InlineData("Lalo", "EDUARDO")]
    [InlineData("Nacho", "IGNACIO")]
    [InlineData("Toño", "ANTONIO")]
    [InlineData("Chava", "SALVADOR")]
    [InlineData("Conchita", "CONCEPCION")]
    [InlineData("Lola", "DOLORES")]
    [InlineData("Chelo", "CONSUELO")]
    [InlineData("Quique", "ENRIQUE")]
    [InlineData("Poncho", "ALFONSO")]
    [InlineData("Charo", "ROSARIO")]
    [InlineData("Goyo", "GREGORIO")]
    [InlineData("Chema", "JOSE MARIA")]
    [InlineData("Mague", "MARGARITA")]
    public void Common_nicknames_resolve_to_their_canonical_name(string nickname, string canonical)
    {
        Assert.Contains(canonical, PersonName.CanonicalGivenNames(nickname));
    }

    [Fact]
    public void An_ambiguous_nickname_offers_every_canonical_name()
    {
        var beto = PersonName.CanonicalGivenNames("Beto");

        Assert.Contains("ALBERTO", beto);
        Assert.Contains("ROBERTO", beto);
        Assert.Equal(GivenNameAgreement.Nickname, PersonName.CompareGivenNames("BETO", "ROBERTO"));
        Assert.Equal(GivenNameAgreement.Nickname, PersonName.CompareGivenNames("Beto", "Alberto"));
    }

    [Fact]
    public void A_name_that_is_not_a_nickname_is_its_own_canonical_name()
    {
        Assert.Equal(["LEOBARDO"], PersonName.CanonicalGivenNames("Leobardo"));
    }

    [Fact]
    public void A_dropped_MARIA_still_matches_the_given_name()
    {
        Assert.Equal(GivenNameAgreement.SameSignificantName, PersonName.CompareGivenNames("MARIA GUADALUPE", "Guadalupe"));
        Assert.Equal(GivenNameAgreement.SameSignificantName, PersonName.CompareGivenNames("José Luis", "LUIS"));
    }

    [Fact]
    public void Accents_and_abbreviations_do_not_stop_an_exact_given_name_match()
    {
        Assert.Equal(GivenNameAgreement.Exact, PersonName.CompareGivenNames("Ma. de los Ángeles", "MARIA DE LOS ANGELES"));
    }

    [Fact]
    public void A_nickname_matches_the_full_name_even_behind_a_leading_MARIA()
    {
        Assert.Equal(GivenNameAgreement.Nickname, PersonName.CompareGivenNames("Lupita", "Ma. Guadalupe"));
        Assert.Equal(GivenNameAgreement.Nickname, PersonName.CompareGivenNames("PEPE", "JOSE"));
        Assert.Equal(GivenNameAgreement.Nickname, PersonName.CompareGivenNames("Chema", "José María"));
    }

    [Fact]
    public void Different_given_names_and_blank_ones_are_told_apart()
    {
        Assert.Equal(GivenNameAgreement.Different, PersonName.CompareGivenNames("JUAN CARLOS", "JUAN PABLO"));
        Assert.Equal(GivenNameAgreement.Contained, PersonName.CompareGivenNames("MARIA", "MARIA GUADALUPE"));
        Assert.Equal(GivenNameAgreement.Contained, PersonName.CompareGivenNames("JUAN", "JUAN CARLOS"));
        Assert.Equal(GivenNameAgreement.Missing, PersonName.CompareGivenNames("", "ANA"));
    }

    [Fact]
    public void A_full_name_in_Mexican_order_keeps_particles_with_the_surname_they_open()
    {
        var name = PersonName.Split("JUAN DE LA CRUZ PEREZ");

        Assert.Equal("JUAN", name.GivenNames);
        Assert.Equal("DE LA CRUZ", name.Paternal);
        Assert.Equal("PEREZ", name.Maternal);
    }

    [Fact]
    public void A_compound_given_name_with_particles_and_a_compound_surname_split_correctly()
    {
        var name = PersonName.Split("María de los Ángeles de la Cruz Ñúñez");

        Assert.Equal("MARIA DE LOS ANGELES", name.GivenNames);
        Assert.Equal("DE LA CRUZ", name.Paternal);
        Assert.Equal("ÑUÑEZ", name.Maternal);
        Assert.Equal("ANGELES", name.SignificantGivenName);
    }

    [Fact]
    public void Agency_order_puts_the_surnames_first()
    {
        var name = PersonName.Split("DE LA CRUZ PEREZ JUAN CARLOS", NameOrder.SurnamesFirst);

        Assert.Equal("JUAN CARLOS", name.GivenNames);
        Assert.Equal("DE LA CRUZ", name.Paternal);
        Assert.Equal("PEREZ", name.Maternal);
    }

    [Fact]
    public void A_comma_separates_surnames_from_given_names_whatever_the_order()
    {
        var name = PersonName.Split("Pérez López, José Luis");

        Assert.Equal("JOSE LUIS", name.GivenNames);
        Assert.Equal("PEREZ", name.Paternal);
        Assert.Equal("LOPEZ", name.Maternal);
    }

    [Fact]
    public void A_person_with_one_surname_has_no_maternal_surname()
    {
        var twoWords = PersonName.Split("ANA TORRES");
        Assert.Equal("ANA", twoWords.GivenNames);
        Assert.Equal("TORRES", twoWords.Paternal);
        Assert.Null(twoWords.Maternal);

        var compoundGiven = PersonName.Split("JOSE LUIS PEREZ");
        Assert.Equal("JOSE LUIS", compoundGiven.GivenNames);
        Assert.Equal("PEREZ", compoundGiven.Paternal);
        Assert.Null(compoundGiven.Maternal);
    }

    [Fact]
    public void Three_words_with_a_surname_in_the_middle_are_given_paternal_maternal()
    {
        var name = PersonName.Split("ANA TORRES LOPEZ");

        Assert.Equal("ANA", name.GivenNames);
        Assert.Equal("TORRES", name.Paternal);
        Assert.Equal("LOPEZ", name.Maternal);
    }

    [Fact]
    public void Two_spellings_of_one_person_share_their_keys()
    {
        var a = PersonName.Normalize("Ma. de los Ángeles", "De la Cruz", "Núñez");
        var b = PersonName.Normalize("MARIA DE LOS ANGELES", "CRUZ", "NUNEZ");

        Assert.Equal(a.FullKey, b.FullKey);
        Assert.Equal(a.PaternalPhonetic, b.PaternalPhonetic);
    }
}

using Registry.Normalization;

namespace Registry.Tests.Normalization;

public sealed class SpanishPhoneticTests
{
    [Theory]
    [InlineData("VELÁZQUEZ", "Velasquez")]
    [InlineData("Velazquez", "BELASQUES")]
    [InlineData("GONZALEZ", "GONSALES")]
    [InlineData("HERNANDEZ", "ERNANDES")]
    [InlineData("JIMENEZ", "XIMENEZ")]
    [InlineData("JAVIER", "XAVIER")]
    [InlineData("GERARDO", "JERARDO")]
    [InlineData("GUILLERMO", "GUIYERMO")]
    [InlineData("YOLANDA", "LLOLANDA")]
    [InlineData("ENRIQUE", "ENRIKE")]
    [InlineData("CECILIA", "SESILIA")]
    [InlineData("OSVALDO", "OSWALDO")]
    [InlineData("NAYELI", "NAYELY")]
    [InlineData("RAFAEL", "RAPHAEL")]
    public void Spellings_that_sound_the_same_in_Spanish_share_a_key(string a, string b)
    {
        Assert.Equal(SpanishPhonetic.Encode(a), SpanishPhonetic.Encode(b));
    }

    [Theory]
    [InlineData("MARIA", "MARIO")]
    [InlineData("LUIS", "LUZ")]
    [InlineData("PEREZ", "PAREDES")]
    [InlineData("CHAVEZ", "CASTRO")]
    public void Names_that_sound_different_keep_different_keys(string a, string b)
    {
        Assert.NotEqual(SpanishPhonetic.Encode(a), SpanishPhonetic.Encode(b));
    }

    [Fact]
    public void Each_word_is_encoded_separately_and_CH_keeps_its_own_sound()
    {
        Assert.Equal("CHABES BELASKES", SpanishPhonetic.Encode("Chávez Velázquez"));
        Assert.Equal("KIKE", SpanishPhonetic.Encode("QUIQUE"));
        Assert.Equal(string.Empty, SpanishPhonetic.Encode("  "));
    }
}

public sealed class JaroWinklerTests
{
    [Theory]
    [InlineData("MARTHA", "MARHTA", 0.9611)]
    [InlineData("DWAYNE", "DUANE", 0.84)]
    [InlineData("DIXON", "DICKSONX", 0.8133)]
    public void Textbook_pairs_score_as_published(string a, string b, double expected)
    {
        Assert.Equal(expected, JaroWinkler.Similarity(a, b), 3);
    }

    [Fact]
    public void Identical_names_score_one_and_a_blank_side_scores_zero()
    {
        Assert.Equal(1.0, JaroWinkler.Similarity("PEREZ", "PEREZ"));
        Assert.Equal(1.0, JaroWinkler.Similarity("", ""));
        Assert.Equal(0.0, JaroWinkler.Similarity("PEREZ", ""));
        Assert.Equal(0.0, JaroWinkler.Similarity("ABC", "XYZ"));
    }

    [Fact]
    public void A_shared_prefix_scores_higher_than_the_same_typo_at_the_start()
    {
        var typoAtEnd = JaroWinkler.Similarity("HERNANDEZ", "HERNANDES");
        var typoAtStart = JaroWinkler.Similarity("HERNANDEZ", "JERNANDEZ");

        Assert.True(typoAtEnd > typoAtStart);
        Assert.True(typoAtEnd > 0.95);
    }

    [Fact]
    public void Similarity_is_symmetric()
    {
        Assert.Equal(JaroWinkler.Similarity("GUADALUPE", "GPE"), JaroWinkler.Similarity("GPE", "GUADALUPE"), 10);
    }
}

public sealed class EditDistanceTests
{
    [Theory]
    [InlineData("KITTEN", "SITTING", 3)]
    [InlineData("PEREZ", "PERES", 1)]
    [InlineData("", "ABC", 3)]
    [InlineData("GONZALEZ", "GONZALEZ", 0)]
    public void Levenshtein_counts_insertions_deletions_and_substitutions(string a, string b, int expected)
    {
        Assert.Equal(expected, EditDistance.Levenshtein(a, b));
    }

    [Fact]
    public void A_swapped_pair_of_letters_costs_one_with_Damerau_and_two_without()
    {
        Assert.Equal(1, EditDistance.DamerauLevenshtein("PEREZ", "PERZE"));
        Assert.Equal(2, EditDistance.Levenshtein("PEREZ", "PERZE"));
        Assert.Equal(1, EditDistance.DamerauLevenshtein("CA", "AC"));
    }

    [Fact]
    public void Beyond_the_budget_the_distance_stops_at_max_plus_one()
    {
        Assert.Equal(3, EditDistance.Levenshtein("HERNANDEZ", "GUTIERREZ", max: 2));
        Assert.Equal(2, EditDistance.Levenshtein("ABCDEFGHIJ", "ABCDEFGHIJKLMNOPQ", max: 1));
        Assert.Equal(1, EditDistance.DamerauLevenshtein("MARTINEZ", "MARTNIEZ", max: 1));
    }
}

using Registry.Normalization;

namespace Registry.Tests.Normalization;

public sealed class TextNormalizerTests
{
    [Fact]
    public void Accents_case_punctuation_and_extra_spaces_disappear()
    {
        Assert.Equal("JOSE MARIA PEREZ", TextNormalizer.Normalize("  José   María,  pérez. "));
    }

    [Fact]
    public void Enye_folds_to_N_for_keys_stays_for_display_and_becomes_X_for_the_CURP()
    {
        Assert.Equal("NUNEZ", TextNormalizer.Normalize("Núñez"));
        Assert.Equal("NUÑEZ", TextNormalizer.Normalize("Núñez", EnyeMode.Keep));
        Assert.Equal("XUXEZ", TextNormalizer.Normalize("ÑÚÑEZ", EnyeMode.ToX));
    }

    [Fact]
    public void Diaeresis_and_decomposed_accents_are_folded_like_precomposed_ones()
    {
        Assert.Equal("ARGUELLES", TextNormalizer.Normalize("Argüelles"));
        Assert.Equal("PEÑA", TextNormalizer.Normalize("Pen\u0303a", EnyeMode.Keep));
        Assert.Equal("JOSE", TextNormalizer.Normalize("Jose\u0301"));
    }

    [Fact]
    public void Apostrophes_join_while_hyphens_and_dots_separate_words()
    {
        Assert.Equal("DANGELO", TextNormalizer.Normalize("D'Angelo"));
        Assert.Equal("PEREZ LOPEZ", TextNormalizer.Normalize("Pérez-López"));
        Assert.Equal("MA GUADALUPE", TextNormalizer.Normalize("Ma.Guadalupe"));
    }

    [Fact]
    public void Blank_input_gives_an_empty_string_and_canonical_input_is_returned_as_is()
    {
        Assert.Equal(string.Empty, TextNormalizer.Normalize(null));
        Assert.Equal(string.Empty, TextNormalizer.Normalize(" \t "));
        const string canonical = "JUAN PEREZ";
        Assert.Same(canonical, TextNormalizer.Normalize(canonical));
    }
}

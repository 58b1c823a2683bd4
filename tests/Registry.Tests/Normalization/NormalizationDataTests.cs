using Registry.Normalization;

namespace Registry.Tests.Normalization;

public sealed class NormalizationDataTests
{
    [Fact]
    public void The_data_tables_are_embedded_and_loaded()
    {
        Assert.Equal(81, NormalizationData.InconvenientWords.Count);
        Assert.Contains("BUEI", (IReadOnlySet<string>)NormalizationData.InconvenientWords);
        Assert.Contains("DEL", (IReadOnlySet<string>)NormalizationData.Particles);
        Assert.Contains("MC", (IReadOnlySet<string>)NormalizationData.Particles);
        Assert.True(NormalizationData.Nicknames.Count >= 60);
        Assert.Contains("CALLE", NormalizationData.AddressWords("street").Values);
    }

    [Fact]
    public void Nickname_entries_are_stored_without_accents_or_enye()
    {
        Assert.True(NormalizationData.Nicknames.ContainsKey("TONO"));
        Assert.Equal(["JOSE"], NormalizationData.Nicknames["PEPE"]);
    }
}

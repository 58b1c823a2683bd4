using Registry.Feeds;

namespace Registry.Tests.Feeds;

/// <summary>Which feeds may say where people live (and so move a case manager's territory): the feed definition says.</summary>
public sealed class ResidenceFlagTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("feeds").FullName;

    private const string Census =
        """
        {
          "code": "censo", "agency": { "code": "DIF", "name": "DIF" }, "sector": "social", "kind": "csv-drop",
          "residenceAuthoritative": true,
          "fields": { "agency_person_id": "ID", "given_names": "NOMBRE", "paternal_surname": "APELLIDO", "municipality": "MUNICIPIO", "service_date": "FECHA" }
        }
        """;

    [Fact]
    public void Only_the_household_census_the_dwelling_and_the_home_visit_feeds_are_trusted_for_residence()
    {
        var catalog = FeedCatalog.LoadFolder(Path.Combine(RepoRoot(), "deploy", "feeds"));
        // Medellín's family accompaniment: the cogestor visits the family at home.
        Assert.Equal(["dif-alimentaria", "itavu-mejoramiento", "medellin-acompanamiento"],
            catalog.All.Where(f => f.ResidenceAuthoritative).Select(f => f.Code).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_feed_is_not_trusted_for_residence_unless_its_definition_says_so()
    {
        Assert.True(FeedCatalog.LoadFile(Write("censo.json", Census)).ResidenceAuthoritative);
        Assert.False(FeedCatalog.LoadFile(Write("clinica.json", Census.Replace("\"residenceAuthoritative\": true,", "", StringComparison.Ordinal))).ResidenceAuthoritative);
    }

    [Fact]
    public void A_feed_trusted_for_residence_must_map_the_municipality_it_attests()
    {
        var path = Write("censo.json", Census.Replace("\"municipality\": \"MUNICIPIO\", ", "", StringComparison.Ordinal));
        var error = Assert.Throws<FeedDefinitionException>(() => FeedCatalog.LoadFile(path));
        Assert.Contains("field 'residenceAuthoritative'", error.Message, StringComparison.Ordinal);
        Assert.Contains("municipality", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("health")]
    [InlineData("security")]
    public void A_sensitive_feed_is_never_trusted_for_residence(string sector)
    {
        // A shelter's or a clinic's address would otherwise decide, and show on the household's pages, where a family lives.
        var path = Write("refugio.json", Census.Replace("\"sector\": \"social\"", $"\"sector\": \"{sector}\"", StringComparison.Ordinal));
        var error = Assert.Throws<FeedDefinitionException>(() => FeedCatalog.LoadFile(path));
        Assert.Contains("field 'residenceAuthoritative'", error.Message, StringComparison.Ordinal);
        Assert.Contains(sector, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_residence_flag_that_is_not_true_or_false_names_the_field()
    {
        var path = Write("censo.json", Census.Replace("\"residenceAuthoritative\": true", "\"residenceAuthoritative\": \"si\"", StringComparison.Ordinal));
        var error = Assert.Throws<FeedDefinitionException>(() => FeedCatalog.LoadFile(path));
        Assert.Contains("residenceAuthoritative", error.Message, StringComparison.Ordinal);
    }

    private string Write(string name, string json)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, json);
        return path;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Integration.sln"))) return dir.FullName;
        throw new InvalidOperationException("Integration.sln not found");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

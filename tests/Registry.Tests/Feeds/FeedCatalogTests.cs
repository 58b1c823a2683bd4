using Registry.Feeds;

namespace Registry.Tests.Feeds;

public sealed class FeedCatalogTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("feeds").FullName;

    private const string Valid =
        """
        {
          "code": "salud", "agency": { "code": "SSA", "name": "Salud" }, "sector": "health", "kind": "csv-drop",
          "csv": { "delimiter": ";", "encoding": "windows-1252", "dateFormats": ["dd/MM/yyyy", "excel"] },
          "fields": { "curp": ["CURP", "CLAVE CURP"], "service_date": "FECHA", "agency_person_id": "ID", "given_names": "NOMBRE", "paternal_surname": "APELLIDO" },
          "required": ["agency_person_id"],
          "values": { "curp": { "N/A": "" } }
        }
        """;

    [Fact]
    public void The_shipped_feed_definitions_all_load()
    {
        var catalog = FeedCatalog.LoadFolder(Path.Combine(RepoRoot(), "deploy", "feeds"));
        Assert.Contains(catalog.All, f => f.Sector == "health");
        Assert.Contains(catalog.All, f => f.Sector == "social");
    }

    [Fact]
    public void A_valid_definition_keeps_aliases_dialect_and_code_lists()
    {
        var feed = FeedCatalog.LoadFile(Write("salud.json", Valid));
        Assert.Equal(["CURP", "CLAVE CURP"], feed.Fields["curp"]);
        Assert.Equal(";", feed.Csv.Delimiter);
        Assert.Equal("", feed.Values["curp"]["n/a"]);
        Assert.Equal(["agency_person_id", "service_date"], feed.RecordKey); // default: the mapped part of person + programme + service + date
    }

    [Theory]
    [InlineData("\"sector\": \"health\"", "\"sector\": \"salud\"", "field 'sector'")]
    [InlineData("\"delimiter\": \";\"", "\"delimiter\": \":\"", "field 'csv.delimiter'")]
    [InlineData("\"encoding\": \"windows-1252\"", "\"encoding\": \"ebcdic\"", "field 'csv.encoding'")]
    [InlineData("\"service_date\": \"FECHA\"", "\"fecha_servicio\": \"FECHA\"", "field 'fields.fecha_servicio'")]
    [InlineData("\"required\": [\"agency_person_id\"]", "\"required\": [\"birth_date\"]", "'birth_date' is required but not mapped")]
    [InlineData("\"kind\": \"csv-drop\"", "\"kind\": \"email\"", "field 'kind'")]
    [InlineData("\"required\": [\"agency_person_id\"]", "\"required\": [], \"recordKey\": [\"phone\"]", "field 'recordKey': 'phone' is not mapped")]
    [InlineData("\"required\": [\"agency_person_id\"]", "\"required\": [\"agency_person_id\"], \"quality\": { \"earliestBirthYear\": 1850 }", "field 'quality.earliestBirthYear': 1850 is not between 1900")]
    public void A_definition_with_a_mistake_names_the_file_the_field_and_the_problem(string good, string bad, string expected)
    {
        var path = Write("broken.json", Valid.Replace(good, bad, StringComparison.Ordinal));
        var error = Assert.Throws<FeedDefinitionException>(() => FeedCatalog.LoadFile(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"given_names\": \"NOMBRE\"", "\"given_names\": \"NOMBRE\", \"document_number\": \"NUMERO_DOC\"", "field 'fields.document_number': a typed document needs both")]
    [InlineData("\"given_names\": \"NOMBRE\"", "\"given_names\": \"NOMBRE\", \"poligono\": \"POLIGONO\", \"comuna\": \"COMUNA\"", "field 'fields.poligono': a feed maps either 'poligono' (Mexico) or 'comuna'")]
    [InlineData("\"given_names\": \"NOMBRE\"", "\"given_names\": \"NOMBRE\", \"colonia\": \"COLONIA\", \"barrio\": \"BARRIO\"", "field 'fields.colonia'")]
    [InlineData("\"kind\": \"csv-drop\",", "\"kind\": \"csv-drop\", \"country\": \"AR\",", "field 'country': 'AR' is not one of")]
    public void Colombian_fields_are_checked_too(string good, string bad, string expected)
    {
        var path = Write("colombia.json", Valid.Replace(good, bad, StringComparison.Ordinal));
        var error = Assert.Throws<FeedDefinitionException>(() => FeedCatalog.LoadFile(path));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_Colombian_feed_names_its_country_and_a_Mexican_one_gets_MX()
    {
        var colombian = FeedCatalog.LoadFile(Write("medellin.json", Valid.Replace("\"kind\": \"csv-drop\",", "\"kind\": \"csv-drop\", \"country\": \"CO\",", StringComparison.Ordinal)));
        var mexican = FeedCatalog.LoadFile(Write("salud.json", Valid));
        Assert.Equal((Countries.Colombia, Countries.Mexico), (colombian.Country, mexican.Country));
    }

    [Fact]
    public void A_feed_sets_its_earliest_plausible_birth_year_or_gets_1900()
    {
        var strict = FeedCatalog.LoadFile(Write("estricto.json", Valid.Replace(
            "\"required\": [\"agency_person_id\"]", "\"required\": [\"agency_person_id\"], \"quality\": { \"earliestBirthYear\": 1920 }", StringComparison.Ordinal)));
        var plain = FeedCatalog.LoadFile(Write("salud.json", Valid));
        Assert.Equal((1920, 1900), (strict.Quality.EarliestBirthYear, plain.Quality.EarliestBirthYear));
    }

    [Fact]
    public void A_feed_may_map_one_full_name_column_instead_of_the_name_parts()
    {
        var feed = FeedCatalog.LoadFile(Write("osc.json", Valid.Replace(
            "\"given_names\": \"NOMBRE\", \"paternal_surname\": \"APELLIDO\"", "\"full_name\": \"NOMBRE COMPLETO\"", StringComparison.Ordinal)
            .Replace("\"kind\": \"csv-drop\",", "\"kind\": \"csv-drop\", \"fullNameOrder\": \"surnames-first\",", StringComparison.Ordinal)));
        Assert.Equal(["NOMBRE COMPLETO"], feed.Fields[CanonicalFields.FullName]);
        Assert.Equal(FullNameOrders.SurnamesFirst, feed.FullNameOrder);
    }

    [Theory]
    [InlineData("\"given_names\": \"NOMBRE\", \"paternal_surname\": \"APELLIDO\"", "\"given_names\": \"NOMBRE\", \"full_name\": \"NOMBRE COMPLETO\"",
        "field 'fields.full_name': a feed maps the name either as one full_name column or as separate given_names/paternal_surname/maternal_surname columns, not both (this one also maps given_names)")]
    [InlineData("\"given_names\": \"NOMBRE\", \"paternal_surname\": \"APELLIDO\"", "\"given_names\": \"NOMBRE\"",
        "field 'fields': must map the person's name: given_names and paternal_surname (maternal_surname optional), or one full_name column; paternal_surname not mapped")]
    [InlineData("\"kind\": \"csv-drop\",", "\"kind\": \"csv-drop\", \"fullNameOrder\": \"surnames-first\",", "field 'fullNameOrder': only applies to a feed that maps full_name")]
    public void Name_columns_are_either_parts_or_one_full_name(string good, string bad, string expected)
    {
        var path = Write("names.json", Valid.Replace(good, bad, StringComparison.Ordinal));
        var error = Assert.Throws<FeedDefinitionException>(() => FeedCatalog.LoadFile(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_names_the_file_and_line()
    {
        var path = Write("bad.json", "{ \"code\": \"x\",\n  \"agency\": }");
        var error = Assert.Throws<FeedDefinitionException>(() => FeedCatalog.LoadFile(path));
        Assert.Contains("bad.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_files_with_the_same_feed_code_are_refused()
    {
        Write("a.json", Valid);
        Write("b.json", Valid);
        var error = Assert.Throws<FeedDefinitionException>(() => FeedCatalog.LoadFolder(_folder));
        Assert.Contains("already defined", error.Message, StringComparison.Ordinal);
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Integration.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

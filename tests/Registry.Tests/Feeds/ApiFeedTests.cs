using System.Net;
using Registry.Feeds;
using Registry.Ingest.Feeds;
using Registry.ServiceDefaults;

namespace Registry.Tests.Feeds;

/// <summary>api-pull feed definitions and API pages: what an agency or operator sees when either is wrong.</summary>
public sealed class ApiFeedTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("api-feeds").FullName;

    private static readonly FeedDefinition Sne = FeedCatalog.LoadFile(
        Path.Combine(FeedCatalogTests.RepoRoot(), "deploy", "feeds", "sne-capacitacion.json"));

    private const string Valid =
        """
        {
          "code": "empleo", "agency": { "code": "SNE", "name": "Empleo" }, "sector": "economy", "kind": "api-pull",
          "api": {
            "baseUrlSetting": "AgencyApis:SNE:BaseUrl", "path": "/v1/items", "paging": "page-token", "pageSize": 50,
            "schedule": "15 * * * *", "auth": { "header": "X-Api-Key", "secretSetting": "AgencyApis:SNE:ApiKey" }
          },
          "fields": { "agency_person_id": "persona.id", "service_date": "fecha", "given_names": "persona.nombre", "paternal_surname": "persona.apellido" },
          "required": ["agency_person_id"]
        }
        """;

    [Fact]
    public void The_shipped_employment_feed_is_pulled_from_an_api_with_its_secret_in_configuration()
    {
        Assert.Equal((FeedKinds.ApiPull, "economy"), (Sne.Kind, Sne.Sector));
        Assert.Equal("AgencyApis:SNE:ApiKey", Sne.Api!.Auth!.SecretSetting);
        Assert.DoesNotContain("://", File.ReadAllText(Sne.SourceFile), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"paging\": \"page-token\"", "\"paging\": \"offset\"", "field 'api.paging'")]
    [InlineData("\"baseUrlSetting\": \"AgencyApis:SNE:BaseUrl\"", "\"baseUrlSetting\": \"https://api.example.mx\"", "field 'api.baseUrlSetting': names a configuration setting")]
    [InlineData("\"path\": \"/v1/items\"", "\"path\": \"v1/items\"", "field 'api.path'")]
    [InlineData("\"schedule\": \"15 * * * *\"", "\"schedule\": \"every hour\"", "field 'api.schedule'")]
    [InlineData("\"pageSize\": 50", "\"pageSize\": 0", "field 'api.pageSize'")]
    [InlineData("\"secretSetting\": \"AgencyApis:SNE:ApiKey\"", "\"secretSetting\": \"\"", "field 'api.auth.secretSetting'")]
    [InlineData("\"kind\": \"api-pull\"", "\"kind\": \"csv-drop\"", "field 'api': only api-pull feeds")]
    public void A_definition_with_a_mistake_in_its_api_section_names_the_file_the_field_and_the_problem(string good, string bad, string expected)
    {
        var path = Write("broken.json", Valid.Replace(good, bad, StringComparison.Ordinal));
        var error = Assert.Throws<FeedDefinitionException>(() => FeedCatalog.LoadFile(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_api_pull_feed_without_an_api_section_is_refused()
    {
        var start = Valid.IndexOf("\"api\":", StringComparison.Ordinal);
        var end = Valid.IndexOf("\"fields\"", StringComparison.Ordinal);
        var path = Write("no-api.json", Valid.Remove(start, end - start));
        var error = Assert.Throws<FeedDefinitionException>(() => FeedCatalog.LoadFile(path));
        Assert.Contains("field 'api': an api-pull feed needs an 'api' section", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_page_maps_nested_properties_and_code_lists_like_csv_columns_and_rejects_bad_records_with_their_number()
    {
        var path = Write("page.json",
            """
            { "items": [
                { "beneficiario": { "id": "B-1", "curp": "GOCX670904MTSNNM02", "nombre": "XIMENA", "primerApellido": "GONZALEZ", "sexo": "F", "fechaNacimiento": "1967-09-04" },
                  "domicilio": { "municipio": "REYNOSA" }, "programa": "Bécate", "modalidad": "Capacitación", "fechaInicio": "2026-05-04", "estatus": "CONCLUIDO" },
                { "beneficiario": { "id": "B-2", "sexo": "M" }, "programa": "Bécate", "fechaInicio": "2026-02-30" },
                "not a record",
                { "beneficiario": { "id": "B-3", "sexo": "M" }, "fechaInicio": "2026-03-01" }
              ], "nextPageToken": null }
            """);

        var rows = ApiPageReader.Read(path, Sne).ToList();

        var first = rows[0].Accepted!;
        Assert.Equal(("B-1", "GONZALEZ", "M", "REYNOSA"), (first.AgencyPersonId, first.PaternalSurname, first.Sex, first.Municipality));
        Assert.Equal(new DateOnly(2026, 5, 4), first.ServiceDate);
        Assert.Null(first.MaternalSurname);
        Assert.Equal(2, rows[1].Rejected!.RowNumber);
        Assert.StartsWith("service_date '2026-02-30' (property 'fechaInicio')", rows[1].Rejected!.Reason, StringComparison.Ordinal);
        Assert.Contains("\"B-2\"", rows[1].Rejected!.RawLine, StringComparison.Ordinal);
        Assert.Equal(3, rows[2].Rejected!.RowNumber);
        Assert.Contains("required field programme (property 'programa') is empty", rows[3].Rejected!.Reason, StringComparison.Ordinal);
        Assert.True(ApiPageReader.CheckPage(path, Sne, cursor: null).Last);
    }

    [Fact]
    public void The_same_record_from_an_api_page_and_from_a_re_sent_page_has_the_same_content_hash()
    {
        var a = Write("a.json", """{ "items": [ { "beneficiario": { "id": "B-1" }, "programa": "P", "fechaInicio": "2026-05-04" } ] }""");
        var b = Write("b.json", """{ "nextPageToken": null, "items": [ { "fechaInicio": "2026-05-04", "programa": "P", "beneficiario": { "id": "B-1" } } ] }""");
        Assert.Equal(ApiPageReader.Read(a, Sne).Single().Accepted!.ContentHash, ApiPageReader.Read(b, Sne).Single().Accepted!.ContentHash);
    }

    [Theory]
    [InlineData("""{ "items": [ { "a": 1 }, """, "not valid JSON")]
    [InlineData("""[ { "a": 1 } ]""", "not an object with an 'items' array")]
    [InlineData("""{ "data": [] }""", "has no 'items' array")]
    [InlineData("""{ "items": [], "nextPageToken": 5 }""", "'nextPageToken' is a Number")]
    [InlineData("""{ "items": [ {} ], "nextPageToken": "abc" }""", "names its own token 'abc'")]
    public void A_malformed_page_is_rejected_whole_saying_what_is_wrong(string page, string expected)
    {
        var path = Write("bad.json", page);
        var error = Assert.Throws<ExtractFileException>(() => ApiPageReader.CheckPage(path, Sne, cursor: "abc"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_updated_since_page_moves_the_cursor_to_its_newest_record_and_needs_a_timestamp_on_each()
    {
        var incremental = Sne with { Api = Sne.Api! with { Paging = ApiPaging.UpdatedSince, PageSize = 2 } };
        var page = Write("page.json", """{ "items": [ { "updatedAt": "2026-10-01T08:07:00Z" }, { "updatedAt": "2026-10-01T08:00:00Z" } ] }""");
        Assert.Equal(new ApiPage(2, "2026-10-01T08:07:00Z", Last: false), ApiPageReader.CheckPage(page, incremental, cursor: null));

        var empty = Write("empty.json", """{ "items": [] }""");
        Assert.Equal(new ApiPage(0, "2026-10-01T08:07:00Z", Last: true), ApiPageReader.CheckPage(empty, incremental, cursor: "2026-10-01T08:07:00Z"));

        var missing = Write("missing.json", """{ "items": [ { "updatedAt": "2026-10-01T08:07:00Z" }, { "id": 2 } ] }""");
        var error = Assert.Throws<ExtractFileException>(() => ApiPageReader.CheckPage(missing, incremental, cursor: null));
        Assert.Contains("Record 2 of the page has no valid 'updatedAt'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("::1", "::1", true)]
    [InlineData("10.0.0.7", "10.0.0.7", true)]
    [InlineData("10.0.0.8", "10.0.0.7", false)]
    [InlineData("192.168.1.20", null, false)]
    public void Operator_surfaces_answer_only_requests_from_this_machine(string remote, string? local, bool allowed) =>
        Assert.Equal(allowed, LocalRequests.IsLocal(IPAddress.Parse(remote), local is null ? null : IPAddress.Parse(local)));

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

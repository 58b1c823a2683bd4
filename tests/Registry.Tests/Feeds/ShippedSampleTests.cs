using Registry.Feeds;
using Registry.Ingest.Feeds;

namespace Registry.Tests.Feeds;

/// <summary>
/// Every shipped sample extract reads with its own feed definition (its delimiter, encoding, date
/// format, code lists), exactly the bad rows planted in it are rejected, each with a reason an
/// agency can act on, and its planted bad optional values (birth dates) are left out with a warning. These are the counts `make demo` shows per extract.
/// </summary>
public sealed class ShippedSampleTests
{
    private static readonly FeedCatalog Feeds = FeedCatalog.LoadFolder(Path.Combine(FeedCatalogTests.RepoRoot(), "deploy", "feeds"));

    /// <summary>Per sample: rows, the reasons of the rows rejected, and the values left out of accepted rows (field, value as sent).</summary>
    public static TheoryData<string, int, string[], string[]> Samples => new()
    {
        { "ssa-consultas", 47, ["required field service_date"], ["birth_date=31/02/1975"] },
        { "dif-alimentaria", 57, [], ["birth_date=1990-13-01", "curp=XXXX"] },
        { "medellin-acompanamiento", 25, ["required field service_date (column 'FECHA_VISITA') is empty", "required field agency_person_id (column 'ID_INTEGRANTE') is empty"],
            ["birth_date=31/02/2015", "document_number=101122334"] },
        { "sep-inscripciones", 45, ["service_date '31/09/2026'", "required field agency_person_id (column 'MATRICULA') is empty", "the row has 9 fields but the header has 16"], [] },
        { "bienestar-microcreditos", 45, ["service_date 'N/D'", "required field agency_person_id (column 'ID_ACREDITADO') is empty"], ["birth_date=47900"] },
        { "sspt-prevencion", 40, ["required field programme (column 'PROGRAMA') is empty"], ["birth_date=20090230"] },
        { "itavu-mejoramiento", 46, ["service_date '30-2-26'", "required field agency_person_id (column 'FOLIO') is empty"], [] },
        { "osc-comedores", 50, ["required field full_name (column 'NOMBRE COMPLETO') is empty", "service_date '31/9/2026'"], [] },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void A_shipped_sample_rejects_exactly_its_planted_bad_rows_and_warns_of_its_bad_optional_values(string feedCode, int rows, string[] reasons, string[] warnings)
    {
        var feed = Feeds.Find(feedCode)!;
        var sample = Directory.EnumerateFiles(Path.Combine(FeedCatalogTests.RepoRoot(), "deploy", "samples", feedCode)).Single();

        CsvExtractReader.CheckFile(sample, feed);
        var parsed = CsvExtractReader.Read(sample, feed).ToList();
        var rejected = parsed.Where(p => p.Rejected is not null).Select(p => p.Rejected!).ToList();

        Assert.Equal(rows, parsed.Count);
        Assert.Equal(reasons.Length, rejected.Count);
        foreach (var reason in reasons) Assert.Contains(rejected, r => r.Reason.Contains(reason, StringComparison.Ordinal));
        var accepted = parsed.Select(p => p.Accepted).OfType<Registry.Contracts.SourceRow>().ToList();
        Assert.Equal(warnings.Order(StringComparer.Ordinal), accepted.SelectMany(r => r.Warnings ?? []).Select(w => $"{w.Field}={w.Value}").Order(StringComparer.Ordinal));
        Assert.All(accepted, r => Assert.False(string.IsNullOrWhiteSpace(r.PaternalSurname) && string.IsNullOrWhiteSpace(r.GivenNames), $"row {r.RowNumber} has no name"));
        Assert.All(accepted, r => Assert.NotNull(r.ServiceDate));
    }

    [Fact]
    public void The_shipped_feeds_cover_every_sector_a_full_name_feed_an_api_and_a_windows_1252_semicolon_file()
    {
        Assert.True(Feeds.All.Count >= 7);
        Assert.Equal(Sectors.All.Order(StringComparer.Ordinal), Feeds.All.Select(f => f.Sector).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(Feeds.All, f => f.Fields.ContainsKey(CanonicalFields.FullName));
        Assert.Contains(Feeds.All, f => f.Kind == FeedKinds.ApiPull);
        Assert.Contains(Feeds.All, f => f.Csv is { Delimiter: ";", Encoding: "windows-1252" });
        Assert.Equal(4, Feeds.All.Where(f => f.Kind == FeedKinds.CsvDrop).Select(f => f.Csv.Delimiter).Distinct().Count());
    }

    [Fact]
    public void Code_lists_turn_each_agencys_codes_into_the_registrys_values()
    {
        static Registry.Contracts.SourceRow First(string feedCode)
        {
            var feed = Feeds.Find(feedCode)!;
            var sample = Directory.EnumerateFiles(Path.Combine(FeedCatalogTests.RepoRoot(), "deploy", "samples", feedCode)).Single();
            return CsvExtractReader.Read(sample, feed).First().Accepted!;
        }

        // Ximena González Cantú (born 1967-09-04) as the economy and housing agencies send her.
        var credit = First("bienestar-microcreditos");
        Assert.Equal(("M", new DateOnly(1967, 9, 4), "Microcréditos para el Bienestar", "Primer crédito"),
            (credit.Sex, credit.BirthDate!.Value, credit.Programme, credit.ServiceType));
        var housing = First("itavu-mejoramiento");
        Assert.Equal(("M", new DateOnly(1967, 9, 4), "TERMINADA", "VIV-28000"), (housing.Sex, housing.BirthDate!.Value, housing.ServiceStatus, housing.AgencyHouseholdId));
        // The kitchens' single name column, surnames first, split into parts.
        var kitchen = First("osc-comedores");
        Assert.Equal(("XIMENA", "GONZALEZ", "CANTU", "GONZALEZ CANTU XIMENA"), (kitchen.GivenNames, kitchen.PaternalSurname, kitchen.MaternalSurname, kitchen.FullName));
        Assert.Equal("ASISTIÓ", kitchen.ServiceStatus);
        var school = First("sep-inscripciones");
        Assert.Equal(("H", "Inscripción escolar", "ACTIVO"), (school.Sex, school.Programme, school.ServiceStatus));
    }

    [Fact]
    public void Medellins_visits_resolve_to_thirteen_people_a_childs_registro_civil_and_tarjeta_de_identidad_as_one()
    {
        var feed = Feeds.Find("medellin-acompanamiento")!;
        var sample = Directory.EnumerateFiles(Path.Combine(FeedCatalogTests.RepoRoot(), "deploy", "samples", feed.Code)).Single();
        var rows = CsvExtractReader.Read(sample, feed).Select(p => p.Accepted).OfType<Registry.Contracts.SourceRow>().ToList();
        // Colombian territory in the territory slots, documents typed.
        var first = rows[0];
        Assert.Equal(("1 - Popular", "SANTO DOMINGO SAVIO NO. 1", "CC:43512890", "M"), (first.Poligono, first.Colonia, first.OtherId, first.Sex));

        // One chunk, as the resolver would see the file: rows of one agency id are one person, the rest is scored.
        var incoming = rows.Select(r => new Registry.Matching.IncomingRow(r.RowNumber,
            Registry.Matching.MatchRecord.From(r, Guid.NewGuid(), default), null, null, feed.Agency.Code + ":" + r.AgencyPersonId)).ToList();
        var decisions = new Registry.Matching.ChunkMatcher(Registry.Matching.MatchModel.Default)
            .Decide(incoming, [], new Dictionary<Guid, string?>(), new HashSet<(Guid, Guid)>(), Guid.CreateVersion7);
        var personOf = decisions.Rows.ToDictionary(d => d.RowNumber, d => d.PersonId);
        Assert.Equal(13, personOf.Values.Distinct().Count());
        // JUAN DAVID: registered as a child with his registro civil under an old id, visited now with his TI (same NUIP, no birth date).
        var juan = rows.Where(r => r.GivenNames == "JUAN DAVID").Select(r => personOf[r.RowNumber]).Distinct();
        Assert.Single(juan);
        // CARLOS MARIO: his old TI number and his cédula differ — no evidence either way; names, birth date and phone link him.
        Assert.Single(rows.Where(r => r.GivenNames == "CARLOS MARIO").Select(r => personOf[r.RowNumber]).Distinct());
    }
}

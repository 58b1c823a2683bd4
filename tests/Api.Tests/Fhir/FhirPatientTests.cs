using System.Net;
using System.Text;
using System.Text.Json;
using Registry.Api.Access;
using Registry.Api.Fhir;
using Registry.Api.Tests.Infrastructure;
using static Hl7.Fhir.Model.ExtensionExtensions;
using R4 = Hl7.Fhir.Model;

namespace Registry.Api.Tests.Fhir;

/// <summary>
/// FHIR R4 Patient/$match and Patient read through the real API host, on the seeded registry (real PostgreSQL and
/// RabbitMQ, the sample extracts ingested by the workers): grades from the registry's own matcher, the person reads'
/// territory and sensitive-source rules, OperationOutcomes for bad requests, and the access log.
/// </summary>
[Collection(SeededCollection.Name)]
public sealed class FhirPatientTests(SeededRegistry registry)
{
    private const string Match = "/fhir/Patient/$match";

    /// <summary>A Parameters resource with <paramref name="patient"/> in <c>resource</c>, as FHIR JSON.</summary>
    private static string Parameters(R4.Patient patient, bool? onlyCertain = null, int? count = null)
    {
        var parameters = new R4.Parameters();
        parameters.Parameter.Add(new R4.Parameters.ParameterComponent { Name = "resource", Resource = patient });
        if (onlyCertain is { } only) parameters.Add("onlyCertainMatches", new R4.FhirBoolean(only));
        if (count is { } n) parameters.Add("count", new R4.Integer(n));
        return FhirJson.Serialize(parameters);
    }

    private static R4.Patient Patient(string? given, string? paternal, string? maternal, string? birthDate = null, string? curp = null,
        R4.AdministrativeGender? gender = null, string? municipality = null)
    {
        var patient = new R4.Patient { BirthDate = birthDate, Gender = gender };
        if (curp is not null) patient.Identifier.Add(new R4.Identifier(PatientMapping.CurpSystem, curp));
        if (given is not null || paternal is not null)
        {
            var name = new R4.HumanName { Given = given is null ? [] : [given] };
            if (paternal is not null)
            {
                name.Family = string.Join(' ', new[] { paternal, maternal }.Where(s => s is not null));
                name.FamilyElement.AddExtension(PatientMapping.FathersFamily, new R4.FhirString(paternal));
                if (maternal is not null) name.FamilyElement.AddExtension(PatientMapping.MothersFamily, new R4.FhirString(maternal));
            }
            patient.Name.Add(name);
        }
        if (municipality is not null) patient.Address.Add(new R4.Address { District = municipality });
        return patient;
    }

    private static R4.Patient Ximena(bool withCurp = true) =>
        Patient("XIMENA", "GONZÁLEZ", "CANTÚ", "1967-09-04", withCurp ? SeededRegistry.XimenaCurp : null, R4.AdministrativeGender.Female, "REYNOSA");

    private async Task<(HttpStatusCode Status, string Body, string? MediaType)> PostAsync(string user, string body, string contentType = FhirJson.MediaType,
        string? purpose = null)
    {
        var client = await registry.ClientAsync(user);
        using var request = new HttpRequestMessage(HttpMethod.Post, Match) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        if (purpose is not null) request.Headers.Add("X-Purpose", purpose);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<R4.Bundle> MatchAsync(string user, R4.Patient patient, bool? onlyCertain = null, int? count = null, string? purpose = null)
    {
        var (status, body, mediaType) = await PostAsync(user, Parameters(patient, onlyCertain, count), purpose: purpose);
        Assert.True(status == HttpStatusCode.OK, $"{user} $match: {(int)status} {body}");
        Assert.Equal(FhirJson.MediaType, mediaType);
        var (resource, error) = FhirJson.Parse(body);
        Assert.True(resource is R4.Bundle, error ?? body);
        return (R4.Bundle)resource!;
    }

    private static string Grade(R4.Bundle.EntryComponent entry) =>
        ((R4.Code)entry.Search!.GetExtension(FhirEndpoints.MatchGradeExtension)!.Value!).Value!;

    private static Guid Id(R4.Bundle.EntryComponent entry) => Guid.Parse(entry.Resource!.Id!);

    private static readonly string[] NotCertain = ["probable", "possible"];
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task A_known_duplicate_is_found_as_the_registry_person_with_grade_certain()
    {
        var bundle = await MatchAsync("custodio", Ximena());
        Assert.Equal(R4.Bundle.BundleType.Searchset, bundle.Type);
        var top = bundle.Entry[0];
        Assert.Equal(registry.Ximena, Id(top));
        Assert.Equal("certain", Grade(top));
        Assert.Equal(R4.Bundle.SearchEntryMode.Match, top.Search!.Mode);
        Assert.InRange(top.Search!.Score!.Value, 0.9m, 1m);
        Assert.Equal($"{registry.System.ApiAddress!.ToString().TrimEnd('/')}/fhir/Patient/{registry.Ximena}", top.FullUrl);
        Assert.Single(bundle.Entry, e => Grade(e) == "certain");
        Assert.Equal(bundle.Entry.Count, bundle.Total);

        // The Patient is the registry's golden record: CURP with its system, both surnames both ways, birth date, sex, address.
        var patient = Assert.IsType<R4.Patient>(top.Resource);
        Assert.Contains(patient.Identifier, i => i.System == PatientMapping.CurpSystem && i.Value == SeededRegistry.XimenaCurp);
        var name = Assert.Single(patient.Name);
        Assert.Equal("XIMENA", Assert.Single(name.Given));
        Assert.Equal("GONZÁLEZ", name.FamilyElement!.GetStringExtension(PatientMapping.FathersFamily));
        Assert.Equal("CANTÚ", name.FamilyElement.GetStringExtension(PatientMapping.MothersFamily));
        Assert.Equal("GONZÁLEZ CANTÚ", name.Family);
        Assert.Equal("1967-09-04", patient.BirthDate);
        Assert.Equal(R4.AdministrativeGender.Female, patient.Gender);
        Assert.Equal("REYNOSA", Assert.Single(patient.Address).District);
    }

    [Fact]
    public async Task With_only_her_CURP_the_identity_key_makes_the_match_certain()
    {
        var bundle = await MatchAsync("custodio", Patient(null, null, null, curp: SeededRegistry.XimenaCurp));
        var top = Assert.Single(bundle.Entry);
        Assert.Equal(registry.Ximena, Id(top));
        Assert.Equal("certain", Grade(top));
    }

    [Fact]
    public async Task A_near_variant_without_CURP_is_probable_or_possible_never_certain()
    {
        // A misspelt surname, no CURP, no birth date: names (and place) only — the registry would ask a steward, not link.
        var bundle = await MatchAsync("custodio", Patient("XIMENA", "GONSALEZ", "CANTU", municipality: "REYNOSA"));
        var her = Assert.Single(bundle.Entry, e => Id(e) == registry.Ximena);
        Assert.Contains(Grade(her), NotCertain);
        Assert.DoesNotContain(bundle.Entry, e => Grade(e) == "certain");
        Assert.InRange(her.Search!.Score!.Value, 0m, 0.89m);
        // Without the municipality there is less evidence still: below the review band, only a possible match.
        var weaker = Assert.Single((await MatchAsync("custodio", Patient("XIMENA", "GONSALEZ", "CANTU"))).Entry, e => Id(e) == registry.Ximena);
        Assert.Equal("possible", Grade(weaker));
        Assert.True(weaker.Search!.Score < her.Search.Score, $"{weaker.Search.Score} vs {her.Search.Score}");
        // With onlyCertainMatches nothing short of certain comes back.
        Assert.Empty((await MatchAsync("custodio", Patient("XIMENA", "GONSALEZ", "CANTU", municipality: "REYNOSA"), onlyCertain: true)).Entry);
    }

    [Fact]
    public async Task A_Patient_without_surname_extensions_or_with_a_bare_Patient_body_matches_the_same()
    {
        // The family as one string (split like a feed's full-name column), sent as a bare Patient instead of Parameters.
        var plain = new R4.Patient { BirthDate = "1967-09-04" };
        plain.Name.Add(new R4.HumanName { Given = ["Ximena"], Family = "González Cantú" });
        var (status, body, _) = await PostAsync("custodio", FhirJson.Serialize(plain));
        Assert.Equal(HttpStatusCode.OK, status);
        var bundle = Assert.IsType<R4.Bundle>(FhirJson.Parse(body).Resource);
        Assert.Equal(registry.Ximena, Id(bundle.Entry[0]));
        Assert.Equal("certain", Grade(bundle.Entry[0]));
    }

    [Fact]
    public async Task A_stranger_finds_nobody()
    {
        var bundle = await MatchAsync("admin", Patient("ANACLETO", "ZUBIZARRETA", "OYARZÁBAL", "1931-02-28",
            gender: R4.AdministrativeGender.Male, municipality: "MATAMOROS"));
        Assert.Empty(bundle.Entry);
        Assert.Equal(0, bundle.Total);
    }

    [Fact]
    public async Task Count_limits_the_entries()
    {
        var all = await MatchAsync("custodio", Patient("XIMENA", "GONSALEZ", "CANTU", municipality: "REYNOSA"));
        var one = await MatchAsync("custodio", Patient("XIMENA", "GONSALEZ", "CANTU", municipality: "REYNOSA"), count: 1);
        Assert.Single(one.Entry);
        Assert.Equal(Id(all.Entry[0]), Id(one.Entry[0]));
    }

    public static readonly TheoryData<string, string> BadRequests = new()
    {
        { "not json at all", FhirJson.MediaType },
        { "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"resource\",\"resource\":{\"resourceType\":\"Patient\",\"gender\":\"female\"}}]}", FhirJson.MediaType },
        { "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"count\",\"valueInteger\":3}]}", FhirJson.MediaType },
        { "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"}}", FhirJson.MediaType },
        { "{\"resourceType\":\"Patient\",\"birthDate\":\"not a date\",\"name\":[{\"family\":\"GONZÁLEZ\"}]}", FhirJson.MediaType },
        { "{\"decision\":\"match\"}", "application/json" },
        { "", FhirJson.MediaType },
        { "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"resource\",\"resource\":{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"X\"}]}},{\"name\":\"count\",\"valueInteger\":0}]}", FhirJson.MediaType },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_bad_resource_gets_400_with_an_OperationOutcome(string body, string contentType)
    {
        var (status, text, mediaType) = await PostAsync("custodio", body, contentType);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(FhirJson.MediaType, mediaType);
        var outcome = Assert.IsType<R4.OperationOutcome>(FhirJson.Parse(text).Resource);
        var issue = Assert.Single(outcome.Issue);
        Assert.Equal(R4.OperationOutcome.IssueSeverity.Error, issue.Severity);
        Assert.False(string.IsNullOrWhiteSpace(issue.Diagnostics));
    }

    [Fact]
    public async Task Xml_is_415_and_an_unknown_or_malformed_id_is_404_with_an_OperationOutcome()
    {
        var (status, text, _) = await PostAsync("custodio", "<Parameters xmlns=\"http://hl7.org/fhir\"/>", "application/fhir+xml");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.IsType<R4.OperationOutcome>(FhirJson.Parse(text).Resource);
        var client = await registry.ClientAsync("custodio");
        foreach (var id in new[] { Guid.NewGuid().ToString(), "not-an-id" })
        {
            using var response = await client.GetAsync($"/fhir/Patient/{id}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            var outcome = Assert.IsType<R4.OperationOutcome>(FhirJson.Parse(await response.Content.ReadAsStringAsync()).Resource);
            Assert.Equal(R4.OperationOutcome.IssueType.NotFound, Assert.Single(outcome.Issue).Code);
        }
    }

    [Fact]
    public async Task A_read_returns_the_person_as_a_Patient_and_is_logged_with_its_purpose()
    {
        var purpose = "atencion medica " + Guid.NewGuid().ToString("N")[..6];
        var client = await registry.ClientAsync("gestora.reynosa");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/fhir/Patient/{registry.Ximena}");
        request.Headers.Add("X-Purpose", purpose);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FhirJson.MediaType, response.Content.Headers.ContentType?.MediaType);
        var patient = Assert.IsType<R4.Patient>(FhirJson.Parse(await response.Content.ReadAsStringAsync()).Resource);
        Assert.Equal(registry.Ximena.ToString(), patient.Id);
        Assert.Contains(patient.Identifier, i => i.System == PatientMapping.CurpSystem && i.Value == SeededRegistry.XimenaCurp);

        var log = await LogAsync(registry.Ximena);
        Assert.Contains(log, e => e is { Subject: "gestora.reynosa", Kind: AccessKind.FhirPatient } && e.TargetId == registry.Ximena && e.Purpose == purpose);
    }

    [Fact]
    public async Task A_match_is_logged_with_the_ids_it_returned_and_its_purpose()
    {
        var purpose = "referencia hospitalaria " + Guid.NewGuid().ToString("N")[..6];
        var bundle = await MatchAsync("gestora.salud", Ximena(), purpose: purpose);
        Assert.Contains(bundle.Entry, e => Id(e) == registry.Ximena);
        var entry = Assert.Single(await LogAsync(registry.Ximena), e => e.Kind == AccessKind.FhirMatch && e.Purpose == purpose);
        Assert.Equal("gestora.salud", entry.Subject);
        Assert.Equal(bundle.Entry.Select(Id).Order(), entry.ReturnedIds!.Order());
        Assert.StartsWith("FHIR Patient/$match: ", entry.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("XIMENA", entry.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Without_a_purpose_nothing_is_read_or_logged()
    {
        var client = await registry.System.ApiClientAsync("custodio", purpose: null);
        var before = (await LogAsync(registry.Ximena)).Count;
        using (var read = await client.GetAsync($"/fhir/Patient/{registry.Ximena}"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, read.StatusCode);
            Assert.Contains("X-Purpose", Assert.IsType<R4.OperationOutcome>(FhirJson.Parse(await read.Content.ReadAsStringAsync()).Resource).Issue[0].Diagnostics,
                StringComparison.Ordinal);
        }
        using (var match = await client.PostAsync(Match, new StringContent(Parameters(Ximena()), Encoding.UTF8, FhirJson.MediaType)))
            Assert.Equal(HttpStatusCode.BadRequest, match.StatusCode);
        client.Dispose();
        Assert.Equal(before, (await LogAsync(registry.Ximena)).Count);
    }

    [Fact]
    public async Task A_case_manager_outside_the_territory_is_refused_the_read_and_matches_nobody_there()
    {
        var victoria = await registry.ClientAsync("gestor.victoria");
        using (var response = await victoria.GetAsync($"/fhir/Patient/{registry.Ximena}"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var outcome = Assert.IsType<R4.OperationOutcome>(FhirJson.Parse(await response.Content.ReadAsStringAsync()).Resource);
            Assert.Equal(R4.OperationOutcome.IssueType.Forbidden, outcome.Issue[0].Code);
            Assert.DoesNotContain("XIMENA", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }
        var bundle = await MatchAsync("gestor.victoria", Ximena());
        Assert.DoesNotContain(bundle.Entry, e => Id(e) == registry.Ximena);
        // The case manager of her municipality finds her.
        Assert.Contains((await MatchAsync("gestora.reynosa", Ximena())).Entry, e => Id(e) == registry.Ximena && Grade(e) == "certain");

        var log = await LogAsync(registry.Ximena);
        Assert.Contains(log, e => e is { Subject: "gestor.victoria", Kind: AccessKind.Denied } &&
                                  e.Detail == $"GET /fhir/Patient/{registry.Ximena}: outside the reader's territory");
        Assert.DoesNotContain(log, e => e.Subject == "gestor.victoria" && e.Kind == AccessKind.FhirPatient);
    }

    [Fact]
    public async Task An_agency_user_is_refused_by_the_role_policy_and_it_is_logged()
    {
        var (status, _, _) = await PostAsync("ssa.datos", Parameters(Ximena()));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        var client = await registry.ClientAsync("ssa.datos");
        using var read = await client.GetAsync($"/fhir/Patient/{registry.Ximena}");
        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
        Assert.Contains(await LogAsync(registry.Ximena), e => e is { Subject: "ssa.datos", Kind: AccessKind.Denied } &&
                                                             e.Detail!.StartsWith($"GET /fhir/Patient/{registry.Ximena}: role policy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_reader_without_the_health_grant_sees_no_value_only_a_clinic_supplied()
    {
        // MARÍA GUADALUPE MARTÍNEZ RODRÍGUEZ: her golden surname MARTINES came from a clinic's row (health, sensitive).
        var maria = Patient(null, null, null, curp: "MARG100510MTSRDDA6");
        var without = await MatchAsync("gestora.reynosa", maria);
        var with = await MatchAsync("gestora.salud", maria);
        var seen = Assert.Single(without.Entry, e => Grade(e) == "certain");
        Assert.Equal(Id(seen), Id(Assert.Single(with.Entry, e => Grade(e) == "certain")));
        var withoutText = FhirJson.Serialize(without);
        Assert.DoesNotContain("MARTINES", withoutText, StringComparison.Ordinal);
        Assert.Contains("MART\u00cdNEZ", withoutText, StringComparison.Ordinal);
        Assert.Contains("MARTINES", FhirJson.Serialize(with), StringComparison.Ordinal);
        // The read says the same.
        var readWithout = await (await registry.ClientAsync("gestora.reynosa")).GetStringAsync($"/fhir/Patient/{Id(seen)}");
        Assert.DoesNotContain("MARTINES", readWithout, StringComparison.Ordinal);
        Assert.Contains("MARTINES", await (await registry.ClientAsync("gestora.salud")).GetStringAsync($"/fhir/Patient/{Id(seen)}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_person_only_a_security_source_knows_is_matched_by_a_steward_and_nobody_without_the_grant()
    {
        var zacarias = Patient("ZACARÍAS", "QUINTANILLA", "YÁÑEZ", "2008-01-17", gender: R4.AdministrativeGender.Male, municipality: "REYNOSA");
        var steward = await MatchAsync("custodio", zacarias);
        Assert.Contains(steward.Entry, e => Grade(e) == "certain" &&
                                            ((R4.Patient)e.Resource!).Name.Any(n => n.FamilyElement?.GetStringExtension(PatientMapping.FathersFamily) == "QUINTANILLA"));
        Assert.Empty((await MatchAsync("gestora.reynosa", zacarias)).Entry);
        Assert.NotEmpty((await MatchAsync("gestora.salud", zacarias)).Entry);
    }

    [Fact]
    public void The_mapping_reads_back_what_it_writes()
    {
        var golden = new VisibleGolden(Guid.NewGuid(),
        [
            new(Registry.Persons.GoldenRecord.Curp, "GOCX670904MTSNNM02", Guid.Empty, "r"),
            new(Registry.Persons.GoldenRecord.GivenNames, "MARÍA DE LOS ÁNGELES", Guid.Empty, "r"),
            new(Registry.Persons.GoldenRecord.PaternalSurname, "DE LA CRUZ", Guid.Empty, "r"),
            new(Registry.Persons.GoldenRecord.MaternalSurname, "PÉREZ", Guid.Empty, "r"),
            new(Registry.Persons.GoldenRecord.BirthDate, "1967-09-04", Guid.Empty, "r"),
            new(Registry.Persons.GoldenRecord.Sex, "M", Guid.Empty, "r"),
            new("phone", "8991588139", Guid.Empty, "r"),
            new("street", "CALLE HIDALGO", Guid.Empty, "r"),
            new("house_number", "12", Guid.Empty, "r"),
            new("colonia", "COL. MEXICO", Guid.Empty, "r"),
            new("postal_code", "88540", Guid.Empty, "r"),
            new("municipality", "REYNOSA", Guid.Empty, "r"),
        ], HasVisibleSource: true, Recomputed: false);
        var patient = PatientMapping.ToPatient(golden);
        // Through the wire and back.
        var row = PatientMapping.ToSourceRow((R4.Patient)FhirJson.Parse(FhirJson.Serialize(patient)).Resource!);
        Assert.Equal(("GOCX670904MTSNNM02", "MARÍA DE LOS ÁNGELES", "DE LA CRUZ", "PÉREZ"), (row.Curp, row.GivenNames, row.PaternalSurname, row.MaternalSurname));
        Assert.Equal((new DateOnly(1967, 9, 4), "M", "8991588139"), (row.BirthDate, row.Sex, row.Phone));
        Assert.Equal(("CALLE HIDALGO 12", "COL. MEXICO", "88540", "REYNOSA"), (row.Street, row.Colonia, row.PostalCode, row.Municipality));
        Assert.Null(row.FullName);

        // Without the surname extensions the family is split as a feed's full-name column is: particles stay with their surname.
        var plain = new R4.Patient();
        plain.Name.Add(new R4.HumanName { Given = ["JUAN"], Family = "DE LA CRUZ PÉREZ" });
        var split = PatientMapping.ToSourceRow(plain);
        Assert.Equal(("DE LA CRUZ", "PEREZ"), (split.PaternalSurname?.Replace("É", "E", StringComparison.Ordinal), split.MaternalSurname?.Replace("É", "E", StringComparison.Ordinal)));
        // A CURP without a system is read as one when its check digit holds.
        var bare = new R4.Patient();
        bare.Identifier.Add(new R4.Identifier(null, "gocx670904mtsnnm02"));
        Assert.Equal("GOCX670904MTSNNM02", PatientMapping.CurpOf(bare));
        bare.Identifier[0].Value = "GOCX670904MTSNNM03";
        Assert.Null(PatientMapping.CurpOf(bare));
    }

    private async Task<IReadOnlyList<AccessLogEntry>> LogAsync(Guid target)
    {
        var auditor = await registry.ClientAsync("auditora");
        var page = JsonSerializer.Deserialize<AccessLogPage>(await auditor.GetStringAsync($"/api/access-log?target={target}&pageSize=500"),
            Web)!;
        return page.Items;
    }
}

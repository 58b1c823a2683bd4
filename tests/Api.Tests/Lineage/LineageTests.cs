using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Registry.Api.Persons;
using Registry.Api.Tests.Infrastructure;

namespace Registry.Api.Tests.Lineage;

/// <summary>An auditor's PROV-JSON export names the file (SHA-256), the row and the decision behind a fact.</summary>
[Collection(SeededCollection.Name)]
public sealed class LineageTests(SeededRegistry registry)
{
    private static string Sha256Of(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));

    [Fact]
    public async Task A_service_events_PROV_export_leads_to_the_SSA_file_and_its_row()
    {
        var auditor = await registry.ClientAsync("auditora");
        using var doc = JsonDocument.Parse(await auditor.GetStringAsync($"/api/lineage/service-events/{registry.HealthService}"));
        var root = doc.RootElement;
        var entities = root.GetProperty("entity");

        var sha = Sha256Of(SeededRegistry.Sample("ssa-consultas"));
        var file = entities.GetProperty($"registry:file/{sha}");
        Assert.Equal("consultas-2026-10.csv", file.GetProperty("registry:fileName").GetString());
        var service = entities.GetProperty($"registry:service-event/{registry.HealthService}");
        Assert.Equal("health", service.GetProperty("registry:sector").GetString());

        // service event ← source record (a row of that file) ← file; the row is attributed to SSA-TAM.
        var derivations = root.GetProperty("wasDerivedFrom").EnumerateObject().Select(p => p.Value).ToList();
        var row = derivations.Single(d => d.GetProperty("prov:generatedEntity").GetString() == $"registry:service-event/{registry.HealthService}")
            .GetProperty("prov:usedEntity").GetString()!;
        Assert.Contains(derivations, d => d.GetProperty("prov:generatedEntity").GetString() == row
                                          && d.GetProperty("prov:usedEntity").GetString() == $"registry:file/{sha}");
        var rowNumber = entities.GetProperty(row).GetProperty("registry:rowNumber").GetInt32();
        Assert.Contains(SeededRegistry.XimenaCurp, File.ReadAllLines(SeededRegistry.Sample("ssa-consultas"))[rowNumber], StringComparison.Ordinal);
        Assert.Contains(root.GetProperty("wasAttributedTo").EnumerateObject(),
            a => a.Value.GetProperty("prov:agent").GetString() == "registry:agency/SSA-TAM");
        // The link decision is an activity with its rule and model version, done by the machine rule set.
        var decision = root.GetProperty("activity").EnumerateObject().Single(a => a.Name.StartsWith("registry:match-decision/", StringComparison.Ordinal));
        Assert.False(string.IsNullOrEmpty(decision.Value.GetProperty("registry:rule").GetString()));
        Assert.False(string.IsNullOrEmpty(decision.Value.GetProperty("registry:modelVersion").GetString()));
    }

    [Fact]
    public async Task A_households_PROV_export_covers_both_agencies_files_and_every_member()
    {
        var steward = await registry.ClientAsync("custodio");
        using var doc = JsonDocument.Parse(await steward.GetStringAsync($"/api/lineage/households/{registry.ReynosaHousehold}"));
        var entities = doc.RootElement.GetProperty("entity").EnumerateObject().Select(e => e.Name).ToList();
        Assert.Contains($"registry:file/{Sha256Of(SeededRegistry.Sample("ssa-consultas"))}", entities);
        Assert.Contains($"registry:file/{Sha256Of(SeededRegistry.Sample("dif-alimentaria"))}", entities);
        Assert.Contains($"registry:household/{registry.ReynosaHousehold}", entities);
        Assert.Equal(3, entities.Count(e => e.StartsWith("registry:person/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Each_field_of_the_golden_record_names_the_source_that_supplied_it()
    {
        // Granted health and security: a reader without the grant sees SSA's records only as sector and date (RedactionTests).
        var manager = await registry.ClientAsync("gestora.salud");
        var person = (await manager.GetFromJsonAsync<PersonView>($"/api/persons/{registry.Ximena}"))!;
        Assert.Equal(SeededRegistry.XimenaCurp, person.Person.Curp);
        var curp = person.Fields.Single(f => f.Field == "curp");
        Assert.Equal(SeededRegistry.XimenaCurp, curp.Value);
        Assert.Contains(person.Sources, s => s.SourceRecordId == curp.SourceRecordId && s.RowNumber == curp.RowNumber && s.FileName == curp.FileName);
        Assert.Contains(person.Sources, s => s.AgencyCode == "SSA-TAM");
        Assert.Contains(person.Sources, s => s.AgencyCode == "DIF-TAM");
    }
}

using System.Net.Http.Json;
using Registry.Api.Persons;
using Registry.Api.Search;
using Registry.Extracts;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Integration.Tests.Ingest;

/// <summary>
/// An agency that writes each person's name in one column (the DIF-funded community kitchens,
/// surnames first): the registry still knows given names and surnames of people it has from no
/// other agency, from the split of that column.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class FullNameFeedTests(RegistryServers servers)
{
    [Theory]
    [InlineData("MU-400", "XIMENA", "GONZALEZ", "CANTU")]                 // typed without accents
    [InlineData("MU-410", "MARIA GUADALUPE", "MARTINEZ", "RODRIGUEZ")]    // compound given name after two surnames
    [InlineData("MU-409", "JOSE LUIS", "MARTINEZ", "RODRIGUEZ")]
    [InlineData("MU-411", "ANA LAURA", "MORALES", null)]                   // second surname missing
    public async Task A_person_known_only_from_a_full_name_column_has_given_names_and_surnames(
        string agencyPersonId, string given, string paternal, string? maternal)
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        var sample = Directory.EnumerateFiles(Path.Combine(RepoPaths.Samples, "osc-comedores")).Single();
        await system.DropAsync("osc-comedores", sample);
        var extract = (await system.WaitForExtractsAsync(1)).Single();
        Assert.Equal(ExtractStatus.Resolved, extract.Status);

        var hits = await system.Api.SearchPersonsAsync(new { agencyPersonId, agency = "OSC-MANOS-UNIDAS" });
        var hit = Assert.Single(hits!.Items);
        var person = (await system.Api.GetFromJsonAsync<PersonView>($"/api/persons/{hit.Id}"))!;

        Assert.Equal((given, paternal, maternal), (person.Person.GivenNames, person.Person.PaternalSurname, person.Person.MaternalSurname));
        Assert.Contains(person.Fields, f => f.Field == "given_names" && f.AgencyCode == "OSC-MANOS-UNIDAS");
        // The person page shows the same name, never a blank heading.
        var page = await (await system.Api.GetAsync($"/personas/{hit.Id}")).Content.ReadAsStringAsync();
        Assert.Contains(string.Join(' ', new[] { given, paternal, maternal }.Where(s => s is not null)), page, StringComparison.Ordinal);
        // And a case manager finds them by the name as typed in a separate-columns world.
        var byName = await system.Api.GetFromJsonAsync<SearchPage<PersonHit>>($"/api/persons?name={Uri.EscapeDataString(given + " " + paternal)}");
        Assert.Contains(byName!.Items, p => p.Id == hit.Id);
    }
}

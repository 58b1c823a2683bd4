using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Registry.Api.Review;
using Registry.Contracts;
using Registry.Extracts;
using Registry.Integration.Tests.Infrastructure;
using Registry.Resolution;

namespace Registry.Integration.Tests.Review;

/// <summary>A steward works the review queue through the API of the real host.</summary>
[Collection(ServersCollection.Name)]
public sealed class ReviewApiTests(RegistryServers servers)
{
    [Fact]
    public async Task A_steward_sees_both_sides_with_evidence_and_a_match_decision_merges_them()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        await using var db = NpgsqlDataSource.Create(system.ConnectionString);
        await ResolveAsync(db, "DIF-TAM", Rosa(null, "CRUZ", 9));
        await ResolveAsync(db, "SSA-TAM", Rosa(null, null, 19));
        var steward = await system.ApiClientAsync("custodio");
        var auditor = await system.ApiClientAsync("auditora");

        var page = await auditor.GetFromJsonAsync<ReviewPage>("/api/review/tasks");
        var task = Assert.Single(page!.Items);
        Assert.Equal("SSA-TAM", task.Record.AgencyCode);
        Assert.Equal("ROSA ELENA", task.Candidate.GivenNames);
        Assert.Equal("one-part-differs", task.Evidence.GetProperty("birth_date").GetProperty("level").GetString());

        var notAllowed = await auditor.PostAsJsonAsync($"/api/review/tasks/{task.Id}/decision", new DecisionRequest("match", "auditors only look"));
        Assert.Equal(HttpStatusCode.Forbidden, notAllowed.StatusCode);
        var bad = await steward.PostAsJsonAsync($"/api/review/tasks/{task.Id}/decision", new DecisionRequest("maybe", "unsure"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var noReason = await steward.PostAsJsonAsync($"/api/review/tasks/{task.Id}/decision", new DecisionRequest("match", " "));
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);

        var ok = await steward.PostAsJsonAsync($"/api/review/tasks/{task.Id}/decision", new DecisionRequest("match", "Same person per the DIF file"));
        Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
        var again = await steward.PostAsJsonAsync($"/api/review/tasks/{task.Id}/decision", new DecisionRequest("non-match", "changed my mind"));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var decided = await steward.GetFromJsonAsync<ReviewTaskView>($"/api/review/tasks/{task.Id}");
        Assert.Equal(("match", "custodio"), (decided!.Status, decided.DecidedBy));
        var events = await steward.GetFromJsonAsync<IdentityEventView[]>($"/api/persons/{task.Candidate.PersonId}/identity-events");
        var merge = Assert.Single(events!);
        Assert.Equal(("merge", "Same person per the DIF file"), (merge.Kind, merge.Reason));

        // The merged id stays valid for anyone who kept it: it redirects to the survivor.
        var (survivor, merged) = (merge.PersonId, merge.OtherPersonId!.Value);
        using var old = await steward.GetAsync($"/api/persons/{merged}");
        Assert.Equal(HttpStatusCode.MovedPermanently, old.StatusCode);
        Assert.EndsWith($"/api/persons/{survivor}", old.Headers.Location!.OriginalString, StringComparison.Ordinal);

        // The auditor's PROV export of the survivor carries the merge: who decided, why, on which task.
        using var prov = JsonDocument.Parse(await auditor.GetStringAsync($"/api/lineage/persons/{survivor}"));
        var activity = prov.RootElement.GetProperty("activity").GetProperty($"registry:identity-event/{merge.Id}");
        Assert.Equal("merge", activity.GetProperty("registry:kind").GetString());
        Assert.Equal("Same person per the DIF file", activity.GetProperty("registry:reason").GetString());
        Assert.Equal(task.Id, activity.GetProperty("registry:reviewTask").GetGuid());
        Assert.True(prov.RootElement.GetProperty("agent").TryGetProperty("registry:decider/custodio", out _));
        Assert.Contains(prov.RootElement.GetProperty("wasAssociatedWith").EnumerateObject(), r =>
            r.Value.GetProperty("prov:activity").GetString() == $"registry:identity-event/{merge.Id}" &&
            r.Value.GetProperty("prov:agent").GetString() == "registry:decider/custodio");
    }

    private static SourceRow Rosa(string? curp, string? maternal, int day) => new()
    {
        RowNumber = 1, RecordKey = "rosa", ContentHash = $"rosa{day}", Curp = curp, GivenNames = "ROSA ELENA", PaternalSurname = "MARTINEZ",
        MaternalSurname = maternal, BirthDate = new DateOnly(1975, 6, day), Sex = "M", Programme = "P", ServiceType = "S", ServiceDate = new DateOnly(2026, 10, 1),
    };

    private static async Task ResolveAsync(NpgsqlDataSource db, string agency, SourceRow row)
    {
        var (id, _) = await new ExtractStore(db).RegisterAsync("feed-" + agency, agency, "social", "f.csv", Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"), 1, "/dev/null", default);
        await new ChunkResolver(db).ApplyAsync(new ResolveSourceRows(id, 0, 1, 1, "feed-" + agency, agency, "social", [row]), default);
    }
}

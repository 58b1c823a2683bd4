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

    [Fact]
    public async Task The_queue_is_paged_highest_priority_first_and_readers_who_are_not_stewards_are_refused()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        await using var db = NpgsqlDataSource.Create(system.ConnectionString);
        // Three uncertain pairs; the clinic's (health, a sensitive sector) ranks first for it.
        (string Given, string Paternal, string Sector)[] pairs = [("ROSA ELENA", "MARTINEZ", "social"), ("LUCIA ELENA", "GONZALEZ", "health"), ("ANA SOFIA", "RAMIREZ", "social")];
        foreach (var (given, paternal, sector) in pairs)
        {
            await ResolveAsync(db, "DIF-TAM", Named(given, paternal, "CRUZ", 9));
            await ResolveAsync(db, "SSA-TAM", Named(given, paternal, null, 19), sector);
        }
        var steward = await system.ApiClientAsync("custodio");

        var first = await steward.GetFromJsonAsync<ReviewPage>("/api/review/tasks?pageSize=2");
        Assert.Equal((1, 2, 3L), (first!.Page, first.PageSize, first.Total));
        Assert.Equal(2, first.Items.Count);
        Assert.True(first.Items[0].Sensitive, "the pair with a health service should come first");
        Assert.Equal("LUCIA ELENA", first.Items[0].Candidate.GivenNames);
        var second = await steward.GetFromJsonAsync<ReviewPage>("/api/review/tasks?pageSize=2&page=2");
        var last = Assert.Single(second!.Items);
        var all = first.Items.Append(last).ToList();
        Assert.Equal(3, all.Select(t => t.Id).Distinct().Count());
        Assert.Equal(all.Select(t => t.Priority).OrderDescending(), all.Select(t => t.Priority));
        Assert.All(all, t => Assert.Equal(1, t.Records));
        var byDefault = await steward.GetFromJsonAsync<ReviewPage>("/api/review/tasks");
        Assert.Equal(ReviewQueries.DefaultPageSize, byDefault!.PageSize);
        var clamped = await steward.GetFromJsonAsync<ReviewPage>("/api/review/tasks?pageSize=5000");
        Assert.Equal(ReviewQueries.MaxPageSize, clamped!.PageSize);
        // One task, with the records that asked about its pair.
        var one = await steward.GetFromJsonAsync<ReviewTaskView>($"/api/review/tasks/{last.Id}");
        Assert.Equal("SSA-TAM", Assert.Single(one!.AskedBy!).AgencyCode);

        // The page shows the count and where the steward is.
        using var page = await steward.GetAsync("/revision");
        var html = System.Net.WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        Assert.Contains("3 tareas abiertas · Página 1 de 1", System.Text.RegularExpressions.Regex.Replace(html, "<[^>]+>|\\s+", m => m.Value.StartsWith('<') ? "" : " "), StringComparison.Ordinal);

        foreach (var reader in new[] { "gestora.reynosa", "gestora.salud", "dif.datos" })
        {
            var client = await system.ApiClientAsync(reader);
            using var refused = await client.GetAsync("/api/review/tasks");
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            using var refusedOne = await client.GetAsync($"/api/review/tasks/{last.Id}");
            Assert.Equal(HttpStatusCode.Forbidden, refusedOne.StatusCode);
        }
    }

    [Fact]
    public async Task The_queue_sorts_by_score_or_age_filters_by_reason_and_feed_and_counts_each_reason()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        await using var db = NpgsqlDataSource.Create(system.ConnectionString);
        (string Given, string Paternal, int Day)[] pairs = [("ROSA ELENA", "MARTINEZ", 9), ("LUCIA ELENA", "GONZALEZ", 11), ("ANA SOFIA", "RAMIREZ", 13)];
        foreach (var (given, paternal, day) in pairs)
        {
            await ResolveAsync(db, "DIF-TAM", Named(given, paternal, "CRUZ", day));
            await ResolveAsync(db, "SSA-TAM", Named(given, paternal, null, day + 10), "health");
        }
        var steward = await system.ApiClientAsync("custodio");
        var all = (await steward.GetFromJsonAsync<ReviewPage>("/api/review/tasks"))!;
        Assert.Equal(3, all.Total);
        Assert.Equal(all.Total, all.ByReason.Sum(r => r.Count));

        var byScore = (await steward.GetFromJsonAsync<ReviewPage>("/api/review/tasks?sort=score"))!.Items;
        Assert.Equal(byScore.Select(t => t.Score).OrderDescending(), byScore.Select(t => t.Score));
        var byAge = (await steward.GetFromJsonAsync<ReviewPage>("/api/review/tasks?sort=age"))!.Items;
        Assert.Equal(byAge.Select(t => t.CreatedAt).Order(), byAge.Select(t => t.CreatedAt));
        Assert.Equal(["ROSA ELENA", "LUCIA ELENA", "ANA SOFIA"], byAge.Select(t => t.Candidate.GivenNames));

        // The record that asked comes from the clinic's feed: filtering by the DIF feed leaves nothing.
        Assert.Equal(3, (await steward.GetFromJsonAsync<ReviewPage>("/api/review/tasks?feed=feed-SSA-TAM"))!.Total);
        var dif = (await steward.GetFromJsonAsync<ReviewPage>("/api/review/tasks?feed=feed-DIF-TAM"))!;
        Assert.Equal(0, dif.Total);
        Assert.Empty(dif.ByReason);
        var reason = all.ByReason[0];
        var ofReason = (await steward.GetFromJsonAsync<ReviewPage>($"/api/review/tasks?reason={reason.Reason}"))!;
        Assert.Equal(reason.Count, ofReason.Total);
        Assert.All(ofReason.Items, t => Assert.Equal(reason.Reason, t.Reason));
        Assert.Equal(0, (await steward.GetFromJsonAsync<ReviewPage>("/api/review/tasks?reason=not-a-reason"))!.Total);
        Assert.Equal(HttpStatusCode.BadRequest, (await steward.GetAsync("/api/review/tasks?sort=name")).StatusCode);

        // The page shows the count of each reason, in words, and keeps the filters in its links.
        var html = System.Net.WebUtility.HtmlDecode(await steward.GetStringAsync("/revision?orden=age&fuente=feed-SSA-TAM"));
        Assert.Contains($"data-reason=\"{reason.Reason}\"", html, StringComparison.Ordinal);
        Assert.Contains($"(<span class=\"reason-count\">{reason.Count}</span>)", html, StringComparison.Ordinal);
        Assert.Contains($"/revision?motivo={reason.Reason}&fuente=feed-SSA-TAM&orden=age", html, StringComparison.Ordinal);
    }

    private static SourceRow Named(string given, string paternal, string? maternal, int day) => new()
    {
        RowNumber = 1, RecordKey = given + day, ContentHash = $"{given}{paternal}{day}", GivenNames = given, PaternalSurname = paternal,
        MaternalSurname = maternal, BirthDate = new DateOnly(1975, 6, day), Sex = "M", Municipality = "REYNOSA", Programme = "P", ServiceType = "S", ServiceDate = new DateOnly(2026, 10, 1),
    };

    private static SourceRow Rosa(string? curp, string? maternal, int day) => new()
    {
        RowNumber = 1, RecordKey = "rosa", ContentHash = $"rosa{day}", Curp = curp, GivenNames = "ROSA ELENA", PaternalSurname = "MARTINEZ",
        MaternalSurname = maternal, BirthDate = new DateOnly(1975, 6, day), Sex = "M", Municipality = "REYNOSA", Programme = "P", ServiceType = "S", ServiceDate = new DateOnly(2026, 10, 1),
    };

    private static async Task ResolveAsync(NpgsqlDataSource db, string agency, SourceRow row, string sector = "social")
    {
        var (id, _) = await new ExtractStore(db).RegisterAsync("feed-" + agency, agency, sector, "f.csv", Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"), 1, "/dev/null", default);
        await new ChunkResolver(db).ApplyAsync(new ResolveSourceRows(id, 0, 1, 1, "feed-" + agency, agency, sector, [row]), default);
    }
}

using System.Net;
using System.Net.Http.Json;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Registry.AgencySimulator;
using Registry.Api.Households;
using Registry.Api.Search;
using Registry.Api.Summary;
using Registry.Extracts;
using Registry.Feeds;
using Registry.Ingest.Feeds;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Integration.Tests.Ingest;

/// <summary>
/// Agency API pulls against the simulator on a real port, with real PostgreSQL and RabbitMQ:
/// the SNE feed (120 participations, pages of 50 → 3 pages; records 37 and 88 are bad rows).
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class ApiPullTests(RegistryServers servers)
{
    private const string Feed = "sne-capacitacion";
    private const int Records = 120;
    private const int BadRecords = 2;

    [Fact]
    public async Task A_pull_brings_every_record_exactly_once_as_accepted_or_rejected()
    {
        await using var simulator = await SimulatorHost.StartAsync(Records);
        await using var system = await RegistrySystem.StartAsync(servers, chunkSize: 20, settings: simulator.WorkerSettings());

        var result = await PullAsync(system);
        var extracts = await system.WaitForExtractsAsync(3);

        Assert.True(result.Completed);
        Assert.Equal((3, 3, 0, Records), (result.Pages, result.NewExtracts, result.DuplicatePages, result.Records));
        Assert.All(extracts, e => Assert.Equal(ExtractStatus.Resolved, e.Status));
        Assert.All(extracts, e => Assert.Equal(("SNE-TAM", "economy"), (e.AgencyCode, e.Sector)));
        Assert.Equal([50, 50, 20], extracts.OrderBy(e => e.FileName, StringComparer.Ordinal).Select(e => e.RowsTotal ?? 0));
        Assert.Equal(Records, extracts.Sum(e => e.RowsTotal));
        Assert.Equal(Records - BadRecords, extracts.Sum(e => e.RowsAccepted));
        Assert.Equal(BadRecords, extracts.Sum(e => e.RowsRejected));
        Assert.Equal(Records - BadRecords, await ScalarAsync(system, "SELECT count(*) FROM source_records"));

        // Rejected rows carry their row number on the page, the reason and the record as sent.
        var rejected = extracts.Single(e => e.RowsRejected == 1 && e.RowsTotal == 50 && e.FileName.EndsWith("p001.json", StringComparison.Ordinal));
        var csv = await system.Api.GetStringAsync($"/api/extracts/{rejected.Id}/rejected.csv");
        Assert.Contains("37,", csv, StringComparison.Ordinal);
        Assert.Contains("service_date '2026-02-30' (property 'fechaInicio')", csv, StringComparison.Ordinal);
        Assert.Contains("SNE-2026-100037", csv, StringComparison.Ordinal);

        var cursor = await system.CreateWorkersClient().GetFromJsonAsync<ApiPullCursor>($"/feeds/{Feed}/pull");
        Assert.Equal((null, 3L, 1), (cursor!.Cursor, cursor.PagesRegistered, cursor.RunsCompleted));
    }

    [Fact]
    public async Task A_family_member_known_to_DIF_shows_the_employment_services_pulled_from_the_API()
    {
        await using var simulator = await SimulatorHost.StartAsync(Records);
        await using var system = await RegistrySystem.StartAsync(servers, settings: simulator.WorkerSettings());
        await system.DropAsync("dif-alimentaria", Directory.EnumerateFiles(Path.Combine(RepoPaths.Samples, "dif-alimentaria"), "*.csv").Single());
        await system.WaitForExtractsAsync(1);

        await PullAsync(system);
        await system.WaitForExtractsAsync(4);

        // Ximena González Cantú: DIF wrote GONZÁLEZ CANTÚ, the employment service GONZALEZ CANTU; the CURP is the same.
        var hit = Assert.Single((await system.Api.SearchHouseholdsAsync(new { curp = "GOCX670904MTSNNM02" })).Items);
        var household = await system.Api.GetFromJsonAsync<Household360>($"/api/households/{hit.Id}");
        Assert.Contains("SNE-TAM", household!.Agencies);
        Assert.Contains("economy", household.ServicesBySector.Keys);
    }

    [Fact]
    public async Task Server_errors_and_timeouts_are_retried_with_back_off_and_the_pull_still_completes()
    {
        await using var simulator = await SimulatorHost.StartAsync(Records);
        await simulator.SetFaultsAsync(new Faults { ServerErrors = 2, Timeouts = 2, HangSeconds = 5 });
        await using var system = await RegistrySystem.StartAsync(servers, settings: simulator.WorkerSettings());

        var result = await PullAsync(system);
        var extracts = await system.WaitForExtractsAsync(3);

        var stats = await simulator.StatsAsync();
        Assert.Equal(2, stats.GetProperty("serverErrorsServed").GetInt32()); // 4 failed attempts of one request: the 5th (4th retry) succeeds
        Assert.Equal(2, stats.GetProperty("hangsServed").GetInt32());
        Assert.True(result.Completed);
        Assert.Equal(Records, extracts.Sum(e => e.RowsTotal));
        Assert.Equal(Records - BadRecords, await ScalarAsync(system, "SELECT count(*) FROM source_records"));
    }

    [Fact]
    public async Task An_API_that_keeps_failing_stops_the_pull_with_a_clear_error_and_the_cursor_where_it_was()
    {
        await using var simulator = await SimulatorHost.StartAsync(Records);
        await simulator.SetFaultsAsync(new Faults { ServerErrors = 1000 });
        await using var system = await RegistrySystem.StartAsync(servers, settings: simulator.WorkerSettings());

        var error = await Assert.ThrowsAsync<ApiPullException>(() => PullAsync(system));

        Assert.Contains("503", error.Message, StringComparison.Ordinal);
        Assert.Contains("after retries", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, (await simulator.StatsAsync()).GetProperty("serverErrorsServed").GetInt32()); // 1 + 4 retries
        Assert.Empty(await system.ExtractsAsync());
        var cursor = await system.CreateWorkersClient().GetFromJsonAsync<ApiPullCursor>($"/feeds/{Feed}/pull");
        Assert.Null(cursor!.Cursor);
        Assert.Equal(error.Message, cursor.LastError);
    }

    [Fact]
    public async Task A_revoked_key_fails_the_pull_naming_the_setting_and_applies_nothing()
    {
        await using var simulator = await SimulatorHost.StartAsync(Records);
        await using var system = await RegistrySystem.StartAsync(servers, settings: simulator.WorkerSettings(apiKey: "wrong-key"));

        var error = await Assert.ThrowsAsync<ApiPullException>(() => PullAsync(system));

        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.Contains("AgencyApis:SNE:ApiKey", error.Message, StringComparison.Ordinal);
        Assert.Empty(await system.ExtractsAsync());
    }

    [Fact]
    public async Task A_redirect_to_another_host_is_refused_and_the_key_never_reaches_it()
    {
        await using var simulator = await SimulatorHost.StartAsync(Records);
        await using var elsewhere = await SimulatorHost.StartAsync(Records);
        // "localhost" instead of 127.0.0.1: another host name, as a hijacked gateway would name.
        var target = $"http://localhost:{elsewhere.BaseAddress.Port}/api/v1/participaciones?pageSize=50";
        await simulator.SetFaultsAsync(new Faults { RedirectTo = target });
        await using var system = await RegistrySystem.StartAsync(servers, settings: simulator.WorkerSettings());

        var error = await Assert.ThrowsAsync<ApiPullException>(() => PullAsync(system));

        Assert.Contains($"/api/v1/participaciones to another origin (http://localhost:{elsewhere.BaseAddress.Port})", error.Message, StringComparison.Ordinal);
        Assert.Contains("the credential in X-Api-Key was not sent there", error.Message, StringComparison.Ordinal);
        Assert.Contains("AgencyApis:SNE:BaseUrl", error.Message, StringComparison.Ordinal);
        var reached = await elsewhere.StatsAsync();
        Assert.Equal((0, 0), (reached.GetProperty("requestsWithKey").GetInt32(), reached.GetProperty("unauthorizedServed").GetInt32()));
        Assert.Equal(1, (await simulator.StatsAsync()).GetProperty("redirectsServed").GetInt32()); // refused, not retried
        Assert.Empty(await system.ExtractsAsync());
        var cursor = await CursorAsync(system);
        Assert.Equal(error.Message, cursor!.LastError);
        Assert.Null(cursor.Cursor);
    }

    [Fact]
    public async Task A_redirect_within_the_agency_API_is_followed_with_the_key_and_the_pull_completes()
    {
        await using var simulator = await SimulatorHost.StartAsync(Records);
        await simulator.SetFaultsAsync(new Faults { SameOriginRedirects = 2 });
        await using var system = await RegistrySystem.StartAsync(servers, settings: simulator.WorkerSettings());

        var result = await PullAsync(system);
        var extracts = await system.WaitForExtractsAsync(3);

        Assert.True(result.Completed);
        var stats = await simulator.StatsAsync();
        Assert.Equal((2, 0), (stats.GetProperty("redirectsServed").GetInt32(), stats.GetProperty("unauthorizedServed").GetInt32()));
        Assert.Equal(Records, extracts.Sum(e => e.RowsTotal));
    }

    [Fact]
    public async Task A_malformed_page_is_rejected_whole_and_the_next_run_resumes_at_that_page_without_losing_later_ones()
    {
        await using var simulator = await SimulatorHost.StartAsync(Records);
        await simulator.SetFaultsAsync(new Faults { MalformedPage = 2 });
        await using var system = await RegistrySystem.StartAsync(servers, settings: simulator.WorkerSettings());

        var error = await Assert.ThrowsAsync<ApiPullException>(() => PullAsync(system));
        var afterFirstRun = await system.WaitForExtractsAsync(2);

        Assert.Contains("Page 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.Contains("cursor stays on this page", error.Message, StringComparison.Ordinal);
        var broken = Assert.Single(afterFirstRun, e => e.Status == ExtractStatus.Rejected);
        Assert.Contains("not valid JSON", broken.Error, StringComparison.Ordinal);
        Assert.Null(broken.RowsTotal);
        Assert.Equal(50, afterFirstRun.Single(e => e.Status == ExtractStatus.Resolved).RowsTotal);
        var cursor = await system.CreateWorkersClient().GetFromJsonAsync<ApiPullCursor>($"/feeds/{Feed}/pull");
        Assert.NotNull(cursor!.Cursor); // still pointing at page 2
        Assert.Equal(1, cursor.PagesRegistered);

        // The agency fixes its API: the next run asks for page 2 again, then page 3.
        await simulator.SetFaultsAsync(new Faults());
        var result = await PullAsync(system);
        var extracts = await system.WaitForExtractsAsync(4);

        Assert.Equal((2, 2), (result.Pages, result.NewExtracts));
        Assert.Equal(Records, extracts.Sum(e => e.RowsTotal ?? 0));
        Assert.Equal(Records - BadRecords, await ScalarAsync(system, "SELECT count(*) FROM source_records"));
    }

    [Fact]
    public async Task A_pull_killed_mid_way_resumes_from_its_checkpoint_and_every_count_is_exact()
    {
        await using var simulator = await SimulatorHost.StartAsync(Records);
        await simulator.SetFaultsAsync(new Faults { HangFromPage = 3, HangSeconds = 120 });
        await using var system = await RegistrySystem.StartAsync(servers, settings: simulator.WorkerSettings(
            more: new() { ["ApiPull:Http:AttemptTimeout:Timeout"] = "00:01:00", ["ApiPull:Http:TotalRequestTimeout:Timeout"] = "00:02:00", ["ApiPull:Http:CircuitBreaker:SamplingDuration"] = "00:02:00" }));

        // The pull hangs on page 3; the worker is stopped under it.
        using var stop = new CancellationTokenSource();
        var running = PullAsync(system, stop.Token);
        await WaitUntilAsync(async () => (await CursorAsync(system))?.PagesRegistered == 2);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        await system.StopWorkersAsync();

        await simulator.SetFaultsAsync(new Faults());
        system.StartWorkers(servers);
        var result = await PullAsync(system);
        var extracts = await system.WaitForExtractsAsync(3);

        Assert.Equal((1, 1), (result.Pages, result.NewExtracts)); // only page 3 was requested again
        Assert.All(extracts, e => Assert.Equal(1, e.Receipts));
        Assert.Equal(Records, extracts.Sum(e => e.RowsTotal));
        Assert.Equal(Records - BadRecords, extracts.Sum(e => e.RowsResolved));
        Assert.Equal(Records - BadRecords, await ScalarAsync(system, "SELECT count(*) FROM source_records"));
        Assert.Equal(1, (await CursorAsync(system))!.RunsCompleted);
    }

    [Fact]
    public async Task A_page_registered_just_before_a_crash_is_parsed_on_restart_and_the_pull_goes_on_after_it()
    {
        await using var simulator = await SimulatorHost.StartAsync(Records);
        await using var system = await RegistrySystem.StartAsync(servers, settings: simulator.WorkerSettings());
        await system.StopWorkersAsync();

        // What a crash right after registering page 1 leaves: the page archived and registered, the cursor
        // moved past it in the same transaction, its parse begun but not finished.
        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Api-Key", SimulatorHost.ApiKey);
        var page = await http.GetByteArrayAsync(new Uri("/api/v1/participaciones?pageSize=50", UriKind.Relative));
        var next = System.Text.Json.JsonDocument.Parse(page).RootElement.GetProperty("nextPageToken").GetString();
        var archived = Path.Combine(Path.GetTempPath(), $"page-{Guid.NewGuid():N}.json");
        await File.WriteAllBytesAsync(archived, page);
        await using (var db = NpgsqlDataSource.Create(system.ConnectionString))
        {
            await new ApiPullCursorStore(db).GetOrCreateAsync(Feed, ApiPaging.PageToken, default);
            var store = new ExtractStore(db);
            var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(page));
            var (id, _) = await store.RegisterAsync(Feed, "SNE-TAM", "economy", "crash-p001.json", sha, page.Length, archived,
                (tx, extractId, _, ct) => ApiPullCursorStore.AdvanceAsync(tx, Feed, null, next, extractId, runCompleted: false, ct), default);
            // A parse that crashed: its lease (one second) has run out by the time the workers start again.
            await store.BeginParseAsync(id, Guid.NewGuid(), TimeSpan.FromSeconds(1), chunkSize: 500,
                Registry.Feeds.FeedCatalog.LoadFile(Path.Combine(RepoPaths.Feeds, Feed + ".json")).Json, default);
        }

        system.StartWorkers(servers);
        var result = await PullAsync(system);
        var extracts = await system.WaitForExtractsAsync(3);

        Assert.Equal((2, 2), (result.Pages, result.NewExtracts)); // pages 2 and 3; page 1 was not requested again
        Assert.All(extracts, e => Assert.Equal((ExtractStatus.Resolved, 1), (e.Status, e.Receipts)));
        Assert.Equal(Records, extracts.Sum(e => e.RowsTotal));
        Assert.Equal(Records - BadRecords, await ScalarAsync(system, "SELECT count(*) FROM source_records"));
        File.Delete(archived);
    }

    [Fact]
    public async Task Re_pulling_the_same_pages_changes_no_count()
    {
        await using var simulator = await SimulatorHost.StartAsync(Records);
        await using var system = await RegistrySystem.StartAsync(servers, settings: simulator.WorkerSettings());
        await PullAsync(system);
        await system.WaitForExtractsAsync(3);
        var before = await system.Api.GetFromJsonAsync<RegistrySummary>("/api/summary");

        var again = await PullAsync(system);
        var extracts = await system.WaitForExtractsAsync(3, receipts: 6);
        var after = await system.Api.GetFromJsonAsync<RegistrySummary>("/api/summary");

        Assert.Equal((3, 0, 3), (again.Pages, again.NewExtracts, again.DuplicatePages));
        Assert.All(extracts, e => Assert.Equal(2, e.Receipts));
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task A_record_changed_upstream_becomes_a_new_version_and_nothing_else_changes()
    {
        await using var simulator = await SimulatorHost.StartAsync(Records);
        await using var system = await RegistrySystem.StartAsync(servers, settings: simulator.WorkerSettings());
        await PullAsync(system);
        var first = await system.WaitForExtractsAsync(3);
        var before = await system.Api.GetFromJsonAsync<RegistrySummary>("/api/summary");

        await simulator.ChangeAsync("SNE-2026-100005", "BAJA");
        var again = await PullAsync(system);
        var extracts = await system.WaitForExtractsAsync(4);
        var after = await system.Api.GetFromJsonAsync<RegistrySummary>("/api/summary");

        Assert.Equal((3, 1, 2), (again.Pages, again.NewExtracts, again.DuplicatePages));
        var changedPage = extracts.Single(e => first.All(f => f.Id != e.Id));
        Assert.Equal((50, 48, 1), (changedPage.RowsTotal, changedPage.RowsUnchanged, changedPage.RowsRejected));
        Assert.Equal(before!.Persons, after!.Persons);
        Assert.Equal(before.ServiceEvents, after.ServiceEvents); // the old event is superseded, not added to
        Assert.Equal(1, await ScalarAsync(system, "SELECT count(*) FROM source_records WHERE version = 2 AND data->>'ServiceStatus' = 'BAJA'"));
        // The new version points to the old one, and the old service event to the new one.
        Assert.Equal(1, await ScalarAsync(system,
            "SELECT count(*) FROM source_records n JOIN source_records o ON o.id = n.supersedes WHERE n.version = 2 AND o.version = 1 AND o.record_key = n.record_key"));
        Assert.Equal(1, await ScalarAsync(system,
            "SELECT count(*) FROM service_events o JOIN service_events n ON n.id = o.superseded_by JOIN source_records s ON s.id = n.source_record_id WHERE s.version = 2"));
        Assert.Equal(0, await ScalarAsync(system, "SELECT count(*) FROM registry_dangling_references()"));
    }

    [Fact]
    public async Task An_updated_since_feed_pulls_only_what_changed_after_its_cursor()
    {
        // The same agency, pulled incrementally: a variant of the shipped definition in a folder of its own.
        var folder = Directory.CreateTempSubdirectory("feeds-incremental").FullName;
        var definition = (await File.ReadAllTextAsync(Path.Combine(RepoPaths.Feeds, "sne-capacitacion.json")))
            .Replace("\"/api/v1/participaciones\"", "\"/api/v1/participaciones/cambios\"", StringComparison.Ordinal)
            .Replace("\"page-token\"", "\"updated-since\"", StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(folder, "sne-capacitacion.json"), definition);
        await using var simulator = await SimulatorHost.StartAsync(Records);
        await using var system = await RegistrySystem.StartAsync(servers, settings: simulator.WorkerSettings(more: new() { ["Feeds:DefinitionsPath"] = folder }));

        var first = await PullAsync(system);
        await system.WaitForExtractsAsync(3);
        var nothingNew = await PullAsync(system);
        await simulator.ChangeAsync("SNE-2026-100005", "BAJA");
        var changed = await PullAsync(system);
        var extracts = await system.WaitForExtractsAsync(4);

        Assert.Equal((3, Records), (first.Pages, first.Records));
        Assert.Equal((1, 0, 0), (nothingNew.Pages, nothingNew.NewExtracts, nothingNew.Records)); // an empty page: no extract
        Assert.Equal((1, 1, 1), (changed.Pages, changed.NewExtracts, changed.Records));
        Assert.Equal(1, extracts.Single(e => e.RowsTotal == 1).RowsAccepted);
        Assert.Equal(1, await ScalarAsync(system, "SELECT count(*) FROM source_records WHERE version = 2 AND data->>'ServiceStatus' = 'BAJA'"));
        Assert.Equal("2026-10-01T21:54:00Z", (await CursorAsync(system))!.Cursor); // record 120 was updated at 21:53; the change one minute later
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_pull_triggered_on_demand_runs_as_a_hangfire_job_shown_on_the_dashboard()
    {
        await using var simulator = await SimulatorHost.StartAsync(Records);
        await using var system = await RegistrySystem.StartAsync(servers, settings: simulator.WorkerSettings());

        using var trigger = await system.CreateWorkersClient().PostAsync(new Uri($"/feeds/{Feed}/pull", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, trigger.StatusCode);
        var jobId = (await trigger.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("jobId").GetString()!;
        await WaitUntilAsync(async () => (await CursorAsync(system))?.RunsCompleted == 1);
        var extracts = await system.WaitForExtractsAsync(3);

        Assert.Equal(Records, extracts.Sum(e => e.RowsTotal));
        var storage = system.WorkerServices.GetRequiredService<JobStorage>();
        await WaitUntilAsync(() => Task.FromResult(storage.GetMonitoringApi().JobDetails(jobId)?.History.FirstOrDefault()?.StateName == "Succeeded"));
        using var dashboard = await system.Api.GetAsync("/hangfire/jobs/succeeded");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("Pull feed sne-capacitacion", await dashboard.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_api_pull_feed_gets_a_recurring_job_on_its_schedule_that_the_workers_run()
    {
        await using var simulator = await SimulatorHost.StartAsync(Records);
        await using var system = await RegistrySystem.StartAsync(servers,
            settings: simulator.WorkerSettings(more: new() { ["Hangfire:RecurringPulls"] = "true" }));

        using var connection = system.WorkerServices.GetRequiredService<JobStorage>().GetConnection();
        var jobs = Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection);
        var job = Assert.Single(jobs, j => j.Id.StartsWith("api-pull:", StringComparison.Ordinal));
        Assert.Equal(("api-pull:sne-capacitacion", "15 * * * *"), (job.Id, job.Cron));
        // The matching model's EM training is the other recurring job (daily by default).
        Assert.Contains(jobs, j => (j.Id, j.Cron) == ("train-match-model", "0 3 * * *"));

        // What the scheduler does when the minute comes: the job lands on a queue this server listens to.
        system.WorkerServices.GetRequiredService<IRecurringJobManager>().Trigger(job.Id);
        await WaitUntilAsync(async () => (await CursorAsync(system))?.RunsCompleted == 1);
        Assert.Equal(Records, (await system.WaitForExtractsAsync(3)).Sum(e => e.RowsTotal));
    }

    private static async Task<ApiPullResult> PullAsync(RegistrySystem system, CancellationToken ct = default)
    {
        var feed = system.WorkerServices.GetRequiredService<FeedCatalog>().Find(Feed)!;
        return await system.WorkerServices.GetRequiredService<ApiPuller>().PullAsync(feed, ct);
    }

    private static Task<ApiPullCursor?> CursorAsync(RegistrySystem system) =>
        system.WorkerServices.GetRequiredService<ApiPullCursorStore>().FindAsync(Feed, default);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not hold in time.");
            await Task.Delay(100);
        }
    }

    private static async Task<long> ScalarAsync(RegistrySystem system, string sql)
    {
        await using var db = new NpgsqlConnection(system.ConnectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

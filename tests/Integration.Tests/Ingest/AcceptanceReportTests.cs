using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Registry.Extracts;
using Registry.Integration.Tests.Infrastructure;
using Registry.Storage;

namespace Registry.Integration.Tests.Ingest;

/// <summary>What an agency's data officer sees of an extract while it runs: progress and timings.</summary>
[Collection(ServersCollection.Name)]
public sealed class AcceptanceReportTests(RegistryServers servers)
{
    private static string Sample(string feed) => Directory.EnumerateFiles(Path.Combine(RepoPaths.Samples, feed)).Single();

    [Fact]
    public async Task A_running_extract_reports_rows_read_and_chunks_resolved_of_queued_then_its_timings()
    {
        await using var system = await RegistrySystem.StartAsync(servers, chunkSize: 5);

        // Hold the resolution lock so the extract stays mid-way: every row read and queued, no chunk resolved.
        await using var holder = new NpgsqlConnection(system.ConnectionString);
        await holder.OpenAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", holder))
        {
            take.Parameters.AddWithValue("key", ResolutionLock.Key);
            await take.ExecuteNonQueryAsync();
        }
        await system.DropAsync("ssa-consultas", Sample("ssa-consultas"));
        var id = await WaitForAsync(system, e => e.Status == ExtractStatus.Queued);

        var running = await system.Api.GetFromJsonAsync<JsonElement>($"/api/extracts/{id}");
        var progress = running.GetProperty("progress");
        Assert.Equal(47, progress.GetProperty("rowsParsed").GetInt32());
        Assert.Equal(10, progress.GetProperty("chunksQueued").GetInt32());         // 46 accepted rows in chunks of 5
        Assert.Equal(0, progress.GetProperty("chunksResolved").GetInt32());
        Assert.Equal(50, progress.GetProperty("percent").GetInt32());              // read, not resolved
        Assert.Equal(running.GetProperty("rowsTotal").GetInt32(), running.GetProperty("rowsAccepted").GetInt32() + running.GetProperty("rowsRejected").GetInt32());
        var timings = running.GetProperty("timings");
        Assert.Equal(JsonValueKind.Null, timings.GetProperty("resolvedAt").ValueKind);
        Assert.True(timings.GetProperty("parseSeconds").GetDouble() >= 0);
        var page = await (await system.Api.GetAsync("/extractos")).Content.ReadAsStringAsync();
        Assert.Contains("value=\"50\"", page, StringComparison.Ordinal);
        Assert.Contains("0 / 10", page, StringComparison.Ordinal);

        await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", holder))
        {
            release.Parameters.AddWithValue("key", ResolutionLock.Key);
            await release.ExecuteNonQueryAsync();
        }
        var done = (await system.WaitForExtractsAsync(1)).Single();

        Assert.Equal((100, 10, 10, 47), (done.Progress.Percent, done.Progress.ChunksQueued, done.Progress.ChunksResolved, done.Progress.RowsParsed));
        Assert.Equal(done.RowsTotal, done.RowsAccepted + done.RowsRejected);
        var t = done.Timings;
        Assert.True(t.ReceivedAt <= t.ParseStartedAt && t.ParseStartedAt <= t.FirstChunkQueuedAt && t.FirstChunkQueuedAt <= t.ParseEndedAt && t.ParseEndedAt <= t.ResolvedAt,
            $"stages out of order: {t}");
        Assert.True(t.ParseRowsPerSecond > 0 && t.RowsPerSecond > 0 && t.TotalSeconds >= t.ParseSeconds, $"{t}");
        page = await (await system.Api.GetAsync("/extractos")).Content.ReadAsStringAsync();
        Assert.Contains("10 / 10", page, StringComparison.Ordinal);
        Assert.Contains("filas/s", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rejected_file_is_done_and_its_timings_end_at_the_rejection()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        var file = Path.Combine(Path.GetTempPath(), $"wrong-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, "NOMBRE;APELLIDO\nANA;LOPEZ\n");
        await system.DropAsync("ssa-consultas", file);

        var extract = (await system.WaitForExtractsAsync(1)).Single();

        Assert.Equal(ExtractStatus.Rejected, extract.Status);
        Assert.Equal((100, 0, 0), (extract.Progress.Percent, extract.Progress.ChunksQueued, extract.Progress.ChunksResolved));
        Assert.NotNull(extract.Timings.TotalSeconds);
        Assert.Null(extract.Timings.ResolvedAt);
        File.Delete(file);
    }

    private static async Task<Guid> WaitForAsync(RegistrySystem system, Func<ExtractReport, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var hit = (await system.ExtractsAsync()).FirstOrDefault(condition);
            if (hit is not null) return hit.Id;
            await Task.Delay(100);
        }
        throw new TimeoutException("the extract never reached the expected state");
    }
}

using System.Text;
using Registry.Extracts;
using Registry.Ingest.Feeds;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Integration.Tests.Ingest;

/// <summary>
/// A pathological file dropped in an inbox: one quote that never closes, followed by tens of
/// megabytes of rows. The workers reject it whole (nothing applied), go on with the next extract,
/// and do not parse it again when they restart.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class MalformedExtractTests(RegistryServers servers)
{
    private static string Sample(string feed) => Directory.EnumerateFiles(Path.Combine(RepoPaths.Samples, feed), "*.csv").Single();

    [Fact]
    public async Task A_large_file_with_an_unterminated_quote_is_rejected_whole_and_the_next_extract_still_resolves()
    {
        var broken = Path.Combine(Path.GetTempPath(), $"padron-roto-{Guid.NewGuid():N}.csv");
        try
        {
            // The DIF sample, then a row whose given name opens a quote, then ~64 MB of ordinary rows
            // that the open quote swallows into one field.
            var sample = await File.ReadAllLinesAsync(Sample("dif-alimentaria"), Encoding.Latin1);
            await using (var writer = new StreamWriter(broken, append: false, Encoding.Latin1))
            {
                foreach (var line in sample) await writer.WriteAsync(line + "\n");
                var bad = sample[1].Split(';');
                bad[2] = "\"" + bad[2];
                await writer.WriteAsync(string.Join(';', bad) + "\n");
                var block = new StringBuilder();
                for (var i = 0; i < 1000; i++) block.Append(sample[1 + i % (sample.Length - 1)]).Append('\n');
                var text = block.ToString();
                for (long written = 0; written < 64L * 1024 * 1024; written += text.Length) await writer.WriteAsync(text);
            }
            await using var system = await RegistrySystem.StartAsync(servers);

            await system.DropAsync("dif-alimentaria", broken, "padron-roto.csv");
            await system.WaitForExtractsAsync(1, timeout: TimeSpan.FromMinutes(3));
            await system.DropAsync("ssa-consultas", Sample("ssa-consultas"));
            var extracts = await system.WaitForExtractsAsync(2, timeout: TimeSpan.FromMinutes(3));

            var rejected = extracts.Single(e => e.FileName == "padron-roto.csv");
            Assert.Equal(ExtractStatus.Rejected, rejected.Status);
            Assert.Contains($"Data row {sample.Length} (from line {sample.Length + 1}) has a field longer than 16,777,216 characters — an unterminated quote?",
                rejected.Error, StringComparison.Ordinal);
            Assert.Contains("nothing of this file was applied", rejected.Error, StringComparison.Ordinal);
            Assert.Equal((null, 0), (rejected.RowsTotal, rejected.ChunksQueued));
            Assert.Equal(ExtractStatus.Resolved, extracts.Single(e => e.FeedCode == "ssa-consultas").Status);
            Assert.Equal(0, await ScalarAsync(system, "SELECT count(*) FROM source_records WHERE agency_code = 'DIF-TAM'"));

            // Rejected is final: a restarted worker does not parse the file again.
            await system.StopWorkersAsync();
            system.StartWorkers(servers);
            _ = system.WorkerServices;
            await Task.Delay(TimeSpan.FromSeconds(2));
            var after = (await system.WaitForExtractsAsync(2)).Single(e => e.Id == rejected.Id);
            Assert.Equal((ExtractStatus.Rejected, rejected.ParseStartedAt, rejected.Error), (after.Status, after.ParseStartedAt, after.Error));
        }
        finally
        {
            File.Delete(broken);
        }
    }

    private static async Task<long> ScalarAsync(RegistrySystem system, string sql)
    {
        await using var db = new Npgsql.NpgsqlConnection(system.ConnectionString);
        await db.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, db);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

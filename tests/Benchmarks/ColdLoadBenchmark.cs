using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Registry.Matching;
using Registry.Storage;

namespace Registry.Benchmarks;

/// <summary>
/// `make bench-cold-load`: how long a new worker takes to build its candidate index from a registry of RECORDS match
/// records — the first chunk it resolves waits for that. Fills a fresh database's <c>match_records</c> with bench-resolve's
/// rows (binary COPY, nothing else: the load reads that table alone), then loads the index cold, <c>--loads</c> times
/// (default 2: the first may read the table from disk, the next from the page cache), and prints each load's time, its
/// rate and the managed heap the index holds. <c>--existing DB</c> loads a database kept by an earlier run (<c>--keep</c>).
/// </summary>
public static class ColdLoadBenchmark
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(string[] args)
    {
        var records = BenchArgs.Int(args, "--records", 10_000_000);
        var loads = BenchArgs.Int(args, "--loads", 2);
        var existing = BenchArgs.String(args, "--existing", "");
        var keep = args.Contains("--keep") || existing.Length > 0;
        var pg = Environment.GetEnvironmentVariable("ConnectionStrings__Registry");
        if (string.IsNullOrEmpty(pg))
        {
            Console.Error.WriteLine("ConnectionStrings__Registry not set: run through `make bench-cold-load`.");
            return 2;
        }
        if (records < 1 || loads < 1)
        {
            Console.Error.WriteLine("--records and --loads are each at least 1.");
            return 2;
        }
        var database = existing.Length > 0 ? existing : "bench_cold_" + Guid.NewGuid().ToString("N")[..8];
        var cs = new NpgsqlConnectionStringBuilder(pg) { Database = database }.ConnectionString;
        try
        {
            await using var db = NpgsqlDataSource.Create(cs);
            if (existing.Length == 0)
            {
                await Migrator.ApplyAsync(cs, NullLogger.Instance);
                await FillAsync(db, records);
            }
            await using (var count = db.CreateCommand("SELECT count(*) FROM match_records"))
                records = (int)(long)(await count.ExecuteScalarAsync())!;
            var results = new List<(double Seconds, double BytesPerRecord)>();
            for (var i = 0; i < loads; i++)
            {
                var (count, seconds, bytes) = await LoadAsync(db);
                results.Add((seconds, bytes));
                // The heap is measured around the first load only: a later one's baseline can still hold the earlier index.
                var line = string.Create(C, $"load {i + 1}: {count:N0} records in {seconds:F1} s = {count / seconds:N0} records/s");
                Console.WriteLine(i == 0 ? line + string.Create(C, $"; the index holds {bytes:F0} bytes a record") : line);
            }
            var best = results.Min(r => r.Seconds);
            Console.WriteLine(string.Create(C,
                $"RESULT cold_load_s={best:F1} records={records} records_per_s={records / best:F0} index_bytes_per_record={results[0].BytesPerRecord:F0} first_load_s={results[0].Seconds:F1}"));
            return 0;
        }
        finally
        {
            if (keep) Console.WriteLine($"kept database {database} (--existing {database})");
            else await BenchArgs.DropDatabasesAsync(pg, [database]);
        }
    }

    // One index loaded into an empty process heap (its own method: the index is unreachable once it returns).
    private static async Task<(int Count, double Seconds, double BytesPerRecord)> LoadAsync(NpgsqlDataSource db)
    {
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var index = new CandidateIndex();
        var sw = Stopwatch.StartNew();
        await using (var connection = await db.OpenConnectionAsync()) await index.SyncAsync(connection, default);
        var seconds = sw.Elapsed.TotalSeconds;
        var bytes = (GC.GetTotalMemory(forceFullCollection: true) - heapBefore) / (double)Math.Max(1, index.Count);
        GC.KeepAlive(index);
        return (index.Count, seconds, bytes);
    }

    // bench-resolve's rows as match records, one person each (the load does not care who is whom), in seq order.
    private static async Task FillAsync(NpgsqlDataSource db, int records)
    {
        var sw = Stopwatch.StartNew();
        await using var connection = await db.OpenConnectionAsync();
        await using (var writer = await connection.BeginBinaryImportAsync(
            $"COPY match_records ({string.Join(", ", MatchRecordRows.Names)}, seq) FROM STDIN (FORMAT BINARY)"))
        {
            var seq = 0L;
            foreach (var row in ResolveBenchmark.Rows(0, records, Math.Max(1, (int)(records * 0.6)), 0))
            {
                var r = MatchRecord.From(row, Guid.CreateVersion7(), Guid.CreateVersion7());
                await writer.StartRowAsync();
                await writer.WriteAsync(r.SourceRecordId, NpgsqlDbType.Uuid);
                await writer.WriteAsync(r.PersonId, NpgsqlDbType.Uuid);
                foreach (var value in (string?[])[r.ValidCurp, r.InvalidCurp, r.GivenKey, r.GivenSignificant, r.GivenPhonetic, r.PaternalKey,
                             r.PaternalPhonetic, r.MaternalKey, r.MaternalPhonetic])
                    await writer.WriteAsync(value, NpgsqlDbType.Text);
                if (r.BirthDate is { } birth) await writer.WriteAsync(birth, NpgsqlDbType.Date);
                else await writer.WriteNullAsync();
                if (r.Sex is { } sex) await writer.WriteAsync(sex.ToString(), NpgsqlDbType.Char);
                else await writer.WriteNullAsync();
                await writer.WriteAsync(r.PostalCode, NpgsqlDbType.Text);
                await writer.WriteAsync(r.Municipality, NpgsqlDbType.Text);
                await writer.WriteAsync(r.Phone, NpgsqlDbType.Text);
                await writer.WriteAsync(r.NameFromFullName, NpgsqlDbType.Boolean);
                await writer.WriteAsync(r.OtherId, NpgsqlDbType.Text);
                await writer.WriteAsync(r.StreetKey, NpgsqlDbType.Text);
                await writer.WriteAsync(r.Colonia, NpgsqlDbType.Text);
                await writer.WriteAsync(++seq, NpgsqlDbType.Bigint);
                if (seq % 1_000_000 == 0) Console.WriteLine(string.Create(C, $"  {seq:N0} match records written ({sw.Elapsed.TotalSeconds:F0} s)"));
            }
            await writer.CompleteAsync();
        }
        await using (var analyze = new NpgsqlCommand("VACUUM ANALYZE match_records", connection)) await analyze.ExecuteNonQueryAsync();
        Console.WriteLine(string.Create(C, $"{records:N0} match records in a fresh registry in {sw.Elapsed.TotalSeconds:F0} s"));
    }
}

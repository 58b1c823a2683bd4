using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Registry.Storage;

namespace Registry.Benchmarks;

/// <summary>
/// `make bench-coverage`: the registry of `bench-lookup` (PERSONS persons in households of four, ten municipalities, three
/// polígonos and eight colonias each; the coverage aggregates are built by their triggers when the fill writes the
/// households' territories), then
/// <list type="number">
/// <item>the aggregates must equal a full recount (registry_coverage_recount, registry_coverage_last_recount) — exactly;</item>
/// <item>CHANGES changes through the triggers, as the resolver and stewards make them (new housing services, services
///   superseded by a new version, memberships ended), each statement timed — and the aggregates must still equal a recount;</item>
/// <item>the real API host signed in as a coordinator of REYNOSA, RPS requests/s for SECONDS, alternating the
///   municipality's JSON (/api/coverage) and its page (/cobertura), open loop: p50/p95/p99.</item>
/// </list>
/// Last line: RESULT municipality_p95_ms=… page_p95_ms=… recount=exact|DIFFERENT … The database is dropped unless --keep.
/// </summary>
public static class CoverageBenchmark
{
    private const string Coordinator = "coordinador.reynosa";

    public static async Task<int> RunAsync(string[] args)
    {
        var persons = BenchArgs.Int(args, "--persons", 1_000_000);
        var rps = BenchArgs.Int(args, "--rps", 20);
        var seconds = BenchArgs.Int(args, "--seconds", 30);
        var changes = BenchArgs.Int(args, "--changes", 2000);
        var warmup = BenchArgs.Int(args, "--warmup", 10);
        var keep = args.Contains("--keep");
        var existing = Array.IndexOf(args, "--existing") is var e and >= 0 && e + 1 < args.Length ? args[e + 1] : null;
        var pg = Environment.GetEnvironmentVariable("ConnectionStrings__Registry");
        var amqp = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
        if (string.IsNullOrEmpty(pg) || string.IsNullOrEmpty(amqp))
        {
            Console.Error.WriteLine("ConnectionStrings__Registry / ConnectionStrings__RabbitMq not set: run through `make bench-coverage`.");
            return 2;
        }
        var root = BenchArgs.RepoRoot();
        var apiDll = Path.Combine(root, "src", "Registry.Api", "bin", "Release", "net10.0", "Registry.Api.dll");
        if (!File.Exists(apiDll))
        {
            Console.Error.WriteLine($"{apiDll} missing: run through `make bench-coverage` (it builds the API in Release).");
            return 2;
        }
        var database = existing ?? "bench_coverage_" + Guid.NewGuid().ToString("N")[..8];
        keep |= existing is not null;
        var connectionString = new NpgsqlConnectionStringBuilder(pg) { Database = database, CommandTimeout = 0 }.ConnectionString;
        var c = CultureInfo.InvariantCulture;
        Process? api = null;
        try
        {
            await Migrator.ApplyAsync(connectionString, NullLogger.Instance);
            if (existing is null)
            {
                var sw = Stopwatch.StartNew();
                await LookupData.FillAsync(connectionString, persons);
                Console.WriteLine($"filled {persons:N0} persons in {sw.Elapsed.TotalSeconds:F0} s (the households whose coverage changed marked by the triggers, in the territories step; refreshed below)");
            }
            await using var db = new NpgsqlConnection(connectionString);
            await db.OpenAsync();
            Console.WriteLine(await ScalarAsync<string>(db, """
                SELECT format('registry: %s persons, %s households, %s service events; coverage: %s facts, %s cells, %s last-month cells',
                    (SELECT count(*) FROM persons), (SELECT count(*) FROM households), (SELECT count(*) FROM service_events),
                    (SELECT count(*) FROM coverage_facts), (SELECT count(*) FROM coverage_cells), (SELECT count(*) FROM coverage_last_cells))
                """));
            var exactAfterFill = await CompareWithRecountAsync(db, "after the fill");

            // Changes through the triggers, as the resolver and stewards make them.
            var timings = new List<string>();
            // A new extract per run, so a kept database can be measured again (--existing).
            var extractId = Guid.NewGuid();
            async Task Timed(string label, string sql)
            {
                var sw = Stopwatch.StartNew();
                await using var command = new NpgsqlCommand(sql, db) { CommandTimeout = 0 };
                command.Parameters.AddWithValue("n", changes);
                command.Parameters.AddWithValue("extract", extractId);
                var rows = await command.ExecuteNonQueryAsync();
                timings.Add(string.Create(c, $"{label}: {rows:N0} rows in {sw.Elapsed.TotalMilliseconds:F0} ms"));
                Console.WriteLine("  " + timings[^1]);
            }
            Console.WriteLine($"changes through the triggers ({changes:N0} of each):");
            // Each service has a source record of its own (service_events.source_record_id is unique): both are written, as a chunk does.
            await Timed("new housing services with their records (one statement, as a chunk writes them)", """
                WITH ex AS (
                    INSERT INTO extracts (id, feed_code, agency_code, sector, file_name, sha256, size_bytes, archive_path, status,
                                          rows_total, rows_accepted, rows_rejected, rows_resolved, chunks_total, parsed_at, resolved_at)
                    VALUES (@extract, 'itavu-mejoramiento', 'ITAVU', 'housing', 'bench-itavu-' || @extract || '.csv', md5(@extract::text) || md5(@extract::text),
                            0, '-', 'resolved', 0, 0, 0, 0, 0, now(), now())
                    RETURNING id),
                picked AS (SELECT id AS person_id, gen_random_uuid() AS sr, row_number() OVER () AS n FROM persons ORDER BY md5(id::text) LIMIT @n),
                records AS (
                    INSERT INTO source_records (id, extract_id, row_number, feed_code, agency_code, content_hash, person_id, data, record_key)
                    SELECT p.sr, (SELECT id FROM ex), p.n, 'itavu-mejoramiento', 'ITAVU', md5(p.sr::text), p.person_id, '{}'::jsonb, 'bench:itavu:' || p.sr
                      FROM picked p
                    RETURNING id, person_id)
                INSERT INTO service_events (id, source_record_id, person_id, agency_code, sector, programme, service_type, service_date, status)
                SELECT gen_random_uuid(), r.id, r.person_id, 'ITAVU', 'housing', 'Mejoramiento de vivienda', 'Techo firme',
                       current_date - abs(hashtext(r.person_id::text)) % 200, 'ENTREGADO'
                  FROM records r
                """);
            await Timed("services superseded by a new version (new record and service, old one marked)", """
                WITH old AS (
                    SELECT se.id, se.person_id, se.agency_code, se.sector, se.programme, se.service_type, se.service_date, se.status,
                           gen_random_uuid() AS new_sr, gen_random_uuid() AS new_se, row_number() OVER () AS n
                      FROM service_events se WHERE se.sector = 'social' AND se.superseded_by IS NULL ORDER BY md5(se.id::text) LIMIT @n),
                records AS (
                    INSERT INTO source_records (id, extract_id, row_number, feed_code, agency_code, content_hash, person_id, data, record_key)
                    SELECT o.new_sr, @extract, 1000000 + o.n, 'itavu-mejoramiento', 'ITAVU', md5(o.new_sr::text),
                           o.person_id, '{}'::jsonb, 'bench:v2:' || o.new_sr
                      FROM old o
                    RETURNING id),
                fresh AS (
                    INSERT INTO service_events (id, source_record_id, person_id, agency_code, sector, programme, service_type, service_date, status)
                    SELECT o.new_se, o.new_sr, o.person_id, o.agency_code, o.sector, o.programme, o.service_type, o.service_date + 40, o.status
                      FROM old o JOIN records r ON r.id = o.new_sr
                    RETURNING id)
                UPDATE service_events se SET superseded_by = o.new_se FROM old o JOIN fresh f ON f.id = o.new_se WHERE se.id = o.id
                """);
            await Timed("memberships ended (people who moved out)", """
                UPDATE household_members SET valid_to = current_date
                 WHERE (household_id, person_id) IN (SELECT household_id, person_id FROM household_members WHERE valid_to IS NULL
                                                      ORDER BY md5(person_id::text) LIMIT @n)
                """);
            var exactAfterChanges = await CompareWithRecountAsync(db, "after the changes");

            // The coordinator's page under load.
            var port = BenchArgs.FreePort();
            var baseAddress = new Uri($"http://127.0.0.1:{port}");
            api = LookupBenchmark.StartApi(root, apiDll, connectionString, amqp, baseAddress, Coordinator);
            using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10), MaxConnectionsPerServer = 256 })
                { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
            await LookupBenchmark.WaitReadyAsync(http, api);
            using (var tokenResponse = await http.PostAsync("/auth/token", new FormUrlEncodedContent(
                       new Dictionary<string, string> { ["username"] = Coordinator, ["password"] = LookupBenchmark.BenchPassword })))
            {
                tokenResponse.EnsureSuccessStatusCode();
                var token = (await tokenResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
                http.DefaultRequestHeaders.Authorization = new("Bearer", token);
            }
            var sample = await http.GetFromJsonAsync<JsonElement>("/api/coverage?municipality=REYNOSA");
            Console.WriteLine($"REYNOSA: {sample.GetProperty("total").GetProperty("households")} households reached in the last 12 months, " +
                              $"{sample.GetProperty("areas").GetArrayLength()} polígonos");
            string[] paths = ["/api/coverage?municipality=REYNOSA", "/cobertura?municipio=REYNOSA"];
            Console.WriteLine($"warming up for {warmup} s at {rps} requests/s");
            await LoadAsync(http, rps, warmup, paths);
            Console.WriteLine($"measuring for {seconds} s at {rps} requests/s as {Coordinator} (JSON and page alternately)");
            var result = await LoadAsync(http, rps, seconds, paths);
            foreach (var (kind, lat) in new[] { ("coverage JSON", result.Latencies[0]), ("coverage page", result.Latencies[1]) })
                Console.WriteLine(string.Create(c, $"{kind,-14} n={lat.Count,5}  p50={LookupBenchmark.P(lat, 50),7:F1} ms  p95={LookupBenchmark.P(lat, 95),7:F1} ms  p99={LookupBenchmark.P(lat, 99),7:F1} ms  max={lat.DefaultIfEmpty().Max(),7:F1} ms"));
            Console.WriteLine(string.Create(c, $"achieved {result.Rps:F1} requests/s, {result.Errors} errors"));
            if (result.Errors > 0) Console.WriteLine($"first error: {result.FirstError}");
            var exact = exactAfterFill && exactAfterChanges;
            Console.WriteLine(string.Create(c,
                $"RESULT municipality_p95_ms={LookupBenchmark.P(result.Latencies[0], 95):F1} page_p95_ms={LookupBenchmark.P(result.Latencies[1], 95):F1} rps={result.Rps:F0} persons={persons} recount={(exact ? "exact" : "DIFFERENT")}"));
            return exact && result.Errors == 0 ? 0 : 1;
        }
        finally
        {
            if (api is not null && !api.HasExited)
            {
                api.Kill(entireProcessTree: true);
                await api.WaitForExitAsync();
            }
            api?.Dispose();
            if (!keep) await BenchArgs.DropDatabasesAsync(pg, [database]);
            else Console.WriteLine($"kept database {database}");
        }
    }

    private static async Task<T?> ScalarAsync<T>(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db) { CommandTimeout = 0 };
        return (T?)await command.ExecuteScalarAsync();
    }

    /// <summary>The maintained cells against a recount from the registry's tables: every cell, both ways, exactly.</summary>
    private static async Task<bool> CompareWithRecountAsync(NpgsqlConnection db, string when)
    {
        // What the workers do after each chunk and every few seconds: refresh the households the writes marked.
        var refresh = Stopwatch.StartNew();
        var refreshed = await ScalarAsync<int>(db, global::Registry.Coverage.CoverageRefresh.PendingSql);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"coverage refresh {when}: {refreshed:N0} marked households in {refresh.Elapsed.TotalSeconds:F1} s"));
        var sw = Stopwatch.StartNew();
        var cells = await ScalarAsync<long>(db, """
            SELECT count(*) FROM (
                (SELECT municipality, poligono, colonia, sector, programme, month, prev_month, households, persons
                   FROM coverage_cells WHERE households <> 0 OR persons <> 0
                 EXCEPT ALL SELECT * FROM registry_coverage_recount())
                UNION ALL
                (SELECT * FROM registry_coverage_recount()
                 EXCEPT ALL SELECT municipality, poligono, colonia, sector, programme, month, prev_month, households, persons FROM coverage_cells)) d
            """);
        var last = await ScalarAsync<long>(db, """
            SELECT count(*) FROM (
                (SELECT municipality, poligono, colonia, sector, last_month, households FROM coverage_last_cells WHERE households <> 0
                 EXCEPT ALL SELECT * FROM registry_coverage_last_recount())
                UNION ALL
                (SELECT * FROM registry_coverage_last_recount()
                 EXCEPT ALL SELECT municipality, poligono, colonia, sector, last_month, households FROM coverage_last_cells)) d
            """);
        var total = await ScalarAsync<long>(db, "SELECT coalesce(sum(households), 0)::bigint FROM coverage_last_cells WHERE sector = '*'");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"recount {when}: {(cells == 0 && last == 0 ? "exact" : $"{cells} cells and {last} last-month cells DIFFER")} " +
            $"({total:N0} households counted; recount took {sw.Elapsed.TotalSeconds:F1} s)"));
        return cells == 0 && last == 0;
    }

    /// <summary>Open loop, as bench-lookup (<see cref="OpenLoad"/>): the paths in turn.</summary>
    private static Task<OpenLoadResult> LoadAsync(HttpClient http, int rps, int seconds, string[] paths) =>
        OpenLoad.RunAsync(http, rps, seconds, paths.Length, kind => paths[kind]);
}

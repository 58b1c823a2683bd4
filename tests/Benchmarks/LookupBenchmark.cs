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
/// `make bench-lookup`: fills a fresh database with PERSONS persons in households of four, with
/// source records from three agencies and a service event per record (set-based SQL), starts the
/// real API host (Release build) on loopback, signs in as a case manager through the dev issuer,
/// and drives a steady open-loop load (default 200 requests/s, half household 360, half name
/// search) against it. Latency is measured from each request's scheduled start, so a slow
/// server cannot hide queueing (no coordinated omission). Prints p50/p95/p99 per kind; the
/// database is dropped afterwards (unless --keep).
/// </summary>
public static class LookupBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var persons = BenchArgs.Int(args, "--persons", 1_000_000);
        var rps = BenchArgs.Int(args, "--rps", 200);
        var seconds = BenchArgs.Int(args, "--seconds", 30);
        var keep = args.Contains("--keep");
        // Long enough for the API host's tiered JIT to settle (its CPU per request is ~4× higher in its first seconds).
        var warmup = BenchArgs.Int(args, "--warmup", 15);
        // --existing <db>: measure again on a database an earlier run kept (--keep), without refilling it.
        var existing = Array.IndexOf(args, "--existing") is var e and >= 0 && e + 1 < args.Length ? args[e + 1] : null;
        var pg = Environment.GetEnvironmentVariable("ConnectionStrings__Registry");
        var amqp = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
        if (string.IsNullOrEmpty(pg) || string.IsNullOrEmpty(amqp))
        {
            Console.Error.WriteLine("ConnectionStrings__Registry / ConnectionStrings__RabbitMq not set: run through `make bench-lookup`.");
            return 2;
        }
        var root = BenchArgs.RepoRoot();
        // --api-dll <path>: another build of the API host (e.g. before a change, built with -o elsewhere) against the same database.
        var apiDll = Array.IndexOf(args, "--api-dll") is var d and >= 0 && d + 1 < args.Length
            ? Path.GetFullPath(args[d + 1])
            : Path.Combine(root, "src", "Registry.Api", "bin", "Release", "net10.0", "Registry.Api.dll");
        if (!File.Exists(apiDll))
        {
            Console.Error.WriteLine($"{apiDll} missing: run through `make bench-lookup` (it builds the API in Release).");
            return 2;
        }

        var database = existing ?? "bench_lookup_" + Guid.NewGuid().ToString("N")[..8];
        keep |= existing is not null;
        var connectionString = new NpgsqlConnectionStringBuilder(pg) { Database = database, CommandTimeout = 0 }.ConnectionString;
        Process? api = null;
        try
        {
            await Migrator.ApplyAsync(connectionString, NullLogger.Instance);
            if (existing is null)
            {
                var sw = Stopwatch.StartNew();
                await LookupData.FillAsync(connectionString, persons);
                Console.WriteLine($"filled {persons:N0} persons in {sw.Elapsed.TotalSeconds:F0} s");
            }
            await using (var db = new NpgsqlConnection(connectionString))
            {
                await db.OpenAsync();
                await using var counts = new NpgsqlCommand(
                    "SELECT (SELECT count(*) FROM persons), (SELECT count(*) FROM households), (SELECT count(*) FROM source_records), (SELECT count(*) FROM service_events)", db);
                await using var r = await counts.ExecuteReaderAsync();
                await r.ReadAsync();
                Console.WriteLine($"registry: {r.GetInt64(0):N0} persons, {r.GetInt64(1):N0} households, {r.GetInt64(2):N0} source records, {r.GetInt64(3):N0} service events");
            }
            var (households, names) = await LookupData.SampleAsync(connectionString, "REYNOSA", 2000);
            Console.WriteLine($"sampled {households.Count:N0} households and {names.Count:N0} names in REYNOSA (the case manager's municipality)");

            var port = BenchArgs.FreePort();
            var baseAddress = new Uri($"http://127.0.0.1:{port}");
            api = StartApi(root, apiDll, connectionString, amqp, baseAddress);
            using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10), MaxConnectionsPerServer = 512 })
                { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
            await WaitReadyAsync(http, api);
            using var tokenResponse = await http.PostAsync("/auth/token", new FormUrlEncodedContent(
                new Dictionary<string, string> { ["username"] = "gestora.reynosa", ["password"] = BenchPassword }));
            tokenResponse.EnsureSuccessStatusCode();
            var token = (await tokenResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
            http.DefaultRequestHeaders.Add("X-Purpose", "benchmark");

            var random = new Random(42);
            string Household() => $"/api/households/{households[random.Next(households.Count)]}";
            string Search() => "/api/households?name=" + Uri.EscapeDataString(LookupData.Misspell(names[random.Next(names.Count)], random));

            Console.WriteLine($"warming up for {warmup} s at {rps} requests/s");
            await LoadAsync(http, rps, warmup, Household, Search);
            Console.WriteLine($"measuring for {seconds} s at {rps} requests/s (half household 360, half name search) as gestora.reynosa");
            var cpuBefore = await CpuTicksAsync(connectionString, database, api);
            var result = await LoadAsync(http, rps, seconds, Household, Search);
            var cpuAfter = await CpuTicksAsync(connectionString, database, api);

            var c = CultureInfo.InvariantCulture;
            foreach (var (kind, lat) in new[] { ("household 360", result.Household), ("search", result.Search) })
                Console.WriteLine(string.Create(c, $"{kind,-14} n={lat.Count,6}  p50={P(lat, 50),7:F1} ms  p95={P(lat, 95),7:F1} ms  p99={P(lat, 99),7:F1} ms  max={lat.Max(),7:F1} ms"));
            Console.WriteLine(string.Create(c, $"achieved {result.Rps:F1} requests/s, {result.Errors} errors"));
            if (result.Errors > 0) Console.WriteLine($"first error: {result.FirstError}");
            // CPU per request is what the machine's cores allow (2 cores: 2,000 ms a second), whatever else runs on it;
            // latency is not, on a shared machine. Linux /proc only; PostgreSQL on this machine.
            var requests = rps * seconds;
            double PerRequest(Func<CpuTicks, long> part) => (part(cpuAfter) - part(cpuBefore)) * 1000.0 / TicksPerSecond / requests;
            if (cpuBefore.Known && cpuAfter.Known)
                Console.WriteLine(string.Create(c, $"CPU per request: PostgreSQL {PerRequest(t => t.Postgres):F2} ms, API host {PerRequest(t => t.Api):F2} ms (load generator not counted)"));
            Console.WriteLine(string.Create(c, $"RESULT household_p95_ms={P(result.Household, 95):F1} search_p95_ms={P(result.Search, 95):F1} rps={result.Rps:F0}"));
            return result.Errors == 0 ? 0 : 1;
        }
        finally
        {
            if (api is not null && !api.HasExited)
            {
                api.Kill(entireProcessTree: true);
                await api.WaitForExitAsync();
            }
            api?.Dispose();
            if (!keep)
            {
                await BenchArgs.DropDatabasesAsync(pg, [database]);
            }
            else
            {
                Console.WriteLine($"kept database {database}");
            }
        }
    }

    private const double TicksPerSecond = 100; // USER_HZ on Linux

    private sealed record CpuTicks(bool Known, long Postgres, long Api);

    /// <summary>
    /// User + system CPU ticks of the API host and of every PostgreSQL backend connected to the benchmark's database
    /// (a backend that closes in between loses its ticks: the API's pool keeps its connections open).
    /// </summary>
    private static async Task<CpuTicks> CpuTicksAsync(string connectionString, string database, Process api)
    {
        static long Ticks(int pid)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                return -1;
            }
        }
        if (!OperatingSystem.IsLinux()) return new CpuTicks(false, 0, 0);
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE datname = @db AND pid <> pg_backend_pid()", db);
        command.Parameters.AddWithValue("db", database);
        var postgres = 0L;
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                if (Ticks(reader.GetInt32(0)) is var t and >= 0) postgres += t;
        var apiTicks = Ticks(api.Id);
        return new CpuTicks(apiTicks >= 0, postgres, apiTicks);
    }

    private sealed record LoadResult(List<double> Household, List<double> Search, double Rps, int Errors, string? FirstError);

    /// <summary>Half household reads (even requests), half searches: <see cref="OpenLoad"/>.</summary>
    private static async Task<LoadResult> LoadAsync(HttpClient http, int rps, int seconds, Func<string> household, Func<string> search)
    {
        var run = await OpenLoad.RunAsync(http, rps, seconds, kinds: 2, kind => kind == 0 ? household() : search());
        return new LoadResult(run.Latencies[0], run.Latencies[1], run.Rps, run.Errors, run.FirstError);
    }

    internal static double P(List<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    internal static readonly string BenchPassword = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));

    internal static Process StartApi(string root, string dll, string connectionString, string amqp, Uri address, string user = "gestora.reynosa")
    {
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", address.ToString()])
        {
            WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["ConnectionStrings__Registry"] = connectionString;
        start.Environment["ConnectionStrings__RabbitMq"] = amqp;
        start.Environment["Bus__QueuePrefix"] = "bench-lookup-";
        start.Environment["Feeds__DefinitionsPath"] = Path.Combine(root, "deploy", "feeds");
        start.Environment["Telemetry__Exporter"] = "none";
        // One bench user sends every search: measure latency, not the per-user search limit.
        start.Environment["Search__RateLimit__PermitLimit"] = "10000000";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Auth__DevIssuer__Enabled"] = "true";
        start.Environment["Auth__DevIssuer__SigningKey"] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        start.Environment["Auth__DevIssuer__AllowOutsideDevelopment"] = "true";
        start.Environment[$"Auth__DevIssuer__Passwords__{user}"] = BenchPassword;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine("[api] " + e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine("[api] " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    internal static async Task WaitReadyAsync(HttpClient http, Process api)
    {
        for (var i = 0; i < 120; i++)
        {
            if (api.HasExited) throw new InvalidOperationException("the API host exited during start-up");
            try
            {
                using var response = await http.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(500);
        }
        throw new TimeoutException("the API host did not become ready in 60 s");
    }
}

using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Registry.Contracts;
using Registry.Extracts;
using Registry.Matching;
using Registry.Normalization;
using Registry.Resolution;
using Registry.SyntheticPopulation;
using Registry.Storage;

namespace Registry.Benchmarks;

/// <summary>
/// `make bench-resolve`: resolves RECORDS generated records into an empty registry, then an
/// incremental extract (a fifth of that: people already known plus new ones) into the full one,
/// through <see cref="ChunkResolver"/> with competing consumers, and — in the same run — the raw
/// binary COPY speed of the same rows into a bare table, so the ratio shows what resolution costs.
/// <c>--source bench</c> (default) draws rows from a small name vocabulary with typical errors, all
/// as one health agency's extract — each row's person drawn from 0.6 × RECORDS people (<c>--population drawn</c>, so the
/// share of rows whose person is already in the registry climbs as it fills: ~8 % of the first million of a 10M run,
/// ~78 % of the last), or half the rows of every million a new person and half one seen before, any of them alike
/// (<c>--population steady</c>: the cost of a record as the registry grows, without that change of mix); <c>--source synth</c> takes the synthetic population's agency
/// extracts (PROFILE, default typical: realistic names, households, addresses, every sector's feed),
/// the first RECORDS rows in file order as the initial load and the next RECORDS/5 as the increment.
/// </summary>
public static class ResolveBenchmark
{
    private static readonly string[] Female = ["MARIA", "GUADALUPE", "ANA", "ROSA", "JUANA", "LETICIA", "PATRICIA", "ELENA", "SOFIA", "CARMEN", "LAURA", "ADRIANA", "VERONICA", "MARTHA", "SILVIA", "GABRIELA", "ALEJANDRA", "DIANA", "KARLA", "PAOLA"];
    private static readonly string[] Male = ["JOSE", "JUAN", "LUIS", "CARLOS", "JESUS", "FRANCISCO", "MIGUEL", "JORGE", "PEDRO", "RAUL", "ANTONIO", "ALEJANDRO", "RICARDO", "MARIO", "HUGO", "ROBERTO", "EDUARDO", "FERNANDO", "SERGIO", "JAVIER"];
    private static readonly string[] Surnames = ["HERNANDEZ", "GARCIA", "MARTINEZ", "LOPEZ", "GONZALEZ", "RODRIGUEZ", "PEREZ", "SANCHEZ", "RAMIREZ", "CRUZ", "FLORES", "GOMEZ", "MORALES", "VAZQUEZ", "REYES", "JIMENEZ", "TORRES", "DIAZ", "GUTIERREZ", "RUIZ", "MENDOZA", "AGUILAR", "ORTIZ", "MORENO", "CASTILLO", "ROMERO", "ALVAREZ", "MENDEZ", "CHAVEZ", "RIVERA", "JUAREZ", "RAMOS", "DOMINGUEZ", "HERRERA", "MEDINA", "CASTRO", "VARGAS", "GUZMAN", "VELAZQUEZ", "ROJAS", "GARZA", "TREVIÑO", "SALINAS", "CANTU", "VILLARREAL", "ZAMORA", "OCHOA", "ESPINOZA", "IBARRA", "SALAZAR"];

    public static async Task<int> RunAsync(string[] args)
    {
        var records = BenchArgs.Int(args, "--records", 1_000_000);
        var incremental = BenchArgs.Int(args, "--incremental", records / 5);
        var chunkSize = BenchArgs.Int(args, "--chunk", 2000); // the workers' default Inbox:ChunkSize
        var consumers = BenchArgs.Int(args, "--consumers", 2);
        // As the workers host resolves (Resolution:Order): each chunk in its turn, or as it comes.
        var canonical = BenchArgs.String(args, "--order", "canonical") != "arrival";
        var keep = args.Contains("--keep");
        var source = BenchArgs.String(args, "--source", "bench");
        var population = BenchArgs.String(args, "--population", "drawn");
        if (population is not ("drawn" or "steady"))
        {
            Console.Error.WriteLine($"unknown --population '{population}': drawn or steady");
            return 2;
        }
        if (records < 1 || incremental < 1 || chunkSize < 1 || consumers < 1)
        {
            Console.Error.WriteLine("--records, --incremental, --chunk and --consumers are each at least 1.");
            return 2;
        }
        var heapBeforeRows = GC.GetTotalMemory(forceFullCollection: true);
        (List<Batch> Initial, List<Batch> Incremental) batches = source switch
        {
            "bench" => BenchBatches(records, incremental, population == "steady" ? SteadyRepeatShare : double.NaN),
            "synth" => SynthBatches(records, incremental, ErrorProfile.Named(BenchArgs.String(args, "--profile", "typical")),
                BenchArgs.Int(args, "--seed", 20261123)),
            _ => throw new ArgumentException($"unknown --source '{source}': bench or synth"),
        };
        // The bench's own share of the process: SOURCE=bench makes each chunk's rows as it is handed out (nothing here);
        // SOURCE=synth holds the whole population's extracts, generated before the first row is resolved.
        var rowBytes = GC.GetTotalMemory(forceFullCollection: true) - heapBeforeRows;
        Console.WriteLine($"the bench's rows hold {rowBytes >> 20:N0} MB of the managed heap before resolving " +
            $"({rowBytes / Math.Max(1, batches.Initial.Sum(b => b.Count) + batches.Incremental.Sum(b => b.Count)):N0} bytes a row)");
        var pg = Environment.GetEnvironmentVariable("ConnectionStrings__Registry");
        if (string.IsNullOrEmpty(pg))
        {
            Console.Error.WriteLine("ConnectionStrings__Registry not set: run through `make bench-resolve`.");
            return 2;
        }
        var database = "bench_resolve_" + Guid.NewGuid().ToString("N")[..8];
        var cs = new NpgsqlConnectionStringBuilder(pg) { Database = database, MaxPoolSize = 20 }.ConnectionString;
        await Migrator.ApplyAsync(cs, NullLogger.Instance);
        try
        {
            return await RunAsync(cs, database, source == "bench" ? $"{source} ({population} population)" : source, batches, chunkSize, consumers, canonical);
        }
        finally
        {
            if (keep) Console.WriteLine($"kept database {database}");
            else await BenchArgs.DropDatabasesAsync(pg, [database]);
        }
    }

    /// <summary>One agency extract's rows (one phase may hold several), made afresh each time they are read.</summary>
    private sealed record Batch(string Feed, string Agency, string Sector, int Count, Func<IEnumerable<SourceRow>> Rows);

    private static async Task<int> RunAsync(string cs, string database, string source, (List<Batch> Initial, List<Batch> Incremental) batches,
        int chunkSize, int consumers, bool canonical)
    {
        await using var db = NpgsqlDataSource.Create(cs);
        // As the workers host does at start: the feeds' residence flags the territory triggers read.
        await Registry.Feeds.FeedRegistry.SyncAsync(db, Registry.Feeds.FeedCatalog.LoadFolder(Path.Combine(BenchArgs.RepoRoot(), "deploy", "feeds")), default);
        var records = batches.Initial.Sum(b => b.Count);
        var incremental = batches.Incremental.Sum(b => b.Count);
        Console.WriteLine($"database {database}; source {source}: {records:N0} records in {batches.Initial.Count} extract(s), then {incremental:N0} more; chunks of {chunkSize}, {consumers} consumers, {(canonical ? "canonical order" : "arrival order")}; " +
            GcDescription());

        // Made before the clock starts, so it times COPY alone; a rate, so a million rows tell it at any size.
        var raw = await RawCopyAsync(db, batches.Initial.SelectMany(b => b.Rows()).Take(1_000_000).ToList());
        Console.WriteLine($"raw binary COPY of the same rows (the first {Math.Min(records, 1_000_000):N0}) into a bare table: {raw:N0} rows/s");

        // One resolver for both phases, as in a worker process: its candidate index stays loaded.
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var index = new CandidateIndex();
        var resolver = new ChunkResolver(db, index);
        using var sampler = Environment.GetEnvironmentVariable("BENCH_ALLOC") == "1" ? new AllocationSampler() : null;
        using var profile = StepProfile.FromEnvironment();
        using var lockShare = new LockShare();
        var start = lockShare.Reading;
        var first = await ResolveAsync(resolver, db, lockShare, "initial", batches.Initial, chunkSize, consumers, canonical);
        var afterFirst = lockShare.Reading;
        sampler?.Print();
        var second = await ResolveAsync(resolver, db, lockShare, "incremental", batches.Incremental, chunkSize, consumers, canonical);
        var afterSecond = lockShare.Reading;
        var share = LockShare.Share(start, afterFirst);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"time under the resolution lock (taken → commit) over chunks' wall time: initial {share:F3} ({(afterFirst.Held - start.Held).TotalSeconds:F1} of " +
            $"{(afterFirst.Chunks - start.Chunks).TotalSeconds:F1} chunk-s), incremental {LockShare.Share(afterFirst, afterSecond):F3}"));
        Console.WriteLine("under the lock, initial: " + LockShare.Breakdown(start, afterFirst));
        Console.WriteLine("under the lock, incremental: " + LockShare.Breakdown(afterFirst, afterSecond));
        Console.WriteLine("every step, initial: " + LockShare.AllSteps(start, afterFirst, records));
        Console.WriteLine("every step, incremental: " + LockShare.AllSteps(afterFirst, afterSecond, incremental));
        // The resolving process's peak, before the cold load below adds a second index beside the first.
        var peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20);
        // What the process holds after both phases beyond what it held before: the index, in the main.
        Console.WriteLine($"candidate index: {index.Count:N0} records; managed heap grew by {(GC.GetTotalMemory(forceFullCollection: true) - before) / (1 << 20):N0} MB; " +
            $"peak working set {peakMb:N0} MB; " +
            $"rows that met only over-full blocks (> {CandidateIndex.MaxBlockCandidates} records a key): {index.RowsOnlyInFullBlocks:N0}");
        var (indexBytes, coldLoad) = await ColdIndexAsync(db);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"a cold index (a new worker's first chunk) loaded {index.Count:N0} records in {coldLoad.TotalSeconds:F1} s; the managed heap grew by {indexBytes:F0} bytes a record"));

        await using (var command = db.CreateCommand(
            "SELECT (SELECT count(*) FROM persons WHERE merged_into IS NULL), (SELECT count(*) FROM review_tasks), (SELECT count(*) FROM identity_events WHERE kind = 'merge')"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            Console.WriteLine($"registry: {reader.GetInt64(0):N0} persons, {reader.GetInt64(1):N0} review tasks, {reader.GetInt64(2):N0} merges");
        }
        Console.WriteLine($"resolution costs {raw / first:F1}x the raw COPY time (initial load)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT resolve_rows_per_s={first:F0} incremental_rows_per_s={second:F0} raw_copy_rows_per_s={raw:F0} " +
            $"lock_share={share:F3} index_bytes_per_record={indexBytes:F0} peak_mb={peakMb} " +
            $"last_million_over_first={(InitialMillions.Count > 1 ? InitialMillions[^1] / InitialMillions[0] : 1):F2}"));
        return 0;
    }

    /// <summary>
    /// The index as a new worker process builds it: every match record loaded from the registry into an empty
    /// index, timed, and the managed heap measured (after full collections) around it — what one index costs a
    /// process, without the resolver's own garbage or the bench's rows.
    /// </summary>
    private static async Task<(double BytesPerRecord, TimeSpan Load)> ColdIndexAsync(NpgsqlDataSource db)
    {
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var cold = new CandidateIndex();
        var sw = Stopwatch.StartNew();
        await using (var connection = await db.OpenConnectionAsync()) await cold.SyncAsync(connection, default);
        var load = sw.Elapsed;
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(cold);
        return ((heapAfter - heapBefore) / (double)Math.Max(1, cold.Count), load);
    }

    private static async Task<double> ResolveAsync(ChunkResolver resolver, NpgsqlDataSource db, LockShare lockShare, string name, List<Batch> batches, int chunkSize, int consumers,
        bool canonical)
    {
        var store = new ExtractStore(db);
        var extracts = new List<Guid>();
        foreach (var batch in batches)
        {
            var (extract, _) = await store.RegisterAsync(batch.Feed, batch.Agency, batch.Sector, $"{name}-{batch.Feed}.csv",
                Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"), batch.Count, "/dev/null", default);
            // Read to its end, as the intake records it: in canonical order a later extract's chunks wait for its last.
            await store.FinishParseAsync(extract, batch.Count, batch.Count, 0, ChunksOf(batch.Count, chunkSize), chunkSize, default);
            extracts.Add(extract);
        }
        // Each chunk's rows are made when a consumer takes it (the enumeration is serialised, in order): the process holds
        // the chunks in flight, not the run's rows, so peak_mb is the resolver's.
        var chunks = batches.SelectMany((batch, b) => batch.Rows().Chunk(chunkSize).Select((rows, c) =>
            new ResolveSourceRows(extracts[b], c, rows[0].RowNumber, rows[^1].RowNumber, batch.Feed, batch.Agency, batch.Sector, rows)));
        var count = batches.Sum(b => b.Count);
        var chunkTotal = batches.Sum(b => ChunksOf(b.Count, chunkSize));
        var (gcPause, gcCounts, cpu, allocated) = (GC.GetTotalPauseDuration(), GcCounts(), Process.GetCurrentProcess().TotalProcessorTime, GC.GetTotalAllocatedBytes());
        var done = 0;
        var rowsDone = 0;
        var sw = Stopwatch.StartNew();
        var redelivered = 0;
        var segment = new Segment(lockShare.Reading, TimeSpan.Zero, 0, GC.GetTotalPauseDuration(), GC.CollectionCount(2));
        var segmentGate = new object();
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = consumers }, async (chunk, ct) =>
        {
            // As the workers' bus would: a chunk that failed (a timeout, a deadlock) is delivered again, twice at most;
            // the resolver's claim makes a redelivery finish what the first attempt committed.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    if (!canonical) await resolver.ApplyAsync(chunk, ct);
                    // Not its turn (rare: chunks are handed out in order): as the consumer would, deliver it again.
                    else while (await resolver.ApplyInTurnAsync(chunk, TimeSpan.FromSeconds(5), ct) == ChunkOutcome.NotItsTurn) { }
                    break;
                }
                catch (NpgsqlException e) when (attempt < 3)
                {
                    Interlocked.Increment(ref redelivered);
                    Console.WriteLine($"  {name}: chunk {chunk.ChunkIndex} failed ({e.Message}); delivering it again");
                }
            }
            var n = Interlocked.Increment(ref done);
            var r = Interlocked.Add(ref rowsDone, chunk.Rows.Count);
            // A line a million rows: how the cost of a row grows with the registry.
            if (r / 1_000_000 > (r - chunk.Rows.Count) / 1_000_000)
                lock (segmentGate) segment = PrintSegment(name, segment, lockShare.Reading, sw.Elapsed, r);
            if (n % Math.Max(1, chunkTotal / 10) == 0)
                Console.WriteLine($"  {name}: {n * 100 / chunkTotal}% ({r:N0} rows, {r / sw.Elapsed.TotalSeconds:N0} rows/s)");
        });
        var rate = count / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"{name}: {count:N0} records resolved in {sw.Elapsed.TotalSeconds:F1} s = {rate:N0} rows/s" +
            (redelivered > 0 ? $" ({redelivered} chunk(s) delivered again after a failure)" : ""));
        // The process's own share of the machine (PostgreSQL's is not counted here), and how much of it the GC took.
        var counts = GcCounts();
        Console.WriteLine($"{name}: this process used {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F1} CPU-s; GC paused it " +
            $"{(GC.GetTotalPauseDuration() - gcPause).TotalSeconds:F1} s in {counts[0] - gcCounts[0]} / {counts[1] - gcCounts[1]} / {counts[2] - gcCounts[2]} collections (gen0 / gen1 / gen2); " +
            $"{(GC.GetTotalAllocatedBytes() - allocated) / count / 1024.0:F1} KB allocated a record");
        return rate;
    }

    /// <summary>Where a segment of a phase began: the readings its line is the difference from.</summary>
    private sealed record Segment(LockShare.Snapshot Steps, TimeSpan Elapsed, long Rows, TimeSpan GcPause, int Gen2, double Rate = 0);

    /// <summary>Each million's rate of the initial phase, in order (the last over the first: how the cost of a row grows).</summary>
    private static readonly List<double> InitialMillions = [];

    private static Segment PrintSegment(string name, Segment from, LockShare.Snapshot steps, TimeSpan elapsed, long rows)
    {
        var n = rows - from.Rows;
        var to = new Segment(steps, elapsed, rows, GC.GetTotalPauseDuration(), GC.CollectionCount(2), n / (elapsed - from.Elapsed).TotalSeconds);
        if (name == "initial") InitialMillions.Add(to.Rate);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name} rows {from.Rows:N0}–{rows:N0}: {to.Rate:N0} rows/s; GC paused {(to.GcPause - from.GcPause).TotalSeconds:F1} s, " +
            $"{to.Gen2 - from.Gen2} gen2; heap {GC.GetTotalMemory(false) >> 20:N0} MB; ") + LockShare.AllSteps(from.Steps, steps, n));
        return to;
    }

    /// <summary>Which garbage collector ran, and whether with the workers host's settings (deploy/workers-runtime.env, as make sets).</summary>
    private static string GcDescription()
    {
        var (description, missing) = Registry.Ingest.RuntimeSettings.Current();
        return description + (missing.Length == 0 ? ", as the workers host"
            : $": not the workers host's settings (without {string.Join(", ", missing)} of deploy/workers-runtime.env, as make bench-resolve sets)");
    }

    private static int ChunksOf(int rows, int chunkSize) => (rows + chunkSize - 1) / chunkSize;

    private static int[] GcCounts() => [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];

    private static (List<Batch>, List<Batch>) BenchBatches(int records, int incremental, double repeatShare)
    {
        var people = Math.Max(1, (int)(records * 0.6));
        return ([new Batch("bench", "BENCH", "health", records, () => Rows(0, records, people, 0, repeatShare))],
                [new Batch("bench", "BENCH", "health", incremental, () => Rows(records, incremental, people + incremental / 2, 1_000_000, repeatShare))]);
    }

    /// <summary>The share of a steady population's rows (<c>--population steady</c>) whose person was seen before: a 10M drawn run's overall share.</summary>
    private const double SteadyRepeatShare = 0.5;

    /// <summary>
    /// The person of row <paramref name="row"/> (counted from 0 across both phases) in a steady population: rows alternate
    /// between a new person (numbered in order of first appearance) and, with <paramref name="repeatShare"/> of them, a
    /// person seen before, any of those alike — the same for every run and every enumeration of the rows.
    /// </summary>
    private static int SteadyPerson(long row, double repeatShare)
    {
        var before = (long)Math.Floor((1 - repeatShare) * row);
        if (row == 0 || (long)Math.Floor((1 - repeatShare) * (row + 1)) > before) return (int)before;
        return (int)(SplitMix(unchecked((ulong)row)) % (ulong)before);
    }

    private static ulong SplitMix(ulong x)
    {
        x = unchecked(x + 0x9E3779B97F4A7C15UL);
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        return x ^ (x >> 31);
    }

    /// <summary>The synthetic population's extracts in file order, cut after <paramref name="records"/> rows.</summary>
    private static (List<Batch>, List<Batch>) SynthBatches(int records, int incremental, ErrorProfile profile, int seed)
    {
        var sw = Stopwatch.StartNew();
        var (catalog, extracts) = BlocksBenchmark.SynthExtracts(records + incremental, profile, seed);
        List<Batch> initial = [], later = [];
        var taken = 0;
        foreach (var (feedCode, rows) in extracts)
        {
            var feed = catalog.Find(feedCode)!;
            var head = Math.Clamp(records - taken, 0, rows.Count);
            if (head > 0) initial.Add(new Batch(feedCode, feed.Agency.Code, feed.Sector, head, () => rows[..head]));
            if (head < rows.Count) later.Add(new Batch(feedCode, feed.Agency.Code, feed.Sector, rows.Count - head, () => rows[head..]));
            taken += rows.Count;
        }
        Console.WriteLine($"synthetic population ({profile.Name}, seed {seed}) generated and parsed in {sw.Elapsed.TotalSeconds:F0} s");
        return (initial, later);
    }

    private static async Task<double> RawCopyAsync(NpgsqlDataSource db, IEnumerable<SourceRow> rows)
    {
        await using (var create = db.CreateCommand(
            "CREATE UNLOGGED TABLE raw_rows (id uuid, row_number int, record_key text, curp text, given_names text, paternal text, maternal text, sex text, birth_date date, data jsonb)"))
            await create.ExecuteNonQueryAsync();
        var count = 0;
        var sw = Stopwatch.StartNew();
        await using var connection = await db.OpenConnectionAsync();
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY raw_rows FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var row in rows)
            {
                count++;
                await writer.StartRowAsync();
                await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                await writer.WriteAsync(row.RowNumber, NpgsqlDbType.Integer);
                await writer.WriteAsync(row.RecordKey, NpgsqlDbType.Text);
                await Text(writer, row.Curp);
                await Text(writer, row.GivenNames);
                await Text(writer, row.PaternalSurname);
                await Text(writer, row.MaternalSurname);
                await Text(writer, row.Sex);
                if (row.BirthDate is { } birth) await writer.WriteAsync(birth, NpgsqlDbType.Date);
                else await writer.WriteNullAsync();
                await writer.WriteAsync(System.Text.Json.JsonSerializer.Serialize(row), NpgsqlDbType.Jsonb);
            }
            await writer.CompleteAsync();
        }
        var rate = count / sw.Elapsed.TotalSeconds;
        await using (var drop = db.CreateCommand("DROP TABLE raw_rows")) await drop.ExecuteNonQueryAsync();
        return rate;
    }

    private static Task Text(NpgsqlBinaryImporter writer, string? value) =>
        value is null ? writer.WriteNullAsync() : writer.WriteAsync(value, NpgsqlDbType.Text);

    /// <summary>Records of people drawn from a fixed population (person i is the same in every run), with typical errors.</summary>
    /// <param name="repeatShare">NaN: every row's person drawn from <paramref name="people"/>; else a steady population (<see cref="SteadyPerson"/>).</param>
    internal static IEnumerable<SourceRow> Rows(int firstRow, int count, int people, int seed, double repeatShare = double.NaN)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var person = double.IsNaN(repeatShare) ? random.Next(people) : SteadyPerson(firstRow + i, repeatShare);
            var p = new Random(person);
            var female = p.Next(2) == 0;
            var given = (female ? Female : Male)[p.Next(20)];
            var paternal = Surnames[p.Next(Surnames.Length)];
            var maternal = Surnames[p.Next(Surnames.Length)];
            var birth = new DateOnly(1940, 1, 1).AddDays(p.Next(80 * 365));
            var parts = Curp.Derive(paternal, maternal, given, birth, female ? Sex.Female : Sex.Male, "TS");
            var first17 = parts.Letters + parts.BirthDate + parts.Sex + parts.State + parts.Consonants + (birth.Year < 2000 ? (char)('0' + person % 10) : (char)('A' + person % 26));
            var curp = first17 + Curp.CheckDigit(first17);

            // Typical agency errors.
            var roll = random.NextDouble();
            string? sentCurp = random.NextDouble() < 0.55 ? curp : null;
            if (roll < 0.05) given = given[..^1] + (char)('A' + random.Next(26));
            else if (roll < 0.10) maternal = null!;
            else if (roll < 0.13) birth = new DateOnly(birth.Year, birth.Day <= 12 ? birth.Day : birth.Month, birth.Day <= 12 ? birth.Month : birth.Day);
            else if (roll < 0.15) paternal = paternal[..^1];
            var row = firstRow + i + 1;
            yield return new SourceRow
            {
                RowNumber = row,
                RecordKey = row.ToString(CultureInfo.InvariantCulture),
                ContentHash = row.ToString("x", CultureInfo.InvariantCulture),
                Curp = sentCurp,
                GivenNames = given,
                PaternalSurname = paternal,
                MaternalSurname = maternal,
                Sex = female ? "M" : "H",
                BirthDate = birth,
                Municipality = "VICTORIA",
                Programme = "CONSULTA",
                ServiceType = "GENERAL",
                ServiceDate = new DateOnly(2026, 1, 1).AddDays(random.Next(300)),
            };
        }
    }
}

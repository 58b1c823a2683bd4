using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Registry.Contracts;
using Registry.Extracts;
using Registry.Normalization;
using Registry.Resolution;
using Registry.Storage;

namespace Registry.Benchmarks;

/// <summary>
/// `make bench-resolve`: resolves RECORDS generated records into an empty registry, then an
/// incremental extract (a fifth of that: people already known plus new ones) into the full one,
/// through <see cref="ChunkResolver"/> with competing consumers, and — in the same run — the raw
/// binary COPY speed of the same rows into a bare table, so the ratio shows what resolution costs.
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
        var keep = args.Contains("--keep");
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
            return await RunAsync(cs, database, records, incremental, chunkSize, consumers);
        }
        finally
        {
            if (keep) Console.WriteLine($"kept database {database}");
            else await BenchArgs.DropDatabasesAsync(pg, [database]);
        }
    }

    private static async Task<int> RunAsync(string cs, string database, int records, int incremental, int chunkSize, int consumers)
    {
        await using var db = NpgsqlDataSource.Create(cs);
        var people = Math.Max(1, (int)(records * 0.6));
        Console.WriteLine($"database {database}; {records:N0} records of ~{people:N0} people, then {incremental:N0} more; chunks of {chunkSize}, {consumers} consumers");

        var raw = await RawCopyAsync(db, records, chunkSize, people);
        Console.WriteLine($"raw binary COPY of the same rows into a bare table: {raw:N0} rows/s");

        var first = await ResolveAsync(db, "initial", 0, records, chunkSize, consumers, people, seedOffset: 0);
        var second = await ResolveAsync(db, "incremental", records, incremental, chunkSize, consumers, people + incremental / 2, seedOffset: 1_000_000);

        await using (var command = db.CreateCommand(
            "SELECT (SELECT count(*) FROM persons WHERE merged_into IS NULL), (SELECT count(*) FROM review_tasks), (SELECT count(*) FROM identity_events WHERE kind = 'merge')"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            Console.WriteLine($"registry: {reader.GetInt64(0):N0} persons, {reader.GetInt64(1):N0} review tasks, {reader.GetInt64(2):N0} merges");
        }
        Console.WriteLine($"resolution costs {raw / first:F1}x the raw COPY time (initial load)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT resolve_rows_per_s={first:F0} incremental_rows_per_s={second:F0} raw_copy_rows_per_s={raw:F0}"));
        return 0;
    }

    private static async Task<double> ResolveAsync(NpgsqlDataSource db, string name, int firstRecord, int count, int chunkSize, int consumers, int people, int seedOffset)
    {
        var (extract, _) = await new ExtractStore(db).RegisterAsync("bench", "BENCH", "health", name + ".csv",
            Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"), count, "/dev/null", default);
        var resolver = new ChunkResolver(db);
        var chunks = (count + chunkSize - 1) / chunkSize;
        var done = 0;
        var sw = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, chunks), new ParallelOptions { MaxDegreeOfParallelism = consumers }, async (c, ct) =>
        {
            var rows = Rows(firstRecord + c * chunkSize, Math.Min(chunkSize, count - c * chunkSize), people, seedOffset + c).ToList();
            await resolver.ApplyAsync(new ResolveSourceRows(extract, c, rows[0].RowNumber, rows[^1].RowNumber, "bench", "BENCH", "health", rows), ct);
            var n = Interlocked.Increment(ref done);
            if (n % Math.Max(1, chunks / 10) == 0)
                Console.WriteLine($"  {name}: {n * 100 / chunks}% ({Math.Min(n * chunkSize, count):N0} rows, {Math.Min(n * chunkSize, count) / sw.Elapsed.TotalSeconds:N0} rows/s)");
        });
        var rate = count / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"{name}: {count:N0} records resolved in {sw.Elapsed.TotalSeconds:F1} s = {rate:N0} rows/s");
        return rate;
    }

    private static async Task<double> RawCopyAsync(NpgsqlDataSource db, int count, int chunkSize, int people)
    {
        await using (var create = db.CreateCommand(
            "CREATE UNLOGGED TABLE raw_rows (id uuid, row_number int, record_key text, curp text, given_names text, paternal text, maternal text, sex text, birth_date date, data jsonb)"))
            await create.ExecuteNonQueryAsync();
        var sw = Stopwatch.StartNew();
        await using var connection = await db.OpenConnectionAsync();
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY raw_rows FROM STDIN (FORMAT BINARY)"))
        {
            for (var c = 0; c * chunkSize < count; c++)
            foreach (var row in Rows(c * chunkSize, Math.Min(chunkSize, count - c * chunkSize), people, c))
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                await writer.WriteAsync(row.RowNumber, NpgsqlDbType.Integer);
                await writer.WriteAsync(row.RecordKey, NpgsqlDbType.Text);
                await Text(writer, row.Curp);
                await Text(writer, row.GivenNames);
                await Text(writer, row.PaternalSurname);
                await Text(writer, row.MaternalSurname);
                await Text(writer, row.Sex);
                await writer.WriteAsync(row.BirthDate!.Value, NpgsqlDbType.Date);
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
    internal static IEnumerable<SourceRow> Rows(int firstRow, int count, int people, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var person = random.Next(people);
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

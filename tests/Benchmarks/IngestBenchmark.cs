using System.Diagnostics;
using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Registry.Extracts;
using Registry.Feeds;
using Registry.Ingest.Inbox;
using Registry.Normalization;
using Registry.ServiceDefaults;
using Registry.Storage;

namespace Registry.Benchmarks;

/// <summary>
/// `make bench-ingest`: generates an extract of ROWS rows for the health feed, then in one run
/// measures (1) CsvHelper reading the file alone and (2) the real intake path — parse with the
/// feed definition, validate, chunk, send to RabbitMQ with publisher confirms — and prints rows/s
/// and the process's peak memory. The benchmark's own database and queue are removed afterwards.
/// </summary>
public static class IngestBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rows = BenchArgs.Int(args, "--rows", 1_000_000);
        var chunk = BenchArgs.Int(args, "--chunk", 500);
        var pg = Environment.GetEnvironmentVariable("ConnectionStrings__Registry");
        var amqp = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
        if (string.IsNullOrEmpty(pg) || string.IsNullOrEmpty(amqp))
        {
            Console.Error.WriteLine("ConnectionStrings__Registry / ConnectionStrings__RabbitMq not set: run through `make bench-ingest`.");
            return 2;
        }

        var root = BenchArgs.RepoRoot();
        var feed = FeedCatalog.LoadFile(Path.Combine(root, "deploy", "feeds", "ssa-consultas.json"));
        var work = Directory.CreateTempSubdirectory("bench-ingest").FullName;
        var file = Path.Combine(work, "consultas.csv");
        var sw = Stopwatch.StartNew();
        var bytes = Generate(file, rows);
        Console.WriteLine($"generated {rows:N0} rows ({bytes / 1_048_576.0:F1} MiB) in {sw.Elapsed.TotalSeconds:F1} s");

        var parseOnly = ParseOnly(file, rows);
        Console.WriteLine($"CsvHelper alone: {parseOnly:N0} rows/s");
        sw.Restart();
        var accepted = Registry.Ingest.Feeds.CsvExtractReader.Read(file, feed).Count(r => r.Accepted is not null);
        Console.WriteLine($"feed mapping + validation, no bus: {rows / sw.Elapsed.TotalSeconds:N0} rows/s ({accepted:N0} accepted)");

        var database = "bench_" + Guid.NewGuid().ToString("N")[..10];
        var prefix = "bench" + Guid.NewGuid().ToString("N")[..6] + "-";
        var dbConnection = new NpgsqlConnectionStringBuilder(pg) { Database = database }.ConnectionString;
        await Migrator.ApplyAsync(dbConnection, NullLogger.Instance);

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Registry"] = dbConnection,
            ["ConnectionStrings:RabbitMq"] = amqp,
            ["Bus:QueuePrefix"] = prefix,
            ["Inbox:ChunkSize"] = chunk.ToString(CultureInfo.InvariantCulture),
            ["Inbox:ArchiveRoot"] = Path.Combine(work, "archive"),
        });
        builder.Services.AddRegistryStorage(builder.Configuration);
        builder.Services.AddSingleton(new FeedCatalog([feed]));
        builder.Services.AddSingleton<ExtractStore>();
        builder.Services.AddOptions<InboxOptions>().BindConfiguration("Inbox");
        builder.Services.AddSingleton<ExtractIntake>();
        builder.Services.AddRegistryBus(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();

        int exitCode;
        try
        {
            var store = host.Services.GetRequiredService<ExtractStore>();
            var intake = host.Services.GetRequiredService<ExtractIntake>();
            var (id, _) = await store.RegisterAsync(feed.Code, feed.Agency.Code, feed.Sector, "consultas.csv", new string('0', 64), bytes, file, default);

            GC.Collect();
            sw.Restart();
            await intake.ParseAndQueueAsync(id, feed, file, default);
            var seconds = sw.Elapsed.TotalSeconds;
            var report = await store.GetAsync(id, default);
            var peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1_048_576.0;
            var ingest = rows / seconds;

            Console.WriteLine($"intake (parse → validate → chunks of {chunk} → RabbitMQ, confirmed): {rows:N0} rows in {seconds:F1} s = {ingest:N0} rows/s");
            Console.WriteLine($"extract: {report!.RowsTotal:N0} rows, {report.RowsAccepted:N0} accepted, {report.RowsRejected:N0} rejected, {report.ChunksTotal:N0} chunks");
            Console.WriteLine($"overhead vs CsvHelper alone: {parseOnly / ingest:F1}x; peak working set {peakMb:F0} MB");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESULT ingest_rows_per_s={ingest:F0} parse_only_rows_per_s={parseOnly:F0} peak_mb={peakMb:F0}"));
            exitCode = report.RowsTotal == rows ? 0 : 1;
        }
        finally
        {
            await host.StopAsync();
            await BrokerCleanup.DeleteByPrefixAsync([prefix], Console.Error.WriteLine);
            await BenchArgs.DropDatabasesAsync(pg, [database]);
            Directory.Delete(work, recursive: true);
        }
        return exitCode;
    }

    /// <summary>Rows of the health feed's layout with valid CURPs, ~1% of them with an impossible date (rejects).</summary>
    private static long Generate(string path, int rows)
    {
        string[] given = ["MARIA GUADALUPE", "JOSE LUIS", "JUANA", "FRANCISCO", "ANA LAURA", "JESUS", "SOFIA", "MIGUEL ANGEL"];
        string[] surnames = ["GARCIA", "HERNANDEZ", "MARTINEZ", "LOPEZ", "GONZALEZ", "RODRIGUEZ", "PEREZ", "SANCHEZ", "RAMIREZ", "CRUZ"];
        var random = new Random(42);
        using (var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16))
        {
            writer.WriteLine("ID_PACIENTE,CURP,NOMBRE,PRIMER_APELLIDO,SEGUNDO_APELLIDO,SEXO,FECHA_NACIMIENTO,MUNICIPIO,TIPO_ATENCION,PROGRAMA,FECHA_ATENCION,ESTATUS");
            for (var i = 0; i < rows; i++)
            {
                var birth = new DateOnly(1950, 1, 1).AddDays(random.Next(0, 25_000));
                var sex = random.Next(2) == 0 ? 'H' : 'M';
                var p = surnames[random.Next(surnames.Length)];
                var m = surnames[random.Next(surnames.Length)];
                var g = given[random.Next(given.Length)];
                var first17 = string.Create(CultureInfo.InvariantCulture, $"{p[0]}{p[1]}{m[0]}{g[0]}{birth:yyMMdd}{sex}TS{p[2]}{m[2]}{g[1]}{(birth.Year < 2000 ? '0' : 'A')}");
                var curp = first17 + Curp.CheckDigit(first17);
                var serviceDay = random.Next(100) == 0 ? "31/02/2026" : new DateOnly(2026, 1, 1).AddDays(random.Next(300)).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
                writer.Write(string.Create(CultureInfo.InvariantCulture,
                    $"EXP-{i},{curp},{g},{p},{m},{sex},{birth:dd/MM/yyyy},VICTORIA,CONSULTA GENERAL,Atención primaria,{serviceDay},ATENDIDO\n"));
            }
        }
        return new FileInfo(path).Length;
    }

    private static double ParseOnly(string path, int rows)
    {
        var sw = Stopwatch.StartNew();
        using var reader = new StreamReader(path, Encoding.UTF8, true, 1 << 16);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture));
        csv.Read();
        csv.ReadHeader();
        long chars = 0;
        while (csv.Read())
        {
            for (var i = 0; i < csv.Parser.Count; i++) chars += csv.Parser[i].Length;
        }
        GC.KeepAlive(chars);
        return rows / sw.Elapsed.TotalSeconds;
    }
}

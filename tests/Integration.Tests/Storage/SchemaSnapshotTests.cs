using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Registry.Integration.Tests.Infrastructure;
using Registry.Storage;

namespace Registry.Integration.Tests.Storage;

/// <summary>
/// <c>src/Registry/Storage/schema.sql</c> is the registry's schema as the baseline and the scripts after it build it, for
/// reading in one place: a script that changes the schema without the snapshot fails here (refresh it: <c>make schema</c>).
/// </summary>
[Collection(ServersCollection.Name)]
public sealed partial class SchemaSnapshotTests(RegistryServers servers)
{
    public static string SnapshotPath => Path.Combine(RepoPaths.Root, "src", "Registry", "Storage", "schema.sql");

    [Fact]
    public async Task The_schema_snapshot_is_what_the_migrations_build()
    {
        var database = await servers.CreateDatabaseAsync();
        await Migrator.ApplyAsync(database, NullLogger.Instance);

        var built = await DumpAsync(database);
        if (Environment.GetEnvironmentVariable("REGISTRY_WRITE_SCHEMA") == "1") await File.WriteAllTextAsync(SnapshotPath, built);

        Assert.True(File.Exists(SnapshotPath), "src/Registry/Storage/schema.sql is missing: make schema");
        Assert.True(built == await File.ReadAllTextAsync(SnapshotPath),
            "src/Registry/Storage/schema.sql differs from what the migrations build: refresh it with `make schema` and commit it");
    }

    /// <summary>pg_dump's schema of <paramref name="connectionString"/>'s database, without owners, grants and its version banner.</summary>
    private static async Task<string> DumpAsync(string connectionString)
    {
        var cs = new NpgsqlConnectionStringBuilder(connectionString);
        var pgDump = Directory.EnumerateFiles("/usr/lib/postgresql", "pg_dump", SearchOption.AllDirectories).Order(StringComparer.Ordinal).LastOrDefault() ?? "pg_dump";
        var start = new ProcessStartInfo(pgDump,
            ["--schema-only", "--no-owner", "--no-privileges", "--no-comments", "--schema=public", "-h", cs.Host!, "-p", cs.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", cs.Username!, cs.Database!])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PGPASSWORD"] = cs.Password;
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"pg_dump failed: {error}");
        var lines = output.Split('\n')
            .Where(l => !l.StartsWith("--", StringComparison.Ordinal) && !l.StartsWith("SET ", StringComparison.Ordinal)
                        && !l.StartsWith("SELECT pg_catalog.set_config", StringComparison.Ordinal) && !l.StartsWith("\\restrict", StringComparison.Ordinal)
                        && !l.StartsWith("\\unrestrict", StringComparison.Ordinal));
        var text = BlankLines().Replace(string.Join('\n', lines), "\n\n").Trim() + "\n";
        return "-- The registry's schema as Storage/Migrations builds it (pg_dump --schema-only), for reading in one place.\n" +
               "-- Generated: `make schema`; a test fails when it no longer matches the migrations. Never applied.\n\n" + text;
    }

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankLines();
}

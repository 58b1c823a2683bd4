using DbUp;
using DbUp.Engine.Output;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Registry.Storage;

/// <summary>
/// Applies the SQL scripts in Storage/Migrations — the baseline (<c>0001_baseline.sql</c>), then any numbered script
/// after it — embedded, applied in name order, journaled by DbUp in <c>schemaversions</c>. A PostgreSQL advisory lock
/// serialises concurrent starters, so N worker replicas can all call it safely. Runs as the owner of the registry's
/// objects: first Storage/Privileges/roles.sql (the hosts' roles, when missing); after the scripts,
/// <paramref name="installBeforeGrants"/> (e.g. Hangfire's schema) and then Storage/Privileges/grants.sql, every time,
/// so the hosts' roles reach every table whatever script added it.
/// </summary>
public static class Migrator
{
    private const long AdvisoryLockKey = 0x5245_4749_5354; // "REGIST"

    public static Task<IReadOnlyList<string>> ApplyAsync(string connectionString, ILogger logger, CancellationToken ct = default) =>
        ApplyAsync(connectionString, logger, null, ct);

    /// <param name="installBeforeGrants">Objects a host's libraries need, installed as the owner before the grants (Hangfire's schema).</param>
    public static Task<IReadOnlyList<string>> ApplyAsync(string connectionString, ILogger logger,
        Func<NpgsqlConnection, CancellationToken, Task>? installBeforeGrants, CancellationToken ct) =>
        ApplyAsync(connectionString, logger, installBeforeGrants, lastScript: null, ct);

    /// <summary>Tests: the migrations up to and including <paramref name="lastScript"/> (a resource name) only, without the grants — a database as an older version left it.</summary>
    internal static Task<IReadOnlyList<string>> ApplyThroughAsync(string connectionString, string lastScript, ILogger logger) =>
        ApplyAsync(connectionString, logger, null, lastScript, default);

    private static async Task<IReadOnlyList<string>> ApplyAsync(string connectionString, ILogger logger,
        Func<NpgsqlConnection, CancellationToken, Task>? installBeforeGrants, string? lastScript, CancellationToken ct)
    {
        await EnsureDatabaseAsync(connectionString, logger, ct);

        await using var lockConnection = new NpgsqlConnection(connectionString);
        await lockConnection.OpenAsync(ct);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@k)", lockConnection))
        {
            take.Parameters.AddWithValue("k", AdvisoryLockKey);
            await take.ExecuteNonQueryAsync(ct);
        }

        try
        {
            await using (var roles = new NpgsqlCommand(CreateRolesSql, lockConnection))
                await roles.ExecuteNonQueryAsync(ct);
            await AdoptPreBaselineDatabaseAsync(lockConnection, logger, ct);
            var upgrader = DeployChanges.To
                .PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(typeof(Migrator).Assembly, name => name.StartsWith("Registry.Storage.Migrations.", StringComparison.Ordinal)
                    && (lastScript is null || string.CompareOrdinal(name, lastScript) <= 0))
                .WithTransactionPerScript()
                .WithVariablesDisabled() // pg_dump quotes function bodies as $_$…$_$, which DbUp would read as a variable
                .LogTo(new LoggerAdapter(logger))
                .Build();
            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException(
                    $"Migration {result.ErrorScript?.Name ?? "?"} failed: {result.Error?.Message}", result.Error);
            }
            if (installBeforeGrants is not null) await installBeforeGrants(lockConnection, ct);
            // The grants are the current schema's: an older one (tests) may lack their columns.
            if (lastScript is null)
                await using (var grant = new NpgsqlCommand(GrantsSql.Value, lockConnection))
                    await grant.ExecuteNonQueryAsync(ct);
            return [.. result.Scripts.Select(s => s.Name)];
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@k)", lockConnection);
            release.Parameters.AddWithValue("k", AdvisoryLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static readonly Lazy<string> GrantsSql = new(() => ReadResource("Registry.Storage.Privileges.grants.sql"));

    /// <summary>Creates the hosts' roles when missing (Storage/Privileges/roles.sql; a test fixture that needs them before migrating runs the same).</summary>
    public static string CreateRolesSql => RolesSql.Value;

    private static readonly Lazy<string> RolesSql = new(() => ReadResource("Registry.Storage.Privileges.roles.sql"));

    private const string Baseline = "Registry.Storage.Migrations.0001_baseline.sql";
    private const string LastBeforeBaseline = "Registry.Storage.Migrations.0058_frequency_epochs.sql";

    /// <summary>
    /// A database built by the numbered scripts that the baseline replaced (a developer's registry from before it) has the
    /// baseline's schema when its journal ends at their last one: it is journaled as at the baseline, and later scripts
    /// apply to it as to any other. One that stopped earlier cannot be brought forward: a clear error says to rebuild it.
    /// </summary>
    private static async Task AdoptPreBaselineDatabaseAsync(NpgsqlConnection connection, ILogger logger, CancellationToken ct)
    {
        await using (var journal = new NpgsqlCommand("SELECT to_regclass('public.schemaversions') IS NOT NULL", connection))
            if (await journal.ExecuteScalarAsync(ct) is not true) return; // a new database
        await using var read = new NpgsqlCommand(
            """
            SELECT EXISTS (SELECT 1 FROM schemaversions WHERE scriptname LIKE 'Registry.Storage.Migrations.00%' AND scriptname <> @baseline)
                   AND NOT EXISTS (SELECT 1 FROM schemaversions WHERE scriptname = @baseline)
            """, connection);
        read.Parameters.AddWithValue("baseline", Baseline);
        if (await read.ExecuteScalarAsync(ct) is not true) return;

        await using var adopt = new NpgsqlCommand(
            """
            INSERT INTO schemaversions (scriptname, applied)
            SELECT @baseline, now() WHERE EXISTS (SELECT 1 FROM schemaversions WHERE scriptname = @last)
            """, connection);
        adopt.Parameters.AddWithValue("baseline", Baseline);
        adopt.Parameters.AddWithValue("last", LastBeforeBaseline);
        if (await adopt.ExecuteNonQueryAsync(ct) == 0)
        {
            throw new InvalidOperationException(
                $"The database {connection.Database} was built by migrations older than the baseline and stops before their last one " +
                "(0058_frequency_epochs): it cannot be brought forward. Rebuild it (nothing is deployed from that time): drop the database " +
                "and start the hosts again, or run `make migrate`.");
        }
        logger.LogInformation("Database {Database} was built by the migrations the baseline replaced: journaled as at the baseline", connection.Database);
    }

    private static string ReadResource(string name)
    {
        using var stream = typeof(Migrator).Assembly.GetManifestResourceStream(name)
                           ?? throw new InvalidOperationException($"Embedded resource {name} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Creates the database when it does not exist. (DbUp's EnsureDatabase left one connection to the
    /// 'postgres' database open per call — one per host start — which exhausted the server's
    /// connections in test runs that start hosts by the dozen.)
    /// </summary>
    private static async Task EnsureDatabaseAsync(string connectionString, ILogger logger, CancellationToken ct)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database
                   ?? throw new InvalidOperationException("The registry connection string names no database.");
        var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(ct);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection))
        {
            exists.Parameters.AddWithValue("name", name);
            if (await exists.ExecuteScalarAsync(ct) is not null) return;
        }
        // A database name cannot be a parameter: it comes from configuration and is quoted as an identifier.
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        try
        {
            await create.ExecuteNonQueryAsync(ct);
            logger.LogInformation("Created database {Database}", name);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Another starter created it at the same moment.
        }
    }

    /// <summary>DbUp logs composite-format strings ({0}); they are formatted here and logged as one message.</summary>
    private sealed class LoggerAdapter(ILogger logger) : IUpgradeLog
    {
        private static string F(string format, object[] args) =>
            args.Length == 0 ? format : string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);

        public void LogTrace(string format, params object[] args) => logger.LogTrace("{Message}", F(format, args));
        public void LogDebug(string format, params object[] args) => logger.LogDebug("{Message}", F(format, args));
        public void LogInformation(string format, params object[] args) => logger.LogInformation("{Message}", F(format, args));
        public void LogWarning(string format, params object[] args) => logger.LogWarning("{Message}", F(format, args));
        public void LogError(string format, params object[] args) => logger.LogError("{Message}", F(format, args));
        public void LogError(Exception ex, string format, params object[] args) => logger.LogError(ex, "{Message}", F(format, args));
    }
}

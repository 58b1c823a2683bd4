using Hangfire.PostgreSql;
using Npgsql;
using Polly;
using Polly.Retry;
using Registry.ServiceDefaults;
using Registry.Feeds;
using Registry.Ingest.Jobs;
using Registry.Storage;

namespace Registry.Ingest.Storage;

/// <summary>
/// Applies pending migrations before the bus and the inbox start (registered first, so it runs
/// first). Off with <c>Registry:MigrateOnStart=false</c> when a deploy step migrates instead.
/// Then, always, the feeds' residence flags the database reads (<see cref="FeedRegistry"/>).
/// A host started while PostgreSQL is away (a restart during a failover) waits for it, with back-off
/// up to 30 s between tries, instead of exiting.
/// </summary>
public sealed partial class MigrateOnStart(IConfiguration configuration, ILogger<MigrateOnStart> logger, NpgsqlDataSource db, FeedCatalog feeds) : IHostedService
{
    private ResiliencePipeline WaitForDatabase => new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
    {
        ShouldHandle = new PredicateBuilder().Handle<Exception>(TransientFaults.IsTransient),
        MaxRetryAttempts = int.MaxValue,
        BackoffType = DelayBackoffType.Exponential,
        Delay = TimeSpan.FromSeconds(1),
        MaxDelay = TimeSpan.FromSeconds(30),
        OnRetry = args =>
        {
            LogWaiting(args.Outcome.Exception?.Message ?? "", args.RetryDelay);
            return ValueTask.CompletedTask;
        },
    }).Build();

    public async Task StartAsync(CancellationToken cancellationToken) =>
        await WaitForDatabase.ExecuteAsync(async ct =>
        {
            if (configuration.GetValue("Registry:MigrateOnStart", true))
                await WorkersMigration.ApplyAsync(configuration, logger, ct);
            await FeedRegistry.SyncAsync(db, feeds, ct);
        }, cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waiting for PostgreSQL before starting ({Reason}); next try in {Delay}")]
    private partial void LogWaiting(string reason, TimeSpan delay);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// The workers host's migration (on start and the <c>migrate</c> command): the registry's scripts,
/// then Hangfire's schema, both as the owner (<c>ConnectionStrings:RegistryOwner</c>; without it the
/// host's own connection, which then must be allowed DDL), then the grants to the hosts' roles. The
/// hosts themselves never prepare Hangfire's schema: their roles may not create one.
/// </summary>
public static class WorkersMigration
{
    public static Task<IReadOnlyList<string>> ApplyAsync(IConfiguration configuration, ILogger logger, CancellationToken ct)
    {
        var owner = RegistryStorage.MigrationConnectionString(configuration);
        if (configuration.GetConnectionString(RegistryStorage.OwnerConnectionStringName) is not { Length: > 0 })
            logger.LogWarning("ConnectionStrings:{Owner} is not set: migrating with the host's own connection", RegistryStorage.OwnerConnectionStringName);
        var schema = (configuration.GetSection("Hangfire").Get<HangfireOptions>() ?? new HangfireOptions()).SchemaName;
        return Migrator.ApplyAsync(owner, logger, (_, token) => InstallHangfireAsync(owner, schema, logger, token), ct);
    }

    /// <summary>
    /// Hangfire installs (and upgrades) its schema when a storage is built with PrepareSchemaIfNecessary, one script per
    /// version — but it logs and swallows a script that fails (seen under load: a host then started without
    /// <c>hangfire.set</c>). So the version reached is checked against the newest script the package carries, and the
    /// install tried again (each script it already applied is skipped) before the host is let start.
    /// </summary>
    private static async Task InstallHangfireAsync(string owner, string schema, ILogger logger, CancellationToken ct)
    {
        var wanted = typeof(PostgreSqlStorage).Assembly.GetManifestResourceNames()
            .Select(n => System.Text.RegularExpressions.Regex.Match(n, @"Install\.v(\d+)\.sql$"))
            .Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            .DefaultIfEmpty(0).Max();
        for (var attempt = 1; ; attempt++)
        {
            _ = new PostgreSqlStorage(new OwnerConnections(owner), new PostgreSqlStorageOptions { SchemaName = schema, PrepareSchemaIfNecessary = true });
            await using var connection = new NpgsqlConnection(owner);
            await connection.OpenAsync(ct);
            // The schema name is configuration, never user input; quoted as an identifier all the same.
            await using var read = new NpgsqlCommand($"SELECT max(version) FROM \"{schema.Replace("\"", "\"\"", StringComparison.Ordinal)}\".\"schema\"", connection);
            var reached = await read.ExecuteScalarAsync(ct) is int v ? v : 0;
            if (reached >= wanted) return;
            if (attempt == 5)
                throw new InvalidOperationException(
                    $"Hangfire's schema \"{schema}\" stopped at version {reached}; this Hangfire.PostgreSql needs {wanted}. Its installer logged why (\"Error while executing install/upgrade\").");
            logger.LogWarning("Hangfire's schema {Schema} reached version {Reached} of {Wanted}: installing again ({Attempt}/5)", schema, reached, wanted, attempt);
            await Task.Delay(TimeSpan.FromSeconds(attempt), ct);
        }
    }

    private sealed class OwnerConnections(string connectionString) : IConnectionFactory
    {
        public NpgsqlConnection GetOrCreateConnection() => new(connectionString);
    }
}

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
        return Migrator.ApplyAsync(owner, logger, (_, _) =>
        {
            // Hangfire installs (and upgrades) its schema when a storage is built with PrepareSchemaIfNecessary.
            _ = new PostgreSqlStorage(new OwnerConnections(owner), new PostgreSqlStorageOptions { SchemaName = schema, PrepareSchemaIfNecessary = true });
            return Task.CompletedTask;
        }, ct);
    }

    private sealed class OwnerConnections(string connectionString) : IConnectionFactory
    {
        public NpgsqlConnection GetOrCreateConnection() => new(connectionString);
    }
}

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
public sealed partial class MigrateOnStart(IConfiguration configuration, ILogger<MigrateOnStart> logger, NpgsqlDataSource db, FeedCatalog feeds,
    ILoggerFactory loggerFactory) : IHostedService
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
            {
                // Hangfire's installer takes its logger from Hangfire's process-wide log provider the first time it runs, before
                // this host's Hangfire configuration sets that provider: set it first (HangfireLogs outlives the host).
                Hangfire.GlobalConfigurationExtensions.UseLogProvider(Hangfire.GlobalConfiguration.Configuration, HangfireLogs.For(loggerFactory));
                await WorkersMigration.ApplyAsync(configuration, logger, ct);
            }
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
    /// Hangfire's schema, installed (and upgraded) by the package's own installer, one script per version. Not through
    /// <c>new PostgreSqlStorage(…, PrepareSchemaIfNecessary)</c>: that constructor retries six times over ~30 s and
    /// then starts "degraded", swallowing why — seen in CI as every host failing later on <c>hangfire.schema</c> with
    /// the cause lost. Called directly the installer throws; a fault that waiting can fix (a serialization failure, a
    /// dropped connection) is tried again, anything else stops the migration with PostgreSQL's own message.
    /// </summary>
    private static async Task InstallHangfireAsync(string owner, string schema, ILogger logger, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(owner);
                await connection.OpenAsync(ct);
                PostgreSqlObjectsInstaller.Install(connection, schema);
                return;
            }
            catch (Exception ex) when (attempt < 5 && TransientFaults.IsTransient(ex))
            {
                logger.LogWarning("Installing Hangfire's schema {Schema} failed ({Reason}): trying again ({Attempt}/5)", schema, ex.Message, attempt);
                await Task.Delay(TimeSpan.FromSeconds(attempt), ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new InvalidOperationException($"Could not install Hangfire's schema \"{schema}\": {ex.Message}", ex);
            }
        }
    }
}

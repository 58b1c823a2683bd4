using Npgsql;
using Registry.Feeds;
using Registry.Storage;

namespace Registry.Ingest.Storage;

/// <summary>
/// Applies pending migrations before the bus and the inbox start (registered first, so it runs
/// first). Off with <c>Registry:MigrateOnStart=false</c> when a deploy step migrates instead.
/// Then, always, the feeds' residence flags the database reads (<see cref="FeedRegistry"/>).
/// </summary>
public sealed class MigrateOnStart(IConfiguration configuration, ILogger<MigrateOnStart> logger, NpgsqlDataSource db, FeedCatalog feeds) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (configuration.GetValue("Registry:MigrateOnStart", true))
            await Migrator.ApplyAsync(RegistryStorage.RequireConnectionString(configuration), logger, cancellationToken);
        await FeedRegistry.SyncAsync(db, feeds, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

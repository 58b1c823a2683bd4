using Registry.Storage;

namespace Registry.Ingest.Storage;

/// <summary>
/// Applies pending migrations before the bus and the inbox start (registered first, so it runs
/// first). Off with <c>Registry:MigrateOnStart=false</c> when a deploy step migrates instead.
/// </summary>
public sealed class MigrateOnStart(IConfiguration configuration, ILogger<MigrateOnStart> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!configuration.GetValue("Registry:MigrateOnStart", true)) return;
        await Migrator.ApplyAsync(RegistryStorage.RequireConnectionString(configuration), logger, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

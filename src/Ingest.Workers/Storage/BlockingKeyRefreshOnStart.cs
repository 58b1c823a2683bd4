using Npgsql;
using Registry.Matching;

namespace Registry.Ingest.Storage;

/// <summary>
/// After the migrations, brings the stored records' blocking keys up to this code's scheme in the
/// background (<see cref="BlockingKeyRefresh"/>): a no-op once the registry is current; after an
/// upgrade that added keys, old records become reachable through them. Resolution runs meanwhile.
/// </summary>
public sealed class BlockingKeyRefreshOnStart(NpgsqlDataSource dataSource, ILogger<BlockingKeyRefreshOnStart> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await new BlockingKeyRefresh(dataSource, logger).RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            logger.LogInformation("Blocking keys: refresh interrupted by shutdown; it starts over on the next start");
        }
        catch (NpgsqlException e)
        {
            logger.LogError(e, "Blocking keys: refresh failed; records stored before the upgrade are not found through the new keys until the next start");
        }
    }
}

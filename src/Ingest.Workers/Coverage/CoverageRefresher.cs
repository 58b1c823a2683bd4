using Npgsql;
using Registry.ServiceDefaults;

namespace Registry.Ingest.Coverage;

/// <summary>
/// Refreshes, every <c>Coverage:RefreshInterval</c> (default 10 s), the coverage of households marked by changes no chunk
/// completion follows — a steward's merge, split or residence decision. Chunks refresh their own in
/// their completion. Any replica may run it: the refresh takes one advisory lock, so replicas take turns. A failure
/// (PostgreSQL away) is logged and tried again at the next tick; the marks stay until a refresh succeeds.
/// </summary>
public sealed partial class CoverageRefresher(NpgsqlDataSource db, IConfiguration configuration, ILogger<CoverageRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue("Coverage:RefreshInterval", TimeSpan.FromSeconds(10));
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var connection = await db.OpenConnectionAsync(stoppingToken);
                await using var tx = await connection.BeginTransactionAsync(stoppingToken);
                await using var refresh = new NpgsqlCommand(global::Registry.Coverage.CoverageRefresh.PendingSql, connection, tx);
                var households = (int)(await refresh.ExecuteScalarAsync(stoppingToken))!;
                await tx.CommitAsync(stoppingToken);
                if (households > 0) LogRefreshed(households);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                if (TransientFaults.IsTransient(ex)) LogWaiting(ex.Message);
                else LogFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Coverage refreshed for {Households} household(s) changed outside resolution")]
    private partial void LogRefreshed(int households);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Coverage refresh waits for PostgreSQL ({Reason}); trying again at the next tick")]
    private partial void LogWaiting(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Coverage refresh failed; the marked households stay marked and are tried again at the next tick")]
    private partial void LogFailed(Exception exception);
}

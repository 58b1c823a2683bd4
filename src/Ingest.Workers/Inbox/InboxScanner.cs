using Microsoft.Extensions.Options;
using Registry.Feeds;

namespace Registry.Ingest.Inbox;

/// <summary>
/// Watches one inbox folder per csv-drop feed (file-system notifications plus a periodic scan
/// as fallback) and hands each complete file to <see cref="ExtractIntake"/>. Files named
/// *.part / *.tmp or starting with '.' are still being written and are left alone.
/// </summary>
public sealed partial class InboxScanner(
    FeedCatalog feeds,
    ExtractIntake intake,
    IOptions<InboxOptions> options,
    ILogger<InboxScanner> logger) : BackgroundService
{
    private readonly SemaphoreSlim _signal = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var root = Path.GetFullPath(options.Value.Root);
        Directory.CreateDirectory(root); // also when every feed is pulled from an API (no inbox sub-folder)
        foreach (var feed in feeds.All.Where(f => f.Kind == "csv-drop"))
            Directory.CreateDirectory(Path.Combine(root, feed.Code));
        LogWatching(root);

        using var watcher = new FileSystemWatcher(root) { IncludeSubdirectories = true, EnableRaisingEvents = true };
        watcher.Created += (_, _) => _signal.Release();
        watcher.Renamed += (_, _) => _signal.Release();
        watcher.Changed += (_, _) => _signal.Release();

        await intake.RecoverUnfinishedAsync(stoppingToken);
        var nextStallCheck = DateTime.UtcNow + StallCheckInterval();

        while (!stoppingToken.IsCancellationRequested)
        {
            var waitFor = options.Value.ScanInterval;
            try
            {
                if (DateTime.UtcNow >= nextStallCheck)
                {
                    nextStallCheck = DateTime.UtcNow + StallCheckInterval();
                    await intake.ResendStalledAsync(stoppingToken);
                }
                var unsettled = await ScanOnceAsync(root, stoppingToken);
                if (unsettled) waitFor = TimeSpan.FromMilliseconds(Math.Min(waitFor.TotalMilliseconds, options.Value.SettleTime.TotalMilliseconds / 2));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogScanFailed(ex);
            }
            try
            {
                await _signal.WaitAsync(waitFor, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private TimeSpan StallCheckInterval() =>
        TimeSpan.FromTicks(Math.Min(options.Value.StalledExtractAfter.Ticks, TimeSpan.FromSeconds(30).Ticks));

    /// <returns>True when some file is not settled yet (so the next scan comes sooner).</returns>
    private async Task<bool> ScanOnceAsync(string root, CancellationToken ct)
    {
        var unsettled = false;
        foreach (var feed in feeds.All.Where(f => f.Kind == "csv-drop"))
        {
            var folder = Path.Combine(root, feed.Code);
            if (!Directory.Exists(folder)) continue;
            foreach (var path in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(path);
                if (name.StartsWith('.') || name.EndsWith(".part", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase))
                    continue;
                var info = new FileInfo(path);
                if (DateTime.UtcNow - info.LastWriteTimeUtc < options.Value.SettleTime)
                {
                    unsettled = true;
                    continue;
                }
                try
                {
                    await intake.ReceiveAsync(feed, path, ct);
                }
                catch (IOException ex)
                {
                    // Locked or vanished (another replica took it): the next scan decides.
                    LogFileSkipped(path, ex.Message);
                }
            }
        }
        return unsettled;
    }

    public override void Dispose()
    {
        _signal.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching agency inboxes under {Root}")]
    private partial void LogWatching(string root);

    [LoggerMessage(Level = LogLevel.Error, Message = "Inbox scan failed; retrying at the next scan")]
    private partial void LogScanFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped {Path} for now: {Reason}")]
    private partial void LogFileSkipped(string path, string reason);
}

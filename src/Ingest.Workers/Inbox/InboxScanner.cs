using Microsoft.Extensions.Options;
using Registry.Feeds;
using Registry.ServiceDefaults;

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

        // Unfinished parses and stalled extracts are taken up at start and then periodically (a busy system, a
        // server that was away), each leased so that of several replicas one does it; a failure waits for the next round.
        var nextRecovery = DateTime.UtcNow;

        var outageWait = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            var waitFor = options.Value.ScanInterval;
            try
            {
                if (DateTime.UtcNow >= nextRecovery)
                {
                    nextRecovery = DateTime.UtcNow + RecoveryInterval();
                    await intake.RecoverUnfinishedAsync(stoppingToken);
                    await intake.ResendStalledAsync(stoppingToken);
                }
                var unsettled = await ScanOnceAsync(root, stoppingToken);
                outageWait = TimeSpan.Zero;
                if (unsettled) waitFor = TimeSpan.FromMilliseconds(Math.Min(waitFor.TotalMilliseconds, options.Value.SettleTime.TotalMilliseconds / 2));
            }
            catch (Exception ex) when (TransientFaults.IsTransient(ex))
            {
                // The database or broker is away: files stay in the inbox, parses are taken up again when it is back.
                outageWait = outageWait == TimeSpan.Zero ? options.Value.ScanInterval : TimeSpan.FromTicks(Math.Min(outageWait.Ticks * 2, MaxOutageWait.Ticks));
                waitFor = outageWait;
                LogWaiting(ex.GetType().Name, ex.Message, outageWait);
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

    private static readonly TimeSpan MaxOutageWait = TimeSpan.FromSeconds(30);

    /// <summary>A file a replica took from the inbox and is receiving: <c>.taken-&lt;32 hex&gt;-&lt;agency's file name&gt;</c>.</summary>
    private const string TakenPrefix = ".taken-";

    /// <summary>A taken file still there this long after it was taken belongs to a replica that died while receiving it.</summary>
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(30);

    private void ReleaseIfAbandoned(string path, string folder)
    {
        try
        {
            if (DateTime.UtcNow - File.GetLastWriteTimeUtc(path) < AbandonedAfter) return;
            var original = Path.GetFileName(path)[(TakenPrefix.Length + 33)..];
            File.Move(path, Path.Combine(folder, original));
            LogReleased(original);
        }
        catch (Exception ex) when (ex is IOException or ArgumentOutOfRangeException)
        {
            LogFileSkipped(path, ex.Message);
        }
    }

    private TimeSpan RecoveryInterval() =>
        TimeSpan.FromTicks(Math.Min(options.Value.StalledExtractAfter.Ticks, TimeSpan.FromSeconds(30).Ticks));

    // The inbox's list of complete files as last seen, since when it has not changed, and since when it keeps changing.
    private string? _listing;
    private DateTime _listingSince;
    private DateTime? _changingSince;

    /// <summary>How long files may keep arriving before a scan registers what is there anyway: a busy inbox is never starved.</summary>
    private TimeSpan MaxBatchWait => options.Value.SettleTime * 10;

    /// <returns>True when some file is not settled yet (so the next scan comes sooner).</returns>
    /// <remarks>
    /// Files that arrive together are registered in one order — the feeds', then by file name — whatever the moment each
    /// landed: nothing is taken until the inbox's list of complete files (and of files still being written) has stayed the
    /// same for <see cref="InboxOptions.SettleTime"/>, or has kept changing for <see cref="MaxBatchWait"/>. Registration
    /// order is resolution order (<c>Resolution:Order=canonical</c>), so a batch dropped twice gives the same persons.
    /// </remarks>
    private async Task<bool> ScanOnceAsync(string root, CancellationToken ct)
    {
        var unsettled = false;
        var arriving = false;
        var ready = new List<(FeedDefinition Feed, string Folder, string Path)>();
        foreach (var feed in feeds.All.Where(f => f.Kind == "csv-drop"))
        {
            var folder = Path.Combine(root, feed.Code);
            if (!Directory.Exists(folder)) continue;
            foreach (var path in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(path);
                if (name.StartsWith(TakenPrefix, StringComparison.Ordinal))
                {
                    ReleaseIfAbandoned(path, folder);
                    continue;
                }
                if (name.EndsWith(".part", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase))
                {
                    arriving = true;
                    continue;
                }
                if (name.StartsWith('.')) continue;
                if (DateTime.UtcNow - new FileInfo(path).LastWriteTimeUtc < options.Value.SettleTime)
                {
                    unsettled = true;
                    continue;
                }
                ready.Add((feed, folder, path));
            }
        }
        var listing = string.Join('\n', ready.Select(r => r.Path)) + (arriving || unsettled ? "\n…" : "");
        var now = DateTime.UtcNow;
        if (listing != _listing)
        {
            _listing = listing;
            _listingSince = now;
            _changingSince ??= now;
        }
        if (ready.Count > 0 && now - _listingSince < options.Value.SettleTime && now - _changingSince < MaxBatchWait) return true;
        _changingSince = null;

        foreach (var (feed, folder, path) in ready)
        {
            var name = Path.GetFileName(path);
            // Take the file first, by an atomic rename no other replica scanning this folder can also win;
            // until it is registered it waits under the hidden name, then goes back if receiving failed.
            var taken = Path.Combine(folder, $"{TakenPrefix}{Guid.NewGuid():N}-{name}");
            try
            {
                File.Move(path, taken);
                File.SetLastWriteTimeUtc(taken, DateTime.UtcNow);
            }
            catch (IOException ex)
            {
                LogFileSkipped(path, ex.Message); // vanished: another replica took it
                continue;
            }
            try
            {
                await intake.ReceiveAsync(feed, taken, name, ct);
            }
            catch
            {
                if (File.Exists(taken)) File.Move(taken, path);
                throw;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbox scan waits for the database or broker ({Error}: {Message}); next try in {Wait}")]
    private partial void LogWaiting(string error, string message, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Error, Message = "Inbox scan failed; retrying at the next scan")]
    private partial void LogScanFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{FileName} was taken by a worker that stopped before receiving it: put back in the inbox")]
    private partial void LogReleased(string fileName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped {Path} for now: {Reason}")]
    private partial void LogFileSkipped(string path, string reason);
}

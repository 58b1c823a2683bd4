using System.Threading.Channels;
using Registry.Feeds;
using Registry.Ingest.Inbox;

namespace Registry.Ingest.Upload;

/// <summary>
/// Parses uploaded extracts after the upload has been answered, one at a time. Registered
/// extracts are durable: one still waiting when the process stops is re-parsed on start
/// (see <see cref="ExtractIntake.RecoverUnfinishedAsync"/>).
/// </summary>
public sealed partial class UploadedExtractParser(ExtractIntake intake, ILogger<UploadedExtractParser> logger) : BackgroundService
{
    private readonly Channel<(Guid ExtractId, FeedDefinition Feed, string ArchivePath)> _pending =
        Channel.CreateUnbounded<(Guid, FeedDefinition, string)>(new UnboundedChannelOptions { SingleReader = true });

    public void Enqueue(Guid extractId, FeedDefinition feed, string archivePath) =>
        _pending.Writer.TryWrite((extractId, feed, archivePath));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (id, feed, path) in _pending.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await intake.ParseAndQueueAsync(id, feed, path, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogParseFailed(ex, id);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Parsing uploaded extract {ExtractId} failed; it is parsed again when the workers restart")]
    private partial void LogParseFailed(Exception ex, Guid extractId);
}

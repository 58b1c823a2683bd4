using Hangfire;
using Hangfire.Storage;
using Registry.Feeds;

namespace Registry.Ingest.Jobs;

/// <summary>
/// At start-up, makes Hangfire's recurring jobs match the feed definitions: one per api-pull feed
/// on its <c>api.schedule</c> (UTC), and none left for a feed that is gone or no longer pulled
/// (or for any feed while <c>Hangfire:RecurringPulls</c> is false).
/// </summary>
public sealed partial class ApiPullSchedules(
    FeedCatalog feeds, IRecurringJobManager recurring, JobStorage storage, HangfireOptions options, ILogger<ApiPullSchedules> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var feed in feeds.All.Where(f => f.Kind == FeedKinds.ApiPull && options.RecurringPulls))
        {
            var id = ApiPullJob.RecurringId(feed.Code);
            wanted.Add(id);
            var code = feed.Code;
            recurring.AddOrUpdate<ApiPullJob>(id, ApiPullJob.Queue, job => job.RunAsync(code, CancellationToken.None), feed.Api!.Schedule,
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
            LogScheduled(feed.Code, feed.Api.Schedule);
        }
        using var connection = storage.GetConnection();
        foreach (var stale in connection.GetRecurringJobs().Where(j => j.Id.StartsWith("api-pull:", StringComparison.Ordinal) && !wanted.Contains(j.Id)))
        {
            recurring.RemoveIfExists(stale.Id);
            LogRemoved(stale.Id);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Feed {Feed} is pulled on schedule '{Cron}' (UTC)")]
    private partial void LogScheduled(string feed, string cron);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed recurring job {Id}: its feed is no longer pulled on a schedule")]
    private partial void LogRemoved(string id);
}

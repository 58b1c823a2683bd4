using System.ComponentModel;
using Hangfire;
using Registry.Feeds;
using Registry.Ingest.Feeds;

namespace Registry.Ingest.Jobs;

/// <summary>
/// The Hangfire job that pulls one api-pull feed (recurring on the feed's <c>api.schedule</c>, or
/// enqueued on demand). One pull per feed at a time (a distributed lock per feed code; the cursor's
/// compare-and-set guards the rest). No automatic Hangfire retry: HTTP faults are already retried
/// with back-off, and a failed run is retried by the next scheduled one, from the cursor.
/// </summary>
public sealed class ApiPullJob(FeedCatalog feeds, ApiPuller puller)
{
    public const string Queue = "api-pulls";

    public static string RecurringId(string feedCode) => $"api-pull:{feedCode}";

    [DisplayName("Pull feed {0}")]
    [DisableConcurrentExecution("api-pull:{0}", 30)]
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public Task<ApiPullResult> RunAsync(string feedCode, CancellationToken cancellationToken)
    {
        var feed = feeds.Find(feedCode) ?? throw new ApiPullException($"Feed '{feedCode}' is not defined (any more).");
        return puller.PullAsync(feed, cancellationToken);
    }
}

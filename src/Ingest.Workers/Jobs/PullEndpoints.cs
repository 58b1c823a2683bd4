using Hangfire;
using Registry.Extracts;
using Registry.Feeds;
using Registry.ServiceDefaults;

namespace Registry.Ingest.Jobs;

/// <summary>
/// Operator endpoints of the workers host, local requests only: <c>POST /feeds/{feed}/pull</c>
/// enqueues a pull now (besides the schedule), <c>GET /feeds/{feed}/pull</c> shows the cursor.
/// </summary>
public static class PullEndpoints
{
    public static void MapPulls(this WebApplication app)
    {
        app.MapPost("/feeds/{feed}/pull", (string feed, HttpContext http, FeedCatalog feeds, IBackgroundJobClient jobs) =>
        {
            if (Check(feed, http, feeds) is { } refused) return refused;
            var jobId = jobs.Enqueue<ApiPullJob>(ApiPullJob.Queue, job => job.RunAsync(feed, CancellationToken.None));
            return Results.Accepted($"/feeds/{feed}/pull", new { jobId, feed, dashboardOnApiHost = $"/hangfire/jobs/details/{jobId}" });
        }).WithName("TriggerPull");

        app.MapGet("/feeds/{feed}/pull", async (string feed, HttpContext http, FeedCatalog feeds, ApiPullCursorStore cursors, CancellationToken ct) =>
            Check(feed, http, feeds) ?? (await cursors.FindAsync(feed, ct) is { } cursor ? Results.Ok(cursor) : Results.Ok(new { feed, cursor = (string?)null, pagesRegistered = 0 })))
            .WithName("GetPullCursor");
    }

    private static IResult? Check(string feed, HttpContext http, FeedCatalog feeds)
    {
        if (!LocalRequests.IsLocal(http))
            return Results.Problem("Pull triggers answer local requests only.", statusCode: StatusCodes.Status403Forbidden);
        if (feeds.Find(feed) is not { } definition)
            return Results.Problem($"Unknown feed '{feed}'.", statusCode: StatusCodes.Status404NotFound);
        if (definition.Kind != FeedKinds.ApiPull)
            return Results.Problem($"Feed '{feed}' is a {definition.Kind} feed; only api-pull feeds are pulled.", statusCode: StatusCodes.Status409Conflict);
        return null;
    }
}

using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Registry.Extracts;
using Registry.Feeds;
using Registry.Ingest.Inbox;

namespace Registry.Ingest.Feeds;

/// <summary>How one run of a pull ended.</summary>
public sealed record ApiPullResult(string FeedCode, int Pages, int NewExtracts, int DuplicatePages, int Records, string? Cursor, bool Completed);

/// <summary>
/// Where an agency API is pulled. Pages through the feed's REST API from its persisted cursor;
/// each page is archived content-addressed and registered as an extract in the same transaction
/// that moves the cursor past it, then read and queued by <see cref="ExtractIntake"/> like any CSV
/// extract. So a crash never loses a page (the registered page is re-parsed from the archive on
/// start) and never applies one twice (the cursor has already moved; the same bytes again are a
/// duplicate). A malformed page is kept as a rejected extract and stops the run with the cursor
/// still on it: later pages are only requested once it is fixed, so nothing is skipped.
/// </summary>
public sealed partial class ApiPuller(
    IHttpClientFactory httpClients,
    IConfiguration configuration,
    ExtractIntake intake,
    ApiPullCursorStore cursors,
    IOptions<ApiPullOptions> options,
    ILogger<ApiPuller> logger)
{
    /// <summary>Named HttpClient carrying the resilience pipeline (section <c>ApiPull:Http</c>).</summary>
    public const string HttpClientName = "agency-api";

    public async Task<ApiPullResult> PullAsync(FeedDefinition feed, CancellationToken ct)
    {
        var api = feed.Api ?? throw new ApiPullException($"Feed '{feed.Code}' is a {feed.Kind} feed, not api-pull.");
        var state = await cursors.GetOrCreateAsync(feed.Code, api.Paging, ct);
        try
        {
            return await RunAsync(feed, api, state.Cursor, ct);
        }
        catch (ApiPullException ex)
        {
            await cursors.RecordErrorAsync(feed.Code, ex.Message, CancellationToken.None);
            LogPullStopped(feed.Code, ex.Message);
            throw;
        }
    }

    private async Task<ApiPullResult> RunAsync(FeedDefinition feed, ApiPullSettings api, string? cursor, CancellationToken ct)
    {
        var baseUrl = Setting(api.BaseUrlSetting, feed, "the API's base URL");
        var secret = api.Auth is { } auth ? Setting(auth.SecretSetting, feed, $"the credential sent in {auth.Header}") : null;
        // Page extracts are named by run start and page number (the report shows the feed already).
        var run = DateTime.UtcNow.ToString("yyyyMMdd'-'HHmmss", CultureInfo.InvariantCulture);
        LogPullStarting(feed.Code, cursor ?? "(start)");
        int pages = 0, fresh = 0, duplicates = 0, records = 0;
        while (pages < options.Value.MaxPagesPerRun)
        {
            ct.ThrowIfCancellationRequested();
            pages++;
            var archived = await FetchAsync(feed, api, baseUrl, secret, cursor, ct);
            var fileName = $"{run}-p{pages:D3}.json";

            ApiPage page;
            try
            {
                page = ApiPageReader.CheckPage(archived.Path, feed, cursor);
            }
            catch (ExtractFileException ex)
            {
                // Kept as a rejected extract so the agency sees what it sent; the cursor stays on this page.
                var rejected = await intake.RegisterArchivedAsync(feed, archived, fileName, alsoInTransaction: null, ct);
                if (!rejected.Duplicate) await intake.ParseAndQueueAsync(rejected.ExtractId, feed, rejected.ArchivePath, ct);
                throw new ApiPullException(
                    $"Page {pages} of feed '{feed.Code}' (cursor {Show(cursor)}) was rejected: {ex.Message} " +
                    $"Extract {rejected.ExtractId} records it. The cursor stays on this page; the next run requests it again.");
            }

            if (page.Records == 0)
            {
                // Nothing to apply: no extract. A page-token API may still name a next page.
                var next = page.Last ? (api.Paging == ApiPaging.PageToken ? null : cursor) : page.NextCursor;
                await cursors.AdvanceAsync(feed.Code, cursor, next, runCompleted: page.Last, ct);
                cursor = next;
                if (page.Last) return Done(completed: true);
                continue;
            }

            var nextCursor = api.Paging == ApiPaging.PageToken && page.Last ? null : page.NextCursor;
            var expected = cursor;
            var received = await intake.RegisterArchivedAsync(feed, archived, fileName,
                (tx, extractId, _, c) => ApiPullCursorStore.AdvanceAsync(tx, feed.Code, expected, nextCursor, extractId, page.Last, c), ct);
            cursor = nextCursor;
            records += page.Records;
            if (received.Duplicate)
            {
                duplicates++;
            }
            else
            {
                fresh++;
                await intake.ParseAndQueueAsync(received.ExtractId, feed, received.ArchivePath, ct);
            }
            if (page.Last) return Done(completed: true);
        }
        LogPageLimit(feed.Code, options.Value.MaxPagesPerRun);
        return Done(completed: false);

        ApiPullResult Done(bool completed)
        {
            var result = new ApiPullResult(feed.Code, pages, fresh, duplicates, records, cursor, completed);
            LogPullFinished(feed.Code, pages, fresh, duplicates, records, cursor ?? "(start)");
            return result;
        }
    }

    private async Task<ExtractIntake.Archived> FetchAsync(
        FeedDefinition feed, ApiPullSettings api, string baseUrl, string? secret, string? cursor, CancellationToken ct)
    {
        var query = $"{api.PageSizeParameter}={api.PageSize.ToString(CultureInfo.InvariantCulture)}";
        if (cursor is not null)
        {
            var parameter = api.Paging == ApiPaging.PageToken ? api.PageTokenParameter : api.UpdatedSinceParameter;
            query += $"&{parameter}={Uri.EscapeDataString(cursor)}";
        }
        var uri = new Uri($"{baseUrl.TrimEnd('/')}{api.Path}?{query}", UriKind.Absolute);
        var client = httpClients.CreateClient(HttpClientName);
        var target = uri;
        HttpResponseMessage response;
        for (var hops = 0; ; hops++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, target);
            request.Headers.Accept.ParseAdd("application/json");
            if (api.Auth is { } auth) request.Headers.TryAddWithoutValidation(auth.Header, secret);
            try
            {
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            }
            catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException
                                           || (ex is TaskCanceledException && !ct.IsCancellationRequested))
            {
                throw new ApiPullException($"The agency API of feed '{feed.Code}' did not answer {target.GetLeftPart(UriPartial.Path)} after retries: {ex.Message}", ex);
            }
            if (RedirectTarget(response, target) is not { } next) break;
            response.Dispose();
            // The client follows no redirect by itself (HttpClient would resend custom headers such as
            // X-Api-Key to any host): same-origin hops are followed here, anything else is refused.
            if (!SameOrigin(next, uri))
                throw new ApiPullException(
                    $"The agency API of feed '{feed.Code}' redirected {target.GetLeftPart(UriPartial.Path)} to another origin ({next.GetLeftPart(UriPartial.Authority)}): " +
                    $"not followed, so the credential{(api.Auth is { } a ? $" in {a.Header}" : "")} was not sent there. " +
                    $"If the agency moved its API, set '{api.BaseUrlSetting}' to the new address.");
            if (hops == MaxRedirects)
                throw new ApiPullException($"The agency API of feed '{feed.Code}' redirected more than {MaxRedirects} times from {uri.GetLeftPart(UriPartial.Path)}.");
            target = next;
        }
        using (response)
        {
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                throw new ApiPullException(
                    $"The agency API of feed '{feed.Code}' refused the credentials ({(int)response.StatusCode} {response.StatusCode}): " +
                    $"check the value of setting '{api.Auth?.SecretSetting ?? "(none: the feed sends no credential)"}'.");
            if (!response.IsSuccessStatusCode)
                throw new ApiPullException(
                    $"The agency API of feed '{feed.Code}' answered {(int)response.StatusCode} {response.StatusCode} for {uri.GetLeftPart(UriPartial.Path)} after retries.");
            if (response.Content.Headers.ContentLength > options.Value.MaxPageBytes)
                throw new ApiPullException($"A page of feed '{feed.Code}' is larger than ApiPull:MaxPageBytes ({options.Value.MaxPageBytes:N0} bytes).");

            using var readTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            readTimeout.CancelAfter(options.Value.PageReadTimeout);
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(readTimeout.Token);
                return await intake.ArchiveAsync(feed, body, ".json", options.Value.MaxPageBytes, readTimeout.Token);
            }
            catch (ExtractTooLargeException)
            {
                throw new ApiPullException($"A page of feed '{feed.Code}' is larger than ApiPull:MaxPageBytes ({options.Value.MaxPageBytes:N0} bytes).");
            }
            catch (Exception ex) when (!ct.IsCancellationRequested && ex is OperationCanceledException or HttpRequestException or IOException)
            {
                throw new ApiPullException($"Reading a page of feed '{feed.Code}' failed: {ex.Message}", ex);
            }
        }
    }

    /// <summary>Redirects followed within the API's own origin (e.g. a trailing slash or a new version path).</summary>
    private const int MaxRedirects = 5;

    private static Uri? RedirectTarget(HttpResponseMessage response, Uri requested) =>
        (int)response.StatusCode is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location
            ? location.IsAbsoluteUri ? location : new Uri(requested, location)
            : null;

    /// <summary>Scheme, host and port: an https API redirecting to http, or to another port, is another origin too.</summary>
    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    private string Setting(string key, FeedDefinition feed, string what) =>
        configuration[key] is { Length: > 0 } value
            ? value
            : throw new ApiPullException($"Setting '{key}' ({what} for feed '{feed.Code}', named in {Path.GetFileName(feed.SourceFile)}) is not set.");

    private static string Show(string? cursor) => cursor is null ? "at the start" : $"'{cursor}'";

    [LoggerMessage(Level = LogLevel.Information, Message = "Pulling feed {Feed} from cursor {Cursor}")]
    private partial void LogPullStarting(string feed, string cursor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pulled feed {Feed}: {Pages} pages, {NewExtracts} new extracts, {Duplicates} duplicate pages, {Records} records; cursor now {Cursor}")]
    private partial void LogPullFinished(string feed, int pages, int newExtracts, int duplicates, int records, string cursor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pull of feed {Feed} stopped after {Pages} pages (ApiPull:MaxPagesPerRun); the next run continues from the cursor")]
    private partial void LogPageLimit(string feed, int pages);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pull of feed {Feed} stopped: {Reason}")]
    private partial void LogPullStopped(string feed, string reason);
}

/// <summary>A pull that cannot go on (setting missing, API refusing or failing after retries, malformed page); the cursor stays put.</summary>
public sealed class ApiPullException : Exception
{
    public ApiPullException(string message) : base(message) { }
    public ApiPullException(string message, Exception inner) : base(message, inner) { }
}

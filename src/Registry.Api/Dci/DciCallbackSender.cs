using System.Text;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Registry.Api.Dci;

/// <summary>
/// Posts queued DCI callbacks (on-search, on-subscribe, on-unsubscribe, txn-on-status, notify) in the background, so a
/// request never waits for a partner's server. A callback that fails (no answer, not 2xx) is tried again with back-off
/// (2 s, 4 s, 8 s … up to <see cref="DciOptions.MaxBackoff"/>) and given up after <see cref="DciOptions.CallbackMaxAttempts"/>
/// (<c>failed_at</c>, with the last error). Due rows are locked while posted (<c>FOR UPDATE SKIP LOCKED</c>): several API
/// replicas share the queue, each callback posted by one. Each pass also runs the <see cref="DciNotifier"/>.
/// </summary>
public sealed partial class DciCallbackSender(NpgsqlDataSource db, IHttpClientFactory http, DciNotifier notifier, IOptions<DciOptions> options,
    ILogger<DciCallbackSender> logger) : BackgroundService
{
    public const string HttpClientName = "dci-callbacks";
    private const int Batch = 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var busy = false;
            try
            {
                busy |= await notifier.RunOnceAsync(stoppingToken);
                busy |= await DeliverDueAsync(stoppingToken) > 0;
                if (DateTime.UtcNow >= _nextCleanup)
                {
                    await ForgetOldExchangesAsync(stoppingToken);
                    _nextCleanup = DateTime.UtcNow.AddMinutes(10);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The database away, say: the queue waits in the database and is worked again on the next pass.
                LogPassFailed(logger, ex);
            }
            if (!busy) await Task.Delay(options.Value.PollInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private DateTime _nextCleanup = DateTime.MinValue;

    /// <summary>
    /// Deletes transactions and finished callbacks older than <see cref="DciOptions.Retention"/>: a stored search response is
    /// personal data kept only so its sender can ask txn/status about it (data minimisation); the reads themselves stay in the
    /// access log, which is never deleted here.
    /// </summary>
    public async Task ForgetOldExchangesAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM dci_transactions WHERE created_at < now() - @retention;
            DELETE FROM dci_callbacks WHERE created_at < now() - @retention AND (delivered_at IS NOT NULL OR failed_at IS NOT NULL);
            """, new { retention = options.Value.Retention }, cancellationToken: ct));
    }

    /// <summary>Posts the due callbacks (at most <see cref="Batch"/>, side by side); how many it tried.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var due = (await connection.QueryAsync<(long Id, string Uri, string Payload, int Attempts)>(new CommandDefinition(
            """
            SELECT id, uri, payload::text, attempts FROM dci_callbacks
             WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
             ORDER BY id LIMIT @batch FOR UPDATE SKIP LOCKED
            """, new { batch = Batch }, tx, cancellationToken: ct))).AsList();
        if (due.Count == 0) return 0;
        var client = http.CreateClient(HttpClientName);
        var outcomes = await Task.WhenAll(due.Select(async d =>
        {
            try
            {
                using var content = new StringContent(d.Payload, Encoding.UTF8, "application/json");
                using var response = await client.PostAsync(new Uri(d.Uri), content, ct);
                return (d.Id, d.Attempts, Error: response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                return (d.Id, d.Attempts, Error: ex.Message);
            }
        }));
        foreach (var (id, attempts, error) in outcomes)
        {
            if (error is null)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE dci_callbacks SET delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = @id", new { id }, tx, cancellationToken: ct));
                continue;
            }
            var failed = attempts + 1 >= options.Value.CallbackMaxAttempts;
            var wait = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, attempts + 1), options.Value.MaxBackoff.TotalSeconds));
            await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE dci_callbacks SET attempts = attempts + 1, last_error = @error, next_attempt_at = now() + @wait,
                       failed_at = CASE WHEN @failed THEN now() END
                 WHERE id = @id
                """, new { id, error = error.Length > 500 ? error[..500] : error, wait, failed }, tx, cancellationToken: ct));
            LogCallbackFailed(logger, id, attempts + 1, error, failed);
        }
        await tx.CommitAsync(ct);
        return due.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "DCI callback pass failed; retrying on the next pass")]
    private static partial void LogPassFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DCI callback {Id} attempt {Attempt} failed: {Error} (given up: {GivenUp})")]
    private static partial void LogCallbackFailed(ILogger logger, long id, int attempt, string error, bool givenUp);
}

using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;
using Registry.Contracts;
using Registry.ServiceDefaults;

namespace Registry.Ingest.Events;

/// <summary>Settings of section <c>Events</c>.</summary>
public sealed class EventsOptions
{
    /// <summary>Publish the registry's domain events (docs/events.md); off leaves them in the outbox table.</summary>
    public bool Publish { get; set; } = true;

    /// <summary>How often the outbox is looked at when it was empty.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Events published per transaction.</summary>
    public int BatchSize { get; set; } = 100;
}

/// <summary>
/// Publishes the domain events the database wrote into <c>outbox_events</c>, oldest first,
/// then marks them published in the same transaction that locked them (<c>FOR UPDATE SKIP LOCKED</c>: several
/// replicas relay side by side, each event by one). Each is published with its <c>event_id</c> as MessageId and
/// awaits the broker's confirm; a relay that dies between publishing and marking publishes the batch again with
/// the same MessageIds, so subscribers apply each event once by its id. A failure (database or broker away)
/// waits and tries again.
/// </summary>
public sealed partial class OutboxRelay(NpgsqlDataSource db, IBus publish, IOptions<EventsOptions> options, ILogger<OutboxRelay> logger)
    : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The event types the outbox holds, by the name its triggers write.</summary>
    public static readonly IReadOnlyDictionary<string, Type> Types = new[]
    {
        typeof(ExtractResolved), typeof(PersonsCreated), typeof(PersonsMerged), typeof(PersonSplit),
        typeof(HouseholdMembershipChanged), typeof(ServicesRecorded),
    }.ToDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>Tests: runs after a batch was published and before it is marked (a crash there publishes it again).</summary>
    public Func<Task>? AfterPublishBeforeMark { get; set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Publish) return;
        var wait = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var published = await PublishBatchAsync(stoppingToken);
                wait = published > 0 ? TimeSpan.Zero : options.Value.PollInterval;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                wait = TimeSpan.FromTicks(Math.Clamp(wait.Ticks * 2, TimeSpan.TicksPerSecond, TimeSpan.TicksPerSecond * 30));
                LogRelayFailed(ex.GetType().Name, ex.Message, wait);
            }
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <returns>How many events were published.</returns>
    public async Task<int> PublishBatchAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var batch = new List<(long Id, Guid EventId, string Type, string Payload)>();
        await using (var read = new NpgsqlCommand(
            """
            SELECT id, event_id, type, payload::text FROM outbox_events
             WHERE published_at IS NULL ORDER BY id LIMIT @n FOR UPDATE SKIP LOCKED
            """, connection, tx))
        {
            read.Parameters.AddWithValue("n", Math.Max(1, options.Value.BatchSize));
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) batch.Add((reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3)));
        }
        if (batch.Count == 0) return 0;
        var published = new List<long>(batch.Count);
        foreach (var (id, eventId, type, payload) in batch)
        {
            if (!Types.TryGetValue(type, out var clr))
            {
                LogUnknownType(type, eventId);
                continue;
            }
            var message = JsonSerializer.Deserialize(payload, clr, Json)!;
            await publish.Publish(message, clr, c => c.MessageId = eventId, ct);
            published.Add(id);
        }
        if (AfterPublishBeforeMark is not null) await AfterPublishBeforeMark();
        await using (var mark = new NpgsqlCommand("UPDATE outbox_events SET published_at = now() WHERE id = ANY (@ids)", connection, tx))
        {
            mark.Parameters.AddWithValue("ids", published.ToArray());
            await mark.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return published.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing domain events waits ({Error}: {Message}); next try in {Wait}")]
    private partial void LogRelayFailed(string error, string message, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox event {EventId} has the unknown type {Type}: left unpublished")]
    private partial void LogUnknownType(string type, Guid eventId);
}

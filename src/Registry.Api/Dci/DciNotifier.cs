using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using Registry.Api.Access;

namespace Registry.Api.Dci;

/// <summary>
/// Turns the registry's domain events (<c>outbox_events</c>, written in the same transaction as each change, migration
/// 0046) into DCI <c>notify</c> callbacks for live subscriptions. It reads the events table itself (the API host does not use
/// the broker) from a cursor of its own, and queues each notification in the transaction that advances the cursor: an event
/// is looked at once, and a notification is queued exactly when the cursor passes its event (several API replicas: the
/// cursor row is locked, one works at a time). A subscription's persons are found with its subscriber's scope as their token
/// said at subscription time (territory, sensitive grants): what a notify carries is what a search by that subscriber would
/// show, and it is in the access log (<c>dci-notify</c>). Event kinds: <see cref="Register"/> (persons created),
/// <see cref="Update"/> (services recorded, merges, splits, household changes), <see cref="NewHouseholdMember"/> (joined).
/// </summary>
public sealed class DciNotifier(NpgsqlDataSource db, DciExchanges exchanges, DciRegistryReader reader, AccessLog log,
    Microsoft.Extensions.Options.IOptions<DciOptions> options, ILogger<DciNotifier> logger)
{
    public const string Register = "REGISTER";
    public const string Update = "UPDATE";
    public const string NewHouseholdMember = "NewHouseHoldMember";
    private const int Batch = 500;

    /// <summary>One pass: the events after the cursor (at most <see cref="Batch"/>). True when it found any.</summary>
    public async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        // First start: notify of what happens from now on, not of the registry's whole history.
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO dci_event_cursor (id, last_event) SELECT 1, coalesce(max(id), 0) FROM outbox_events ON CONFLICT (id) DO NOTHING", cancellationToken: ct));
        await using var tx = await connection.BeginTransactionAsync(ct);
        var cursor = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT last_event FROM dci_event_cursor WHERE id = 1 FOR UPDATE SKIP LOCKED", transaction: tx, cancellationToken: ct));
        if (cursor is null) return false; // another replica is at it
        // A chunk's events commit with its identity phase, but its households, territories and golden records are written
        // by its attachments and completion, in later transactions: an event of a chunk not yet completed waits, or the
        // person would be judged outside the subscriber's territory (or without a visible source) and never notified. A
        // chunk's events carry its identity transaction's start (created_at = applied_at), so the first event at or after
        // the oldest incomplete chunk's start stops the batch; the cursor never passes it.
        var events = (await connection.QueryAsync<(long Id, string Type, string Payload, bool Ready)>(new CommandDefinition(
            """
            SELECT id, type, payload::text,
                   created_at < coalesce((SELECT min(applied_at) FROM extract_chunks WHERE completed_at IS NULL), 'infinity')
              FROM outbox_events WHERE id > @cursor ORDER BY id LIMIT @batch
            """,
            new { cursor, batch = Batch }, tx, cancellationToken: ct))).TakeWhile(e => e.Ready).ToList();
        if (events.Count == 0) return false;

        var touched = new Dictionary<string, HashSet<Guid>>(StringComparer.Ordinal)
        {
            [Register] = [], [Update] = [], [NewHouseholdMember] = [],
        };
        foreach (var (_, type, payload, _) in events) Classify(type, JsonNode.Parse(payload)!.AsObject(), touched);

        var logged = new List<(RegistryUser User, string Code, IReadOnlyList<Guid> Ids)>();
        var callbacks = new List<DciCallback>();
        if (touched.Values.Any(t => t.Count > 0))
        {
            foreach (var subscription in await exchanges.LiveSubscriptionsAsync(connection, ct))
            {
                if (subscription.NotifyUri is null || !touched.TryGetValue(subscription.EventType, out var persons) || persons.Count == 0) continue;
                var type = DciEnvelope.Text(subscription.Filter, "type") ?? "";
                var value = subscription.Filter["value"]?.ToString() ?? "";
                var (named, _) = await reader.ByIdentifierAsync(type, value, subscription.Scope, ct);
                var matched = named.Where(persons.Contains).ToList();
                if (matched.Count == 0) continue;
                var records = await reader.RecordsAsync(matched, subscription.Scope, ct);
                if (records.Count == 0) continue;
                var message = new JsonObject
                {
                    ["transaction_id"] = Dci.NewId(),
                    ["notify_event"] = new JsonArray([.. records.Select(r => (JsonNode)new JsonObject
                    {
                        ["reference_id"] = subscription.Code,
                        ["timestamp"] = Dci.Now(),
                        ["data"] = new JsonObject
                        {
                            ["version"] = Dci.Version,
                            ["reg_type"] = Dci.RegType,
                            ["reg_event_type"] = subscription.EventType,
                            ["reg_record_type"] = subscription.NotifyRecordType,
                            ["reg_records"] = r,
                        },
                    })]),
                };
                var header = DciEnvelope.CallbackHeader(Dci.Actions.Notify, "succ", records.Count, records.Count, options.Value.RegistryId, subscription.SenderId);
                callbacks.Add(new DciCallback(subscription.NotifyUri, Dci.Actions.Notify, DciEnvelope.Envelope(header, message)));
                logged.Add((subscription.Scope, subscription.Code, [.. records.Select(r => Guid.Parse(r["@id"]!.GetValue<string>()))]));
            }
        }
        await DciExchanges.QueueAsync(connection, tx, callbacks, ct);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE dci_event_cursor SET last_event = @last WHERE id = 1",
            new { last = events[^1].Id }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        foreach (var (user, code, ids) in logged)
            await log.RecordAsync(user, AccessKind.DciNotify, null, $"DCI notify for subscription {code}: {ids.Count} records", $"DCI subscription {code}", ids, ct);
        if (callbacks.Count > 0) logger.LogInformation("DCI: {Count} notify callbacks queued for events up to {Event}", callbacks.Count, events[^1].Id);
        return true;
    }

    /// <summary>Which persons an event touched, by DCI event kind.</summary>
    private static void Classify(string type, JsonObject payload, Dictionary<string, HashSet<Guid>> touched)
    {
        static IEnumerable<Guid> Ids(JsonNode? node) =>
            node is JsonArray a ? a.Select(x => Guid.TryParse(x?.ToString(), out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty) : [];
        static Guid? Id(JsonNode? node) => Guid.TryParse(node?.ToString(), out var g) ? g : null;
        switch (type)
        {
            case "PersonsCreated":
                touched[Register].UnionWith(Ids(payload["personIds"]));
                break;
            case "ServicesRecorded":
                touched[Update].UnionWith((payload["services"] as JsonArray ?? []).Select(s => Id(s?["personId"])).OfType<Guid>());
                break;
            case "PersonsMerged":
                if (Id(payload["survivorId"]) is { } survivor) touched[Update].Add(survivor);
                break;
            case "PersonSplit":
                touched[Update].UnionWith(new[] { Id(payload["personId"]), Id(payload["newPersonId"]) }.OfType<Guid>());
                break;
            case "HouseholdMembershipChanged":
                foreach (var change in (payload["changes"] as JsonArray ?? []).OfType<JsonObject>())
                    if (Id(change["personId"]) is { } person)
                    {
                        touched[Update].Add(person);
                        if (change["change"]?.ToString() == "joined") touched[NewHouseholdMember].Add(person);
                    }
                break;
        }
    }
}

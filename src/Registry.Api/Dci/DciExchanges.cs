using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using Registry.Api.Access;

namespace Registry.Api.Dci;

/// <summary>A callback to deliver: where, which action, the envelope.</summary>
public sealed record DciCallback(Uri Uri, string Action, JsonObject Payload);

/// <summary>A transaction as <c>txn/status</c> reports it.</summary>
public sealed record DciTransaction(string TransactionId, string CorrelationId, string Action, string Status, string? Response);

/// <summary>A live subscription, with the scope of the reader it notifies as.</summary>
public sealed record DciSubscription(string Code, string SenderId, RegistryUser Scope, string EventType, JsonObject Filter, string NotifyRecordType, Uri? NotifyUri);

/// <summary>
/// What DCI exchanges leave in the database: transactions with their responses, subscriptions, and the
/// callbacks to deliver — each request's rows written in one transaction, so an acknowledged request always has its
/// callback queued and a queued callback always belongs to a recorded transaction.
/// </summary>
public sealed class DciExchanges(NpgsqlDataSource db)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task RecordAsync(DciRequest request, string correlationId, string subject, string status, JsonObject? response,
        IReadOnlyList<DciCallback> callbacks, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO dci_transactions (sender_id, transaction_id, correlation_id, action, subject, status, response)
            VALUES (@sender, @transaction, @correlationId, @action, @subject, @status, @response::jsonb)
            """,
            new { sender = request.SenderId, transaction = request.TransactionId ?? "", correlationId, action = request.Action, subject, status,
                  response = response?.ToJsonString() }, tx, cancellationToken: ct));
        await QueueAsync(connection, tx, callbacks, ct);
        await tx.CommitAsync(ct);
    }

    public static Task QueueAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<DciCallback> callbacks, CancellationToken ct) =>
        callbacks.Count == 0 ? Task.CompletedTask : connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO dci_callbacks (uri, action, payload) SELECT * FROM unnest(@uris::text[], @actions::text[], @payloads::jsonb[])",
            new
            {
                uris = callbacks.Select(c => c.Uri.ToString()).ToArray(),
                actions = callbacks.Select(c => c.Action).ToArray(),
                payloads = callbacks.Select(c => c.Payload.ToJsonString()).ToArray(),
            }, tx, cancellationToken: ct));

    /// <summary>The caller's own transaction by transaction id or correlation id (another subject's is "not found").</summary>
    public async Task<DciTransaction?> FindAsync(string subject, string attributeType, string value, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<DciTransaction>(new CommandDefinition(
            $"""
            SELECT transaction_id AS TransactionId, correlation_id AS CorrelationId, action AS Action, status AS Status, response::text AS Response FROM dci_transactions
             WHERE subject = @subject AND {(attributeType == "correlation_id" ? "correlation_id" : "transaction_id")} = @value
               AND action <> 'txn-status'
             ORDER BY id DESC LIMIT 1
            """, new { subject, value }, cancellationToken: ct));
    }

    public async Task CreateSubscriptionAsync(string code, string senderId, RegistryUser scope, string eventType, JsonObject filter,
        string notifyRecordType, Uri? notifyUri, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO dci_subscriptions (code, sender_id, subject, scope, event_type, filter, notify_record_type, notify_uri)
            VALUES (@code, @senderId, @subject, @scope::jsonb, @eventType, @filter::jsonb, @notifyRecordType, @notifyUri)
            """,
            new { code, senderId, subject = scope.Name, scope = JsonSerializer.Serialize(Scope.Of(scope), Json), eventType, filter = filter.ToJsonString(),
                  notifyRecordType, notifyUri = notifyUri?.ToString() }, cancellationToken: ct));
    }

    /// <summary>Ends the caller's subscription: what became of it (unsubscribed, unknown, someone else's, already ended).</summary>
    public async Task<string> UnsubscribeAsync(string code, string subject, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = (await connection.QueryAsync<(string Subject, string Status)>(new CommandDefinition(
            "SELECT subject, status FROM dci_subscriptions WHERE code = @code", new { code }, cancellationToken: ct))).ToList();
        if (row.Count == 0) return "rjct.subscription_code.invalid";
        if (row[0].Subject != subject) return "rjct.requester.invalid";
        if (row[0].Status == "unsubscribe") return "rjct.event.already_unsubscribed";
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE dci_subscriptions SET status = 'unsubscribe', ended_at = now() WHERE code = @code AND status = 'subscribe'", new { code },
            cancellationToken: ct));
        return "succ";
    }

    public async Task<IReadOnlyList<DciSubscription>> LiveSubscriptionsAsync(NpgsqlConnection connection, CancellationToken ct) =>
        [.. (await connection.QueryAsync<(string Code, string SenderId, string Scope, string EventType, string Filter, string NotifyRecordType, string? NotifyUri)>(
                new CommandDefinition(
                    "SELECT code, sender_id, scope::text, event_type, filter::text, notify_record_type, notify_uri FROM dci_subscriptions WHERE status = 'subscribe'",
                    cancellationToken: ct)))
            .Select(r => new DciSubscription(r.Code, r.SenderId, JsonSerializer.Deserialize<Scope>(r.Scope, Json)!.User(), r.EventType,
                JsonNode.Parse(r.Filter)!.AsObject(), r.NotifyRecordType, r.NotifyUri is null ? null : new Uri(r.NotifyUri)))];

    /// <summary>The subscriber's claims as their token said at subscription time: notifications are computed as them.</summary>
    private sealed record Scope(string Name, string[] Roles, string? Agency, string[] Municipalities, string[] SensitiveSectors)
    {
        public static Scope Of(RegistryUser u) => new(u.Name, [.. u.Roles], u.Agency, [.. u.Municipalities], [.. u.SensitiveSectors]);
        public RegistryUser User() => new(Name, Roles, Agency, Municipalities, new HashSet<string>(SensitiveSectors, StringComparer.Ordinal));
    }
}

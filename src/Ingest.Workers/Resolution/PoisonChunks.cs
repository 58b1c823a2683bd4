using Dapper;
using Npgsql;
using RabbitMQ.Client;
using Registry.ServiceDefaults;

namespace Registry.Ingest.Resolution;

/// <summary>
/// The operator's command for chunks that waiting could not fix (<c>make requeue-failed</c>): after the cause is
/// fixed (a missing migration or privilege, a bug), moves every message of the resolution error queue back to the
/// resolution queue and marks the extracts that failed on a chunk as queued again. A chunk already applied
/// (re-queued twice, or re-sent meanwhile) is a no-op: chunks are claimed by (extract, chunk). Extracts whose failed
/// chunks are no longer in the error queue (purged) get them re-sent from the archive by the stall check.
/// </summary>
public static class PoisonChunks
{
    public sealed record Requeued(int Messages, IReadOnlyList<string> Extracts);

    public static async Task<Requeued> RequeueAsync(string brokerUri, BusOptions bus, string connectionString, CancellationToken ct)
    {
        var broker = BrokerAddress.Parse(brokerUri);
        var queue = RegistryBus.ResolutionQueue(bus);
        var factory = new ConnectionFactory { UserName = broker.User, Password = broker.Password, VirtualHost = broker.VirtualHost };
        await using var connection = await factory.CreateConnectionAsync(
            broker.Nodes.Select(n => new AmqpTcpEndpoint(n.Host, n.Port)).ToList(), "registry requeue-failed", ct);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);

        // Extracts first: a chunk that resolves before its extract is marked queued again would find it "failed".
        IReadOnlyList<string> extracts;
        await using (var db = new NpgsqlConnection(connectionString))
        {
            extracts = [.. await db.QueryAsync<string>(new CommandDefinition(
                """
                UPDATE extracts SET status = 'queued', error = NULL, requeued_at = now()
                 WHERE status = 'failed' AND chunks_total IS NOT NULL
                RETURNING file_name || ' (' || id || ')'
                """, cancellationToken: ct))];
        }

        var moved = 0;
        while (await channel.BasicGetAsync(queue + "_error", autoAck: false, ct) is { } message)
        {
            // Published with a confirm before the error queue lets go of it: a crash here duplicates, never loses.
            await channel.BasicPublishAsync(queue, "", mandatory: true, new BasicProperties(message.BasicProperties), message.Body, ct);
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, ct);
            moved++;
        }
        return new Requeued(moved, extracts);
    }
}

using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RabbitMQ.Client;
using Registry.Extracts;
using Registry.Ingest.Events;
using Registry.Integration.Tests.Infrastructure;
using Registry.ServiceDefaults;

namespace Registry.Integration.Tests.Events;

/// <summary>
/// What an external system bound to the registry's event exchanges receives: every change as an event after it
/// committed, and — across a relay that crashed between publishing and marking — each event applied once.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class DomainEventTests(RegistryServers servers)
{
    [Fact]
    public async Task A_subscriber_applies_each_event_once_although_a_relay_crash_delivered_a_batch_twice()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        var relay = system.WorkerServices.GetRequiredService<OutboxRelay>();
        var crashes = 1;
        relay.AfterPublishBeforeMark = () => Interlocked.Decrement(ref crashes) >= 0
            ? throw new InvalidOperationException("relay killed after publishing, before marking")
            : Task.CompletedTask;

        // The subscriber: its own queue bound to every event exchange, before anything happens.
        var broker = BrokerAddress.Parse(servers.BrokerUri);
        var factory = new ConnectionFactory { UserName = broker.User, Password = broker.Password, VirtualHost = broker.VirtualHost };
        await using var connection = await factory.CreateConnectionAsync([.. broker.Nodes.Select(n => new AmqpTcpEndpoint(n.Host, n.Port))]);
        await using var channel = await connection.CreateChannelAsync();
        var queue = system.QueuePrefix + "test-subscriber";
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: true);
        foreach (var type in OutboxRelay.Types.Values)
        {
            var exchange = $"{type.Namespace}:{type.Name}";
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
            await channel.QueueBindAsync(queue, exchange, "");
        }

        await system.DropAsync("ssa-consultas", Directory.EnumerateFiles(Path.Combine(RepoPaths.Samples, "ssa-consultas")).Single());
        var extract = (await system.WaitForExtractsAsync(1)).Single();
        await using var db = new NpgsqlConnection(system.ConnectionString);
        await db.OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await Scalar(db, "SELECT count(*) FROM outbox_events WHERE published_at IS NULL") > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(200);

        // Deliveries, and their effects applied once per MessageId.
        var deliveries = new List<(Guid Id, string Type, JsonElement Message)>();
        for (var idle = 0; idle < 10;)
        {
            if (await channel.BasicGetAsync(queue, autoAck: true) is not { } delivery)
            {
                idle++;
                await Task.Delay(100);
                continue;
            }
            var envelope = JsonDocument.Parse(delivery.Body.ToArray()).RootElement;
            var type = envelope.GetProperty("messageType")[0].GetString()!.Split(':').Last();
            deliveries.Add((envelope.GetProperty("messageId").GetGuid(), type, envelope.GetProperty("message").Clone()));
        }
        // The event exchanges are the broker's, not this test's: other hosts running at the same time (other tests) publish
        // there too. This registry's events are those its outbox holds (event_id is the MessageId).
        var own = new HashSet<Guid>();
        await using (var ids = new NpgsqlCommand("SELECT event_id FROM outbox_events", db))
        await using (var reader = await ids.ExecuteReaderAsync())
            while (await reader.ReadAsync()) own.Add(reader.GetGuid(0));
        deliveries = [.. deliveries.Where(d => own.Contains(d.Id))];
        var applied = deliveries.GroupBy(d => d.Id).Select(g => g.First()).ToList();

        Assert.True(crashes < 0, "the relay crashed once");
        Assert.True(deliveries.Count > applied.Count, "the crashed batch was delivered again");
        Assert.Equal(await Scalar(db, "SELECT count(*) FROM outbox_events"), applied.Count);
        var resolved = Assert.Single(applied, d => d.Type == "ExtractResolved").Message;
        Assert.Equal(extract.Id, resolved.GetProperty("extractId").GetGuid());
        Assert.Equal(extract.RowsAccepted, resolved.GetProperty("rowsAccepted").GetInt32());
        var created = applied.Where(d => d.Type == "PersonsCreated").SelectMany(d => d.Message.GetProperty("personIds").EnumerateArray()).Count();
        Assert.Equal(await Scalar(db, "SELECT count(*) FROM persons"), created);
        var services = applied.Where(d => d.Type == "ServicesRecorded").SelectMany(d => d.Message.GetProperty("services").EnumerateArray()).ToList();
        Assert.Equal(await Scalar(db, "SELECT count(*) FROM service_events"), services.Count);
        // A health service names no agency: only its sector and date travel.
        Assert.All(services, s => Assert.Equal(("health", JsonValueKind.Null), (s.GetProperty("sector").GetString(), s.GetProperty("agencyCode").ValueKind)));
    }

    private static async Task<long> Scalar(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

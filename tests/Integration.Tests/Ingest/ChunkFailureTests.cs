using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using RabbitMQ.Client;
using Registry.Contracts;
using Registry.Extracts;
using Registry.Integration.Tests.Infrastructure;
using Registry.ServiceDefaults;

namespace Registry.Integration.Tests.Ingest;

/// <summary>A chunk that cannot be resolved, whatever the retries, is reported on its extract rather than left "queued".</summary>
[Collection(ServersCollection.Name)]
public sealed class ChunkFailureTests(RegistryServers servers)
{
    [Fact]
    public async Task A_chunk_that_fails_every_retry_marks_its_extract_failed_saying_which_chunk_and_nothing_of_it_is_applied()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        var store = system.WorkerServices.GetRequiredService<ExtractStore>();
        var (extract, _) = await store.RegisterAsync("ssa-consultas", "SSA-TAM", "health", "broken.csv",
            Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()), 10, "/dev/null", default);
        await store.FinishParseAsync(extract, rowsTotal: 2, accepted: 2, rejected: 0, chunks: 1, chunkSize: 500, default);

        // Two rows claiming the same row number: the chunk's transaction fails on every attempt.
        SourceRow Row(string key) => new() { RowNumber = 1, RecordKey = key, ContentHash = key, GivenNames = "ANA", PaternalSurname = "RUIZ" };
        var bus = system.WorkerServices.GetRequiredService<IBus>();
        var endpoint = await bus.GetSendEndpoint(RegistryBus.ResolutionAddress(system.WorkerServices.GetRequiredService<IOptions<BusOptions>>().Value));
        await endpoint.Send(new ResolveSourceRows(extract, 0, 1, 1, "ssa-consultas", "SSA-TAM", "health", [Row("a"), Row("b")]));

        var report = (await system.WaitForExtractsAsync(1, timeout: TimeSpan.FromSeconds(90))).Single();
        Assert.Equal(ExtractStatus.Failed, report.Status);
        Assert.Contains("chunk 0 (rows 1–1) could not be resolved", report.Error, StringComparison.Ordinal);
        Assert.Equal(0, report.RowsResolved);
        await using var db = new NpgsqlConnection(system.ConnectionString);
        await db.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM source_records", db);
        Assert.Equal(0L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_chunk_that_failed_for_a_cause_since_fixed_resolves_exactly_when_the_operator_requeues_it()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        await using var owner = new NpgsqlConnection(system.ConnectionString);
        await owner.OpenAsync();
        // The cause: a deployment that forgot a privilege — no waiting fixes it, so the chunk ends in the error queue.
        await using (var revoke = new NpgsqlCommand("REVOKE INSERT ON service_events FROM registry_workers", owner)) await revoke.ExecuteNonQueryAsync();
        await system.DropAsync("ssa-consultas", Directory.EnumerateFiles(Path.Combine(RepoPaths.Samples, "ssa-consultas")).Single());
        var failed = (await system.WaitForExtractsAsync(1, timeout: TimeSpan.FromSeconds(90))).Single();
        Assert.Equal(ExtractStatus.Failed, failed.Status);
        Assert.Contains("permission denied", failed.Error, StringComparison.OrdinalIgnoreCase);

        await using (var grant = new NpgsqlCommand("GRANT INSERT ON service_events TO registry_workers", owner)) await grant.ExecuteNonQueryAsync();
        // The extract is marked failed by the fault the bus publishes; the message itself reaches the error queue a moment
        // apart. An operator requeues minutes later: wait until it is there, as they would find it.
        await WaitForErrorQueueAsync(servers.BrokerUri, system.WorkerServices.GetRequiredService<IOptions<BusOptions>>().Value);
        var requeued = await Registry.Ingest.Resolution.PoisonChunks.RequeueAsync(servers.BrokerUri,
            system.WorkerServices.GetRequiredService<IOptions<BusOptions>>().Value, system.ConnectionString, default);

        Assert.Equal(1, requeued.Messages);
        Assert.Single(requeued.Extracts);
        var extract = (await system.WaitForExtractsAsync(1, timeout: TimeSpan.FromSeconds(90))).Single();
        Assert.Equal(ExtractStatus.Resolved, extract.Status);
        Assert.Equal(extract.RowsAccepted, extract.RowsResolved);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM source_records", owner);
        Assert.Equal((long)extract.RowsAccepted!, await count.ExecuteScalarAsync());
    }

    private static async Task WaitForErrorQueueAsync(string brokerUri, BusOptions bus)
    {
        var broker = BrokerAddress.Parse(brokerUri);
        var factory = new ConnectionFactory { UserName = broker.User, Password = broker.Password, VirtualHost = broker.VirtualHost };
        await using var connection = await factory.CreateConnectionAsync([.. broker.Nodes.Select(n => new AmqpTcpEndpoint(n.Host, n.Port))]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                if (await channel.MessageCountAsync(RegistryBus.ResolutionQueue(bus) + "_error") > 0) return;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException) when (DateTime.UtcNow < deadline)
            {
                // The error queue is declared with its first message.
            }
            Assert.True(DateTime.UtcNow < deadline, "the failed chunk never reached the resolution error queue");
            await Task.Delay(100);
        }
    }
}

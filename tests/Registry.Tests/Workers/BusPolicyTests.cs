using System.Net.Sockets;
using Npgsql;
using Registry.ServiceDefaults;

namespace Registry.Tests.Workers;

/// <summary>Which failures a chunk waits out, how long, and how the broker's address (one node or a cluster) is read.</summary>
public sealed class BusPolicyTests
{
    [Theory]
    [InlineData("57P01")] // the server is shutting down (a failover, a restart)
    [InlineData("57P03")] // it is starting up
    [InlineData("08006")] // the connection failed
    [InlineData("53300")] // too many connections
    [InlineData("25006")] // read-only: connected to a standby, or to a demoted primary
    [InlineData("40P01")] // deadlock
    [InlineData("55P03")] // lock wait timed out
    public void A_database_going_away_or_a_lock_conflict_is_waited_out(string sqlState) =>
        Assert.True(TransientFaults.IsTransient(new PostgresException("x", "ERROR", "ERROR", sqlState)));

    [Theory]
    [InlineData("23505")] // unique violation: the chunk's own rows clash
    [InlineData("22P02")] // invalid text representation
    [InlineData("42P01")] // undefined table: a deployment without its migration
    public void A_chunks_own_fault_is_not_waited_out(string sqlState) =>
        Assert.False(TransientFaults.IsTransient(new PostgresException("x", "ERROR", "ERROR", sqlState)));

    [Fact]
    public void A_refused_connection_is_waited_out_and_a_bug_is_not()
    {
        Assert.True(TransientFaults.IsTransient(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.True(TransientFaults.IsTransient(new InvalidOperationException("wrapped", new TimeoutException())));
        Assert.False(TransientFaults.IsTransient(new InvalidOperationException("extract 1 is not registered")));
        Assert.False(TransientFaults.IsTransient(new ArgumentException("a bad value")));
    }

    [Fact]
    public void Outages_are_waited_out_with_back_off_up_to_a_minute_between_tries_for_the_whole_wait()
    {
        var intervals = RegistryBus.OutageIntervals(TimeSpan.FromMinutes(15));

        Assert.Equal(TimeSpan.FromSeconds(1), intervals[0]);
        Assert.Equal(TimeSpan.FromSeconds(60), intervals.Max());
        var total = TimeSpan.FromTicks(intervals.Sum(i => i.Ticks));
        Assert.InRange(total, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
    }

    [Fact]
    public void A_broker_address_lists_one_node_or_a_clusters_nodes()
    {
        var single = BrokerAddress.Parse("amqp://registry:s%40cret@127.0.0.1:55672/");
        Assert.Equal([("127.0.0.1", (ushort)55672)], single.Nodes);
        Assert.Equal(("registry", "s@cret", "/"), (single.User, single.Password, single.VirtualHost));

        var cluster = BrokerAddress.Parse("amqp://u:p@10.0.0.1:5672,10.0.0.2,10.0.0.3:5673/registry");
        Assert.Equal([("10.0.0.1", (ushort)5672), ("10.0.0.2", (ushort)5672), ("10.0.0.3", (ushort)5673)], cluster.Nodes);
        Assert.Equal("registry", cluster.VirtualHost);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("http://broker:5672/")]
    [InlineData("amqp://u:p@broker:notaport/")]
    public void A_wrong_broker_address_says_what_is_wrong_without_showing_the_password(string? raw)
    {
        var error = Assert.Throws<InvalidOperationException>(() => BrokerAddress.Parse(raw));
        Assert.Contains("ConnectionStrings:RabbitMq", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(":p@", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_queue_is_judged_without_its_consumer_only_while_chunks_wait_on_it_with_none()
    {
        var strikes = 0;
        strikes = Registry.Ingest.Resolution.ConsumerWatch.Next(strikes, messages: 40, consumers: 0);
        strikes = Registry.Ingest.Resolution.ConsumerWatch.Next(strikes, messages: 213, consumers: 0);
        Assert.Equal(2, strikes);
        Assert.Equal(0, Registry.Ingest.Resolution.ConsumerWatch.Next(strikes, messages: 213, consumers: 1)); // consuming again
        Assert.Equal(0, Registry.Ingest.Resolution.ConsumerWatch.Next(strikes, messages: 0, consumers: 0));   // idle, nothing waits
    }
}

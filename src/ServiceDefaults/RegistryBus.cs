using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Registry.ServiceDefaults;

/// <summary>Bus settings (section <c>Bus</c>): a queue prefix lets several registries (or test runs) share one broker.</summary>
public sealed class BusOptions
{
    public string QueuePrefix { get; set; } = "";

    /// <summary>Chunks resolved at once per worker process; 2 cores → 2 is the default.</summary>
    public int ConcurrentChunks { get; set; } = 2;

    /// <summary>
    /// Consumer queues are quorum queues (replicated by Raft on every node of a RabbitMQ cluster, so losing a
    /// node loses no chunk). A queue's type is fixed when it is declared: a broker that already holds the
    /// classic queues of an older version refuses the change until they are deleted (docs/operations.md).
    /// </summary>
    public bool QuorumQueues { get; set; } = true;

    /// <summary>
    /// How long a message waits through an outage of PostgreSQL or RabbitMQ (retried with back-off from 1 s
    /// up to one minute between tries) before it is given up to the error queue; 15 minutes by default.
    /// </summary>
    public TimeSpan OutageWait { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// A workers host whose resolution queue has held chunks with no consumer this long stops (exit code 75) so its
    /// supervisor restarts it: the bus lost its consumer without noticing (Ingest.Workers ConsumerWatch).
    /// </summary>
    public TimeSpan ConsumerLostAfter { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// The one MassTransit/RabbitMQ setup both hosts use: broker from <c>ConnectionStrings:RabbitMq</c>
/// (an amqp:// URI, with a comma-separated node list for a cluster), kebab-case endpoint names with the
/// configured prefix, quorum queues, publisher confirms, and one failure policy set for every endpoint:
/// <list type="bullet">
/// <item>a failure waiting can fix (<see cref="TransientFaults"/>: the database or broker is down, failing
/// over, a lock conflict) is retried with back-off for up to <see cref="BusOptions.OutageWait"/>; the
/// message stays unacknowledged on its queue meanwhile, so a worker that dies mid-wait loses nothing and
/// <see cref="ResolutionWaits"/> reports the wait on the health endpoint;</item>
/// <item>any other failure is the message's own (a poison chunk): five quick retries, then the error queue
/// (<c>…_error</c>), where it waits for an operator (docs/operations.md, "Poison chunks");</item>
/// <item>the kill switch stops an endpoint for a minute when half of what it consumes faults, so a bad
/// deployment cannot move a whole queue to the error queue.</item>
/// </list>
/// MassTransit's delayed redelivery would free the consumer while it waits, but on RabbitMQ it needs the
/// delayed-message-exchange plugin, which Debian's RabbitMQ does not ship and its authors no longer maintain.
/// </summary>
public static class RegistryBus
{
    public const string ConnectionStringName = "RabbitMq";

    /// <summary>The queue that resolves chunks of accepted rows (commands are sent here, not published).</summary>
    public static string ResolutionQueue(BusOptions options) => options.QueuePrefix + "resolve-source-rows";

    /// <summary>
    /// Where chunks are sent: the resolution endpoint's exchange, which the workers' consumer endpoint declares
    /// with its (quorum) queue and binding at start. A <c>queue:</c> address would make every sender declare the
    /// queue too — as a classic queue, which the broker refuses for a quorum queue of the same name.
    /// </summary>
    public static Uri ResolutionAddress(BusOptions options) => new($"exchange:{ResolutionQueue(options)}");

    public static IServiceCollection AddRegistryBus(this IServiceCollection services, IConfiguration configuration,
        Action<IBusRegistrationConfigurator>? configureConsumers = null)
    {
        services.AddOptions<BusOptions>().BindConfiguration("Bus");
        var options = configuration.GetSection("Bus").Get<BusOptions>() ?? new BusOptions();
        var broker = BrokerAddress.Parse(configuration.GetConnectionString(ConnectionStringName));
        var waits = new ResolutionWaits();
        services.AddSingleton(waits);
        services.AddHealthChecks().AddCheck<ResolutionWaits.HealthCheck>("waiting", tags: [Extensions.ReadyTag]);

        // Start (and stop) the bus as part of the host: a host that is "started" consumes (its queues and
        // their bindings are declared before anything sends to them), and one being disposed has stopped
        // consuming before its services go away. A host started while the broker is away waits for it.
        services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromMinutes(5);
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });
        services.AddMassTransit(x =>
        {
            x.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(options.QueuePrefix, false));
            x.ConfigureHealthCheckOptions(h =>
            {
                h.Name = "rabbitmq";
                // The broker being away degrades a host (it waits and reconnects by itself); it does not make it unfit to run.
                h.MinimalFailureStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded;
                h.Tags.Add(Extensions.ReadyTag);
            });
            configureConsumers?.Invoke(x);
            x.AddConfigureEndpointsCallback((_, _, endpoint) =>
            {
                if (options.QuorumQueues && endpoint is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.SetQuorumQueue();
                // Outer: outages. Inner: the message's own faults. An outage passes the inner policy at once.
                endpoint.UseMessageRetry(r =>
                {
                    r.Handle<Exception>(TransientFaults.IsTransient);
                    r.Intervals(OutageIntervals(options.OutageWait));
                    r.ConnectRetryObserver(waits);
                });
                endpoint.UseMessageRetry(r =>
                {
                    r.Ignore<Exception>(TransientFaults.IsTransient);
                    r.Exponential(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(300));
                });
            });
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(broker.Nodes[0].Host, broker.Nodes[0].Port, broker.VirtualHost, h =>
                {
                    h.Username(broker.User);
                    h.Password(broker.Password);
                    h.PublisherConfirmation = true;
                    // A frozen or partitioned worker's connection is closed by the broker after about two missed
                    // heartbeats, and the chunk it held goes back on the queue for another worker.
                    h.Heartbeat(TimeSpan.FromSeconds(20));
                    if (broker.Nodes.Count > 1)
                        h.UseCluster(c =>
                        {
                            foreach (var (host, port) in broker.Nodes) c.Node($"{host}:{port}");
                        });
                });
                cfg.UseKillSwitch(k => k
                    .SetActivationThreshold(20)
                    .SetTripThreshold(0.5)
                    .SetRestartTimeout(TimeSpan.FromMinutes(1)));
                cfg.ConfigureEndpoints(context);
            });
        });
        return services;
    }

    /// <summary>Waits of 1, 2, 4 … 60 s between tries, as many as fit in <paramref name="total"/>.</summary>
    public static TimeSpan[] OutageIntervals(TimeSpan total)
    {
        var intervals = new List<TimeSpan>();
        var sum = TimeSpan.Zero;
        var next = TimeSpan.FromSeconds(1);
        while (sum + next <= total)
        {
            intervals.Add(next);
            sum += next;
            next = TimeSpan.FromSeconds(Math.Min(60, next.TotalSeconds * 2));
        }
        return intervals.Count > 0 ? [.. intervals] : [total];
    }
}

/// <summary>
/// <c>ConnectionStrings:RabbitMq</c>: <c>amqp://user:password@host:port/vhost</c>, or for a cluster the nodes
/// comma-separated: <c>amqp://user:password@host1:5672,host2:5672,host3:5672/vhost</c> (the client connects to
/// the first that answers and moves to another when it is lost).
/// </summary>
public sealed record BrokerAddress(IReadOnlyList<(string Host, ushort Port)> Nodes, string VirtualHost, string User, string Password)
{
    public static BrokerAddress Parse(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            throw new InvalidOperationException(
                "ConnectionStrings:RabbitMq is not set. Start the local services with `make services-up` and load their " +
                "settings with `eval \"$(deploy/local/services.sh env)\"`, or set ConnectionStrings__RabbitMq=amqp://user:pass@host:port/.");
        }
        var schemeEnd = raw.IndexOf("://", StringComparison.Ordinal);
        var scheme = schemeEnd > 0 ? raw[..schemeEnd] : "";
        if (scheme is not ("amqp" or "rabbitmq"))
            throw new InvalidOperationException($"ConnectionStrings:RabbitMq must be an amqp:// URI, got '{Redact(raw)}'.");
        var rest = raw[(schemeEnd + 3)..];
        var slash = rest.IndexOf('/');
        var authority = slash >= 0 ? rest[..slash] : rest;
        var vhost = slash >= 0 && slash < rest.Length - 1 ? Uri.UnescapeDataString(rest[(slash + 1)..]) : "/";
        var at = authority.LastIndexOf('@');
        string user = "guest", password = "guest";
        if (at >= 0)
        {
            var parts = authority[..at].Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
        }
        var nodes = new List<(string, ushort)>();
        foreach (var node in authority[(at + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = node.LastIndexOf(':');
            if (colon < 0) nodes.Add((node, 5672));
            else if (ushort.TryParse(node[(colon + 1)..], out var port) && colon > 0) nodes.Add((node[..colon], port));
            else throw new InvalidOperationException($"ConnectionStrings:RabbitMq: '{node}' is not host:port.");
        }
        if (nodes.Count == 0) throw new InvalidOperationException($"ConnectionStrings:RabbitMq names no host: '{Redact(raw)}'.");
        return new BrokerAddress(nodes, vhost, user, password);
    }

    private static string Redact(string raw)
    {
        var at = raw.LastIndexOf('@');
        var schemeEnd = raw.IndexOf("://", StringComparison.Ordinal);
        return at > schemeEnd && schemeEnd >= 0 ? raw[..(schemeEnd + 3)] + "…@" + raw[(at + 1)..] : raw;
    }
}

using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using Registry.ServiceDefaults;

namespace Registry.Ingest.Resolution;

/// <summary>
/// Notices a resolution queue that holds chunks while nobody consumes it — what bench-faults caught twice in ten
/// RabbitMQ kills: the bus reconnected for sending but never re-registered its consumer, and reported itself
/// healthy. Every <see cref="Interval"/> it asks the broker (a passive declare, on a connection of its own) how many
/// messages and consumers the queue has; when chunks have waited without any consumer for
/// <see cref="BusOptions.ConsumerLostAfter"/>, the host reports itself not live and stops with exit code 75, so its
/// supervisor (Kubernetes, compose, systemd) starts it again with a fresh connection. Nothing is lost: the chunks
/// stay on the queue. A broker it cannot reach is the bus's concern (readiness degraded), not this watch's.
/// </summary>
public sealed partial class ConsumerWatch(IConfiguration configuration, IOptions<BusOptions> options, IHostApplicationLifetime lifetime,
    ILogger<ConsumerWatch> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    /// <summary>Exit code of a host that stopped because it had lost its consumer (EX_TEMPFAIL: try again).</summary>
    public const int LostConsumerExitCode = 75;

    private int _strikes;

    public bool Lost { get; private set; }

    /// <summary>Consecutive checks that found chunks waiting with no consumer, after this check.</summary>
    public static int Next(int strikes, uint messages, uint consumers) => messages > 0 && consumers == 0 ? strikes + 1 : 0;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var limit = Math.Max(1, (int)Math.Ceiling(options.Value.ConsumerLostAfter / Interval));
        var queue = RegistryBus.ResolutionQueue(options.Value);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, stoppingToken);
                var (messages, consumers) = await CountAsync(queue, stoppingToken);
                _strikes = Next(_strikes, messages, consumers);
                if (_strikes >= limit)
                {
                    Lost = true;
                    LogConsumerLost(queue, messages, options.Value.ConsumerLostAfter);
                    Environment.ExitCode = LostConsumerExitCode;
                    lifetime.StopApplication();
                    return;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (TransientFaults.IsTransient(ex) || ex is RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                _strikes = 0; // the broker is away or the queue not declared yet: not this watch's concern
            }
        }
    }

    private async Task<(uint Messages, uint Consumers)> CountAsync(string queue, CancellationToken ct)
    {
        var broker = BrokerAddress.Parse(configuration.GetConnectionString(RegistryBus.ConnectionStringName));
        var factory = new ConnectionFactory { UserName = broker.User, Password = broker.Password, VirtualHost = broker.VirtualHost };
        await using var connection = await factory.CreateConnectionAsync([.. broker.Nodes.Select(n => new AmqpTcpEndpoint(n.Host, n.Port))], "registry consumer watch", ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        var ok = await channel.QueueDeclarePassiveAsync(queue, ct);
        return (ok.MessageCount, ok.ConsumerCount);
    }

    /// <summary>Liveness: unhealthy once the watch found the consumer lost (the host is stopping to be restarted).</summary>
    public sealed class HealthCheck(ConsumerWatch watch) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(watch.Lost
                ? HealthCheckResult.Unhealthy("the resolution queue held chunks with no consumer: restarting to reconnect")
                : HealthCheckResult.Healthy());
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Queue {Queue} has held {Messages} chunk(s) with no consumer for {Limit}: the bus lost its consumer without noticing; stopping (exit code 75) so the host is started again")]
    private partial void LogConsumerLost(string queue, uint messages, TimeSpan limit);
}

using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Registry.ServiceDefaults;

/// <summary>
/// Messages waiting out an outage (retried by <see cref="RegistryBus"/>'s outage policy): counted here so the
/// readiness endpoint reports the host as degraded — alive, holding its work, waiting for a dependency —
/// rather than healthy or dead, and says since when and why.
/// </summary>
public sealed class ResolutionWaits : IRetryObserver
{
    private readonly ConcurrentDictionary<Guid, (DateTimeOffset Since, string Reason)> _waiting = new();

    public int Count => _waiting.Count;

    public Task PostCreate<T>(RetryPolicyContext<T> context) where T : class, PipeContext => Task.CompletedTask;

    public Task PostFault<T>(RetryContext<T> context) where T : class, PipeContext
    {
        if (Key(context) is { } key)
        {
            var reason = $"{context.Exception.GetType().Name}: {context.Exception.Message}";
            _waiting.AddOrUpdate(key, _ => (DateTimeOffset.UtcNow, reason), (_, old) => (old.Since, reason));
        }
        return Task.CompletedTask;
    }

    public Task PreRetry<T>(RetryContext<T> context) where T : class, PipeContext => Task.CompletedTask;

    public Task RetryFault<T>(RetryContext<T> context) where T : class, PipeContext => Done(context);

    public Task RetryComplete<T>(RetryContext<T> context) where T : class, PipeContext => Done(context);

    private Task Done<T>(RetryContext<T> context) where T : class, PipeContext
    {
        if (Key(context) is { } key) _waiting.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    private static Guid? Key<T>(RetryContext<T> context) where T : class, PipeContext =>
        (context.Context as ConsumeContext)?.MessageId;

    /// <summary>Degraded while any message waits: "2 message(s) waiting since 17:40:12 UTC: NpgsqlException: …".</summary>
    public sealed class HealthCheck(ResolutionWaits waits) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var snapshot = waits._waiting.Values.ToArray();
            if (snapshot.Length == 0) return Task.FromResult(HealthCheckResult.Healthy("no message waits for a dependency"));
            var oldest = snapshot.MinBy(w => w.Since);
            return Task.FromResult(HealthCheckResult.Degraded(
                $"{snapshot.Length} message(s) waiting for a dependency since {oldest.Since:HH:mm:ss} UTC, retried with back-off: {oldest.Reason}"));
        }
    }
}

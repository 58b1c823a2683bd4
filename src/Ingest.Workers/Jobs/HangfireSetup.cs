using Registry.ServiceDefaults;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.PostgreSql;
using Npgsql;
using Microsoft.Extensions.Http.Resilience;
using Registry.Extracts;
using Registry.Ingest.Feeds;

namespace Registry.Ingest.Jobs;

/// <summary>Settings of section <c>Hangfire</c> (workers host).</summary>
public sealed class HangfireOptions
{
    /// <summary>PostgreSQL schema of Hangfire's tables, in the registry database.</summary>
    public string SchemaName { get; set; } = "hangfire";

    /// <summary>Jobs run at once by this process (pulls of different feeds run side by side).</summary>
    public int WorkerCount { get; set; } = 2;

    /// <summary>How often due recurring jobs are looked for.</summary>
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Fallback poll of the job queue (new jobs are also announced with LISTEN/NOTIFY).</summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Register the recurring pull of every api-pull feed; false pauses the schedules (on-demand pulls still run).</summary>
    public bool RecurringPulls { get; set; } = true;

    /// <summary>How long a stopping host waits for running pulls (they are cancelled; the cursor keeps their progress).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Hangfire in the workers host: PostgreSQL storage in the registry database, a server that runs
/// the recurring API pulls, and the resilient HttpClient the pulls use. Storage and job activator
/// are this host's own singletons (not Hangfire's process-wide statics), so two hosts in one
/// process — the tests — never run each other's jobs.
/// </summary>
public static class HangfireSetup
{
    public static IServiceCollection AddApiPulls(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Hangfire").Get<HangfireOptions>() ?? new HangfireOptions();
        services.AddSingleton<JobStorage>(sp => new PostgreSqlStorage(
            new DataSourceConnections(sp.GetRequiredService<NpgsqlDataSource>()),
            new PostgreSqlStorageOptions
            {
                SchemaName = options.SchemaName,
                // Installed by the migration as the owner (WorkersMigration): this host's role may not create it.
                PrepareSchemaIfNecessary = false,
                QueuePollInterval = options.QueuePollInterval,
                EnableLongPolling = true,
            }));
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((sp, c) => c.UseLogProvider(HangfireLogs.For(sp.GetRequiredService<ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        services.AddHangfireServer((_, server) =>
        {
            server.Queues = [ApiPullJob.Queue, TrainMatchModelJob.Queue];
            server.WorkerCount = Math.Max(1, options.WorkerCount);
            server.SchedulePollingInterval = options.SchedulePollingInterval;
            server.ShutdownTimeout = options.ShutdownTimeout;
            server.ServerName = $"ingest-workers:{Environment.MachineName}:{Environment.ProcessId}";
        });

        services.AddOptions<ApiPullOptions>().BindConfiguration("ApiPull");
        services.AddSingleton<ApiPullCursorStore>();
        services.AddSingleton<ApiPuller>();
        services.AddTransient<ApiPullJob>();
        services.AddSingleton(options);
        services.AddHostedService<ApiPullSchedules>();

        // Timeout per attempt and overall, retries with exponential back-off and jitter, circuit
        // breaker: the standard pipeline, defaults below, every value overridable under ApiPull:Http.
        // No automatic redirects: HttpClient would resend the agency's key (a custom header) to whatever
        // host a redirect names. ApiPuller follows same-origin redirects itself and refuses the others.
        services.AddHttpClient(ApiPuller.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .AddStandardResilienceHandler(http =>
            {
                http.AttemptTimeout.Timeout = TimeSpan.FromSeconds(20);
                http.TotalRequestTimeout.Timeout = TimeSpan.FromMinutes(3);
                http.Retry.MaxRetryAttempts = 5;
                http.Retry.Delay = TimeSpan.FromSeconds(1);
                http.Retry.BackoffType = Polly.DelayBackoffType.Exponential;
                http.Retry.UseJitter = true;
                http.CircuitBreaker.FailureRatio = 0.5;
                http.CircuitBreaker.MinimumThroughput = 10;
                http.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(60);
                http.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(30);
                configuration.GetSection("ApiPull:Http").Bind(http);
            });
        return services;
    }

    /// <summary>
    /// Hangfire's connections come from the host's one <see cref="NpgsqlDataSource"/>, so they are
    /// pooled with the registry's and closed when the host stops.
    /// </summary>
    private sealed class DataSourceConnections(NpgsqlDataSource dataSource) : IConnectionFactory
    {
        public NpgsqlConnection GetOrCreateConnection() => dataSource.CreateConnection();
    }
}

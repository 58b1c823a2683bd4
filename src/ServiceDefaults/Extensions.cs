using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Registry.ServiceDefaults;

/// <summary>
/// Telemetry and health for every host, in one call (the eShop ServiceDefaults idea).
/// Exporter: <c>Telemetry:Exporter</c> = otlp | console | none; by default OTLP when
/// OTEL_EXPORTER_OTLP_ENDPOINT is set, otherwise console.
/// </summary>
public static class Extensions
{
    public const string ReadyTag = "ready";

    /// <param name="databaseDown">
    /// What readiness reports while PostgreSQL does not answer: the API cannot serve (unhealthy, 503); the
    /// workers wait for it with their work in hand (degraded, 200), so an orchestrator does not restart them.
    /// </param>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, string serviceName, HealthStatus databaseDown, params string[] ownSources)
        where TBuilder : IHostApplicationBuilder
    {
        var exporter = builder.Configuration["Telemetry:Exporter"]
            ?? (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]) ? "console" : "otlp");

        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"])
            .AddCheck<PostgresHealthCheck>("postgresql", failureStatus: databaseDown, tags: [ReadyTag]);
        // Nothing reads them: no spans, metrics or log records built (a span per request and per SQL command, with its text).
        if (exporter == "none") return builder;

        builder.Logging.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = true;
            if (exporter == "otlp") o.AddOtlpExporter();
        });

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName))
            .WithMetrics(m =>
            {
                m.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation()
                    .AddMeter("MassTransit").AddNpgsqlInstrumentation();
                foreach (var source in ownSources) m.AddMeter(source);
                if (exporter == "console") m.AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 60_000);
            })
            .WithTracing(t =>
            {
                t.AddAspNetCoreInstrumentation(o => o.Filter = ctx => !ctx.Request.Path.StartsWithSegments("/health"))
                    .AddHttpClientInstrumentation().AddSource("MassTransit").AddNpgsql();
                foreach (var source in ownSources) t.AddSource(source);
                if (exporter == "console") t.AddConsoleExporter();
            });
        if (exporter == "otlp") otel.UseOtlpExporter();
        return builder;
    }

    /// <summary>/health/live (the process answers) and /health/ready (PostgreSQL and RabbitMQ answer).</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Health stays open when a host requires sign-in for everything else (probes carry no credentials).
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains("live") }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ReadyTag),
            ResponseWriter = HealthReportWriter.WriteAsync,
        }).AllowAnonymous();
        return app;
    }

    private sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, "PostgreSQL does not answer", ex);
            }
        }
    }
}

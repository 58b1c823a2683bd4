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
}

/// <summary>
/// The one MassTransit/RabbitMQ setup both hosts use: broker from <c>ConnectionStrings:RabbitMq</c>
/// (an amqp:// URI), kebab-case endpoint names with the configured prefix, publisher confirms,
/// retry with back-off then redelivery, set once for every endpoint.
/// </summary>
public static class RegistryBus
{
    public const string ConnectionStringName = "RabbitMq";

    /// <summary>The queue that resolves chunks of accepted rows (commands are sent here, not published).</summary>
    public static string ResolutionQueue(BusOptions options) => options.QueuePrefix + "resolve-source-rows";

    public static IServiceCollection AddRegistryBus(this IServiceCollection services, IConfiguration configuration,
        Action<IBusRegistrationConfigurator>? configureConsumers = null)
    {
        services.AddOptions<BusOptions>().BindConfiguration("Bus");
        var options = configuration.GetSection("Bus").Get<BusOptions>() ?? new BusOptions();
        var uri = RequireBrokerUri(configuration);

        // Start (and stop) the bus as part of the host: a host that is "started" consumes, and one
        // being disposed has stopped consuming before its services go away.
        services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });
        services.AddMassTransit(x =>
        {
            x.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(options.QueuePrefix, false));
            x.ConfigureHealthCheckOptions(h =>
            {
                h.Name = "rabbitmq";
                h.Tags.Add(Extensions.ReadyTag);
            });
            configureConsumers?.Invoke(x);
            x.AddConfigureEndpointsCallback((_, _, endpoint) =>
            {
                endpoint.UseMessageRetry(r => r.Exponential(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(300)));
            });
            x.UsingRabbitMq((context, cfg) =>
            {
                var (user, password) = Credentials(uri);
                var vhost = uri.AbsolutePath.Length > 1 ? Uri.UnescapeDataString(uri.AbsolutePath[1..]) : "/";
                cfg.Host(uri.Host, (ushort)(uri.IsDefaultPort ? 5672 : uri.Port), vhost, h =>
                {
                    h.Username(user);
                    h.Password(password);
                    h.PublisherConfirmation = true;
                });
                cfg.ConfigureEndpoints(context);
            });
        });
        return services;
    }

    private static Uri RequireBrokerUri(IConfiguration configuration)
    {
        var raw = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(raw))
        {
            throw new InvalidOperationException(
                "ConnectionStrings:RabbitMq is not set. Start the local services with `make services-up` and load their " +
                "settings with `eval \"$(deploy/local/services.sh env)\"`, or set ConnectionStrings__RabbitMq=amqp://user:pass@host:port/.");
        }
        if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "rabbitmq"))
            throw new InvalidOperationException($"ConnectionStrings:RabbitMq must be an amqp:// URI, got '{raw}'.");
        return uri;
    }

    private static (string User, string Password) Credentials(Uri uri)
    {
        if (string.IsNullOrEmpty(uri.UserInfo)) return ("guest", "guest");
        var parts = uri.UserInfo.Split(':', 2);
        return (Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "");
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Registry.Storage;

/// <summary>Registers the one <see cref="NpgsqlDataSource"/> every registry component shares.</summary>
public static class RegistryStorage
{
    public const string ConnectionStringName = "Registry";

    /// <summary>
    /// The owner's connection (migrations, Hangfire's schema), kept apart from the host's own role so
    /// the role a host runs as cannot change the schema. Without it migrations use <see cref="ConnectionStringName"/>.
    /// </summary>
    public const string OwnerConnectionStringName = "RegistryOwner";

    /// <summary>The role steward actions write as; the API's other connections cannot use its privileges.</summary>
    public const string StewardshipRole = "registry_stewardship";

    /// <summary>Key of the API host's data source for stewards' actions (<see cref="AddStewardshipStorage"/>).</summary>
    public const string StewardshipDataSource = "stewardship";

    /// <param name="interactive">
    /// For a host that answers people (the API): many short queries of a fixed shape. Its connections
    /// prepare the statements they repeat (Npgsql auto-prepare) and compile none (<see cref="ConfigureForLookups"/>), and its pool is capped near the
    /// machine's cores, max(12, 4 × cores), because a burst of requests otherwise opened dozens of
    /// PostgreSQL backends that then fought over two cores. Either is left alone when the connection
    /// string sets it (<c>Max Auto Prepare</c>, <c>Maximum Pool Size</c>). bench-lookup at 200
    /// requests/s: p95 household 360 104 → 14 ms, search 127 → 23 ms. Not for resolution, whose
    /// statements use per-transaction temporary tables and whose consumers are few.
    /// </param>
    public static IServiceCollection AddRegistryStorage(this IServiceCollection services, IConfiguration configuration, bool interactive = false)
    {
        var connectionString = RequireConnectionString(configuration);
        // Columns are snake_case, records PascalCase: let Dapper map one onto the other everywhere.
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
        services.AddSingleton(_ =>
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = "registry" };
            ApplySessionLimits(builder.ConnectionStringBuilder, connectionString, interactive);
            if (interactive)
            {
                var settings = builder.ConnectionStringBuilder;
                ConfigureForLookups(settings);
                if (!SetsPoolSize(connectionString)) settings.MaxPoolSize = Math.Max(12, 4 * Environment.ProcessorCount);
            }
            return builder.Build();
        });
        return services;
    }

    /// <summary>
    /// A second, small pool for stewards' actions: the same login, which takes <see cref="StewardshipRole"/>
    /// when it connects (startup option <c>role</c>, as <c>SET ROLE</c>). The host's own role is NOINHERIT,
    /// so its other connections — every read, the access log — keep only the privileges granted to it.
    /// </summary>
    public static IServiceCollection AddStewardshipStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = new NpgsqlConnectionStringBuilder(RequireConnectionString(configuration));
        settings.Options = string.IsNullOrWhiteSpace(settings.Options) ? $"-c role={StewardshipRole}" : $"{settings.Options} -c role={StewardshipRole}";
        if (!SetsPoolSize(settings.ConnectionString)) settings.MaxPoolSize = 4;
        services.AddKeyedSingleton(StewardshipDataSource, (_, _) =>
            new NpgsqlDataSourceBuilder(settings.ConnectionString) { Name = "registry-stewardship" }.Build());
        return services;
    }

    /// <summary>
    /// Bounds that fit a cluster, each left alone when the connection string sets it:
    /// <list type="bullet">
    /// <item>TCP keepalives (after 30 s idle, every 10 s): a server that vanished without closing the connection
    /// (a failed-over primary, a cut network) is noticed within about a minute instead of the kernel's two hours;</item>
    /// <item><c>idle_in_transaction_session_timeout</c> 60 s: a frozen or partitioned worker holding the resolution lock
    /// stalls the others at most this long; the server then ends its session, its chunk rolls back and is redelivered
    /// (RabbitMQ notices the lost consumer by its heartbeat) and applied exactly once elsewhere;</item>
    /// <item>for the workers, <c>lock_timeout</c> 120 s (a lock wait longer than a frozen holder can last is given up and
    /// retried) and <c>statement_timeout</c> 10 min (the longest statement, the candidate index's first load, takes
    /// about 20 s a million records), with the client's command timeout a minute beyond it.</item>
    /// </list>
    /// </summary>
    public static void ApplySessionLimits(NpgsqlConnectionStringBuilder settings, string connectionString, bool interactive)
    {
        var raw = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        bool Sets(params string[] keys) => keys.Any(raw.ContainsKey);
        if (!Sets("Tcp Keepalive", "TcpKeepAlive"))
        {
            settings.TcpKeepAlive = true;
            settings.TcpKeepAliveTime = 30;
            settings.TcpKeepAliveInterval = 10;
        }
        var options = settings.Options ?? "";
        if (!options.Contains("idle_in_transaction_session_timeout", StringComparison.Ordinal))
            options += " -c idle_in_transaction_session_timeout=60s";
        if (!interactive)
        {
            if (!options.Contains("lock_timeout", StringComparison.Ordinal)) options += " -c lock_timeout=120s";
            if (!options.Contains("statement_timeout", StringComparison.Ordinal)) options += " -c statement_timeout=10min";
            if (!Sets("Command Timeout", "CommandTimeout")) settings.CommandTimeout = 660;
        }
        settings.Options = options.Trim();
    }

    /// <summary>
    /// An interactive pool has the server prepare its repeated statements, unless the connection string says otherwise,
    /// and never JIT-compiles them. A lookup's statements are estimated (over a registry of wide persons rows) above
    /// jit_above_cost, and then above the inlining and optimisation thresholds too, while they run in milliseconds: at
    /// 1M persons PostgreSQL spent 0.1–3 s compiling each household search (bench-lookup, docs/measurements.md) and
    /// every search hit the statement timeout. The resolver turns JIT off per transaction for the same reason.
    /// </summary>
    public static void ConfigureForLookups(NpgsqlConnectionStringBuilder settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Options is not { } options || !options.Contains("jit=", StringComparison.Ordinal))
            settings.Options = $"{settings.Options} -c jit=off".Trim();
        if (settings.MaxAutoPrepare != 0) return;
        settings.MaxAutoPrepare = 64;
        settings.AutoPrepareMinUsages = 2;
    }

    /// <summary>The connection migrations run on: the owner's when configured, else the host's own.</summary>
    public static string MigrationConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(OwnerConnectionStringName) is { Length: > 0 } owner ? owner : RequireConnectionString(configuration);

    /// <summary>Whether the connection string itself sizes the pool (Npgsql's builder reports every known key as present).</summary>
    private static bool SetsPoolSize(string connectionString)
    {
        // The generic builder keeps only the keys written (case-insensitively): Npgsql's names for it.
        var raw = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        return raw.ContainsKey("Maximum Pool Size") || raw.ContainsKey("MaxPoolSize");
    }

    public static string RequireConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "ConnectionStrings:Registry is not set. Start the local services with `make services-up` and " +
                "load their settings with `eval \"$(deploy/local/services.sh env)\"`, or set ConnectionStrings__Registry.");
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Registry.Storage;

/// <summary>Registers the one <see cref="NpgsqlDataSource"/> every registry component shares.</summary>
public static class RegistryStorage
{
    public const string ConnectionStringName = "Registry";

    /// <param name="autoPrepare">
    /// Prepare statements a connection runs repeatedly (Npgsql auto-prepare: parsed and planned once
    /// per connection), unless the connection string sets <c>Max Auto Prepare</c> itself. For hosts
    /// whose queries have a fixed shape (the API: household 360 p95 104 → 48 ms at 200 requests/s in
    /// bench-lookup); not for resolution, whose statements use per-transaction temporary tables.
    /// </param>
    public static IServiceCollection AddRegistryStorage(this IServiceCollection services, IConfiguration configuration, bool autoPrepare = false)
    {
        var connectionString = RequireConnectionString(configuration);
        // Columns are snake_case, records PascalCase: let Dapper map one onto the other everywhere.
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
        services.AddSingleton(_ =>
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = "registry" };
            if (autoPrepare && builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
            {
                builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
                builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
            }
            return builder.Build();
        });
        return services;
    }

    public static string RequireConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "ConnectionStrings:Registry is not set. Start the local services with `make services-up` and " +
                "load their settings with `eval \"$(deploy/local/services.sh env)\"`, or set ConnectionStrings__Registry.");
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Registry.Storage;

/// <summary>Registers the one <see cref="NpgsqlDataSource"/> every registry component shares.</summary>
public static class RegistryStorage
{
    public const string ConnectionStringName = "Registry";

    public static IServiceCollection AddRegistryStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = RequireConnectionString(configuration);
        // Columns are snake_case, records PascalCase: let Dapper map one onto the other everywhere.
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString) { Name = "registry" }.Build());
        return services;
    }

    public static string RequireConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "ConnectionStrings:Registry is not set. Start the local services with `make services-up` and " +
                "load their settings with `eval \"$(deploy/local/services.sh env)\"`, or set ConnectionStrings__Registry.");
}

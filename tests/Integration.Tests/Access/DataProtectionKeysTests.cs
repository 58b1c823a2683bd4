using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Registry.Api.Access;
using Registry.Integration.Tests.Infrastructure;
using Registry.Storage;

namespace Registry.Integration.Tests.Access;

/// <summary>API replicas share their data-protection keys through the database: what one signs, another reads.</summary>
[Collection(ServersCollection.Name)]
public sealed class DataProtectionKeysTests(RegistryServers servers)
{
    [Fact]
    public async Task A_cookie_protected_by_one_API_replica_is_read_by_another_and_the_workers_cannot_read_the_keys()
    {
        var owner = await servers.CreateDatabaseAsync();
        await Migrator.ApplyAsync(owner, NullLogger.Instance);
        var database = new NpgsqlConnectionStringBuilder(owner).Database!;
        await using var apiDb = NpgsqlDataSource.Create(servers.ApiConnectionString(database));

        var payload = Replica(apiDb).CreateProtector("cookie").Protect("session of gestora.reynosa");

        Assert.Equal("session of gestora.reynosa", Replica(apiDb).CreateProtector("cookie").Unprotect(payload));
        await using var workers = new NpgsqlConnection(servers.WorkersConnectionString(database));
        await workers.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT count(*) FROM data_protection_keys", workers);
        var denied = await Assert.ThrowsAsync<PostgresException>(() => read.ExecuteScalarAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
    }

    /// <summary>A replica's data protection as the API host sets it up, each with its own key cache.</summary>
    private static IDataProtectionProvider Replica(NpgsqlDataSource db)
    {
        var services = new ServiceCollection().AddLogging().AddSingleton(db);
        services.AddSharedDataProtection();
        return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>();
    }
}

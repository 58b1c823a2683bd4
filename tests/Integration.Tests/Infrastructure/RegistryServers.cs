using Npgsql;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Registry.Integration.Tests.Infrastructure;

/// <summary>
/// The real servers for the whole test assembly (one collection fixture). Connection settings
/// come from the environment when set (`make test` / CI start the local services and export
/// them); otherwise Testcontainers starts PostgreSQL and RabbitMQ when a Docker engine answers;
/// otherwise the run fails with how to start the services. Each test gets its own database
/// (and its own queue prefix), so tests never see each other's data.
/// </summary>
public sealed class RegistryServers : IAsyncLifetime
{
    private PostgreSqlContainer? _postgres;
    private RabbitMqContainer? _rabbit;
    private readonly List<string> _databases = [];

    public string AdminConnectionString { get; private set; } = "";
    public string BrokerUri { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var pg = Environment.GetEnvironmentVariable("ConnectionStrings__Registry");
        var amqp = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
        if (!string.IsNullOrWhiteSpace(pg) && !string.IsNullOrWhiteSpace(amqp))
        {
            AdminConnectionString = pg;
            BrokerUri = amqp;
            return;
        }

        try
        {
            _postgres = new PostgreSqlBuilder("postgres:15").Build();
            _rabbit = new RabbitMqBuilder("rabbitmq:3-management").Build();
            await Task.WhenAll(_postgres.StartAsync(), _rabbit.StartAsync());
            AdminConnectionString = _postgres.GetConnectionString();
            BrokerUri = _rabbit.GetConnectionString();
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException(
                "No PostgreSQL/RabbitMQ for the integration tests: ConnectionStrings__Registry and ConnectionStrings__RabbitMq " +
                "are not set and no Docker engine answered. Run `make services-up` then `make test` (make test loads the " +
                "settings), or export the two variables yourself.", ex);
        }
    }

    /// <summary>A fresh, empty database for one test; dropped when the run ends.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        lock (_databases) _databases.Add(name);
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_postgres is null && AdminConnectionString.Length > 0)
        {
            await using var admin = new NpgsqlConnection(AdminConnectionString);
            await admin.OpenAsync();
            foreach (var name in _databases)
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
            }
        }
        if (_postgres is not null) await _postgres.DisposeAsync();
        if (_rabbit is not null) await _rabbit.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ServersCollection : ICollectionFixture<RegistryServers>
{
    public const string Name = "servers";
}

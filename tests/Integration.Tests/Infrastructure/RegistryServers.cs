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
/// The hosts connect as their own roles, migrations as the admin: the roles'
/// connection strings come from the environment (<c>ConnectionStrings__RegistryWorkers</c>,
/// <c>ConnectionStrings__RegistryApi</c>, exported by deploy/local/services.sh env); without them the
/// fixture creates the roles, and a login of its own in each, with random passwords, dropped at the end
/// (a login per run, so concurrent runs never change each other's passwords).
/// </summary>
public sealed class RegistryServers : IAsyncLifetime
{
    private PostgreSqlContainer? _postgres;
    private RabbitMqContainer? _rabbit;
    private readonly List<string> _databases = [];

    private readonly List<string> _logins = [];
    private string _workersConnectionString = "";
    private string _apiConnectionString = "";

    public string AdminConnectionString { get; private set; } = "";
    public string BrokerUri { get; private set; } = "";

    /// <summary>The workers host's connection to <paramref name="database"/> (role registry_workers).</summary>
    public string WorkersConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(_workersConnectionString) { Database = database }.ConnectionString;

    /// <summary>The API host's connection to <paramref name="database"/> (role registry_api).</summary>
    public string ApiConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(_apiConnectionString) { Database = database }.ConnectionString;

    public async Task InitializeAsync()
    {
        var pg = Environment.GetEnvironmentVariable("ConnectionStrings__Registry");
        var amqp = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
        if (!string.IsNullOrWhiteSpace(pg) && !string.IsNullOrWhiteSpace(amqp))
        {
            AdminConnectionString = pg;
            BrokerUri = amqp;
            await UseHostRolesAsync();
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
        await UseHostRolesAsync();
    }

    private async Task UseHostRolesAsync()
    {
        var workers = Environment.GetEnvironmentVariable("ConnectionStrings__RegistryWorkers");
        var api = Environment.GetEnvironmentVariable("ConnectionStrings__RegistryApi");
        if (!string.IsNullOrWhiteSpace(workers) && !string.IsNullOrWhiteSpace(api))
        {
            (_workersConnectionString, _apiConnectionString) = (workers, api);
            return;
        }
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        // Roles are cluster-wide: another run may be creating them at the same moment.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var create = new NpgsqlCommand(Registry.Storage.Migrator.CreateRolesSql, admin);
                await create.ExecuteNonQueryAsync();
                break;
            }
            catch (PostgresException) when (attempt < 5)
            {
                await Task.Delay(100 * attempt);
            }
        }
        _workersConnectionString = await CreateLoginAsync(admin, "registry_workers");
        _apiConnectionString = await CreateLoginAsync(admin, "registry_api");
    }

    private async Task<string> CreateLoginAsync(NpgsqlConnection admin, string role)
    {
        var login = $"{role}_t{Guid.NewGuid().ToString("N")[..8]}";
        var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        // Identifiers and the password are generated here (hex), never input: safe to inline in DDL.
        await using (var create = new NpgsqlCommand($"CREATE ROLE {login} LOGIN PASSWORD '{password}' IN ROLE {role}", admin))
            await create.ExecuteNonQueryAsync();
        lock (_logins) _logins.Add(login);
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Username = login, Password = password }.ConnectionString;
    }

    /// <summary>A fresh, empty database for one test; dropped when the run ends.</summary>
    /// <summary>A copy of a test database as it stands (a backup to restore from); nobody may be connected to it meanwhile.</summary>
    public async Task<string> CopyDatabaseAsync(string connectionString)
    {
        var source = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE {source}", admin);
            await create.ExecuteNonQueryAsync();
        }
        lock (_databases) _databases.Add(name);
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

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
            foreach (var login in _logins)
            {
                await using var drop = new NpgsqlCommand($"DROP ROLE IF EXISTS {login}", admin);
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

using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Registry.Api.Review;
using Registry.Integration.Tests.Infrastructure;
using Registry.Storage;

namespace Registry.Integration.Tests.Storage;

/// <summary>
/// Least privilege: the API's role can add to the access log and never change it,
/// the workers' role changes rows but not the schema, and stewards' writes happen only through the
/// stewardship role the API's steward connections take.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class DatabaseRolesTests(RegistryServers servers)
{
    private async Task<(string Admin, string Database)> MigratedDatabaseAsync()
    {
        var admin = await servers.CreateDatabaseAsync();
        await Migrator.ApplyAsync(admin, NullLogger.Instance);
        return (admin, new NpgsqlConnectionStringBuilder(admin).Database!);
    }

    private static readonly string[] RefusedByPrivileges = ["permission denied for table access_log", "must be owner of table access_log"];

    private static async Task<PostgresException> RefusedAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connection, sql));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, NpgsqlTransaction? tx = null)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<object[]>> RowsAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object[]>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }

    [Fact]
    public async Task The_api_role_adds_to_the_access_log_but_cannot_update_delete_truncate_alter_or_disable_its_triggers()
    {
        var (admin, database) = await MigratedDatabaseAsync();
        var api = servers.ApiConnectionString(database);
        await using (var connection = new NpgsqlConnection(api))
        {
            await connection.OpenAsync();
            await ExecuteAsync(connection, "INSERT INTO access_log (subject, role, kind) VALUES ('gestora', 'case-manager', 'search')");
        }

        foreach (var sql in new[]
                 {
                     "UPDATE access_log SET subject = 'nobody'",
                     "DELETE FROM access_log",
                     "TRUNCATE access_log",
                     "ALTER TABLE access_log DISABLE TRIGGER USER",
                     "ALTER TABLE access_log DISABLE TRIGGER access_log_append_only",
                     "ALTER TABLE access_log ADD COLUMN note text",
                     "DROP TABLE access_log",
                     "SET ROLE registry_stewardship; UPDATE access_log SET subject = 'nobody'",
                     "SET ROLE registry_stewardship; DELETE FROM access_log",
                 })
        {
            var refused = await RefusedAsync(api, sql);
            // Refused by privileges (not by the append-only trigger, which a superuser could disable).
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
            Assert.Contains(refused.MessageText, RefusedByPrivileges);
        }

        var log = Assert.Single(await RowsAsync(admin, "SELECT subject FROM access_log"));
        Assert.Equal("gestora", log[0]);
    }

    [Fact]
    public async Task The_workers_role_changes_rows_but_cannot_create_or_alter_tables()
    {
        var (_, database) = await MigratedDatabaseAsync();
        var workers = servers.WorkersConnectionString(database);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await RefusedAsync(workers, "CREATE TABLE stash (id int)")).SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await RefusedAsync(workers, "ALTER TABLE persons ADD COLUMN note text")).SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await RefusedAsync(workers, "ALTER TABLE source_records DISABLE TRIGGER USER")).SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await RefusedAsync(workers, "TRUNCATE persons CASCADE")).SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege,
            (await RefusedAsync(workers, "INSERT INTO access_log (subject, role, kind) VALUES ('w', 'w', 'search')")).SqlState);

        // What the resolver does: staging in temporary tables, rows into registry tables.
        await using var connection = new NpgsqlConnection(workers);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await ExecuteAsync(connection, "CREATE TEMP TABLE stage (id int) ON COMMIT DROP; INSERT INTO stage VALUES (1)", tx);
        await ExecuteAsync(connection, "UPDATE persons SET given_names = given_names WHERE false", tx);
        await tx.RollbackAsync();
    }

    [Fact]
    public async Task The_api_role_writes_persons_and_households_only_through_the_stewards_actions()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        await system.DropAsync("dif-alimentaria", Directory.EnumerateFiles(Path.Combine(RepoPaths.Samples, "dif-alimentaria"), "*.csv").Single());
        await system.WaitForExtractsAsync(1);

        // The API's own connections: no direct writes.
        foreach (var sql in new[]
                 {
                     "INSERT INTO persons (id, golden_source_record_id) SELECT gen_random_uuid(), id FROM source_records LIMIT 1",
                     "UPDATE persons SET given_names = 'X'",
                     "DELETE FROM household_members",
                     "INSERT INTO identity_events (kind, person_id, decided_by, reason) VALUES ('merge', gen_random_uuid(), 'x', 'x')",
                 })
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await RefusedAsync(system.ApiConnectionString, sql)).SqlState);

        // Stewards' actions through the API host (connected as registry_api) all succeed.
        var db = system.ConnectionString;
        var households = (await RowsAsync(db,
            "SELECT household_id FROM household_members WHERE valid_to IS NULL GROUP BY household_id HAVING count(*) >= 2 ORDER BY household_id LIMIT 1"))
            .Select(r => (Guid)r[0]).ToList();
        Assert.Single(households);
        var steward = await system.ApiClientAsync("custodio");

        var members = (await RowsAsync(db,
            $"SELECT person_id FROM household_members WHERE household_id = '{households[0]}' AND valid_to IS NULL ORDER BY person_id"))
            .Select(r => (Guid)r[0]).ToList();
        using var split = await steward.PostAsJsonAsync($"/api/households/{households[0]}/split", new HouseholdSplitRequest([members[0]], "lives apart now"));
        Assert.Equal(HttpStatusCode.Created, split.StatusCode);
        var newHousehold = (await split.Content.ReadFromJsonAsync<SplitResult>())!.NewId;
        using var merge = await steward.PostAsJsonAsync($"/api/households/{households[0]}/merge", new HouseholdMergeRequest(newHousehold, "moved back"));
        Assert.Equal(HttpStatusCode.NoContent, merge.StatusCode);

        // (A match decision, which merges persons, goes through the same role: ReviewApiTests.)
        var pick = (await RowsAsync(db,
            "SELECT person_id, min(id::text)::uuid FROM source_records GROUP BY person_id HAVING count(*) >= 2 ORDER BY person_id LIMIT 1")).Single();
        var (person, record) = ((Guid)pick[0], (Guid)pick[1]);
        using var personSplit = await steward.PostAsJsonAsync($"/api/persons/{person}/split", new SplitRequest([record], "two people in one file"));
        Assert.Equal(HttpStatusCode.Created, personSplit.StatusCode);

        var events = (await RowsAsync(db,
            "SELECT (SELECT count(*) FROM household_events), (SELECT count(*) FROM identity_events WHERE decided_by = 'custodio')")).Single();
        Assert.Equal((2L, 1L), ((long)events[0], (long)events[1]));
    }
}

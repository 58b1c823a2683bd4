using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Registry.Api.Access;
using Registry.Integration.Tests.Infrastructure;
using Registry.Storage;

namespace Registry.Integration.Tests.Storage;

/// <summary>
/// The access log's hash chain: the database chains every entry whoever inserts it,
/// and the verifier — recomputing in C# — names the first entry changed or removed behind the
/// application's back (by a superuser, triggers disabled).
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class AccessLogChainTests(RegistryServers servers)
{
    private async Task<(string Admin, string Api)> LogOfAsync(int entries)
    {
        var admin = await servers.CreateDatabaseAsync();
        await Migrator.ApplyAsync(admin, NullLogger.Instance);
        var api = servers.ApiConnectionString(new NpgsqlConnectionStringBuilder(admin).Database!);
        await using var connection = new NpgsqlConnection(api);
        await connection.OpenAsync();
        for (var i = 1; i <= entries; i++)
        {
            // What the API writes: its role may only INSERT; the chain columns it sends are overwritten.
            await using var insert = new NpgsqlCommand(
                """
                INSERT INTO access_log (subject, role, kind, target_id, purpose, detail, returned_ids, seq, hash)
                VALUES (@subject, 'case-manager', 'search', NULL, 'Seguimiento de caso · niñez', 'households:name', @returned, 999, '\x00')
                """, connection);
            insert.Parameters.AddWithValue("subject", $"gestora.{i}");
            insert.Parameters.AddWithValue("returned", new[] { Guid.NewGuid(), Guid.NewGuid() });
            await insert.ExecuteNonQueryAsync();
        }
        return (admin, api);
    }

    private static async Task<AccessLogVerification> VerifyAsync(string connectionString)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        return await AccessLogVerifier.VerifyAsync(db);
    }

    private static async Task AsSuperuserAsync(string admin, string sql)
    {
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"ALTER TABLE access_log DISABLE TRIGGER USER; {sql}; ALTER TABLE access_log ENABLE TRIGGER USER", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> IdOfAsync(string admin, int seq)
    {
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT id FROM access_log WHERE seq = {seq}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task An_intact_log_verifies_with_its_count_and_head_and_the_command_exits_zero()
    {
        var (admin, api) = await LogOfAsync(5);
        var result = await VerifyAsync(api);
        Assert.True(result.Intact, result.Problem);
        Assert.Equal((5L, 5L), (result.Entries, result.HeadSeq));
        Assert.Matches("^[0-9a-f]{64}$", result.HeadHash);

        var output = new StringWriter();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("ConnectionStrings:Registry", admin)]).Build();
        Assert.Equal(0, await AccessLogVerifier.RunAsync(["verify-access-log"], configuration, output));
        Assert.StartsWith($"Access log intact: 5 entries; head #5 {result.HeadHash}", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await AccessLogVerifier.RunAsync(["verify-access-log", "--expect", $"5:{result.HeadHash}"], configuration, new StringWriter()));
    }

    [Fact]
    public async Task A_row_edited_by_a_superuser_is_named_by_the_verifier()
    {
        var (admin, api) = await LogOfAsync(5);
        var edited = await IdOfAsync(admin, 3);
        await AsSuperuserAsync(admin, $"UPDATE access_log SET purpose = 'Auditoría' WHERE id = {edited}");

        var result = await VerifyAsync(api);
        Assert.False(result.Intact);
        Assert.Equal(edited, result.BrokenId);
        Assert.Equal("was changed after it was written (its content no longer matches its hash)", result.Problem);
        Assert.Equal(2L, result.Entries);

        var output = new StringWriter();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("ConnectionStrings:Registry", api)]).Build();
        Assert.Equal(1, await AccessLogVerifier.RunAsync(["verify-access-log"], configuration, output));
        Assert.StartsWith($"Access log BROKEN at entry id {edited}: it was changed", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_middle_row_deleted_by_a_superuser_is_named_by_the_verifier()
    {
        var (admin, api) = await LogOfAsync(5);
        await AsSuperuserAsync(admin, $"DELETE FROM access_log WHERE id = {await IdOfAsync(admin, 3)}");

        var result = await VerifyAsync(api);
        Assert.Equal(await IdOfAsync(admin, 4), result.BrokenId);
        Assert.Equal("is entry #4 but follows #2: entry #3 is missing (deleted)", result.Problem);
    }

    [Fact]
    public async Task The_newest_rows_deleted_or_the_whole_chain_rewritten_are_detected()
    {
        var (admin, api) = await LogOfAsync(4);
        var recorded = await VerifyAsync(api);
        await AsSuperuserAsync(admin, $"DELETE FROM access_log WHERE id = {await IdOfAsync(admin, 4)}");
        var tail = await VerifyAsync(api);
        Assert.Equal("is the last entry (#3) but the chain head is at #4: the newest entries are missing (deleted)", tail.Problem);

        // A superuser who also rewinds the head and recomputes every hash leaves a consistent chain:
        // only a head recorded earlier, outside the database, tells.
        await AsSuperuserAsync(admin, "UPDATE access_log_chain_head SET seq = 3, hash = (SELECT hash FROM access_log WHERE seq = 3)");
        Assert.True((await VerifyAsync(api)).Intact);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("ConnectionStrings:Registry", api)]).Build();
        var output = new StringWriter();
        Assert.Equal(1, await AccessLogVerifier.RunAsync(["verify-access-log", "--expect", $"{recorded.HeadSeq}:{recorded.HeadHash}"], configuration, output));
        Assert.Contains("the recorded head #4 is beyond the last entry #3", output.ToString(), StringComparison.Ordinal);
    }
}

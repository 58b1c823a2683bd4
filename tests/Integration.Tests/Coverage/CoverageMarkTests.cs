using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Registry.Integration.Tests.Infrastructure;
using Registry.Storage;

namespace Registry.Integration.Tests.Coverage;

/// <summary>
/// Coverage marks: two writers marking the same households in opposite orders — as two chunks do from
/// their memberships' and service events' triggers — both commit, and one refresh takes every mark committed before it
/// and none committed after it.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class CoverageMarkTests(RegistryServers servers)
{
    [Fact]
    public async Task Two_writers_marking_the_same_households_in_opposite_orders_both_commit()
    {
        var cs = await servers.CreateDatabaseAsync();
        await Migrator.ApplyAsync(cs, NullLogger.Instance);
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        await using var first = new NpgsqlConnection(cs);
        await using var second = new NpgsqlConnection(cs);
        await first.OpenAsync();
        await second.OpenAsync();
        await using var tx1 = await first.BeginTransactionAsync();
        await using var tx2 = await second.BeginTransactionAsync();
        await Mark(first, tx1, a);
        await Mark(second, tx2, b);
        // With one row per household renumbered in place, each of these waited for the other: a deadlock.
        var crossed = Task.WhenAll(Mark(first, tx1, b), Mark(second, tx2, a));
        Assert.Same(crossed, await Task.WhenAny(crossed, Task.Delay(TimeSpan.FromSeconds(10))));
        await crossed;
        await tx1.CommitAsync();
        await tx2.CommitAsync();

        await using var db = NpgsqlDataSource.Create(cs);
        Assert.Equal(4L, await Scalar<long>(db, "SELECT count(*) FROM coverage_dirty"));
        Assert.Equal(2, await Scalar<int>(db, Registry.Coverage.CoverageRefresh.PendingSql));
        Assert.Equal(0L, await Scalar<long>(db, "SELECT count(*) FROM coverage_dirty"));
    }

    private static async Task Mark(NpgsqlConnection connection, NpgsqlTransaction tx, Guid household)
    {
        await using var command = new NpgsqlCommand("SELECT registry_coverage_mark(ARRAY[@h]::uuid[])", connection, tx);
        command.Parameters.AddWithValue("h", household);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> Scalar<T>(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}

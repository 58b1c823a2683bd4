using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Registry.Integration.Tests.Infrastructure;
using Registry.Storage;

namespace Registry.Integration.Tests.Storage;

/// <summary>
/// The schema starts from one baseline script. A developer's registry built by the numbered scripts it replaced keeps
/// working when it had all of them, and one that stopped earlier is refused with a message saying what to do.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class BaselineTests(RegistryServers servers)
{
    private const string Prefix = "Registry.Storage.Migrations.";

    [Fact]
    public async Task A_new_database_gets_the_baseline_once_and_a_second_run_applies_nothing()
    {
        var database = await servers.CreateDatabaseAsync();
        Assert.Contains(Prefix + "0001_baseline.sql", await Migrator.ApplyAsync(database, NullLogger.Instance));
        Assert.Empty(await Migrator.ApplyAsync(database, NullLogger.Instance));
    }

    [Fact]
    public async Task A_database_built_by_all_the_pre_baseline_migrations_is_journaled_as_at_the_baseline()
    {
        var database = await servers.CreateDatabaseAsync();
        await Migrator.ApplyThroughAsync(database, Prefix + "0001_baseline.sql", NullLogger.Instance);
        await AsBuiltBeforeTheBaselineAsync(database, lastScript: 58);

        // The baseline is not run again; the migrations written after it are.
        var applied = await Migrator.ApplyAsync(database, NullLogger.Instance);
        Assert.DoesNotContain(Prefix + "0001_baseline.sql", applied);
        Assert.Equal(LaterThanBaseline(), applied.Order(StringComparer.Ordinal));
        Assert.NotEmpty(applied);
        await using var db = NpgsqlDataSource.Create(database);
        await using var journaled = db.CreateCommand("SELECT count(*) FROM schemaversions WHERE scriptname = 'Registry.Storage.Migrations.0001_baseline.sql'");
        Assert.Equal(1L, await journaled.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_database_that_stopped_before_the_last_pre_baseline_migration_is_refused_with_what_to_do()
    {
        var database = await servers.CreateDatabaseAsync();
        await Migrator.ApplyThroughAsync(database, Prefix + "0001_baseline.sql", NullLogger.Instance);
        await AsBuiltBeforeTheBaselineAsync(database, lastScript: 57);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Migrator.ApplyAsync(database, NullLogger.Instance));
        Assert.Contains("cannot be brought forward", refused.Message, StringComparison.Ordinal);
        Assert.Contains("drop the database", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>The migrations written after the baseline, as the assembly holds them.</summary>
    private static List<string> LaterThanBaseline() =>
        [.. typeof(Migrator).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && string.CompareOrdinal(n, Prefix + "0001_baseline.sql") > 0)
            .Order(StringComparer.Ordinal)];

    /// <summary>The journal as the pre-baseline scripts left it: their names up to <paramref name="lastScript"/>, no baseline.</summary>
    private static async Task AsBuiltBeforeTheBaselineAsync(string database, int lastScript)
    {
        await using var db = NpgsqlDataSource.Create(database);
        await using var rewrite = db.CreateCommand(
            """
            DELETE FROM schemaversions;
            INSERT INTO schemaversions (scriptname, applied)
            SELECT @prefix || lpad(n::text, 4, '0') || '_pre_baseline.sql', now() FROM generate_series(1, @last - 1) n;
            INSERT INTO schemaversions (scriptname, applied)
            SELECT @prefix || CASE WHEN @last = 58 THEN '0058_frequency_epochs.sql' ELSE '0057_review_settled_by_birth_dates.sql' END, now();
            """);
        rewrite.Parameters.AddWithValue("prefix", Prefix);
        rewrite.Parameters.AddWithValue("last", lastScript);
        await rewrite.ExecuteNonQueryAsync();
    }
}

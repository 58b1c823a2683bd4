using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Registry.Contracts;
using Registry.Extracts;
using Registry.Storage;

namespace Registry.Integration.Tests.Infrastructure;

/// <summary>
/// A fresh, migrated registry with one registered SSA health extract, and chunks of it: what tests
/// driving <see cref="Resolution.ChunkResolver"/> directly start from.
/// </summary>
internal static class ResolverRegistry
{
    public static async Task<(NpgsqlDataSource Db, Guid Extract)> NewAsync(RegistryServers servers, int rows = 1)
    {
        var cs = await servers.CreateDatabaseAsync();
        await Migrator.ApplyAsync(cs, NullLogger.Instance);
        var db = NpgsqlDataSource.Create(cs);
        var (extract, _) = await new ExtractStore(db).RegisterAsync("ssa-consultas", "SSA-TAM", "health", "t.csv", new string('a', 64), rows, "/dev/null", default);
        return (db, extract);
    }

    /// <summary>
    /// The references the resolver writes without a foreign key (migration 0019) that point nowhere,
    /// as "table.column: count, …"; null when every one is intact.
    /// </summary>
    public static async Task<string?> DanglingReferencesAsync(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand(
            "SELECT string_agg(table_name || '.' || column_name || ': ' || dangling, ', ') FROM registry_dangling_references()");
        return await command.ExecuteScalarAsync() as string;
    }

    /// <summary>Fails when <see cref="DanglingReferencesAsync"/> finds any: every scenario of <c>IdentityResolutionTests</c> ends with this check.</summary>
    public static async Task AssertNoDanglingReferencesAsync(NpgsqlDataSource db) => Assert.Null(await DanglingReferencesAsync(db));

    public static ResolveSourceRows Chunk(Guid extract, int index, params SourceRow[] rows) =>
        new(extract, index, rows[0].RowNumber, rows[^1].RowNumber, "ssa-consultas", "SSA-TAM", "health", rows);
}

using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Registry.Contracts;
using Registry.Extracts;
using Registry.Normalization;
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
    /// The references the resolver writes without a foreign key that point nowhere,
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

    /// <summary>The person the source record of row <paramref name="row"/> belongs to now.</summary>
    public static async Task<Guid> PersonOfRowAsync(NpgsqlDataSource db, int row)
    {
        await using var command = db.CreateCommand("SELECT person_id FROM source_records WHERE row_number = @row");
        command.Parameters.AddWithValue("row", row);
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A valid CURP (homonymy digit 0) of a VELAZQUEZ BECERRA born in Tamaulipas, as the resolution tests' rows are.</summary>
    public static string CurpOf(string given, DateOnly birth, Sex sex)
    {
        var first17 = Curp.Derive("VELAZQUEZ", "BECERRA", given, birth, sex, "TS").First16 + "0";
        return first17 + Curp.CheckDigit(first17);
    }

    public static ResolveSourceRows Chunk(Guid extract, int index, params SourceRow[] rows) =>
        new(extract, index, rows[0].RowNumber, rows[^1].RowNumber, "ssa-consultas", "SSA-TAM", "health", rows);
}

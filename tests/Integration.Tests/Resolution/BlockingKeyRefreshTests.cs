using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Registry.Contracts;
using Registry.Integration.Tests.Infrastructure;
using Registry.Matching;
using Registry.Resolution;

namespace Registry.Integration.Tests.Resolution;

/// <summary>
/// A registry built before the blocking keys changed: its records lack the new keys until the
/// refresh adds them, and only then does a new record of the same person find them.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class BlockingKeyRefreshTests(RegistryServers servers)
{
    [Fact]
    public async Task Records_stored_under_an_older_scheme_get_the_new_keys_and_are_found_again()
    {
        var (db, extract) = await ResolverRegistry.NewAsync(servers);
        await using var _ = db;
        var resolver = new ChunkResolver(db);
        await resolver.ApplyAsync(ResolverRegistry.Chunk(extract, 0, Row(1, "RICARDO", "VELAZQUEZ", "E-1"), Row(2, "ELENA", "ZUNIGA", "E-2")), default);
        var keys = await KeysAsync(db);

        // As an older version left it: only the paternal-surname keys, scheme 1.
        await ExecuteAsync(db, "DELETE FROM match_blocks WHERE block_key NOT LIKE 'dp:%' OR block_key LIKE '%BECERRA%'; UPDATE match_block_scheme SET version = 1");
        Assert.NotEqual(keys, await KeysAsync(db));

        var refresh = new BlockingKeyRefresh(db, NullLogger.Instance);
        Assert.Equal(2L, await refresh.RunAsync(default));
        Assert.Equal(keys, await KeysAsync(db));
        await using (var version = db.CreateCommand("SELECT version FROM match_block_scheme"))
            Assert.Equal(BlockingKeyRefresh.Scheme, await version.ExecuteScalarAsync());
        Assert.Null(await refresh.RunAsync(default)); // current: nothing to do, nothing duplicated
        Assert.Equal(keys, await KeysAsync(db));

        // Typos in the given name and the first surname: only birth date + second surname, or + initials, meet.
        await resolver.ApplyAsync(ResolverRegistry.Chunk(extract, 1, Row(3, "RICPARDO", "VEÑLAZQUEZ", "E-3")), default);
        await using var persons = db.CreateCommand("SELECT count(DISTINCT person_id) FROM source_records WHERE data->>'GivenNames' LIKE 'RIC%'");
        Assert.Equal(1L, await persons.ExecuteScalarAsync());
    }

    private static SourceRow Row(int number, string given, string paternal, string agencyPersonId) => new()
    {
        RowNumber = number,
        RecordKey = "r" + number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ContentHash = number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AgencyPersonId = agencyPersonId,
        GivenNames = given,
        PaternalSurname = paternal,
        MaternalSurname = "BECERRA",
        Sex = "H",
        BirthDate = new DateOnly(1978, 12, 17),
        Municipality = "NUEVO LAREDO",
        ServiceType = "CONSULTA GENERAL",
        ServiceDate = new DateOnly(2026, 5, 1),
    };

    private static async Task<List<string>> KeysAsync(NpgsqlDataSource db)
    {
        var keys = new List<string>();
        await using var command = db.CreateCommand("SELECT block_key || ' ' || source_record_id FROM match_blocks ORDER BY 1");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) keys.Add(reader.GetString(0));
        return keys;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}

using Npgsql;
using Registry.Contracts;
using Registry.Integration.Tests.Infrastructure;
using Registry.Resolution;

namespace Registry.Integration.Tests.Resolution;

/// <summary>
/// A resolver reads its candidates before it takes the resolution lock. What another resolver
/// commits in between (here a new person) must still be seen under the lock, or the same
/// person is created twice (hard rule 7).
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class CandidateCatchUpTests(RegistryServers servers)
{
    [Fact]
    public async Task A_person_committed_between_the_candidate_read_and_the_lock_is_linked_not_created_again()
    {
        var (db, extract) = await ResolverRegistry.NewAsync(servers, 2);
        await using var _ = db;
        var first = new ChunkResolver(db);
        var ran = false;
        var second = new ChunkResolver(db)
        {
            // The first chunk resolves and commits after the second read its (then empty) candidates.
            BeforeLock = async ct =>
            {
                if (ran) return;
                ran = true;
                Assert.True(await first.ApplyAsync(ResolverRegistry.Chunk(extract, 0, Row(1, "E-1")), ct));
            },
        };

        Assert.True(await second.ApplyAsync(ResolverRegistry.Chunk(extract, 1, Row(2, "E-2")), default));

        Assert.True(ran);
        await using var command = db.CreateCommand(
            "SELECT count(DISTINCT person_id), count(*), (SELECT count(*) FROM persons) FROM source_records");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(2L, reader.GetInt64(1));
        Assert.Equal(1L, reader.GetInt64(0));
        Assert.Equal(1L, reader.GetInt64(2));
    }

    // The same person under two agency ids and no CURP: only the probabilistic match can join them.
    private static SourceRow Row(int number, string agencyPersonId) => new()
    {
        RowNumber = number,
        RecordKey = "r" + number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ContentHash = number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AgencyPersonId = agencyPersonId,
        GivenNames = "RICARDO",
        PaternalSurname = "VELAZQUEZ",
        MaternalSurname = "BECERRA",
        Sex = "H",
        BirthDate = new DateOnly(1978, 12, 17),
        Municipality = "NUEVO LAREDO",
        Phone = "8671234567",
        ServiceType = "CONSULTA GENERAL",
        ServiceDate = new DateOnly(2026, 5, 1),
    };
}

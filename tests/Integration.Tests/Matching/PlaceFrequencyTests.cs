using Npgsql;
using Registry.Contracts;
using Registry.Integration.Tests.Infrastructure;
using Registry.Matching;
using Registry.Resolution;

namespace Registry.Integration.Tests.Matching;

/// <summary>
/// Where the registry's records live, counted as the resolver writes them: what a full name shared in a place is judged
/// against (<see cref="MatchModel.NameUnique"/>) — the colonia, the postal code and, for agencies that write neither, the
/// municipality.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class PlaceFrequencyTests(RegistryServers servers)
{
    [Fact]
    public async Task The_registry_counts_how_many_of_its_records_live_in_each_municipality()
    {
        var (db, extract) = await ResolverRegistry.NewAsync(servers, rows: 4);
        await using var _ = db;

        await new ChunkResolver(db).ApplyAsync(ResolverRegistry.Chunk(extract, 0,
            Row(1, "ROSA ISELA", "REYNOSA"), Row(2, "MARTHA", "Reynosa"), Row(3, "LAURA", "VICTORIA"), Row(4, "ELENA", null)), default);

        // Written as the municipality is compared (normalised), and the records that name one as its total.
        Assert.Equal(2, await CountAsync(db, "REYNOSA"));
        Assert.Equal(1, await CountAsync(db, "VICTORIA"));
        Assert.Equal(3, await CountAsync(db, ""));
    }

    // Folded into term_frequencies when the epoch closes, pending until then: either way what the next epoch scores with.
    private static async Task<int> CountAsync(NpgsqlDataSource db, string value)
    {
        await using var command = db.CreateCommand(
            """
            SELECT coalesce(sum(n), 0)::int FROM (SELECT n FROM term_frequencies WHERE field = 'municipality' AND value = @value
                                                   UNION ALL SELECT n FROM term_frequency_pending WHERE field = 'municipality' AND value = @value) f
            """);
        command.Parameters.AddWithValue("value", value);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    private static SourceRow Row(int number, string given, string? municipality) => new()
    {
        RowNumber = number,
        RecordKey = "r" + number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ContentHash = number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        GivenNames = given,
        PaternalSurname = "CANTU",
        MaternalSurname = "MEDINA",
        Municipality = municipality,
        ServiceType = "CONSULTA GENERAL",
        ServiceDate = new DateOnly(2026, 5, 1),
    };
}

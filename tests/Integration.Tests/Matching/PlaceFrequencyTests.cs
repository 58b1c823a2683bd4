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

    [Fact]
    public async Task A_closed_epochs_counts_score_the_same_before_and_after_they_are_folded_outside_the_lock()
    {
        var chunks = Registry.Resolution.Steps.IdentityLedgerStep.EpochChunks;
        var (db, extract) = await ResolverRegistry.NewAsync(servers, rows: chunks);
        await using var _ = db;
        // One epoch of chunks, one REYNOSA record each: the last closes it, and its commit is followed by the fold.
        for (var i = 0; i < chunks; i++)
            await new ChunkResolver(db).ApplyAsync(ResolverRegistry.Chunk(extract, i, Row(i + 1, "ROSA" + (char)('A' + i), "REYNOSA")), default);
        Assert.Equal((Counted: (long)chunks, SetAsideOfClosedEpochs: 0L), await ReadAsync(db));

        // A closing chunk that died before its fold leaves its epoch's counts set aside: scoring counts them all the same …
        await using (var unfolded = db.CreateCommand(
            "INSERT INTO term_frequency_pending (field, value, n, epoch) SELECT 'municipality', 'REYNOSA', 5, epoch - 1 FROM resolution_epoch; " +
            "UPDATE frequency_fold SET through = through - 1"))
            await unfolded.ExecuteNonQueryAsync();
        Assert.Equal((Counted: chunks + 5L, SetAsideOfClosedEpochs: 1L), await ReadAsync(db));
        // … and the next fold takes them in.
        await using (var connection = await db.OpenConnectionAsync())
            await Registry.Resolution.Steps.IdentityLedgerStep.FoldFrequenciesAsync(connection, default);
        Assert.Equal((Counted: chunks + 5L, SetAsideOfClosedEpochs: 0L), await ReadAsync(db));

        // What scoring reads of REYNOSA (TermFrequencies, with no floor on the registry's size), and the rows of closed
        // epochs still set aside.
        static async Task<(long Counted, long SetAsideOfClosedEpochs)> ReadAsync(NpgsqlDataSource db)
        {
            await using var connection = await db.OpenConnectionAsync();
            await using var tx = await connection.BeginTransactionAsync();
            var record = MatchRecord.From(Row(99, "X", "REYNOSA"), Guid.NewGuid(), Guid.NewGuid());
            var frequencies = await TermFrequencies.LoadAsync(connection, tx, [record], MatchModel.Default with { MinTermRows = 0 }, default);
            var share = frequencies.Lookup(MatchField.Municipality, record.Municipality!)!.Value;
            var total = 1 / frequencies.Lookup(MatchField.Municipality, "NOWHERE")!.Value;
            await using var setAside = new NpgsqlCommand(
                "SELECT count(*) FROM term_frequency_pending WHERE epoch < (SELECT epoch FROM resolution_epoch)", connection, tx);
            return ((long)Math.Round(share * total), (long)(await setAside.ExecuteScalarAsync())!);
        }
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

using System.Globalization;
using Npgsql;
using Registry.Contracts;
using Registry.Integration.Tests.Infrastructure;
using Registry.Matching;
using Registry.Normalization;
using Registry.Resolution;
using Registry.Review;

namespace Registry.Integration.Tests.Resolution;

/// <summary>
/// The in-memory candidate index answers as the registry stands: a record a steward moved to
/// another person is found under that person, and a crowded block gives a row a bounded number of
/// candidates. (Records another process wrote meanwhile: <see cref="CandidateCatchUpTests"/>.)
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class CandidateIndexTests(RegistryServers servers)
{
    [Fact]
    public async Task A_record_a_steward_moved_is_found_under_its_new_person()
    {
        var (db, extract) = await ResolverRegistry.NewAsync(servers, 2);
        await using var _ = db;
        var index = new CandidateIndex();
        await new ChunkResolver(db, index).ApplyAsync(ResolverRegistry.Chunk(extract, 0,
            Row(1, "RICARDO", new DateOnly(1978, 12, 17)), Row(2, "ELENA", new DateOnly(1985, 3, 9))), default);
        var ricardo = await ResolverRegistry.PersonOfRowAsync(db, 1);
        var elena = await ResolverRegistry.PersonOfRowAsync(db, 2);
        Assert.NotEqual(ricardo, elena);
        Assert.Equal([ricardo], (await CandidatesOfAsync(db, index, Row(3, "RICARDO", new DateOnly(1978, 12, 17)))).Select(c => c.Record.PersonId));

        await new Stewardship(db).MergeAsync(elena, ricardo, "steward@test", "same person, documents checked", default);

        var after = await CandidatesOfAsync(db, index, Row(3, "RICARDO", new DateOnly(1978, 12, 17)));
        Assert.Equal([elena], after.Select(c => c.Record.PersonId));
    }

    [Fact]
    public async Task A_worker_whose_database_was_restored_to_an_earlier_point_rebuilds_its_index_from_it()
    {
        var (db, extract) = await ResolverRegistry.NewAsync(servers, 3);
        await using var _ = db;
        var index = new CandidateIndex();
        await new ChunkResolver(db, index).ApplyAsync(ResolverRegistry.Chunk(extract, 0, Row(1, "RICARDO", new DateOnly(1978, 12, 17))), default);
        db.Clear();
        NpgsqlConnection.ClearAllPools(); // the migrations' own pool too: a database is copied only with nobody connected
        var backup = await servers.CopyDatabaseAsync(db.ConnectionString);
        await new ChunkResolver(db, index).ApplyAsync(ResolverRegistry.Chunk(extract, 1, Row(2, "ELENA", new DateOnly(1985, 3, 9))), default);
        Assert.Equal(2, index.Count);

        // The database is restored from the backup (taken before Elena); the same worker goes on against it, and
        // Marta's record takes the seq Elena's had.
        await using var restored = NpgsqlDataSource.Create(backup);
        await new ChunkResolver(restored, index).ApplyAsync(ResolverRegistry.Chunk(extract, 1, Row(3, "MARTA", new DateOnly(1990, 5, 4))), default);

        Assert.Equal(1, index.Rebuilds);
        Assert.Equal(2, index.Count);
        Assert.Empty(await CandidatesOfAsync(restored, index, Row(4, "ELENA", new DateOnly(1985, 3, 9))));
        Assert.Equal([await ResolverRegistry.PersonOfRowAsync(restored, 3)],
            (await CandidatesOfAsync(restored, index, Row(5, "MARTA", new DateOnly(1990, 5, 4)))).Select(c => c.Record.PersonId));
    }

    [Fact]
    public async Task A_crowded_block_is_a_generic_key_that_finds_no_one()
    {
        var (db, extract) = await ResolverRegistry.NewAsync(servers, 250);
        await using var _ = db;
        var index = new CandidateIndex();
        var birth = new DateOnly(1990, 1, 1);
        await new ChunkResolver(db, index).ApplyAsync(ResolverRegistry.Chunk(extract, 0,
            [.. Enumerable.Range(1, 250).Select(i => Row(i, "JOSE", birth))]), default);

        var candidates = await CandidatesOfAsync(db, index, Row(251, "JOSE", birth));

        // Every key of these namesakes is filed by 250 records: generic, so not the oldest 200 of them but no one —
        // and the row is counted as having generic keys only.
        Assert.Empty(candidates);
        Assert.Equal(250, index.Count);
        Assert.True(index.RowsOnlyInFullBlocks > 0);
    }

    [Fact]
    public async Task A_persons_CURP_follows_its_records_through_a_stewards_merge_and_split()
    {
        var (db, extract) = await ResolverRegistry.NewAsync(servers, 3);
        await using var _ = db;
        var index = new CandidateIndex();
        var ricardoCurp = ResolverRegistry.CurpOf("RICARDO", new DateOnly(1978, 12, 17), Sex.Male);
        await new ChunkResolver(db, index).ApplyAsync(ResolverRegistry.Chunk(extract, 0,
            Row(1, "RICARDO", new DateOnly(1978, 12, 17)) with { Curp = ricardoCurp },
            Row(2, "RICARDO", new DateOnly(1978, 12, 17)) with { Curp = ricardoCurp },
            Row(3, "ELENA", new DateOnly(1985, 3, 9))), default);
        var ricardo = await ResolverRegistry.PersonOfRowAsync(db, 1);
        var elena = await ResolverRegistry.PersonOfRowAsync(db, 3);
        Assert.Equal(ricardo, await ResolverRegistry.PersonOfRowAsync(db, 2));
        var before = await index.CurpsOfAsync([ricardo, elena], default);
        Assert.Equal(ricardoCurp, before[ricardo]);
        Assert.Null(before[elena]);

        // A steward puts Ricardo's records under Elena's id, then takes them out again.
        var stewardship = new Stewardship(db);
        await stewardship.MergeAsync(elena, ricardo, "steward@test", "documents checked", default);
        await CandidatesOfAsync(db, index, Row(4, "ELENA", new DateOnly(1985, 3, 9))); // syncs the index
        var merged = await index.CurpsOfAsync([elena, ricardo], default);
        Assert.Equal(ricardoCurp, merged[elena]);
        Assert.Null(merged[ricardo]);

        var split = await stewardship.SplitAsync(elena, [await RecordOfRowAsync(db, 1), await RecordOfRowAsync(db, 2)], "steward@test", "two people", default);
        await CandidatesOfAsync(db, index, Row(4, "ELENA", new DateOnly(1985, 3, 9)));
        var after = await index.CurpsOfAsync([elena, split], default);
        Assert.Equal(ricardoCurp, after[split]);
        Assert.Null(after[elena]);
    }

    [Fact]
    public async Task A_catch_up_answers_as_a_fresh_lookup_after_another_process_wrote_and_a_steward_merged()
    {
        var (db, extract) = await ResolverRegistry.NewAsync(servers, 6);
        await using var _ = db;
        var mine = new CandidateIndex();
        var theirs = new CandidateIndex(); // another worker process
        await new ChunkResolver(db, theirs).ApplyAsync(ResolverRegistry.Chunk(extract, 0,
            Row(1, "RICARDO", new DateOnly(1978, 12, 17)), Row(2, "ELENA", new DateOnly(1985, 3, 9))), default);
        SourceRow[] chunk = [Row(10, "RICARDO", new DateOnly(1978, 12, 17)), Row(11, "ELENA", new DateOnly(1985, 3, 9)), Row(12, "JOSE", new DateOnly(1990, 1, 1))];
        await using var connection = await db.OpenConnectionAsync();
        var early = await mine.LookupAsync(connection, null, Lookups(chunk), default);
        Assert.Equal(2, early.Candidates.Count);

        // Meanwhile the other process files new records (one for a row that had none) and a steward moves one.
        await new ChunkResolver(db, theirs).ApplyAsync(ResolverRegistry.Chunk(extract, 1,
            Row(3, "RICARDO", new DateOnly(1978, 12, 17)), Row(4, "JOSE", new DateOnly(1990, 1, 1)), Row(5, "JOSE", new DateOnly(1990, 1, 1))), default);
        await new Stewardship(db).MergeAsync(await ResolverRegistry.PersonOfRowAsync(db, 1), await ResolverRegistry.PersonOfRowAsync(db, 2), "steward@test", "same person", default);

        var caughtUp = await mine.CatchUpAsync(connection, null, early, Lookups(chunk[1..]), default);
        var fresh = await new CandidateIndex().CandidatesAsync(connection, null, Lookups(chunk[1..]), default);

        Assert.Equal(fresh.Select(c => (c.RowNumber, c.Record.SourceRecordId, c.Record.PersonId)),
            caughtUp.Select(c => (c.RowNumber, c.Record.SourceRecordId, c.Record.PersonId)));
        Assert.Contains(caughtUp, c => c.RowNumber == 12); // found only since
        var ricardo = await ResolverRegistry.PersonOfRowAsync(db, 1);
        Assert.All(caughtUp.Where(c => c.RowNumber == 11), c => Assert.Equal(ricardo, c.Record.PersonId)); // moved since
    }

    [Fact]
    public async Task A_resolvers_own_records_are_filed_from_memory_as_a_sync_reads_them()
    {
        var (db, extract) = await ResolverRegistry.NewAsync(servers, 9);
        await using var _ = db;
        await using var connection = await db.OpenConnectionAsync();
        var index = new CandidateIndex();
        var resolver = new ChunkResolver(db, index);
        var reader = new CandidateIndex(); // kept up to date by reading the registry only, as before
        await resolver.ApplyAsync(ResolverRegistry.Chunk(extract, 0,
            Row(1, "RICARDO", new DateOnly(1978, 12, 17)), Row(2, "ELENA", new DateOnly(1985, 3, 9)), Row(3, "RICARDO", new DateOnly(1978, 12, 17))), default);
        await reader.SyncAsync(connection, default);
        var filedFirst = index.FiledFromWrites;
        // A steward's merge takes seqs between two chunks; the next chunk repeats a record unchanged (no new match record).
        await new Stewardship(db).MergeAsync(await ResolverRegistry.PersonOfRowAsync(db, 1), await ResolverRegistry.PersonOfRowAsync(db, 2), "steward@test", "same person", default);
        await reader.SyncAsync(connection, default);
        await resolver.ApplyAsync(ResolverRegistry.Chunk(extract, 1,
            Row(4, "ELENA", new DateOnly(1985, 3, 9)), Row(2, "ELENA", new DateOnly(1985, 3, 9)) with { RowNumber = 5 },
            Row(6, "JOSE", new DateOnly(1990, 1, 1)), Row(7, "JOSE", new DateOnly(1990, 1, 1))), default);
        await reader.SyncAsync(connection, default);
        await index.SyncAsync(connection, default);

        Assert.Equal(3, filedFirst);
        Assert.Equal(6, index.FiledFromWrites); // rows 4, 6 and 7: row 5 was received before, unchanged
        // The same records, under the same persons, in the same order.
        Assert.Equal(reader.Records, index.Records);
        Assert.Equal(0, reader.FiledFromWrites);
    }

    [Fact]
    public async Task A_new_workers_first_load_of_thousands_of_records_answers_as_the_index_that_filed_them_chunk_by_chunk()
    {
        // More records than one batch of the first load (read and hashed on one thread, filed on another).
        const int rows = 6000;
        var (db, extract) = await ResolverRegistry.NewAsync(servers, rows);
        await using var _ = db;
        var filing = new CandidateIndex();
        var resolver = new ChunkResolver(db, filing);
        string[] given = ["RICARDO", "ELENA", "JOSE", "MARIA", "LUPE", "ANA"];
        var all = Enumerable.Range(1, rows).Select(n =>
        {
            var birth = new DateOnly(1950, 1, 1).AddDays(n % 1500); // four rows a name and date
            var name = given[n % given.Length];
            var row = Row(n, name, birth);
            return n % 3 == 0 ? row with { Curp = ResolverRegistry.CurpOf(name, birth, row.Sex == "M" ? Sex.Female : Sex.Male) } : row;
        }).ToList();
        foreach (var (chunk, i) in all.Chunk(2000).Select((c, i) => (c, i)))
            await resolver.ApplyAsync(ResolverRegistry.Chunk(extract, i, chunk), default);
        await using var connection = await db.OpenConnectionAsync();
        await filing.SyncAsync(connection, default);

        var cold = new CandidateIndex();
        var probes = Lookups(all.Take(300).Select(r => r with { RowNumber = r.RowNumber + rows }));
        var fromCold = await cold.LookupAsync(connection, null, probes, default);
        var stored = new List<MatchRecord>();
        await using (var read = new NpgsqlCommand($"SELECT {MatchRecordRows.Columns("mr")} FROM match_records mr ORDER BY mr.seq", connection))
        await using (var reader = await read.ExecuteReaderAsync())
            while (await reader.ReadAsync()) stored.Add(MatchRecordRows.Read(reader, 0));

        // The first load files every record as stored, in seq order.
        Assert.Equal(rows, cold.Count);
        Assert.Equal(stored, cold.Records);
        // The same records as the index that filed them chunk by chunk — in another order only where a merge moved one
        // (it keeps its place there; a first load reads it where its new seq puts it).
        Assert.Equal(filing.Records.OrderBy(r => r.SourceRecordId), cold.Records.OrderBy(r => r.SourceRecordId));
        var fromFiling = await filing.LookupAsync(connection, null, probes, default);
        Assert.NotEmpty(fromCold.Candidates);
        Assert.Equal(fromFiling.Candidates.Select(c => (c.RowNumber, c.Record)).Order(ByRowAndRecord.Instance),
            fromCold.Candidates.Select(c => (c.RowNumber, c.Record)).Order(ByRowAndRecord.Instance));
        var persons = filing.Records.Select(r => r.PersonId).Distinct().ToList();
        Assert.Equal(await filing.CurpsOfAsync(persons, default), await cold.CurpsOfAsync(persons, default));
        Assert.Contains((await cold.CurpsOfAsync(persons, default)).Values, c => c is not null);
    }

    private sealed class ByRowAndRecord : IComparer<(int Row, MatchRecord Record)>
    {
        public static readonly ByRowAndRecord Instance = new();
        public int Compare((int Row, MatchRecord Record) x, (int Row, MatchRecord Record) y) =>
            x.Row != y.Row ? x.Row.CompareTo(y.Row) : x.Record.SourceRecordId.CompareTo(y.Record.SourceRecordId);
    }

    private static List<(int RowNumber, IReadOnlyList<ulong> QueryKeys)> Lookups(IEnumerable<SourceRow> rows) =>
        [.. rows.Select(r =>
        {
            var keys = new List<ulong>();
            MatchRecord.From(r).KeyHashes(query: true, keys);
            return (r.RowNumber, (IReadOnlyList<ulong>)keys);
        })];

    private static async Task<List<CandidateRecord>> CandidatesOfAsync(NpgsqlDataSource db, CandidateIndex index, SourceRow row)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await index.CandidatesAsync(connection, null, Lookups([row]), default);
    }

    private static async Task<Guid> RecordOfRowAsync(NpgsqlDataSource db, int row)
    {
        await using var command = db.CreateCommand("SELECT id FROM source_records WHERE row_number = @row");
        command.Parameters.AddWithValue("row", row);
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    // No CURP and a distinct agency id per row: only blocking brings records together.
    private static SourceRow Row(int number, string given, DateOnly birth) => new()
    {
        RowNumber = number,
        RecordKey = "r" + number.ToString(CultureInfo.InvariantCulture),
        ContentHash = number.ToString(CultureInfo.InvariantCulture),
        AgencyPersonId = "E-" + number.ToString(CultureInfo.InvariantCulture),
        GivenNames = given,
        PaternalSurname = "VELAZQUEZ",
        MaternalSurname = "BECERRA",
        Sex = given == "ELENA" ? "M" : "H",
        BirthDate = birth,
        ServiceType = "CONSULTA GENERAL",
        ServiceDate = new DateOnly(2026, 5, 1),
    };
}

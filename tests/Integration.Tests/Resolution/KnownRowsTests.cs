using System.Globalization;
using Npgsql;
using Registry.Contracts;
using Registry.Extracts;
using Registry.Integration.Tests.Infrastructure;
using Registry.Matching;
using Registry.Normalization;
using Registry.Resolution;
using Registry.Review;

namespace Registry.Integration.Tests.Resolution;

/// <summary>
/// What the registry already knows of a row (its record's versions, the person of its valid CURP) decides it as
/// the registry stands under the resolution lock, not as it stood when the resolver read its candidates:
/// whatever another process or a steward commits in between still decides the row. The rows are probed before the
/// lock and, under it, again only where a writer since logged their keys or their persons (<c>identity_changes</c>).
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class KnownRowsTests(RegistryServers servers)
{
    private static readonly DateOnly Birth = new(1978, 12, 17);
    private static readonly string Curp = ResolverRegistry.CurpOf("RICARDO", Birth, Sex.Male);

    [Fact]
    public async Task A_CURP_another_process_files_before_the_lock_links_the_row_by_that_CURP()
    {
        var (db, extract) = await ResolverRegistry.NewAsync(servers, 2);
        await using var _ = db;
        var other = new ChunkResolver(db, new CandidateIndex()); // another worker process, its own index
        var resolver = new ChunkResolver(db, new CandidateIndex())
        {
            BeforeLock = Once(ct => other.ApplyAsync(ResolverRegistry.Chunk(extract, 0, Row(1) with { Curp = Curp }), ct)),
        };

        Assert.True(await resolver.ApplyAsync(ResolverRegistry.Chunk(extract, 1, Row(2) with { Curp = Curp }), default));

        Assert.Equal(1L, await ScalarAsync<long>(db, "SELECT count(*) FROM persons"));
        Assert.Equal("exact-curp", await ScalarAsync<string>(db,
            "SELECT d.rule FROM match_decisions d JOIN source_records sr ON sr.id = d.source_record_id WHERE sr.row_number = 2"));
        await ResolverRegistry.AssertNoDanglingReferencesAsync(db);
    }

    [Fact]
    public async Task An_agency_id_never_links_a_second_valid_CURP_to_its_person_while_the_golden_record_lags()
    {
        var (db, extract) = await ResolverRegistry.NewAsync(servers, 3);
        await using var _ = db;
        var first17 = Curp[..16] + "1";
        var another = first17 + Registry.Normalization.Curp.CheckDigit(first17);
        // The agency's person P1, first without a CURP, then with one — in a chunk whose completion, which refreshes the
        // golden record, has not run yet (its worker died after the identity commit, or it is just slower).
        await new ChunkResolver(db).ApplyAsync(ResolverRegistry.Chunk(extract, 0, Row(1) with { AgencyPersonId = "P1" }), default);
        var crashing = new ChunkResolver(db) { AfterIdentityCommit = _ => throw new InvalidOperationException("worker died") };
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            crashing.ApplyAsync(ResolverRegistry.Chunk(extract, 1, Row(2) with { AgencyPersonId = "P1", Curp = Curp }), default));

        // The same agency id with another valid CURP: two different valid CURPs are two people (hard rule 3), whether or
        // not the golden record shows the first one yet.
        await new ChunkResolver(db).ApplyAsync(ResolverRegistry.Chunk(extract, 2, Row(3) with { AgencyPersonId = "P1", Curp = another }), default);

        var person = await ResolverRegistry.PersonOfRowAsync(db, 1);
        Assert.Equal(person, await ResolverRegistry.PersonOfRowAsync(db, 2));
        Assert.NotEqual(person, await ResolverRegistry.PersonOfRowAsync(db, 3));
    }

    [Fact]
    public async Task A_record_another_process_receives_before_the_lock_is_not_stored_twice()
    {
        var (db, extract) = await ResolverRegistry.NewAsync(servers, 1);
        await using var _ = db;
        // The same roster sent twice, as two extracts resolved by two workers at once.
        var (again, _) = await new ExtractStore(db).RegisterAsync("ssa-consultas", "SSA-TAM", "health", "t2.csv", new string('b', 64), 1, "/dev/null", default);
        var other = new ChunkResolver(db, new CandidateIndex());
        var resolver = new ChunkResolver(db, new CandidateIndex())
        {
            BeforeLock = Once(ct => other.ApplyAsync(ResolverRegistry.Chunk(extract, 0, Row(1)), ct)),
        };

        Assert.True(await resolver.ApplyAsync(ResolverRegistry.Chunk(again, 0, Row(1)), default));

        Assert.Equal(1L, await ScalarAsync<long>(db, "SELECT count(*) FROM source_records"));
        Assert.Equal(1L, await ScalarAsync<long>(db, "SELECT count(*) FROM unchanged_rows WHERE extract_id = '" + again + "'"));
        await ResolverRegistry.AssertNoDanglingReferencesAsync(db);
    }

    [Fact]
    public async Task A_steward_merge_before_the_lock_sends_the_row_to_the_surviving_person()
    {
        var (db, extract) = await ResolverRegistry.NewAsync(servers, 3);
        await using var _ = db;
        var resolver = new ChunkResolver(db, new CandidateIndex());
        await resolver.ApplyAsync(ResolverRegistry.Chunk(extract, 0,
            Row(1) with { Curp = Curp }, Row(2) with { GivenNames = "ELENA", Sex = "M", BirthDate = new DateOnly(1985, 3, 9) }), default);
        var ricardo = await ResolverRegistry.PersonOfRowAsync(db, 1);
        var elena = await ResolverRegistry.PersonOfRowAsync(db, 2);
        var merging = new ChunkResolver(db, new CandidateIndex())
        {
            // Ricardo's records (and his CURP key) go to Elena's id after the resolver read its candidates.
            BeforeLock = Once(ct => new Stewardship(db).MergeAsync(elena, ricardo, "steward@test", "documents checked", ct)),
        };

        Assert.True(await merging.ApplyAsync(ResolverRegistry.Chunk(extract, 1, Row(3) with { Curp = Curp }), default));

        Assert.Equal(elena, await ResolverRegistry.PersonOfRowAsync(db, 3));
        Assert.Equal("exact-curp", await ScalarAsync<string>(db,
            "SELECT d.rule FROM match_decisions d JOIN source_records sr ON sr.id = d.source_record_id WHERE sr.row_number = 3"));
        await ResolverRegistry.AssertNoDanglingReferencesAsync(db);
    }

    [Fact]
    public async Task An_agency_id_whose_person_gains_another_CURP_before_the_lock_does_not_link_the_row()
    {
        var (db, extract) = await ResolverRegistry.NewAsync(servers, 3);
        await using var _ = db;
        var first17 = Curp[..16] + "1";
        var another = first17 + Registry.Normalization.Curp.CheckDigit(first17);
        await new ChunkResolver(db).ApplyAsync(ResolverRegistry.Chunk(extract, 0, Row(1) with { AgencyPersonId = "P1" }), default);
        var other = new ChunkResolver(db, new CandidateIndex());
        var resolver = new ChunkResolver(db, new CandidateIndex())
        {
            // After this resolver probed, another process gives the agency's person P1 a valid CURP.
            BeforeLock = Once(ct => other.ApplyAsync(ResolverRegistry.Chunk(extract, 1, Row(2) with { AgencyPersonId = "P1", Curp = Curp }), ct)),
        };

        // The same agency id with another valid CURP: two valid CURPs are two people (hard rule 3).
        Assert.True(await resolver.ApplyAsync(ResolverRegistry.Chunk(extract, 2, Row(3) with { AgencyPersonId = "P1", Curp = another }), default));

        var person = await ResolverRegistry.PersonOfRowAsync(db, 1);
        Assert.Equal(person, await ResolverRegistry.PersonOfRowAsync(db, 2));
        Assert.NotEqual(person, await ResolverRegistry.PersonOfRowAsync(db, 3));
    }

    [Fact]
    public async Task A_probe_older_than_the_kept_changes_is_made_again_for_every_row()
    {
        var (db, extract) = await ResolverRegistry.NewAsync(servers, 2);
        await using var _ = db;
        var other = new ChunkResolver(db, new CandidateIndex());
        var resolver = new ChunkResolver(db, new CandidateIndex())
        {
            BeforeLock = Once(async ct =>
            {
                await other.ApplyAsync(ResolverRegistry.Chunk(extract, 0, Row(1) with { Curp = Curp }), ct);
                // The log is pruned past this resolver's probe: the entry naming the CURP is gone, a later one is kept.
                await ExecuteAsync(db, "DELETE FROM identity_changes; INSERT INTO identity_changes (id, keys) " +
                    "VALUES (nextval('identity_changes_id_seq') + 5, '{}')");
            }),
        };

        Assert.True(await resolver.ApplyAsync(ResolverRegistry.Chunk(extract, 1, Row(2) with { Curp = Curp }), default));

        Assert.Equal(1L, await ScalarAsync<long>(db, "SELECT count(*) FROM persons"));
        Assert.Equal("exact-curp", await ScalarAsync<string>(db,
            "SELECT d.rule FROM match_decisions d JOIN source_records sr ON sr.id = d.source_record_id WHERE sr.row_number = 2"));
    }

    [Fact]
    public async Task Writers_log_what_they_changed_and_the_log_keeps_only_its_recent_entries()
    {
        var (db, extract) = await ResolverRegistry.NewAsync(servers, 2);
        await using var _ = db;
        await new ChunkResolver(db).ApplyAsync(ResolverRegistry.Chunk(extract, 0,
            Row(1) with { Curp = Curp }, Row(2) with { GivenNames = "ELENA", Sex = "M", BirthDate = new DateOnly(1985, 3, 9) }), default);
        var ricardo = await ResolverRegistry.PersonOfRowAsync(db, 1);
        var elena = await ResolverRegistry.PersonOfRowAsync(db, 2);
        await new Stewardship(db).MergeAsync(elena, ricardo, "steward@test", "documents checked", default);

        // The chunk logged its rows' keys; the merge logged both persons and the keys they hold now (the CURP, on Elena).
        var curp = Registry.Persons.IdentityChanges.KeyHash("curp:" + Curp);
        Assert.Equal(2L, await ScalarAsync<long>(db, $"SELECT count(*) FROM identity_changes WHERE {curp} = ANY (keys)"));
        var persons = $"ARRAY[{Registry.Persons.IdentityChanges.PersonHash(elena)}, {Registry.Persons.IdentityChanges.PersonHash(ricardo)}]";
        Assert.Equal(1L, await ScalarAsync<long>(db, $"SELECT count(*) FROM identity_changes WHERE keys @> {persons}"));

        await ExecuteAsync(db, $"INSERT INTO identity_changes (keys) SELECT '{{}}' FROM generate_series(1, {Registry.Persons.IdentityChanges.Kept + 10})");
        await using (var connection = await db.OpenConnectionAsync()) await Registry.Persons.IdentityChanges.PruneAsync(connection, default);
        Assert.Equal((long)Registry.Persons.IdentityChanges.Kept, await ScalarAsync<long>(db, "SELECT count(*) FROM identity_changes"));
    }

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static Func<CancellationToken, Task> Once(Func<CancellationToken, Task> action)
    {
        var ran = false;
        return async ct =>
        {
            if (ran) return;
            ran = true;
            await action(ct);
        };
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static SourceRow Row(int number) => new()
    {
        RowNumber = number,
        RecordKey = "r" + number.ToString(CultureInfo.InvariantCulture),
        ContentHash = "c" + number.ToString(CultureInfo.InvariantCulture),
        GivenNames = "RICARDO",
        PaternalSurname = "VELAZQUEZ",
        MaternalSurname = "BECERRA",
        Sex = "H",
        BirthDate = Birth,
        ServiceType = "CONSULTA GENERAL",
        ServiceDate = new DateOnly(2026, 5, 1),
    };
}

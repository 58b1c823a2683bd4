using Npgsql;
using Registry.Contracts;
using Registry.Integration.Tests.Infrastructure;
using Registry.Normalization;
using Registry.Resolution;
using Registry.Review;

namespace Registry.Integration.Tests.Resolution;

/// <summary>Resolution against a real PostgreSQL: idempotent chunks and no double persons under concurrency.</summary>
[Collection(ServersCollection.Name)]
public sealed class ChunkResolverTests(RegistryServers servers)
{
    private static readonly string AnaCurp = ValidCurp("LOGA900101MTSPRN0");

    [Fact]
    public async Task A_redelivered_chunk_changes_nothing()
    {
        var (db, extract) = await NewRegistryAsync();
        await using var _ = db;
        var resolver = new ChunkResolver(db);
        var chunk = ResolverRegistry.Chunk(extract, 0, Row(1, AnaCurp, "P1"), Row(2, AnaCurp, "P1"), Row(3, null, "P2"));

        Assert.True(await resolver.ApplyAsync(chunk, default));
        var before = await CountsAsync(db);
        Assert.False(await resolver.ApplyAsync(chunk, default));

        Assert.Equal(before, await CountsAsync(db));
        Assert.Equal((Persons: 2L, SourceRecords: 3L, Services: 3L), before);
    }

    [Fact]
    public async Task A_chunk_traces_each_step_in_pipeline_order_and_marks_the_ones_under_the_lock()
    {
        var (db, extract) = await NewRegistryAsync();
        await using var _ = db;
        var stopped = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == ResolutionTelemetry.SourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) =>
                System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);

        await new ChunkResolver(db).ApplyAsync(ResolverRegistry.Chunk(extract, 0, Row(1, AnaCurp, "P1"), Row(2, null, "P2")), default);

        // Other tests resolve meanwhile: this chunk's spans are those of its trace.
        var chunk = Assert.Single(stopped, a => a.DisplayName == ResolutionTelemetry.ChunkSpan && Equals(a.GetTagItem("registry.extract_id"), extract));
        var steps = stopped.Where(a => a.TraceId == chunk.TraceId && a != chunk).OrderBy(a => a.StartTimeUtc).ToList();
        Assert.Equal(["claim", "staging-tables", "candidates", "prescore", "staging", "known-rows-probe", "lock-wait", "lock-held", "known-rows", "catch-up", "rescore", "decide",
            "identity-ledger", "identity-ledger-matches", "commit", "index-sync",
            "attachments", "attachments-lock-wait", "households", "service-events", "household-merges", "completion", "index-flush"],
            steps.Select(a => a.DisplayName));
        // Only what later chunks' decisions read is written under the resolution lock; the chunk merged no one, so it did not
        // take the attachments lock there.
        Assert.Equal(["known-rows", "catch-up", "rescore", "decide", "identity-ledger", "identity-ledger-matches", "commit"],
            steps.Where(a => a.GetTagItem(ResolutionTelemetry.LockedTag) is true).Select(a => a.DisplayName));
    }

    [Fact]
    public async Task A_chunk_whose_completion_failed_is_completed_by_its_redelivery_once()
    {
        var (db, extract) = await NewRegistryAsync();
        await using var _ = db;
        await new ChunkResolver(db).ApplyAsync(ResolverRegistry.Chunk(extract, 0, Row(1, AnaCurp, "P1")), default);
        // Her second record brings her maternal surname: the golden record changes in the completion.
        var second = ResolverRegistry.Chunk(extract, 1, Row(2, AnaCurp, "P1") with { MaternalSurname = "GARZA" }, Row(3, null, "P2"));
        var crashing = new ChunkResolver(db) { AfterIdentityCommit = _ => throw new InvalidOperationException("worker died") };

        await Assert.ThrowsAsync<InvalidOperationException>(() => crashing.ApplyAsync(second, default));
        // The identity phase stands (nothing is lost), with the names it counted (the next chunk scores against them); its
        // services are not written yet (the attachments come after it), and the chunk is not counted as resolved yet.
        Assert.Equal((Persons: 2L, SourceRecords: 3L, Services: 1L), await CountsAsync(db));
        Assert.Equal((Golden: (string?)null, Resolved: 1, Chunks: 1, NamesCounted: 3), await StateAsync(db, extract));

        var resolver = new ChunkResolver(db);
        Assert.True(await resolver.ApplyAsync(second, default));
        Assert.Equal((Golden: "GARZA", Resolved: 3, Chunks: 2, NamesCounted: 3), await StateAsync(db, extract));
        Assert.False(await resolver.ApplyAsync(second, default));
        Assert.Equal((Golden: "GARZA", Resolved: 3, Chunks: 2, NamesCounted: 3), await StateAsync(db, extract));
        Assert.Equal((Persons: 2L, SourceRecords: 3L, Services: 3L), await CountsAsync(db));

        // NamesCounted: the records the name frequencies count (the given names' total row), folded or pending the epoch's close.
        static async Task<(string? Golden, int Resolved, int Chunks, int NamesCounted)> StateAsync(NpgsqlDataSource db, Guid extract)
        {
            await using var command = db.CreateCommand(
                """
                SELECT (SELECT golden -> 'maternal_surname' ->> 0 FROM persons WHERE curp = @curp),
                       (SELECT rows_resolved FROM extracts WHERE id = @extract),
                       (SELECT count(*)::int FROM extract_chunks WHERE extract_id = @extract AND completed_at IS NOT NULL),
                       (SELECT sum(n)::int FROM (SELECT n FROM term_frequencies WHERE field = 'given_names' AND value = ''
                                                 UNION ALL SELECT n FROM term_frequency_pending WHERE field = 'given_names' AND value = '') f)
                """);
            command.Parameters.AddWithValue("curp", AnaCurp);
            command.Parameters.AddWithValue("extract", extract);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3));
        }
    }

    [Fact]
    public async Task A_merge_before_a_chunks_completion_leaves_its_services_with_the_survivor()
    {
        var (db, extract) = await NewRegistryAsync();
        await using var _ = db;
        await new ChunkResolver(db).ApplyAsync(ResolverRegistry.Chunk(extract, 0, Row(1, AnaCurp, "P1")), default);
        var second = ResolverRegistry.Chunk(extract, 1, Row(2, null, "P2") with { Municipality = "Reynosa" });
        var crashing = new ChunkResolver(db) { AfterIdentityCommit = _ => throw new InvalidOperationException("worker died") };
        await Assert.ThrowsAsync<InvalidOperationException>(() => crashing.ApplyAsync(second, default));
        var (ana, other) = (await ResolverRegistry.PersonOfRowAsync(db, 1), await ResolverRegistry.PersonOfRowAsync(db, 2));
        Assert.NotEqual(ana, other);

        // A steward merges the second person into Ana while the chunk that brought it is still incomplete.
        await new Stewardship(db).MergeAsync(ana, other, "steward@test", "same person, documents checked", default);
        Assert.True(await new ChunkResolver(db).ApplyAsync(second, default));

        // The service and the municipality are Ana's, not the merged id's.
        await using var check = db.CreateCommand(
            """
            SELECT (SELECT count(*) FROM service_events WHERE person_id = @other),
                   (SELECT count(*) FROM service_events WHERE person_id = @ana),
                   (SELECT count(*) FROM person_territories WHERE person_id = @other),
                   (SELECT string_agg(municipality, ',') FROM person_territories WHERE person_id = @ana)
            """);
        check.Parameters.AddWithValue("ana", ana);
        check.Parameters.AddWithValue("other", other);
        await using var reader = await check.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((0L, 2L, 0L, "REYNOSA"), (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3)));
        await ResolverRegistry.AssertNoDanglingReferencesAsync(db);
    }

    [Fact]
    public async Task A_merge_between_a_chunks_identity_commit_and_its_attachments_leaves_its_services_household_and_territory_with_the_survivor()
    {
        var (db, extract) = await NewRegistryAsync();
        await using var _ = db;
        await new ChunkResolver(db).ApplyAsync(ResolverRegistry.Chunk(extract, 0, Row(1, AnaCurp, "P1")), default);
        // A steward merges the chunk's new person into Ana right after the chunk's identity commit, before its service
        // event and household membership are written (they are written outside the resolution lock).
        var resolver = new ChunkResolver(db)
        {
            AfterIdentityCommit = async ct => await new Stewardship(db).MergeAsync(
                await ResolverRegistry.PersonOfRowAsync(db, 1), await ResolverRegistry.PersonOfRowAsync(db, 2), "steward@test", "same person", ct),
        };
        var second = ResolverRegistry.Chunk(extract, 1, Row(2, null, "P2") with { Municipality = "Reynosa", AgencyHouseholdId = "H7" });

        Assert.True(await resolver.ApplyAsync(second, default));

        var ana = await ResolverRegistry.PersonOfRowAsync(db, 1);
        Assert.Equal(ana, await ResolverRegistry.PersonOfRowAsync(db, 2));
        await using var check = db.CreateCommand(
            """
            SELECT (SELECT count(*) FROM service_events WHERE person_id = @ana),
                   (SELECT count(*) FROM service_events WHERE person_id <> @ana),
                   (SELECT string_agg(person_id::text, ',') FROM household_members),
                   (SELECT string_agg(municipality, ',') FROM household_territories WHERE ended_at IS NULL),
                   (SELECT string_agg(person_id::text || ':' || municipality, ',') FROM person_territories WHERE ended_at IS NULL)
            """);
        check.Parameters.AddWithValue("ana", ana);
        await using var reader = await check.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((2L, 0L, ana.ToString(), "REYNOSA", $"{ana}:REYNOSA"),
            (reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
        await ResolverRegistry.AssertNoDanglingReferencesAsync(db);
    }

    [Fact]
    public async Task A_residence_claim_between_a_chunks_identity_commit_and_its_attachments_moves_the_territory_the_new_person_was_given()
    {
        var (db, extract) = await NewRegistryAsync();
        await using var _ = db;
        await using (var feed = db.CreateCommand(
            "INSERT INTO feeds (code, residence_authoritative) VALUES ('ssa-consultas', true) ON CONFLICT (code) DO UPDATE SET residence_authoritative = true"))
            await feed.ExecuteNonQueryAsync();
        // Ana is new in Victoria; right after her chunk's identity commit, before its attachments, the same residence-
        // authoritative agency finds her (CURP and name agree) in Reynosa.
        var resolver = new ChunkResolver(db)
        {
            AfterIdentityCommit = async ct => await new ChunkResolver(db).ApplyAsync(
                ResolverRegistry.Chunk(extract, 1, Row(2, AnaCurp, "P1") with { Municipality = "Reynosa" }), ct),
        };

        Assert.True(await resolver.ApplyAsync(ResolverRegistry.Chunk(extract, 0, Row(1, AnaCurp, "P1") with { Municipality = "Victoria" }), default));

        // She lives in Reynosa: Victoria's case managers no longer reach her (the territory her first record gave her has
        // ended), and auditors see the move.
        var ana = await ResolverRegistry.PersonOfRowAsync(db, 1);
        Assert.Equal(ana, await ResolverRegistry.PersonOfRowAsync(db, 2));
        await using var check = db.CreateCommand(
            """
            SELECT (SELECT string_agg(municipality, ',' ORDER BY municipality) FROM person_territories WHERE person_id = @ana AND ended_at IS NULL),
                   (SELECT municipality FROM person_residences WHERE person_id = @ana),
                   (SELECT string_agg(from_municipality || '>' || to_municipality, ',') FROM territory_events WHERE person_id = @ana AND cause = 'record')
            """);
        check.Parameters.AddWithValue("ana", ana);
        await using var reader = await check.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(("REYNOSA", "REYNOSA", "VICTORIA>REYNOSA"),
            (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
    }

    [Fact]
    public async Task A_split_between_a_chunks_identity_commit_and_its_attachments_takes_the_records_service_and_membership_along()
    {
        var (db, extract) = await NewRegistryAsync();
        await using var _ = db;
        await new ChunkResolver(db).ApplyAsync(ResolverRegistry.Chunk(extract, 0, Row(1, AnaCurp, "P1")), default);
        Guid split = default;
        // Her second record (linked by CURP) is split off by a steward before the chunk's attachments are written.
        var resolver = new ChunkResolver(db)
        {
            AfterIdentityCommit = async ct =>
            {
                await using var record = db.CreateCommand("SELECT id FROM source_records WHERE row_number = 2");
                split = await new Stewardship(db).SplitAsync(await ResolverRegistry.PersonOfRowAsync(db, 1),
                    [(Guid)(await record.ExecuteScalarAsync(ct))!], "steward@test", "another woman", ct);
            },
        };

        Assert.True(await resolver.ApplyAsync(ResolverRegistry.Chunk(extract, 1, Row(2, AnaCurp, "P1") with { AgencyHouseholdId = "H7" }), default));

        await using var check = db.CreateCommand(
            """
            SELECT (SELECT se.person_id FROM service_events se JOIN source_records sr ON sr.id = se.source_record_id WHERE sr.row_number = 2),
                   (SELECT string_agg(person_id::text, ',') FROM household_members)
            """);
        await using var reader = await check.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((split, split.ToString()), (reader.GetGuid(0), reader.GetString(1)));
        await ResolverRegistry.AssertNoDanglingReferencesAsync(db);
    }

    [Fact]
    public async Task Parallel_chunks_carrying_the_same_CURP_create_one_person()
    {
        var (db, extract) = await NewRegistryAsync();
        await using var _ = db;
        var resolver = new ChunkResolver(db);
        var curps = Enumerable.Range(0, 40).Select(i => ValidCurp($"LOGA90{(i % 12) + 1:00}{(i / 12) + 10:00}MTSPRN0")).ToArray();

        // 8 chunks, each holding every identity once: every CURP arrives 8 times, concurrently.
        var chunks = Enumerable.Range(0, 8).Select(c =>
            ResolverRegistry.Chunk(extract, c, [.. curps.Select((curp, i) => Row(c * 100 + i + 1, curp, agencyPersonId: null))])).ToList();
        await Task.WhenAll(chunks.Select(chunk => Task.Run(() => resolver.ApplyAsync(chunk, default))));

        Assert.All(curps, c => Assert.True(Curp.IsValid(c), c));
        var counts = await CountsAsync(db);
        Assert.Equal(curps.Length, counts.Persons);
        Assert.Equal(8 * curps.Length, counts.SourceRecords);
        await ResolverRegistry.AssertNoDanglingReferencesAsync(db);
    }

    [Fact]
    public async Task An_invalid_CURP_is_not_used_as_an_identity_key()
    {
        var (db, extract) = await NewRegistryAsync();
        await using var _ = db;
        var broken = AnaCurp[..17] + (char)('0' + (AnaCurp[17] - '0' + 1) % 10); // wrong check digit

        // Two different people who were both given the same mistyped CURP: it is weak evidence, not a key.
        await new ChunkResolver(db).ApplyAsync(ResolverRegistry.Chunk(extract, 0,
            Row(1, broken, "A"), Row(2, broken, "B") with { GivenNames = "BRENDA", PaternalSurname = "MARTINEZ" }), default);

        Assert.Equal(2, (await CountsAsync(db)).Persons);
        await using var keys = db.CreateCommand("SELECT count(*) FROM person_keys WHERE key LIKE 'curp:%'");
        Assert.Equal(0L, await keys.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_same_agency_id_with_two_different_valid_CURPs_stays_two_persons()
    {
        var (db, extract) = await NewRegistryAsync();
        await using var _ = db;
        var resolver = new ChunkResolver(db);
        var other = ValidCurp("LOGA900202MTSPRN0");

        await resolver.ApplyAsync(ResolverRegistry.Chunk(extract, 0, Row(1, AnaCurp, "P1")), default);
        await resolver.ApplyAsync(ResolverRegistry.Chunk(extract, 1, Row(2, other, "P1")), default);
        await resolver.ApplyAsync(ResolverRegistry.Chunk(extract, 2, Row(3, null, "P1")), default);

        Assert.Equal(2, (await CountsAsync(db)).Persons);
        await using var command = db.CreateCommand("SELECT count(DISTINCT curp) FROM persons");
        Assert.Equal(2L, await command.ExecuteScalarAsync());
    }

    private static string ValidCurp(string first17) => first17 + Curp.CheckDigit(first17);

    private Task<(NpgsqlDataSource Db, Guid Extract)> NewRegistryAsync() => ResolverRegistry.NewAsync(servers);

    private static SourceRow Row(int number, string? curp, string? agencyPersonId) => new()
    {
        RowNumber = number,
        RecordKey = "r" + number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ContentHash = number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Curp = curp,
        AgencyPersonId = agencyPersonId,
        GivenNames = "ANA",
        PaternalSurname = "LOPEZ",
        ServiceType = "CONSULTA GENERAL",
        ServiceDate = new DateOnly(2026, 5, 1),
    };

    private static async Task<(long Persons, long SourceRecords, long Services)> CountsAsync(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand(
            "SELECT (SELECT count(*) FROM persons), (SELECT count(*) FROM source_records), (SELECT count(*) FROM service_events)");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }
}

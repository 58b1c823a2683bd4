using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Registry.Contracts;
using Registry.Extracts;
using Registry.Integration.Tests.Infrastructure;
using Registry.Normalization;
using Registry.Resolution;
using Registry.Review;
using Registry.Storage;

namespace Registry.Integration.Tests.Review;

/// <summary>
/// The review queue is one task per pair of persons: more records about the same two
/// persons add evidence to it, and later evidence — a merge, a steward's decision, two different valid
/// CURPs — settles it with an identity event, in the transaction that brought the evidence.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class ReviewTaskPairTests(RegistryServers servers)
{
    // Rosa of DIF (maternal surname CRUZ, born the 9th) and Rosa of the clinic (no maternal surname, born the 19th):
    // one day-digit apart, the pair scores between the review and the link thresholds.
    private static readonly DateOnly DifBirth = new(1975, 6, 9), ClinicBirth = new(1975, 6, 19);

    [Fact]
    public async Task Two_records_of_one_person_asking_about_the_same_other_person_make_one_task_with_both_records()
    {
        await using var r = await NewRegistryAsync();
        await r.ApplyAsync("DIF-TAM", "social", Rosa(1, "CRUZ", DifBirth));
        await r.ApplyAsync("SSA-TAM", "health", Rosa(1, null, ClinicBirth));
        await r.ApplyAsync("SSA-TAM", "health", Rosa(2, null, ClinicBirth, service: "B"));

        Assert.Equal(2L, await r.ScalarAsync("SELECT count(*) FROM persons WHERE merged_into IS NULL"));
        // Both clinic records are one person, each asking about DIF's Rosa …
        Assert.Equal(1L, await r.ScalarAsync("SELECT count(DISTINCT person_id) FROM source_records WHERE agency_code = 'SSA-TAM'"));
        Assert.Equal(1L, await r.ScalarAsync("SELECT count(*) FROM review_tasks"));
        Assert.Equal(2, await r.ScalarAsync("SELECT records FROM review_tasks WHERE status = 'open'"));
        Assert.Equal(2L, await r.ScalarAsync("SELECT count(*) FROM review_task_records"));
        // … and the clinic is a sensitive sector: the task says so and ranks higher for it.
        Assert.Equal(true, await r.ScalarAsync("SELECT sensitive FROM review_tasks"));
        Assert.Equal(true, await r.ScalarAsync("SELECT priority = 60 * band + 2 * least(household_members, 10) + 20 FROM review_tasks"));
    }

    [Fact]
    public async Task A_task_counts_the_members_of_both_persons_households_in_the_registry_and_in_the_arriving_chunk()
    {
        await using var r = await NewRegistryAsync();
        // DIF's Rosa lives with two others (in the registry by the time the clinic's extract arrives) …
        await r.ApplyAsync("DIF-TAM", "social",
            Rosa(1, "CRUZ", DifBirth) with { AgencyHouseholdId = "D1" },
            Other(2, "PEDRO", "SALAZAR", "D1"), Other(3, "LUCIA", "SALAZAR", "D1"));
        // … the clinic's Rosa with one other, in the same chunk as her.
        await r.ApplyAsync("SSA-TAM", "health",
            Rosa(1, null, ClinicBirth) with { AgencyHouseholdId = "S9" }, Other(2, "TOMAS", "IBARRA", "S9"));

        Assert.Equal(1L, await r.ScalarAsync("SELECT count(*) FROM review_tasks WHERE status = 'open'"));
        // What a steward's decision touches: 3 + 2 persons.
        Assert.Equal(5, await r.ScalarAsync("SELECT household_members FROM review_tasks WHERE status = 'open'"));
        Assert.Equal(true, await r.ScalarAsync("SELECT sensitive FROM review_tasks WHERE status = 'open'"));

        static SourceRow Other(int n, string given, string paternal, string household) => new()
        {
            RowNumber = n, RecordKey = $"{given}|{paternal}", ContentHash = $"{given}|{paternal}", GivenNames = given, PaternalSurname = paternal,
            MaternalSurname = "OCHOA", BirthDate = new DateOnly(1990 + n, n, 10 + n), Sex = "H", Municipality = "REYNOSA", AgencyHouseholdId = household,
            Programme = "P", ServiceType = "A", ServiceDate = new DateOnly(2026, 10, 1),
        };
    }

    [Fact]
    public async Task A_merge_of_the_two_persons_settles_their_task_with_an_identity_event()
    {
        await using var r = await NewRegistryAsync();
        await r.ApplyAsync("DIF-TAM", "social", Rosa(1, "CRUZ", DifBirth));
        await r.ApplyAsync("SSA-TAM", "social", Rosa(1, null, ClinicBirth));
        var task = (Guid)(await r.ScalarAsync("SELECT id FROM review_tasks WHERE status = 'open'"))!;

        // A third agency's record agrees with both (CRUZ, and the 19th): it bridges them, and the machine merges.
        await r.ApplyAsync("SEP-TAM", "education", Rosa(1, "CRUZ", ClinicBirth));

        Assert.Equal(1L, await r.ScalarAsync("SELECT count(*) FROM persons WHERE merged_into IS NULL"));
        Assert.Equal("settled|merged|machine", await r.ScalarAsync($"SELECT concat_ws('|', status, settlement, decided_by) FROM review_tasks WHERE id = '{task}'"));
        Assert.Equal(true, await r.ScalarAsync(
            $"SELECT settled_by_event = (SELECT id FROM identity_events WHERE kind = 'merge') FROM review_tasks WHERE id = '{task}'"));
        Assert.Equal("machine|settled: the two persons were merged", await r.ScalarAsync(
            $"SELECT concat_ws('|', decided_by, reason) FROM identity_events WHERE kind = 'review-settled' AND review_task_id = '{task}'"));
        Assert.Equal(0L, await r.ScalarAsync("SELECT count(*) FROM review_tasks WHERE status = 'open'"));
    }

    [Fact]
    public async Task A_stewards_merge_settles_the_pairs_task_and_the_merged_persons_other_tasks_follow_the_survivor()
    {
        await using var r = await NewRegistryAsync();
        await r.ApplyAsync("DIF-TAM", "social", Rosa(1, "CRUZ", DifBirth));
        await r.ApplyAsync("SSA-TAM", "social", Rosa(1, null, ClinicBirth));
        var task = (Guid)(await r.ScalarAsync("SELECT id FROM review_tasks WHERE status = 'open'"))!;
        var (a, b) = ((Guid)(await r.ScalarAsync("SELECT person_a FROM review_tasks"))!, (Guid)(await r.ScalarAsync("SELECT person_b FROM review_tasks"))!);

        await new Stewardship(r.Db).MergeAsync(a, b, "steward.ana", "Same person: birth certificate on file", default);

        Assert.Equal("settled|merged|steward.ana", await r.ScalarAsync($"SELECT concat_ws('|', status, settlement, decided_by) FROM review_tasks WHERE id = '{task}'"));
        Assert.Equal(1L, await r.ScalarAsync($"SELECT count(*) FROM identity_events WHERE kind = 'review-settled' AND review_task_id = '{task}' AND decided_by = 'steward.ana'"));
    }

    [Fact]
    public async Task After_a_stewards_non_match_more_records_of_the_pair_open_no_task()
    {
        await using var r = await NewRegistryAsync();
        await r.ApplyAsync("DIF-TAM", "social", Rosa(1, "CRUZ", DifBirth));
        await r.ApplyAsync("SSA-TAM", "social", Rosa(1, null, ClinicBirth));
        var task = (Guid)(await r.ScalarAsync("SELECT id FROM review_tasks WHERE status = 'open'"))!;
        await new Stewardship(r.Db).DecideAsync(task, ReviewDecision.NonMatch, "steward.ana", "Different mothers on file", default);

        await r.ApplyAsync("SSA-TAM", "social", Rosa(2, null, ClinicBirth, service: "B"));
        await r.ApplyAsync("SSA-TAM", "social", Rosa(3, null, ClinicBirth, service: "C"));

        Assert.Equal(0L, await r.ScalarAsync("SELECT count(*) FROM review_tasks WHERE status = 'open'"));
        Assert.Equal(1L, await r.ScalarAsync("SELECT count(*) FROM review_tasks"));
        Assert.Equal("non-match", await r.ScalarAsync("SELECT status FROM review_tasks"));
    }

    [Fact]
    public async Task Two_different_valid_CURPs_arriving_for_the_two_persons_settle_their_task()
    {
        await using var r = await NewRegistryAsync();
        await r.ApplyAsync("DIF-TAM", "social", Rosa(1, "CRUZ", DifBirth));
        await r.ApplyAsync("SSA-TAM", "social", Rosa(1, null, ClinicBirth));
        var task = (Guid)(await r.ScalarAsync("SELECT id FROM review_tasks WHERE status = 'open'"))!;

        // The clinic's Rosa brings her CURP: one side of the pair is known, the other is not: still a question.
        await r.ApplyAsync("SSA-TAM", "social", Rosa(2, null, ClinicBirth, service: "B", curp: CurpOf("LOPEZ", ClinicBirth)));
        Assert.Equal("open", await r.ScalarAsync($"SELECT status FROM review_tasks WHERE id = '{task}'"));
        // DIF's Rosa brings another valid CURP: two persons, decided.
        await r.ApplyAsync("DIF-TAM", "social", Rosa(2, "CRUZ", DifBirth, service: "B", curp: CurpOf("CRUZ", DifBirth)));

        Assert.Equal(2L, await r.ScalarAsync("SELECT count(*) FROM persons WHERE merged_into IS NULL"));
        Assert.Equal("settled|different-valid-curps|machine", await r.ScalarAsync($"SELECT concat_ws('|', status, settlement, decided_by) FROM review_tasks WHERE id = '{task}'"));
        Assert.Equal(0L, await r.ScalarAsync("SELECT count(*) FROM review_tasks WHERE status = 'open'"));
        // The settlement names the record that brought the deciding CURP.
        Assert.Equal(true, await r.ScalarAsync(
            $"""
            SELECT source_record_ids = ARRAY[(SELECT id FROM source_records WHERE agency_code = 'DIF-TAM' AND row_number = 2)]
              FROM identity_events WHERE kind = 'review-settled' AND review_task_id = '{task}'
            """));
    }

    private static string CurpOf(string maternal, DateOnly birth)
    {
        var first17 = Curp.Derive("MARTINEZ", maternal, "ROSA ELENA", birth, Sex.Female, "TS").First16 + "0";
        return first17 + Curp.CheckDigit(first17);
    }

    [Fact]
    public async Task A_merge_that_folds_a_better_task_into_the_survivors_open_task_of_the_same_pair_completes()
    {
        // X and Y each have an open task about C; X's is the better. Merging X into Y folds X's task into Y's, which takes
        // X's record and candidate in front while X's folded task keeps them too (a constraint once failed such merges).
        await using var r = await NewRegistryAsync();
        await r.ApplyAsync("DIF-TAM", "social", Rosa(1, "ZOZAYA", new DateOnly(2001, 6, 9)));
        await r.ApplyAsync("SEP-TAM", "education", Rosa(1, "GOMEZ", new DateOnly(1960, 1, 2)));
        await r.ApplyAsync("SSA-TAM", "health", Rosa(1, "PEREZ", new DateOnly(1980, 3, 4)));
        async Task<(Guid Person, Guid Record)> Of(string agency)
        {
            await using var command = r.Db.CreateCommand($"SELECT person_id, id FROM source_records WHERE agency_code = '{agency}'");
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            return (reader.GetGuid(0), reader.GetGuid(1));
        }
        var (x, y, c) = (await Of("DIF-TAM"), await Of("SEP-TAM"), await Of("SSA-TAM"));
        await using (var insert = r.Db.CreateCommand(
            """
            INSERT INTO review_tasks (id, source_record_id, candidate_person_id, score, evidence, reason, model_version, person_a, person_b, band)
            VALUES (gen_random_uuid(), $1, $3, 18.5, '{}', 'review-band', 'fs-default-v2', least($2, $3), greatest($2, $3), 0.6),
                   (gen_random_uuid(), $4, $3, 17.0, '{}', 'review-band', 'fs-default-v2', least($5, $3), greatest($5, $3), 0.3)
            """))
        {
            foreach (var v in new object[] { x.Record, x.Person, c.Person, y.Record, y.Person }) insert.Parameters.AddWithValue(v);
            await insert.ExecuteNonQueryAsync();
        }

        await new Stewardship(r.Db).MergeAsync(y.Person, x.Person, "steward.ana", "Same person: birth certificate on file", default);

        Assert.Equal(1L, await r.ScalarAsync("SELECT count(*) FROM review_tasks WHERE status = 'open'"));
        Assert.Equal($"{x.Record}|18.5", await r.ScalarAsync("SELECT concat_ws('|', source_record_id, score) FROM review_tasks WHERE status = 'open'"));
        Assert.Equal(1L, await r.ScalarAsync("SELECT count(*) FROM review_tasks WHERE status = 'folded'"));
    }

    [Fact]
    public async Task Two_cedulas_one_digit_apart_ask_a_steward_who_cannot_merge_them_without_splitting_the_wrong_record()
    {
        await using var r = await NewRegistryAsync();
        await r.ApplyAsync("UFM-MED", "social", Rosa(1, "CRUZ", DifBirth, document: "CC:43512890"));
        await r.ApplyAsync("SSM-MED", "health", Rosa(1, "CRUZ", DifBirth, document: "CC:43512891"));

        Assert.Equal(2L, await r.ScalarAsync("SELECT count(*) FROM persons WHERE merged_into IS NULL"));
        Assert.Equal("two-valid-documents", await r.ScalarAsync("SELECT reason FROM review_tasks WHERE status = 'open'"));
        var (a, b) = ((Guid)(await r.ScalarAsync("SELECT person_a FROM review_tasks"))!, (Guid)(await r.ScalarAsync("SELECT person_b FROM review_tasks"))!);
        var refused = await Assert.ThrowsAsync<StewardshipException>(() => new Stewardship(r.Db).MergeAsync(a, b, "steward.ana", "Same person", default));
        Assert.Contains("CC:43512890, CC:43512891", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_names_only_question_is_settled_when_the_other_person_brings_a_birth_date_that_disagrees()
    {
        await using var r = await NewRegistryAsync();
        // DIF's Rosa, born 1975, and a kitchen's Rosa of the same full name without a date: nothing tells namesakes apart.
        await r.ApplyAsync("DIF-TAM", "social", Rosa(1, "CRUZ", DifBirth));
        await r.ApplyAsync("OSC-TAM", "social", Kitchen(1, null, "A"));
        var task = (Guid)(await r.ScalarAsync("SELECT id FROM review_tasks WHERE status = 'open'"))!;
        Assert.Equal("names-only", await r.ScalarAsync($"SELECT reason FROM review_tasks WHERE id = '{task}'"));

        // The kitchen's next list gives its Rosa's birth date (her own id links it): 1990, not DIF's Rosa's 1975.
        await r.ApplyAsync("OSC-TAM", "social", Kitchen(2, new DateOnly(1990, 2, 21), "B"));

        Assert.Equal(2L, await r.ScalarAsync("SELECT count(*) FROM persons WHERE merged_into IS NULL"));
        Assert.Equal("settled|different-birth-dates|machine",
            await r.ScalarAsync($"SELECT concat_ws('|', status, settlement, decided_by) FROM review_tasks WHERE id = '{task}'"));
        Assert.Equal(1L, await r.ScalarAsync($"SELECT count(*) FROM identity_events WHERE kind = 'review-settled' AND review_task_id = '{task}'"));
    }

    [Fact]
    public async Task A_chunk_that_died_after_its_identity_commit_opens_its_review_task_on_redelivery()
    {
        await using var r = await NewRegistryAsync();
        await r.ApplyAsync("DIF-TAM", "social", Rosa(1, "CRUZ", DifBirth));
        var clinic = await r.ChunkAsync("SSA-TAM", "health", Rosa(1, null, ClinicBirth));

        // The identity phase decided the question and kept it; the task is written with the chunk's attachments.
        await DieAfterTheIdentityCommitThenRedeliverAsync(r, clinic, attachedBeforeDying: 0L);
    }

    [Fact]
    public async Task A_chunk_that_attached_in_its_identity_phase_and_died_opens_its_review_task_on_redelivery()
    {
        await using var r = await NewRegistryAsync();
        // The clinic's feed is authoritative for residences, and its chunk brings a known person (Pedro, by his CURP): the
        // chunk attaches in its identity phase. Its review tasks come after that phase's commit, in their own transaction.
        await r.ScalarAsync("INSERT INTO feeds (code, residence_authoritative) VALUES ('feed-SSA-TAM', true) " +
                            "ON CONFLICT (code) DO UPDATE SET residence_authoritative = true");
        var pedro = new SourceRow
        {
            RowNumber = 2, RecordKey = "pedro", ContentHash = "pedro", Curp = PedroCurp, GivenNames = "PEDRO", PaternalSurname = "SALAZAR",
            MaternalSurname = "OCHOA", BirthDate = new DateOnly(1980, 3, 4), Sex = "H", Municipality = "REYNOSA",
            Programme = "P", ServiceType = "A", ServiceDate = new DateOnly(2026, 10, 1),
        };
        await r.ApplyAsync("DIF-TAM", "social", Rosa(1, "CRUZ", DifBirth), pedro);
        var clinic = await r.ChunkAsync("SSA-TAM", "health", Rosa(1, null, ClinicBirth), pedro with { Municipality = "VICTORIA" });

        // The redelivery finds the chunk attached and writes the task it kept, once.
        await DieAfterTheIdentityCommitThenRedeliverAsync(r, clinic, attachedBeforeDying: 1L);
    }

    /// <summary>
    /// The chunk's worker dies after its identity commit (having attached the chunk or not): its proposal is kept, no task
    /// is written; the redelivery opens the task once, and a further delivery changes nothing.
    /// </summary>
    private static async Task DieAfterTheIdentityCommitThenRedeliverAsync(TestRegistry r, ResolveSourceRows clinic, long attachedBeforeDying)
    {
        var crashing = new ChunkResolver(r.Db) { AfterIdentityCommit = _ => throw new InvalidOperationException("worker died") };
        await Assert.ThrowsAsync<InvalidOperationException>(() => crashing.ApplyAsync(clinic, default));
        Assert.Equal(attachedBeforeDying, await r.ScalarAsync("SELECT count(*) FROM extract_chunks WHERE attached_at IS NOT NULL AND extract_id = " +
                                                              "(SELECT extract_id FROM source_records WHERE agency_code = 'SSA-TAM' LIMIT 1)"));
        Assert.Equal(0L, await r.ScalarAsync("SELECT count(*) FROM review_tasks"));
        Assert.Equal(1L, await r.ScalarAsync("SELECT count(*) FROM chunk_review_proposals"));

        Assert.True(await new ChunkResolver(r.Db).ApplyAsync(clinic, default));
        Assert.Equal(1L, await r.ScalarAsync("SELECT count(*) FROM review_tasks WHERE status = 'open'"));
        Assert.Equal(1L, await r.ScalarAsync("SELECT count(*) FROM review_task_records"));
        Assert.Equal(0L, await r.ScalarAsync("SELECT count(*) FROM chunk_review_proposals"));
        Assert.False(await new ChunkResolver(r.Db).ApplyAsync(clinic, default));
        Assert.Equal(1L, await r.ScalarAsync("SELECT count(*) FROM review_tasks"));
    }

    private static readonly string PedroCurp = ValidCurp("SAOP800304HTSLCD0");

    private static string ValidCurp(string first17) => first17 + Curp.CheckDigit(first17);

    [Fact]
    public async Task A_merge_between_a_chunks_identity_commit_and_its_attachments_gives_its_review_task_to_the_survivor()
    {
        await using var r = await NewRegistryAsync();
        await r.ApplyAsync("DIF-TAM", "social", Rosa(1, "CRUZ", DifBirth), Kitchen(2, new DateOnly(1990, 2, 21), "A") with { AgencyPersonId = null });
        var difRosa = (Guid)(await r.ScalarAsync("SELECT person_id FROM source_records WHERE row_number = 1"))!;
        var other = (Guid)(await r.ScalarAsync("SELECT person_id FROM source_records WHERE row_number = 2"))!;
        Assert.NotEqual(difRosa, other);
        // Right after the clinic's chunk decides to ask about DIF's Rosa, a steward merges her into the other person.
        var resolver = new ChunkResolver(r.Db)
        {
            AfterIdentityCommit = ct => new Stewardship(r.Db).MergeAsync(other, difRosa, "steward@test", "same person", ct),
        };

        Assert.True(await resolver.ApplyAsync(await r.ChunkAsync("SSA-TAM", "health", Rosa(1, null, ClinicBirth)), default));

        var clinicRosa = (Guid)(await r.ScalarAsync("SELECT person_id FROM source_records WHERE agency_code = 'SSA-TAM'"))!;
        Assert.Equal(1L, await r.ScalarAsync("SELECT count(*) FROM review_tasks WHERE status = 'open'"));
        Assert.Equal($"{Min(clinicRosa, other)}|{Max(clinicRosa, other)}",
            await r.ScalarAsync("SELECT person_a || '|' || person_b FROM review_tasks WHERE status = 'open'"));
        Assert.Equal(0L, await r.ScalarAsync($"SELECT count(*) FROM review_tasks WHERE '{difRosa}' IN (person_a, person_b)"));

        static Guid Min(Guid a, Guid b) => string.CompareOrdinal(a.ToString(), b.ToString()) < 0 ? a : b;
        static Guid Max(Guid a, Guid b) => string.CompareOrdinal(a.ToString(), b.ToString()) < 0 ? b : a;
    }

    [Fact]
    public async Task A_stewards_merge_of_the_pair_between_the_identity_commit_and_the_attachments_leaves_no_question()
    {
        await using var r = await NewRegistryAsync();
        await r.ApplyAsync("DIF-TAM", "social", Rosa(1, "CRUZ", DifBirth));
        var difRosa = (Guid)(await r.ScalarAsync("SELECT person_id FROM source_records"))!;
        var resolver = new ChunkResolver(r.Db)
        {
            AfterIdentityCommit = async ct => await new Stewardship(r.Db).MergeAsync(difRosa,
                (Guid)(await r.ScalarAsync("SELECT person_id FROM source_records WHERE agency_code = 'SSA-TAM'"))!, "steward@test", "same person", ct),
        };

        Assert.True(await resolver.ApplyAsync(await r.ChunkAsync("SSA-TAM", "health", Rosa(1, null, ClinicBirth)), default));

        // The question the chunk kept is about one person now: no task.
        Assert.Equal(0L, await r.ScalarAsync("SELECT count(*) FROM review_tasks"));
        Assert.Equal(0L, await r.ScalarAsync("SELECT count(*) FROM chunk_review_proposals"));
    }

    private static SourceRow Kitchen(int n, DateOnly? birth, string service) => new()
    {
        RowNumber = n, RecordKey = $"kitchen-rosa|{service}", ContentHash = $"kitchen-rosa|{birth:yyyyMMdd}|{service}", AgencyPersonId = "OSC-1",
        GivenNames = "ROSA ELENA", PaternalSurname = "MARTINEZ", MaternalSurname = "CRUZ", BirthDate = birth, Sex = "M", Municipality = "REYNOSA",
        Programme = "P", ServiceType = service, ServiceDate = new DateOnly(2026, 10, 1),
    };

    private static SourceRow Rosa(int n, string? maternal, DateOnly birth, string service = "A", string? curp = null, string? document = null) => new()
    {
        RowNumber = n, RecordKey = $"rosa|{maternal}|{birth:yyyyMMdd}|{service}", ContentHash = $"rosa|{maternal}|{birth:yyyyMMdd}|{service}|{curp}|{document}",
        Curp = curp, OtherId = document, GivenNames = "ROSA ELENA", PaternalSurname = "MARTINEZ", MaternalSurname = maternal, BirthDate = birth, Sex = "M", Municipality = "REYNOSA",
        Programme = "P", ServiceType = service, ServiceDate = new DateOnly(2026, 10, 1),
    };

    private async Task<TestRegistry> NewRegistryAsync()
    {
        var cs = await servers.CreateDatabaseAsync();
        await Migrator.ApplyAsync(cs, NullLogger.Instance);
        return new TestRegistry(NpgsqlDataSource.Create(cs));
    }

    private sealed class TestRegistry(NpgsqlDataSource db) : IAsyncDisposable
    {
        public NpgsqlDataSource Db { get; } = db;
        private int files;

        public async Task ApplyAsync(string agency, string sector, params SourceRow[] rows) =>
            Assert.True(await new ChunkResolver(Db).ApplyAsync(await ChunkAsync(agency, sector, rows), default));

        public async Task<ResolveSourceRows> ChunkAsync(string agency, string sector, params SourceRow[] rows)
        {
            var n = Interlocked.Increment(ref files);
            var (id, _) = await new ExtractStore(Db).RegisterAsync("feed-" + agency, agency, sector, $"f{n}.csv",
                n.ToString("x64", CultureInfo.InvariantCulture), rows.Length, "/dev/null", default);
            return new ResolveSourceRows(id, 0, rows[0].RowNumber, rows[^1].RowNumber, "feed-" + agency, agency, sector, rows);
        }

        public async Task<object?> ScalarAsync(string sql)
        {
            await using var command = Db.CreateCommand(sql);
            return await command.ExecuteScalarAsync();
        }

        public async ValueTask DisposeAsync()
        {
            try { await ResolverRegistry.AssertNoDanglingReferencesAsync(Db); }
            finally { await Db.DisposeAsync(); }
        }
    }
}

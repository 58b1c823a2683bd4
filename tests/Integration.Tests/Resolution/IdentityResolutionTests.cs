using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Registry.Contracts;
using Registry.Extracts;
using Registry.Integration.Tests.Infrastructure;
using Registry.Matching;
using Registry.Normalization;
using Registry.Resolution;
using Registry.Review;
using Registry.Storage;

namespace Registry.Integration.Tests.Resolution;

/// <summary>Probabilistic resolution, review, steward merges and splits against a real PostgreSQL.</summary>
[Collection(ServersCollection.Name)]
public sealed class IdentityResolutionTests(RegistryServers servers)
{
    private static readonly DateOnly Birth = new(1984, 2, 29);
    private static readonly string JoseCurp = Valid("HELJ840229HTSRPS0");

    [Fact]
    public async Task A_record_without_CURP_from_another_agency_links_to_the_person_with_its_evidence()
    {
        await using var r = await NewRegistryAsync();
        await r.ApplyAsync("DIF-TAM", Row(1, "JOSE", "HERNANDEZ", "LOPEZ", Birth, curp: JoseCurp, phone: "8341234567"));
        await r.ApplyAsync("SSA-TAM", Row(1, "PEPE", "HERNÁNDEZ", null, Birth, phone: "834 123 4567"));

        Assert.Equal(1L, await r.ScalarAsync("SELECT count(*) FROM persons WHERE merged_into IS NULL"));
        await using var command = r.Db.CreateCommand(
            """
            SELECT d.rule, d.score, d.evidence->'given_names'->>'level', d.model_version, d.link_threshold
              FROM match_decisions d JOIN source_records s ON s.id = d.source_record_id WHERE s.agency_code = 'SSA-TAM'
            """);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("probabilistic", reader.GetString(0));
        Assert.True(reader.GetDouble(1) >= reader.GetDouble(4));
        Assert.Equal("nickname-or-dropped-maria-jose", reader.GetString(2));
        Assert.Equal(MatchModel.Default.Version, reader.GetString(3));
        // The golden record keeps the validated CURP and the name that agrees with it, each pointing to its source.
        Assert.Equal("JOSE", await r.ScalarAsync("SELECT golden->'given_names'->>0 FROM persons"));
        Assert.Equal("validated-curp", await r.ScalarAsync("SELECT golden->'curp'->>2 FROM persons"));
    }

    [Fact]
    public async Task A_person_created_by_a_chunk_has_the_golden_record_a_refresh_computes()
    {
        await using var r = await NewRegistryAsync();
        // One person with two records in the chunk (the same CURP: one adds the maternal surname and a phone), one with a single record.
        await r.ApplyAsync("DIF-TAM",
            Row(1, "JOSE", "HERNANDEZ", null, Birth, curp: JoseCurp),
            Row(2, "ANA", "RUIZ", "ORTIZ", new DateOnly(1990, 1, 1), phone: "8991234567"),
            Row(3, "JOSÉ", "HERNÁNDEZ", "LOPEZ", Birth, curp: JoseCurp, phone: "8341234567", service: "B"));
        // A namesake with another valid CURP scores the link threshold with José (so nothing is staged for it
        // before the lock) yet is a person of its own: its golden record is computed under the lock instead.
        await r.ApplyAsync("SSA-TAM", Row(1, "JOSE", "HERNANDEZ", "LOPEZ", Birth, curp: Valid("HELJ840229HTSRPS1")));
        Assert.Equal(3L, await r.ScalarAsync("SELECT count(*) FROM persons"));
        Assert.Equal(0L, await r.ScalarAsync("SELECT count(*) FROM persons WHERE golden IS NULL"));
        const string Golden = "SELECT string_agg(concat_ws('|', golden::text, curp, given_names, paternal_surname, maternal_surname, sex, birth_date, golden_source_record_id), E'\\n' ORDER BY id) FROM persons";
        var inserted = (string?)await r.ScalarAsync(Golden);

        await using (var connection = await r.Db.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await using var ids = new NpgsqlCommand("SELECT array_agg(id) FROM persons", connection, tx);
            await Registry.Persons.GoldenRecordWriter.RefreshAsync(connection, tx, (Guid[])(await ids.ExecuteScalarAsync())!, default);
            await tx.CommitAsync();
        }

        Assert.Contains("LOPEZ", inserted, StringComparison.Ordinal);
        Assert.Equal(inserted, (string?)await r.ScalarAsync(Golden));
    }

    [Fact]
    public async Task Two_refreshes_of_one_person_take_turns()
    {
        await using var r = await NewRegistryAsync();
        await r.ApplyAsync("DIF-TAM", Row(1, "JOSE", "HERNANDEZ", null, Birth, curp: JoseCurp));
        var jose = (Guid)(await r.ScalarAsync("SELECT id FROM persons"))!;

        // The first refresh holds José until it commits; a second one (another chunk's completion) waits for it.
        await using var first = await r.Db.OpenConnectionAsync();
        await using var firstTx = await first.BeginTransactionAsync();
        await Registry.Persons.GoldenRecordWriter.RefreshAsync(first, firstTx, [jose], default);
        var second = Task.Run(async () =>
        {
            await using var connection = await r.Db.OpenConnectionAsync();
            await using var tx = await connection.BeginTransactionAsync();
            await Registry.Persons.GoldenRecordWriter.RefreshAsync(connection, tx, [jose], default);
            await tx.CommitAsync();
        });
        await Task.Delay(500);
        Assert.False(second.IsCompleted, "the second refresh of the same person did not wait for the first");
        await firstTx.CommitAsync();
        await second.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_record_its_agency_id_links_still_merges_the_other_agencys_person_it_proves_to_be()
    {
        await using var r = await NewRegistryAsync();
        await r.ApplyAsync("SSA-TAM", Row(1, "SANTIAGO", "VILLARREAL", "TORES", Birth) with { AgencyPersonId = "EXP-1" });
        await r.ApplyAsync("DIF-TAM", Row(1, "SANTIAGO", "VILLARREAL", "TORRES", new DateOnly(1984, 2, 28), phone: "8991234567"));
        Assert.Equal(2L, await r.ScalarAsync("SELECT count(*) FROM persons WHERE merged_into IS NULL"));

        // The clinic's next visit: its own patient id (a deterministic link), now with the second
        // surname spelt right, the birth date DIF has (one day off from the first visit) and DIF's phone — the same man.
        await r.ApplyAsync("SSA-TAM", Row(2, "SANTIAGO", "VILLARREAL", "TORRES", new DateOnly(1984, 2, 28), phone: "8991234567", service: "B") with { AgencyPersonId = "EXP-1" });

        Assert.Equal(1L, await r.ScalarAsync("SELECT count(*) FROM persons WHERE merged_into IS NULL"));
        Assert.Equal("agency-person-id", await r.ScalarAsync(
            "SELECT d.rule FROM match_decisions d JOIN source_records s ON s.id = d.source_record_id WHERE s.agency_code = 'SSA-TAM' AND s.row_number = 2"));
        Assert.Equal(1L, await r.ScalarAsync("SELECT count(*) FROM identity_events WHERE kind = 'merge'"));
    }

    [Fact]
    public async Task An_uncertain_record_waits_for_a_steward_and_a_match_decision_merges_with_a_redirect()
    {
        await using var r = await NewRegistryAsync();
        await r.ApplyAsync("DIF-TAM", Row(1, "ROSA ELENA", "MARTINEZ", "CRUZ", new DateOnly(1975, 6, 9)));
        await r.ApplyAsync("SSA-TAM", Row(1, "ROSA ELENA", "MARTINEZ", "CRUS", new DateOnly(1975, 6, 19)));

        Assert.Equal(2L, await r.ScalarAsync("SELECT count(*) FROM persons"));
        var task = (Guid)(await r.ScalarAsync("SELECT id FROM review_tasks WHERE status = 'open'"))!;

        await new Stewardship(r.Db).DecideAsync(task, ReviewDecision.Match, "steward.ana", "Same CURP on the paper file", default);

        Assert.Equal(1L, await r.ScalarAsync("SELECT count(*) FROM persons WHERE merged_into IS NULL"));
        Assert.Equal(1L, await r.ScalarAsync("SELECT count(*) FROM persons WHERE merged_into IS NOT NULL"));
        Assert.Equal(1L, await r.ScalarAsync("SELECT count(DISTINCT person_id) FROM source_records"));
        Assert.Equal("steward.ana", await r.ScalarAsync("SELECT decided_by FROM identity_events WHERE kind = 'merge'"));
        Assert.Equal("match", await r.ScalarAsync("SELECT status FROM review_tasks"));
        await Assert.ThrowsAsync<StewardshipException>(() => new Stewardship(r.Db).DecideAsync(task, ReviewDecision.NonMatch, "x", "again", default));
    }

    [Fact]
    public async Task A_steward_cannot_merge_two_persons_whose_records_carry_different_valid_CURPs()
    {
        await using var r = await NewRegistryAsync();
        await r.ApplyAsync("DIF-TAM", Row(1, "JOSE", "HERNANDEZ", "LOPEZ", Birth, curp: JoseCurp));
        await r.ApplyAsync("SSA-TAM", Row(1, "JOSE", "HERNANDEZ", "LOPEZ", Birth, curp: Valid("HELJ840229HTSRPS1")));
        await r.ApplyAsync("SEP-TAM", Row(1, "MARIA", "TORRES", "SALINAS", new DateOnly(1990, 7, 1)));
        async Task<Guid> PersonOf(string agency) => (Guid)(await r.ScalarAsync($"SELECT person_id FROM source_records WHERE agency_code = '{agency}'"))!;
        var (dif, ssa, sep) = (await PersonOf("DIF-TAM"), await PersonOf("SSA-TAM"), await PersonOf("SEP-TAM"));
        Assert.Equal(3, new[] { dif, ssa, sep }.Distinct().Count());
        var stewardship = new Stewardship(r.Db);

        var refused = await Assert.ThrowsAsync<StewardshipException>(() => stewardship.MergeAsync(dif, ssa, "steward.ana", "same name", default));
        Assert.Contains("different valid CURPs", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await r.ScalarAsync("SELECT count(*) FROM identity_events WHERE kind = 'merge'"));

        // A person without a valid CURP can join either.
        await stewardship.MergeAsync(dif, sep, "steward.ana", "documents checked", default);
        Assert.Equal(dif, await PersonOf("SEP-TAM"));
        await Assert.ThrowsAsync<StewardshipException>(() => stewardship.MergeAsync(dif, ssa, "steward.ana", "same name", default));
    }

    [Fact]
    public async Task A_non_match_decision_is_never_overridden_by_later_records()
    {
        await using var r = await NewRegistryAsync();
        await r.ApplyAsync("DIF-TAM", Row(1, "ROSA ELENA", "MARTINEZ", "CRUZ", new DateOnly(1975, 6, 9)));
        await r.ApplyAsync("SSA-TAM", Row(1, "ROSA ELENA", "MARTINEZ", "CRUS", new DateOnly(1975, 6, 19)));
        var task = (Guid)(await r.ScalarAsync("SELECT id FROM review_tasks"))!;
        await new Stewardship(r.Db).DecideAsync(task, ReviewDecision.NonMatch, "steward.ana", "Different mothers on file", default);

        // A record that matches both strongly would bridge them, but the steward said they are two people.
        await r.ApplyAsync("SEP-TAM", Row(1, "ROSA ELENA", "MARTINEZ", "CRUZ", new DateOnly(1975, 6, 19)));

        Assert.Equal(0L, await r.ScalarAsync("SELECT count(*) FROM identity_events WHERE kind = 'merge'"));
        Assert.Equal(0L, await r.ScalarAsync("SELECT count(*) FROM persons WHERE merged_into IS NOT NULL"));
        Assert.Throws<PostgresException>(() => r.Db.CreateCommand("DELETE FROM identity_events").ExecuteNonQuery());
    }

    [Fact]
    public async Task A_non_match_decision_still_binds_a_person_merged_into_another_afterwards()
    {
        await using var r = await NewRegistryAsync();
        await r.ApplyAsync("DIF-TAM", Row(1, "ROSA ELENA", "MARTINEZ", "CRUZ", new DateOnly(1975, 6, 9)));
        await r.ApplyAsync("SSA-TAM", Row(1, "ROSA ELENA", "MARTINEZ", "CRUS", new DateOnly(1975, 6, 19)));
        var task = (Guid)(await r.ScalarAsync("SELECT id FROM review_tasks"))!;
        await new Stewardship(r.Db).DecideAsync(task, ReviewDecision.NonMatch, "steward.ana", "Different mothers on file", default);
        // SSA's person is then merged by hand into a person of a third agency (the survivor takes the exclusion with it).
        await r.ApplyAsync("SEP-TAM", Row(1, "MARIA", "TORRES", "SALINAS", new DateOnly(1990, 7, 1)));
        async Task<Guid> PersonOf(string agency) => (Guid)(await r.ScalarAsync($"SELECT person_id FROM source_records WHERE agency_code = '{agency}'"))!;
        var (dif, ssa, sep) = (await PersonOf("DIF-TAM"), await PersonOf("SSA-TAM"), await PersonOf("SEP-TAM"));
        await new Stewardship(r.Db).MergeAsync(sep, ssa, "steward.luis", "Same person on the paper file", default);

        // A record matching both DIF's person and the survivor strongly would bridge them: the steward said DIF's is someone else.
        await r.ApplyAsync("SEDESOL-TAM", Row(1, "ROSA ELENA", "MARTINEZ", "CRUZ", new DateOnly(1975, 6, 19)));

        Assert.Equal(1L, await r.ScalarAsync("SELECT count(*) FROM identity_events WHERE kind = 'merge'"));
        Assert.Equal(true, await r.ScalarAsync($"SELECT merged_into IS NULL FROM persons WHERE id = '{dif}'"));
    }

    [Fact]
    public async Task A_steward_split_moves_records_to_a_new_person_and_keeps_the_history()
    {
        await using var r = await NewRegistryAsync();
        await r.ApplyAsync("DIF-TAM", Row(1, "JOSE", "HERNANDEZ", "LOPEZ", Birth, curp: JoseCurp), Row(2, "JOSE", "HERNANDEZ", "LOPEZ", Birth, curp: JoseCurp, service: "B"));
        var person = (Guid)(await r.ScalarAsync("SELECT id FROM persons"))!;
        var moved = (Guid)(await r.ScalarAsync("SELECT id FROM source_records WHERE row_number = 2"))!;

        var created = await new Stewardship(r.Db).SplitAsync(person, [moved], "steward.luis", "Row 2 is his son (jr.)", default);

        Assert.Equal(created, await r.ScalarAsync("SELECT person_id FROM source_records WHERE row_number = 2"));
        Assert.Equal(created, await r.ScalarAsync("SELECT se.person_id FROM service_events se JOIN source_records s ON s.id = se.source_record_id WHERE s.row_number = 2"));
        Assert.Equal("split", await r.ScalarAsync("SELECT kind FROM identity_events"));
        Assert.Equal(2L, await r.ScalarAsync("SELECT count(*) FROM person_exclusions"));
        await Assert.ThrowsAsync<ArgumentException>(() => new Stewardship(r.Db).SplitAsync(person, [], "s", "r", default));
    }

    [Fact]
    public async Task A_reference_written_without_a_foreign_key_that_points_nowhere_is_reported()
    {
        await using var r = await NewRegistryAsync();
        await r.ApplyAsync("DIF-TAM", Row(1, "JOSE", "HERNANDEZ", "LOPEZ", Birth, curp: JoseCurp));
        await r.ScalarAsync("UPDATE service_events SET person_id = gen_random_uuid()");

        Assert.Equal("service_events.person_id: 1", await ResolverRegistry.DanglingReferencesAsync(r.Db));
        // Repaired, so the check every scenario ends with passes.
        await r.ScalarAsync("UPDATE service_events se SET person_id = s.person_id FROM source_records s WHERE s.id = se.source_record_id");
    }

    [Fact]
    public async Task Parallel_chunks_carrying_the_same_people_without_CURP_create_one_person_each()
    {
        await using var r = await NewRegistryAsync();
        var given = new[] { "ANA", "LUIS", "CARMEN", "JORGE", "SOFIA", "RAUL", "ELENA", "MARIO", "PAOLA", "HUGO" };
        var surnames = new[] { "GARZA", "TREVIÑO", "SALINAS", "CANTU", "VILLARREAL" };
        var people = Enumerable.Range(0, 30).Select(i => (Given: given[i % 10], Paternal: surnames[i % 5], Maternal: surnames[(i / 5 + 1) % 5],
            Birth: new DateOnly(1950 + i, 1 + i % 12, 1 + i % 27))).ToList();
        // 6 chunks of different agencies, each carrying every person once (accents, case varied), resolved concurrently.
        var chunks = Enumerable.Range(0, 6).Select(c => r.Chunk($"AG-{c}", c, [.. people.Select((p, i) =>
            Row(i + 1, c % 2 == 0 ? p.Given : p.Given.ToLowerInvariant(), c % 3 == 0 ? p.Paternal.Replace("Ñ", "N", StringComparison.Ordinal) : p.Paternal, p.Maternal, p.Birth))])).ToList();

        await Task.WhenAll(chunks.Select(chunk => Task.Run(() => r.Resolver.ApplyAsync(chunk, default))));

        Assert.Equal(30L, await r.ScalarAsync("SELECT count(*) FROM persons WHERE merged_into IS NULL"));
        Assert.Equal(180L, await r.ScalarAsync("SELECT count(*) FROM source_records"));
    }

    [Fact]
    public async Task EM_training_on_the_registry_s_own_records_produces_the_model_later_decisions_use()
    {
        await using var r = await NewRegistryAsync();
        var given = new[] { "ANA", "LUIS", "CARMEN", "JORGE", "SOFIA", "RAUL", "ELENA", "MARIO" };
        var surnames = new[] { "GARZA", "SALINAS", "CANTU", "VILLARREAL", "OCHOA", "IBARRA", "ZAMORA" };
        for (var agency = 0; agency < 3; agency++)
            await r.ApplyAsync($"AG-{agency}", [.. Enumerable.Range(0, 150).Select(i => Row(i + 1,
                agency == 2 && i % 4 == 0 ? given[i % 8][..^1] + "A" : given[i % 8], surnames[i % 7], agency == 1 && i % 3 == 0 ? null : surnames[(i / 7) % 7],
                new DateOnly(1940 + i % 60, 1 + i % 12, 1 + i % 28)))]);

        var trained = await new Registry.Matching.EmTrainer(r.Db).TrainAsync(Registry.Matching.MatchModel.Default, 2_000, 2_000, 100, default);

        Assert.NotNull(trained);
        Assert.StartsWith("fs-em-", trained.Model.Version, StringComparison.Ordinal);
        Assert.True(trained.Model.M["birth_date"][1] > 0.5, "matches mostly agree on the birth date");
        Assert.True(trained.Model.U["birth_date"][1] < 0.05, "random pairs rarely do");
        await new Registry.Matching.MatchModelStore(r.Db).SaveAsync(trained.Model, "test", default);
        await r.ApplyAsync("AG-9", Row(1, "ANA", "GARZA", null, new DateOnly(1990, 1, 1)));
        Assert.Equal(trained.Model.Version, await r.ScalarAsync(
            "SELECT d.model_version FROM match_decisions d JOIN source_records s ON s.id = d.source_record_id WHERE s.agency_code = 'AG-9'"));
    }

    [Fact]
    public async Task Households_of_two_agencies_sharing_members_become_one_and_a_move_within_an_agency_closes_the_old_membership()
    {
        await using var r = await NewRegistryAsync();
        SourceRow Member(int n, string given, DateOnly birth, string household, string? curp = null, int month = 10) =>
            Row(n, given, "HERNANDEZ", "LOPEZ", birth, curp) with
            {
                AgencyHouseholdId = household, Colonia = "COL. LAS FLORES", Municipality = "Victoria", ServiceDate = new DateOnly(2026, month, 1),
                RecordKey = $"{given}|{household}|{month}",
            };
        await r.ApplyAsync("DIF-TAM", Member(1, "JOSE", Birth, "F-1", JoseCurp), Member(2, "MARTA", new DateOnly(2010, 5, 5), "F-1"),
            Member(3, "LUCIA", new DateOnly(2012, 7, 7), "F-1"));
        await r.ApplyAsync("SSA-TAM", Member(1, "JOSE", Birth, "EXP-77", JoseCurp), Member(2, "MARTA", new DateOnly(2010, 5, 5), "EXP-77"));

        Assert.Equal(1L, await r.ScalarAsync("SELECT count(*) FROM households WHERE merged_into IS NULL"));
        Assert.Equal("2 members in common", await r.ScalarAsync("SELECT reason FROM household_events"));
        Assert.Equal(3L, await r.ScalarAsync("SELECT count(*) FROM household_members"));

        // Lucía moves: DIF now lists her in another family; her old membership ends, the households stay apart.
        await r.ApplyAsync("DIF-TAM", Member(4, "LUCIA", new DateOnly(2012, 7, 7), "F-2", month: 11));

        Assert.Equal(2L, await r.ScalarAsync("SELECT count(*) FROM households WHERE merged_into IS NULL"));
        Assert.Equal(new DateOnly(2026, 11, 1), await r.ScalarAsync(
            "SELECT m.valid_to FROM household_members m JOIN persons p ON p.id = m.person_id WHERE p.given_names = 'LUCIA' AND m.valid_to IS NOT NULL"));
    }

    [Fact]
    public async Task Territories_follow_residence_not_every_record_and_a_steward_split()
    {
        await using var r = await NewRegistryAsync();
        SourceRow At(int n, string given, DateOnly birth, string household, string municipality, string? curp = null) =>
            Row(n, given, "HERNANDEZ", "LOPEZ", birth, curp) with
            {
                AgencyHouseholdId = household, Municipality = municipality, RecordKey = $"{given}|{household}|{municipality}|{n}",
            };
        async Task<string> Territories(string given) => (string)(await r.ScalarAsync(
            $"SELECT coalesce(string_agg(t.municipality, ',' ORDER BY t.municipality), '') FROM person_territories t JOIN persons p ON p.id = t.person_id WHERE p.given_names = '{given}' AND t.ended_at IS NULL"))!;
        async Task<string> HouseholdTerritories(string given) => (string)(await r.ScalarAsync(
            $"SELECT coalesce(string_agg(DISTINCT t.municipality, ',' ORDER BY t.municipality), '') FROM household_territories t JOIN household_members m ON m.household_id = t.household_id JOIN persons p ON p.id = m.person_id WHERE p.given_names = '{given}' AND t.ended_at IS NULL"))!;

        // A family in Victoria: both members are in Victoria's territory.
        await r.ApplyAsync("DIF-TAM", At(1, "JOSE", Birth, "F-1", "Victoria", JoseCurp), At(2, "MARTA", new DateOnly(2010, 5, 5), "F-1", "Victoria"));
        Assert.Equal("VICTORIA", await Territories("MARTA"));

        // José is seen at a clinic in Río Bravo: a clinic says where the service was, not where he lives,
        // so neither he, his household nor Marta enter Río Bravo's territory.
        await r.ApplyAsync("SSA-TAM", Row(1, "JOSE", "HERNANDEZ", "LOPEZ", Birth, JoseCurp) with { Municipality = "Río Bravo" });
        Assert.Equal("VICTORIA", await HouseholdTerritories("MARTA"));
        Assert.Equal("VICTORIA", await Territories("MARTA"));
        Assert.Equal("VICTORIA", await Territories("JOSE"));
        Assert.Equal(0L, await r.ScalarAsync(
            "SELECT count(*) FROM person_territories t WHERE t.name_words && '{RIO BRAVO:MARTA,RIO BRAVO:JOSE}'"));

        // A steward splits the clinic record off to a new person (not a member of the family): the new
        // person lives where the record that now starts them says, the family stays in Victoria.
        var jose = (Guid)(await r.ScalarAsync("SELECT id FROM persons WHERE given_names = 'JOSE'"))!;
        var clinic = (Guid)(await r.ScalarAsync("SELECT id FROM source_records WHERE agency_code = 'SSA-TAM'"))!;
        var created = await new Stewardship(r.Db).SplitAsync(jose, [clinic], "steward.luis", "Another José", default);

        Assert.Equal("VICTORIA", await Territories("MARTA"));
        Assert.Equal("VICTORIA", await HouseholdTerritories("MARTA"));
        Assert.Equal("RIO BRAVO", await r.ScalarAsync($"SELECT string_agg(municipality, ',') FROM person_territories WHERE person_id = '{created}'"));

        // A better-known name (the golden record changes) moves the person in the name index too.
        await r.ScalarAsync("UPDATE persons SET given_names = 'MARTHA' WHERE given_names = 'MARTA'");
        Assert.Equal("VICTORIA:MARTHA", await r.ScalarAsync(
            "SELECT string_agg(w, ',') FROM person_territories, unnest(name_words) w WHERE w LIKE 'VICTORIA:MART%'"));
    }

    [Fact]
    public async Task Territories_kept_up_by_inserts_equal_a_rebuild_from_scratch()
    {
        // Families listed by three agencies, each with its own household ids, members reported in
        // several municipalities, children moving to other families: every insert extends the territory
        // tables in place; the result must be what the definition gives when computed from scratch.
        await using var r = await NewRegistryAsync();
        string[] municipalities = ["Victoria", "Reynosa", "Matamoros", "Río Bravo", "El Mante"];
        string[] givens = ["JOSE", "MARTA", "LUCIA", "PEDRO", "ANA", "RAUL", "SOFIA", "HUGO"];
        string[] agencies = ["DIF-TAM", "SSA-TAM", "SEP-TAM"];
        var random = new Random(20261123);
        var rows = new List<(string Agency, SourceRow Row)>();
        for (var family = 0; family < 40; family++)
        {
            var surname = "APELLIDO" + (char)('A' + family % 26) + (char)('A' + family / 26);
            var home = municipalities[random.Next(municipalities.Length)];
            for (var member = 0; member < 2 + random.Next(3); member++)
            {
                var given = givens[(family + member) % givens.Length];
                var birth = new DateOnly(1960 + member * 12, 1 + random.Next(12), 1 + random.Next(28));
                foreach (var agency in agencies.Where(_ => random.NextDouble() < 0.7))
                {
                    var municipality = random.NextDouble() < 0.2 ? municipalities[random.Next(municipalities.Length)] : home;
                    // One in ten is listed in another family by this agency (a move).
                    var household = random.NextDouble() < 0.1 ? $"H-{random.Next(40)}" : $"H-{family}";
                    rows.Add((agency, Row(rows.Count + 1, given, surname, "LOPEZ", birth) with
                    {
                        AgencyHouseholdId = household, Municipality = municipality, RecordKey = $"{agency}|{family}|{member}",
                    }));
                }
            }
        }
        foreach (var group in rows.OrderBy(_ => random.Next()).Chunk(7))
            foreach (var agency in group.GroupBy(g => g.Agency))
                await r.ApplyAsync(agency.Key, [.. agency.Select(a => a.Row).OrderBy(row => row.RowNumber)]);

        // Live territories only: when an earlier one ended is history a rebuild from scratch does not have.
        const string Snapshot =
            """
            SELECT (SELECT count(*) || ':' || coalesce(md5(string_agg(household_id || municipality, ',' ORDER BY household_id, municipality)), '') FROM household_territories WHERE ended_at IS NULL)
                || ' ' || (SELECT count(*) || ':' || coalesce(md5(string_agg(person_id || municipality || name_words::text, ',' ORDER BY person_id, municipality)), '') FROM person_territories WHERE ended_at IS NULL)
            """;
        var incremental = (string)(await r.ScalarAsync(Snapshot))!;
        Assert.True((long)(await r.ScalarAsync("SELECT count(*) FROM household_territories"))! > 40, incremental);
        await r.ScalarAsync("SELECT registry_rebuild_territories()");
        Assert.Equal((string)(await r.ScalarAsync(Snapshot))!, incremental);
    }

    private static string Valid(string first17) => first17 + Curp.CheckDigit(first17);

    private static SourceRow Row(int n, string given, string paternal, string? maternal, DateOnly birth, string? curp = null, string? phone = null, string service = "A") => new()
    {
        RowNumber = n,
        RecordKey = $"{given}|{paternal}|{n}|{service}",
        ContentHash = $"{given}|{paternal}|{maternal}|{birth}|{curp}|{phone}|{service}",
        GivenNames = given, PaternalSurname = paternal, MaternalSurname = maternal, BirthDate = birth, Curp = curp, Phone = phone,
        Programme = "PROGRAMA", ServiceType = service, ServiceDate = new DateOnly(2026, 10, 1),
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
        public ChunkResolver Resolver => new(Db);
        private int files;

        public async Task ApplyAsync(string agency, params SourceRow[] rows) =>
            Assert.True(await Resolver.ApplyAsync(Chunk(agency, 0, rows), default));

        public ResolveSourceRows Chunk(string agency, int index, SourceRow[] rows)
        {
            var n = Interlocked.Increment(ref files);
            var (id, _) = new ExtractStore(Db).RegisterAsync("feed-" + agency, agency, "social", $"f{n}.csv",
                n.ToString("x64", CultureInfo.InvariantCulture), 1, "/dev/null", default).GetAwaiter().GetResult();
            return new ResolveSourceRows(id, index, rows[0].RowNumber, rows[^1].RowNumber, "feed-" + agency, agency, "social", rows);
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

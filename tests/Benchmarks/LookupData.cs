using Npgsql;

namespace Registry.Benchmarks;

/// <summary>
/// Synthetic registry for `make bench-lookup`, written with set-based SQL: persons in households
/// of four across ten Tamaulipas municipalities, a DIF record for everyone, an SSA (health)
/// record for half and an SEP (education) record for a quarter, each with its match decision and
/// service event, and each person's golden record written by the resolver's own writer — the same
/// tables and shapes the resolver writes. Secondary indexes are set
/// aside during the load and rebuilt from their own definitions (those of the migrations).
/// </summary>
public static class LookupData
{
    private const string GivenNames =
        "'JOSÉ','JUAN','LUIS','CARLOS','JESÚS','MIGUEL','PEDRO','FRANCISCO','ANTONIO','JORGE','ALEJANDRO','ROBERTO','FERNANDO','RICARDO'," +
        "'EDUARDO','JAVIER','SERGIO','DANIEL','RAÚL','MARIO','DIEGO','SANTIAGO','ÁNGEL','RAFAEL','ARTURO','GUILLERMO','IGNACIO','SALVADOR'," +
        "'HÉCTOR','OMAR','MARÍA','GUADALUPE','JUANA','MARGARITA','VERÓNICA','LETICIA','ROSA','FRANCISCA','TERESA','ALEJANDRA','PATRICIA'," +
        "'ELIZABETH','GABRIELA','SOFÍA','XIMENA','VALERIA','FERNANDA','CAMILA','ANA LAURA','MARÍA DE LOS ÁNGELES','CARMEN','ISABEL','LUCÍA'," +
        "'ADRIANA','CLAUDIA','MÓNICA','SANDRA','LAURA','NORMA','SILVIA'";
    private const string Surnames =
        "'HERNÁNDEZ','GARCÍA','MARTÍNEZ','LÓPEZ','GONZÁLEZ','PÉREZ','RODRÍGUEZ','SÁNCHEZ','RAMÍREZ','CRUZ','FLORES','GÓMEZ','MORALES'," +
        "'VÁZQUEZ','REYES','JIMÉNEZ','TORRES','DÍAZ','GUTIÉRREZ','RUIZ','MENDOZA','AGUILAR','ORTIZ','MORENO','CASTILLO','ROMERO','ÁLVAREZ'," +
        "'MÉNDEZ','CHÁVEZ','RIVERA','JUÁREZ','RAMOS','DOMÍNGUEZ','HERRERA','MEDINA','CASTRO','VARGAS','GUZMÁN','VELÁZQUEZ','MUÑOZ','ROJAS'," +
        "'DE LA CRUZ','DE LEÓN','SALINAS','TREVIÑO','CANTÚ','GARZA','VILLARREAL','ELIZONDO','SALAZAR','CAVAZOS','NÚÑEZ','ESPINOZA','LUNA'," +
        "'CONTRERAS','SOTO','ESTRADA','ORTEGA','DELGADO','GUERRERO','CORTÉS','SANTIAGO','CAMPOS','VEGA','IBARRA','CARDENAS','ACOSTA','MOLINA'," +
        "'NAVARRO','ROSALES','SOLÍS','LEYVA','PADILLA','CERVANTES','ZAMORA','BARRERA','MIRANDA','OCHOA','ROBLES','DE LOS SANTOS'";
    private const string Municipalities =
        "'REYNOSA','MATAMOROS','VICTORIA','NUEVO LAREDO','TAMPICO','MADERO','ALTAMIRA','EL MANTE','RÍO BRAVO','VALLE HERMOSO'";
    private const string Colonias = "'COL. CENTRO','COL. LAS CUMBRES','FRACC. DEL VALLE','COL. INDEPENDENCIA','COL. LOMA LINDA','COL. MÉXICO','FRACC. LOS ÁLAMOS','COL. AZTECA'";
    private const string Streets = "'CALLE HIDALGO','AV. JUÁREZ','CALLE MORELOS','C. ALLENDE','AV. MATAMOROS','CALLE GUERRERO','CALLE ZARAGOZA','AV. TAMAULIPAS'";

    private static readonly string[] Tables = ["persons", "source_records", "household_members", "service_events", "person_keys", "match_decisions", "households"];

    public static async Task FillAsync(string connectionString, int persons)
    {
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        async Task Run(string label, string sql)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            await using var command = new NpgsqlCommand(sql, db) { CommandTimeout = 0 };
            command.Parameters.AddWithValue("n", persons);
            command.Parameters.AddWithValue("tables", Tables);
            await command.ExecuteNonQueryAsync();
            Console.WriteLine($"  {label,-40} {sw.Elapsed.TotalSeconds,6:F1} s");
        }

        // Triggers off while filling (the territory triggers would refresh row sets of millions); the
        // territories are rebuilt in one pass at the end.
        await Run("session settings", "SET synchronous_commit = off; SET maintenance_work_mem = '512MB'; SET work_mem = '256MB'; SET session_replication_role = replica");
        await Run("set secondary indexes aside", """
            CREATE TEMP TABLE saved_indexes AS
            SELECT i.indexname, i.indexdef FROM pg_indexes i
             WHERE i.schemaname = 'public' AND i.tablename = ANY (@tables)
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname);
            DO $$ DECLARE r record; BEGIN
                FOR r IN SELECT indexname FROM saved_indexes LOOP EXECUTE format('DROP INDEX %I', r.indexname); END LOOP;
            END $$;
            """);
        await Run("plan (ids, households, names)", $"""
            CREATE TEMP TABLE gen AS
            SELECT i, (i - 1) / 4 AS h, (i - 1) % 4 AS m,
                   gen_random_uuid() AS person_id, gen_random_uuid() AS sr_dif,
                   CASE WHEN i % 2 = 0 THEN gen_random_uuid() END AS sr_ssa,
                   CASE WHEN i % 4 = 1 THEN gen_random_uuid() END AS sr_sep,
                   (ARRAY[{GivenNames}])[1 + abs(hashint4(i)) % 60] AS given,
                   (ARRAY[{Surnames}])[1 + abs(hashint4((i - 1) / 4 + 101)) % 80] AS paternal,
                   (ARRAY[{Surnames}])[1 + abs(hashint4((i - 1) / 4 + 202)) % 80] AS maternal,
                   (ARRAY[{Municipalities}])[1 + abs(hashint4((i - 1) / 4 + 303)) % 10] AS municipality,
                   'POLÍGONO ' || (1 + abs(hashint4((i - 1) / 4 + 404)) % 3) AS poligono,
                   (ARRAY[{Streets}])[1 + abs(hashint4((i - 1) / 4 + 505)) % 8] AS street,
                   (1 + abs(hashint4((i - 1) / 4 + 606)) % 999)::text AS house_number,
                   (ARRAY[{Colonias}])[1 + abs(hashint4((i - 1) / 4 + 707)) % 8] AS colonia,
                   date '1950-01-01' + abs(hashint4(i + 808)) % 25000 AS birth_date
              FROM generate_series(1, @n) i;
            CREATE TEMP TABLE gen_households AS SELECT h, gen_random_uuid() AS id FROM generate_series(0, (@n - 1) / 4) h;
            ANALYZE gen; ANALYZE gen_households;
            """);
        await Run("extracts", """
            INSERT INTO extracts (id, feed_code, agency_code, sector, file_name, sha256, size_bytes, archive_path, status,
                                  rows_total, rows_accepted, rows_rejected, rows_resolved, chunks_total, parsed_at, resolved_at)
            VALUES ('00000000-0000-0000-0000-00000000d1f0', 'dif-alimentaria', 'DIF-TAM', 'social', 'bench-dif.csv', repeat('d', 64), 0, '-', 'resolved', 0, 0, 0, 0, 0, now(), now()),
                   ('00000000-0000-0000-0000-00000000550a', 'ssa-consultas', 'SSA-TAM', 'health', 'bench-ssa.csv', repeat('5', 64), 0, '-', 'resolved', 0, 0, 0, 0, 0, now(), now()),
                   ('00000000-0000-0000-0000-000000005e90', 'sep-becas', 'SEP-TAM', 'education', 'bench-sep.csv', repeat('e', 64), 0, '-', 'resolved', 0, 0, 0, 0, 0, now(), now());
            """);
        await Run("persons", """
            INSERT INTO persons (id, curp, given_names, paternal_surname, maternal_surname, sex, birth_date, golden_source_record_id)
            SELECT person_id, 'BN' || lpad(i::text, 13, '0') || 'TSX', given, paternal, maternal,
                   CASE WHEN m IN (0, 3) THEN 'M' ELSE 'H' END, birth_date, sr_dif
              FROM gen;
            """);
        await Run("source records (3 agencies)", """
            INSERT INTO source_records (id, extract_id, row_number, feed_code, agency_code, content_hash, person_id, data, record_key)
            SELECT sr_dif, '00000000-0000-0000-0000-00000000d1f0', i, 'dif-alimentaria', 'DIF-TAM', md5('dif' || i), person_id,
                   jsonb_build_object('RowNumber', i, 'AgencyPersonId', 'DIF-' || i, 'Curp', 'BN' || lpad(i::text, 13, '0') || 'TSX',
                       'BirthDate', to_char(birth_date, 'YYYY-MM-DD'), 'Sex', CASE WHEN m IN (0, 3) THEN 'M' ELSE 'H' END,
                       'GivenNames', given, 'PaternalSurname', paternal, 'MaternalSurname', maternal, 'Street', street,
                       'HouseNumber', house_number, 'Colonia', colonia, 'Municipality', municipality, 'Poligono', poligono,
                       'AgencyHouseholdId', 'FAM-' || h, 'Programme', 'Lazos del Bienestar'),
                   'bench:dif:' || i
              FROM gen;
            INSERT INTO source_records (id, extract_id, row_number, feed_code, agency_code, content_hash, person_id, data, record_key)
            SELECT sr_ssa, '00000000-0000-0000-0000-00000000550a', i, 'ssa-consultas', 'SSA-TAM', md5('ssa' || i), person_id,
                   jsonb_build_object('RowNumber', i, 'AgencyPersonId', 'EXP-' || i, 'GivenNames', given, 'PaternalSurname', paternal,
                       'MaternalSurname', maternal, 'Municipality', municipality, 'Programme', 'Vacunación universal'),
                   'bench:ssa:' || i
              FROM gen WHERE sr_ssa IS NOT NULL;
            INSERT INTO source_records (id, extract_id, row_number, feed_code, agency_code, content_hash, person_id, data, record_key)
            SELECT sr_sep, '00000000-0000-0000-0000-000000005e90', i, 'sep-becas', 'SEP-TAM', md5('sep' || i), person_id,
                   jsonb_build_object('RowNumber', i, 'AgencyPersonId', 'SEP-' || i, 'GivenNames', given, 'PaternalSurname', paternal,
                       'MaternalSurname', maternal, 'Municipality', municipality, 'Programme', 'Becas Benito Juárez'),
                   'bench:sep:' || i
              FROM gen WHERE sr_sep IS NOT NULL;
            """);
        await Run("match decisions and identity keys", """
            INSERT INTO match_decisions (source_record_id, person_id, rule, matched_key, created_person, model_version)
            SELECT id, person_id, 'curp', 'curp:' || (data ->> 'Curp'), feed_code = 'dif-alimentaria', 'bench'
              FROM source_records;
            INSERT INTO person_keys (key, person_id)
            SELECT 'curp:BN' || lpad(i::text, 13, '0') || 'TSX', person_id FROM gen
            UNION ALL SELECT 'agency:DIF-TAM:DIF-' || i, person_id FROM gen
            UNION ALL SELECT 'agency:SSA-TAM:EXP-' || i, person_id FROM gen WHERE sr_ssa IS NOT NULL;
            """);
        await Run("households and members", """
            INSERT INTO households (id, first_source_record_id)
            SELECT gh.id, g.sr_dif FROM gen_households gh JOIN gen g ON g.h = gh.h AND g.m = 0;
            INSERT INTO household_members (household_id, person_id, relationship, valid_from, source_record_id)
            SELECT gh.id, g.person_id, (ARRAY['JEFA','CONYUGE','HIJO','HIJA'])[g.m + 1], date '2024-01-01' + g.h % 700, g.sr_dif
              FROM gen g JOIN gen_households gh ON gh.h = g.h;
            """);
        await Run("service events", """
            INSERT INTO service_events (id, source_record_id, person_id, agency_code, sector, programme, service_type, service_date, status)
            SELECT gen_random_uuid(), sr.id, sr.person_id, sr.agency_code,
                   CASE sr.agency_code WHEN 'DIF-TAM' THEN 'social' WHEN 'SSA-TAM' THEN 'health' ELSE 'education' END,
                   sr.data ->> 'Programme',
                   CASE sr.agency_code WHEN 'DIF-TAM' THEN 'Acompañamiento familiar' WHEN 'SSA-TAM' THEN 'VACUNACIÓN' ELSE 'Beca' END,
                   date '2025-06-01' + abs(hashint4(sr.row_number + 909)) % 520, 'ENTREGADO'
              FROM source_records sr;
            UPDATE extracts e SET rows_total = c.n, rows_accepted = c.n, rows_resolved = c.n
              FROM (SELECT extract_id, count(*)::int AS n FROM source_records GROUP BY extract_id) c WHERE c.extract_id = e.id;
            """);
        await Run("rebuild secondary indexes", """
            DO $$ DECLARE r record; BEGIN
                FOR r IN SELECT indexdef FROM saved_indexes LOOP EXECUTE r.indexdef; END LOOP;
            END $$;
            """);
        // Statistics first: the rebuild's residence lookups are planned per person and, on tables the planner has never
        // seen, it picks scans that grow with the registry for each of them.
        await Run("analyze before territories", "ANALYZE persons, source_records, match_decisions, household_members, residence_claims");
        // Golden records as the resolver writes them (the fill above wrote only the persons' columns): each person's document
        // and, beside it, what a case manager without a sensitive-sector grant sees (the health record, most trusted for
        // names, is the survivor of half the persons' names) — by the writer itself.
        var golden = System.Diagnostics.Stopwatch.StartNew();
        var derived = await Registry.Persons.RestrictedGoldenBackfill.RunAsync(db, CancellationToken.None);
        Console.WriteLine($"  {"golden records (" + derived.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + ")",-40} {golden.Elapsed.TotalSeconds,6:F1} s");
        await Run("territories", "SET session_replication_role = origin; SELECT registry_rebuild_territories()");
        // As an operator does after a bulk load: the golden backfill rewrote every person, and autovacuum catching up on that
        // during the measurement (minutes of I/O and CPU on two cores) is the load, not the lookups.
        await Run("vacuum and analyze", "VACUUM (ANALYZE)");
    }

    /// <summary>Households and member names in one municipality (what a case manager there would look up).</summary>
    public static async Task<(List<Guid> Households, List<string> Names)> SampleAsync(string connectionString, string municipality, int count)
    {
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        var households = new List<Guid>();
        var names = new List<string>();
        await using var command = new NpgsqlCommand("""
            SELECT hm.household_id, concat_ws(' ', p.given_names, p.paternal_surname, p.maternal_surname)
              FROM source_records sr
              JOIN household_members hm ON hm.person_id = sr.person_id
              JOIN persons p ON p.id = sr.person_id
             WHERE registry_fold(sr.data ->> 'Municipality') = registry_fold(@m) AND sr.feed_code = 'dif-alimentaria'
             ORDER BY md5(sr.id::text)
             LIMIT @count
            """, db);
        command.Parameters.AddWithValue("m", municipality);
        command.Parameters.AddWithValue("count", count);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            households.Add(reader.GetGuid(0));
            names.Add(reader.GetString(1));
        }
        return (households, names);
    }

    /// <summary>How case managers type names: without accents, lower case, and one time in three with a slip (a letter replaced).</summary>
    public static string Misspell(string name, Random random)
    {
        var plain = Registry.Normalization.TextNormalizer.Normalize(name).ToLowerInvariant();
        if (random.Next(3) != 0 || plain.Length < 6) return plain;
        var chars = plain.ToCharArray();
        var at = 1 + random.Next(chars.Length - 2);
        if (chars[at] != ' ') chars[at] = chars[at] switch { 's' => 'z', 'z' => 's', 'v' => 'b', 'b' => 'v', 'i' => 'y', _ => 'e' };
        return new string(chars);
    }
}

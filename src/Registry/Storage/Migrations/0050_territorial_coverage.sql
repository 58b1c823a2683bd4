-- 0050: coverage by territory (issue 29) — households and persons reached per territory, sector,
-- programme and month, kept current as records arrive so a coordinator's page reads a few hundred
-- pre-counted cells instead of scanning the households of a municipality.
--
-- Definitions (registry_coverage_facts_of computes them for any households, from scratch):
--   a household's place   = its municipality (the lowest of its live household_territories: residence,
--                           migration 0035) + the polígono and colonia of its current members' membership
--                           records in that municipality (newest extract first; never a health or security
--                           record), upper case, no accents.
--                           A household with no live territory is not counted anywhere.
--   reached               = a live (not superseded) service event with a date, of a current member
--                           (household_members.valid_to IS NULL), in that calendar month.
--   a fact                = one (household, person or the household itself, sector, programme, month)
--                           reached; sector '*' = any sector, programme '*' = any programme of the sector.
--                           prev_month = the previous month the same household (or person) was reached
--                           under the same sector and programme ('-infinity' when never before).
-- prev_month makes counts over any period [a, b] additive: a household reached in the period is counted
-- exactly once, by its first month in the period — the one whose prev_month < a. That month's prev_month
-- also says new (never reached before: -infinity) or returning.
--   coverage_cells        = facts counted per (place, sector, programme, month, prev_month).
--   coverage_last_cells   = households per (place, sector, last month reached under that sector); sector '*'
--                           = any ('-infinity' for a household never reached: every counted household has one
--                           '*' row), '*2' = the second most recent of its sectors' last months (a household
--                           reached by two or more sectors since month m has '*2' >= m). Gaps and "one sector
--                           vs several" over the last 12 months are differences of these counts.
-- Statement triggers on service_events, household_members, household_territories and households mark the
-- households a statement touched (coverage_dirty); at the transaction's commit a deferred trigger passes them,
-- once, to registry_coverage_refresh, which replaces their facts and applies the difference to the cells — in the
-- writer's transaction, so the aggregates commit with the records or not at all. registry_coverage_recount() is the from-scratch
-- answer `make bench-coverage` and the tests compare the cells with.

CREATE FUNCTION registry_coverage_place(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(nullif(btrim(regexp_replace(translate(upper(value), 'ÁÀÂÄÉÈÊËÍÌÎÏÓÒÔÖÚÙÛÜ', 'AAAAEEEEIIIIOOOOUUUU'), '\s+', ' ', 'g')), ''), '')
$$;

CREATE TABLE coverage_households (
    household_id uuid PRIMARY KEY,
    municipality text NOT NULL,
    poligono     text NOT NULL,
    colonia      text NOT NULL,
    members      integer NOT NULL
);
CREATE INDEX coverage_households_place ON coverage_households (municipality, poligono, colonia);

CREATE TABLE coverage_facts (
    household_id uuid NOT NULL,
    -- The household itself: the nil uuid.
    person_id    uuid NOT NULL,
    sector       text NOT NULL,
    programme    text NOT NULL,
    month        date NOT NULL,
    prev_month   date NOT NULL,
    PRIMARY KEY (household_id, person_id, sector, programme, month)
);

CREATE TABLE coverage_household_last (
    household_id uuid NOT NULL,
    sector       text NOT NULL,
    last_month   date NOT NULL,
    PRIMARY KEY (household_id, sector)
);

CREATE TABLE coverage_cells (
    municipality text   NOT NULL,
    poligono     text   NOT NULL,
    colonia      text   NOT NULL,
    sector       text   NOT NULL,
    programme    text   NOT NULL,
    month        date   NOT NULL,
    prev_month   date   NOT NULL,
    households   bigint NOT NULL,
    persons      bigint NOT NULL,
    PRIMARY KEY (municipality, sector, programme, month, prev_month, poligono, colonia)
);

CREATE TABLE coverage_last_cells (
    municipality text   NOT NULL,
    poligono     text   NOT NULL,
    colonia      text   NOT NULL,
    sector       text   NOT NULL,
    last_month   date   NOT NULL,
    households   bigint NOT NULL,
    PRIMARY KEY (municipality, sector, last_month, poligono, colonia)
);

-- Place and members of each household (NULL place: no live territory, not counted).
CREATE FUNCTION registry_coverage_places_of(p_households uuid[])
RETURNS TABLE (household_id uuid, municipality text, poligono text, colonia text, members integer)
LANGUAGE sql STABLE AS $$
    WITH m AS (
        SELECT ht.household_id, min(ht.municipality) AS municipality
          FROM unnest(p_households) want(id)
          JOIN household_territories ht ON ht.household_id = want.id
          JOIN households h ON h.id = ht.household_id AND h.merged_into IS NULL
         WHERE ht.ended_at IS NULL AND ht.municipality <> ''
         GROUP BY ht.household_id
    ), current_members AS (
        SELECT m.household_id, m.municipality, hm.source_record_id
          FROM m JOIN household_members hm ON hm.household_id = m.household_id AND hm.valid_to IS NULL
    ), place AS (
        SELECT DISTINCT ON (c.household_id) c.household_id,
               registry_coverage_place(sr.data ->> 'Poligono') AS poligono, registry_coverage_place(sr.data ->> 'Colonia') AS colonia
          FROM current_members c
          JOIN source_records sr ON sr.id = c.source_record_id
          -- Never from a sensitive source (Registry.Feeds.Sectors.Sensitive): a place only health or security gave must
          -- not appear on a page of readers without their grant (hard rule 4).
          JOIN extracts e ON e.id = sr.extract_id AND e.sector NOT IN ('health', 'security')
         WHERE coalesce(sr.data ->> 'Poligono', sr.data ->> 'Colonia') IS NOT NULL
           AND registry_fold(sr.data ->> 'Municipality') = c.municipality
         ORDER BY c.household_id, e.received_at DESC, sr.id DESC
    )
    , counted AS (SELECT c.household_id, count(*)::int AS members FROM current_members c GROUP BY c.household_id)
    -- Joins, not correlated subqueries: a CTE read twice is materialised, and a subquery per household would scan all of it.
    SELECT m.household_id, m.municipality, coalesce(place.poligono, ''), coalesce(place.colonia, ''), coalesce(counted.members, 0)
      FROM m LEFT JOIN place ON place.household_id = m.household_id LEFT JOIN counted ON counted.household_id = m.household_id
$$;

CREATE FUNCTION registry_coverage_facts_of(p_households uuid[])
RETURNS TABLE (household_id uuid, person_id uuid, sector text, programme text, month date, prev_month date)
LANGUAGE sql STABLE AS $$
    WITH live AS (
        SELECT DISTINCT ht.household_id
          FROM unnest(p_households) want(id)
          JOIN household_territories ht ON ht.household_id = want.id
          JOIN households h ON h.id = ht.household_id AND h.merged_into IS NULL
         WHERE ht.ended_at IS NULL AND ht.municipality <> ''
    ), ev AS (
        SELECT live.household_id, se.person_id, se.sector, nullif(se.programme, '') AS programme,
               date_trunc('month', se.service_date)::date AS month
          FROM live
          JOIN household_members hm ON hm.household_id = live.household_id AND hm.valid_to IS NULL
          JOIN service_events se ON se.person_id = hm.person_id AND se.superseded_by IS NULL AND se.service_date IS NOT NULL
    ), keyed AS (
        -- One pass: the household and each person, under any sector, each sector, each programme.
        SELECT ev.household_id,
               CASE WHEN grouping(ev.person_id) = 1 THEN '00000000-0000-0000-0000-000000000000'::uuid ELSE ev.person_id END AS person_id,
               CASE WHEN grouping(ev.sector) = 1 THEN '*' ELSE ev.sector END AS sector,
               CASE WHEN grouping(ev.programme) = 1 THEN '*' ELSE ev.programme END AS programme,
               ev.month
          FROM ev
         GROUP BY GROUPING SETS (
             (ev.household_id, ev.month), (ev.household_id, ev.sector, ev.month), (ev.household_id, ev.sector, ev.programme, ev.month),
             (ev.household_id, ev.person_id, ev.month), (ev.household_id, ev.person_id, ev.sector, ev.month),
             (ev.household_id, ev.person_id, ev.sector, ev.programme, ev.month))
    )
    SELECT k.household_id, k.person_id, k.sector, k.programme, k.month,
           coalesce(lag(k.month) OVER (PARTITION BY k.household_id, k.person_id, k.sector, k.programme ORDER BY k.month), '-infinity'::date)
      FROM keyed k
     WHERE k.programme IS NOT NULL
$$;

-- Last month per sector of each household ('*' any, '*2' second most recent sector); '*' = -infinity when never reached.
CREATE FUNCTION registry_coverage_last_of(p_households uuid[])
RETURNS TABLE (household_id uuid, sector text, last_month date)
LANGUAGE sql STABLE AS $$
    WITH per_sector AS (
        SELECT f.household_id, f.sector, max(f.month) AS last_month
          FROM registry_coverage_facts_of(p_households) f
         WHERE f.person_id = '00000000-0000-0000-0000-000000000000' AND f.programme = '*' AND f.sector <> '*'
         GROUP BY f.household_id, f.sector
    ), ranked AS (
        SELECT ps.*, row_number() OVER (PARTITION BY ps.household_id ORDER BY ps.last_month DESC) AS n FROM per_sector ps
    )
    SELECT r.household_id, r.sector, r.last_month FROM ranked r
    UNION ALL
    SELECT p.household_id, '*', coalesce(r.last_month, '-infinity'::date)
      FROM registry_coverage_places_of(p_households) p LEFT JOIN ranked r ON r.household_id = p.household_id AND r.n = 1
    UNION ALL
    SELECT r.household_id, '*2', r.last_month FROM ranked r WHERE r.n = 2
$$;

-- Replaces the facts of p_households and applies the difference to the cells (in the caller's transaction).
-- The households are joined as a set (unnest), never filtered with = ANY: a filter compares each row with the
-- whole array, which for a bulk load's tens of thousands of households turned minutes long.
-- Cells are upserted in key order, so two writers touching the same cells wait for each other, never deadlock.
CREATE FUNCTION registry_coverage_refresh(p_households uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_households IS NULL OR cardinality(p_households) = 0 THEN RETURN; END IF;
    SELECT array_agg(DISTINCT h ORDER BY h) INTO p_households FROM unnest(p_households) h WHERE h IS NOT NULL;
    IF p_households IS NULL THEN RETURN; END IF;
    -- One refresh at a time, to the writer's commit: the next one then reads the facts this one wrote (READ COMMITTED
    -- takes a new snapshot per statement), so two transactions touching one household cannot both subtract its old facts.
    PERFORM pg_advisory_xact_lock(290050);

    -- The households' new place, facts and last months, beside the stored ones (temporary tables of this transaction).
    SET LOCAL client_min_messages = warning;  -- not a notice per call that the temporary tables exist
    SET LOCAL work_mem = '64MB';               -- the differences of a chunk's households sort in memory
    CREATE TEMP TABLE IF NOT EXISTS coverage_new_places (household_id uuid, municipality text, poligono text, colonia text, members integer)
        ON COMMIT DELETE ROWS;
    CREATE TEMP TABLE IF NOT EXISTS coverage_new_facts (household_id uuid, person_id uuid, sector text, programme text, month date, prev_month date)
        ON COMMIT DELETE ROWS;
    CREATE TEMP TABLE IF NOT EXISTS coverage_new_last (household_id uuid, sector text, last_month date) ON COMMIT DELETE ROWS;
    TRUNCATE coverage_new_places, coverage_new_facts, coverage_new_last;
    INSERT INTO coverage_new_places SELECT * FROM registry_coverage_places_of(p_households);
    INSERT INTO coverage_new_facts SELECT * FROM registry_coverage_facts_of(p_households);
    INSERT INTO coverage_new_last (household_id, sector, last_month)
    WITH per_sector AS (
        SELECT f.household_id, f.sector, max(f.month) AS last_month,
               row_number() OVER (PARTITION BY f.household_id ORDER BY max(f.month) DESC) AS n
          FROM coverage_new_facts f
         WHERE f.person_id = '00000000-0000-0000-0000-000000000000' AND f.programme = '*' AND f.sector <> '*'
         GROUP BY f.household_id, f.sector
    )
    SELECT ps.household_id, ps.sector, ps.last_month FROM per_sector ps
    UNION ALL
    SELECT pl.household_id, '*', coalesce(ps.last_month, '-infinity'::date)
      FROM coverage_new_places pl LEFT JOIN per_sector ps ON ps.household_id = pl.household_id AND ps.n = 1
    UNION ALL
    SELECT ps.household_id, '*2', ps.last_month FROM per_sector ps WHERE ps.n = 2;
    -- Temporary tables have no statistics until analysed: without them the anti-joins below may be planned as loops.
    ANALYZE coverage_new_places, coverage_new_facts, coverage_new_last;

    -- The cells change by the difference between the old contributions and the new, only where it is not zero: a
    -- household that gained one service moves a handful of cells, not the few dozen it counts in.
    INSERT INTO coverage_cells AS c (municipality, poligono, colonia, sector, programme, month, prev_month, households, persons)
    SELECT d.municipality, d.poligono, d.colonia, d.sector, d.programme, d.month, d.prev_month, sum(d.dh), sum(d.dp)
      FROM (SELECT ch.municipality, ch.poligono, ch.colonia, f.sector, f.programme, f.month, f.prev_month,
                   -(f.person_id = '00000000-0000-0000-0000-000000000000')::int AS dh, -(f.person_id <> '00000000-0000-0000-0000-000000000000')::int AS dp
              FROM unnest(p_households) want(id)
              JOIN coverage_facts f ON f.household_id = want.id
              JOIN coverage_households ch ON ch.household_id = f.household_id
            UNION ALL
            SELECT pl.municipality, pl.poligono, pl.colonia, f.sector, f.programme, f.month, f.prev_month,
                   (f.person_id = '00000000-0000-0000-0000-000000000000')::int, (f.person_id <> '00000000-0000-0000-0000-000000000000')::int
              FROM coverage_new_facts f JOIN coverage_new_places pl ON pl.household_id = f.household_id) d
     GROUP BY 1, 2, 3, 4, 5, 6, 7
    HAVING sum(d.dh) <> 0 OR sum(d.dp) <> 0
     ORDER BY 1, 4, 5, 6, 7, 2, 3
    ON CONFLICT (municipality, sector, programme, month, prev_month, poligono, colonia)
    DO UPDATE SET households = c.households + excluded.households, persons = c.persons + excluded.persons;
    INSERT INTO coverage_last_cells AS c (municipality, poligono, colonia, sector, last_month, households)
    SELECT d.municipality, d.poligono, d.colonia, d.sector, d.last_month, sum(d.dh)
      FROM (SELECT ch.municipality, ch.poligono, ch.colonia, l.sector, l.last_month, -1 AS dh
              FROM unnest(p_households) want(id)
              JOIN coverage_household_last l ON l.household_id = want.id
              JOIN coverage_households ch ON ch.household_id = l.household_id
            UNION ALL
            SELECT pl.municipality, pl.poligono, pl.colonia, l.sector, l.last_month, 1
              FROM coverage_new_last l JOIN coverage_new_places pl ON pl.household_id = l.household_id) d
     GROUP BY 1, 2, 3, 4, 5
    HAVING sum(d.dh) <> 0
     ORDER BY 1, 4, 5, 2, 3
    ON CONFLICT (municipality, sector, last_month, poligono, colonia) DO UPDATE SET households = c.households + excluded.households;

    -- Then the stored rows become the new ones, touching only what differs.
    DELETE FROM coverage_facts f USING unnest(p_households) want(id)
     WHERE f.household_id = want.id
       AND NOT EXISTS (SELECT 1 FROM coverage_new_facts n
                        WHERE n.household_id = f.household_id AND n.person_id = f.person_id AND n.sector = f.sector
                          AND n.programme = f.programme AND n.month = f.month AND n.prev_month = f.prev_month);
    INSERT INTO coverage_facts AS f (household_id, person_id, sector, programme, month, prev_month)
    SELECT * FROM coverage_new_facts
    ON CONFLICT (household_id, person_id, sector, programme, month) DO NOTHING;
    DELETE FROM coverage_household_last l USING unnest(p_households) want(id)
     WHERE l.household_id = want.id
       AND NOT EXISTS (SELECT 1 FROM coverage_new_last n WHERE n.household_id = l.household_id AND n.sector = l.sector AND n.last_month = l.last_month);
    INSERT INTO coverage_household_last SELECT * FROM coverage_new_last ON CONFLICT (household_id, sector) DO NOTHING;
    DELETE FROM coverage_households ch USING unnest(p_households) want(id)
     WHERE ch.household_id = want.id
       AND NOT EXISTS (SELECT 1 FROM coverage_new_places n WHERE n.household_id = ch.household_id AND n.municipality = ch.municipality
                          AND n.poligono = ch.poligono AND n.colonia = ch.colonia AND n.members = ch.members);
    INSERT INTO coverage_households SELECT * FROM coverage_new_places ON CONFLICT (household_id) DO NOTHING;
END $$;

-- The cells from scratch, for comparison with the maintained ones (zero cells left out of both).
CREATE FUNCTION registry_coverage_recount()
RETURNS TABLE (municipality text, poligono text, colonia text, sector text, programme text, month date, prev_month date, households bigint, persons bigint)
LANGUAGE sql STABLE AS $$
    WITH h AS (SELECT array_agg(id) AS ids FROM households WHERE merged_into IS NULL),
    places AS (SELECT p.* FROM h, registry_coverage_places_of(h.ids) p)
    SELECT pl.municipality, pl.poligono, pl.colonia, f.sector, f.programme, f.month, f.prev_month,
           count(*) FILTER (WHERE f.person_id = '00000000-0000-0000-0000-000000000000'),
           count(*) FILTER (WHERE f.person_id <> '00000000-0000-0000-0000-000000000000')
      FROM h CROSS JOIN LATERAL registry_coverage_facts_of(h.ids) f JOIN places pl ON pl.household_id = f.household_id
     GROUP BY 1, 2, 3, 4, 5, 6, 7
$$;

CREATE FUNCTION registry_coverage_last_recount()
RETURNS TABLE (municipality text, poligono text, colonia text, sector text, last_month date, households bigint)
LANGUAGE sql STABLE AS $$
    WITH h AS (SELECT array_agg(id) AS ids FROM households WHERE merged_into IS NULL),
    places AS (SELECT p.* FROM h, registry_coverage_places_of(h.ids) p)
    SELECT pl.municipality, pl.poligono, pl.colonia, l.sector, l.last_month, count(*)
      FROM h CROSS JOIN LATERAL registry_coverage_last_of(h.ids) l JOIN places pl ON pl.household_id = l.household_id
     GROUP BY 1, 2, 3, 4, 5
$$;

-- From scratch (bulk loaders that ran with triggers off, and this migration).
CREATE FUNCTION registry_rebuild_coverage() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    ids uuid[];
BEGIN
    TRUNCATE coverage_households, coverage_facts, coverage_household_last, coverage_cells, coverage_last_cells, coverage_dirty;
    SELECT coalesce(array_agg(id), '{}') INTO ids FROM households WHERE merged_into IS NULL;
    INSERT INTO coverage_households SELECT * FROM registry_coverage_places_of(ids);
    INSERT INTO coverage_facts SELECT * FROM registry_coverage_facts_of(ids);
    INSERT INTO coverage_household_last SELECT * FROM registry_coverage_last_of(ids);
    INSERT INTO coverage_cells SELECT * FROM registry_coverage_recount();
    INSERT INTO coverage_last_cells SELECT * FROM registry_coverage_last_recount();
END $$;

-- Which households a statement touched, by table: marked dirty, refreshed once per transaction at its commit
-- (a resolver chunk touches the same households through memberships, territories and services: one refresh, not three).
CREATE TABLE coverage_dirty (household_id uuid PRIMARY KEY);

CREATE FUNCTION registry_coverage_mark(p_households uuid[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO coverage_dirty (household_id)
    SELECT DISTINCT h FROM unnest(p_households) h WHERE h IS NOT NULL ORDER BY 1
    ON CONFLICT DO NOTHING
$$;

-- A deferred trigger per dirty row: the first to fire at commit refreshes every household this transaction marked
-- and notes it in a transaction-local setting, so the others return at once.
CREATE FUNCTION registry_coverage_flush() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids uuid[];
BEGIN
    IF current_setting('registry.coverage_flushed', true) = txid_current()::text THEN RETURN NULL; END IF;
    WITH d AS (DELETE FROM coverage_dirty RETURNING household_id) SELECT array_agg(household_id) INTO ids FROM d;
    PERFORM set_config('registry.coverage_flushed', txid_current()::text, true);
    PERFORM registry_coverage_refresh(ids);
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER coverage_dirty_flush AFTER INSERT ON coverage_dirty DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION registry_coverage_flush();

CREATE FUNCTION registry_coverage_on_service_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    people uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT person_id) INTO people FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT x) INTO people FROM (SELECT person_id AS x FROM new_rows UNION SELECT person_id FROM old_rows) p;
    ELSE
        SELECT array_agg(DISTINCT person_id) INTO people FROM old_rows;
    END IF;
    PERFORM registry_coverage_mark(ARRAY(
        SELECT DISTINCT hm.household_id FROM unnest(people) p(id) JOIN household_members hm ON hm.person_id = p.id));
    RETURN NULL;
END $$;

CREATE FUNCTION registry_coverage_on_household_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT household_id) INTO touched FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT x) INTO touched FROM (SELECT household_id AS x FROM new_rows UNION SELECT household_id FROM old_rows) h;
    ELSE
        SELECT array_agg(DISTINCT household_id) INTO touched FROM old_rows;
    END IF;
    PERFORM registry_coverage_mark(touched);
    RETURN NULL;
END $$;

CREATE FUNCTION registry_coverage_on_households() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM registry_coverage_mark(ARRAY(SELECT id FROM new_rows UNION SELECT id FROM old_rows));
    RETURN NULL;
END $$;

CREATE TRIGGER coverage_service_events_insert AFTER INSERT ON service_events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION registry_coverage_on_service_events();
CREATE TRIGGER coverage_service_events_update AFTER UPDATE ON service_events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION registry_coverage_on_service_events();
CREATE TRIGGER coverage_service_events_delete AFTER DELETE ON service_events REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION registry_coverage_on_service_events();
CREATE TRIGGER coverage_household_members_insert AFTER INSERT ON household_members REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION registry_coverage_on_household_rows();
CREATE TRIGGER coverage_household_members_update AFTER UPDATE ON household_members REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION registry_coverage_on_household_rows();
CREATE TRIGGER coverage_household_members_delete AFTER DELETE ON household_members REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION registry_coverage_on_household_rows();
CREATE TRIGGER coverage_household_territories_insert AFTER INSERT ON household_territories REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION registry_coverage_on_household_rows();
CREATE TRIGGER coverage_household_territories_update AFTER UPDATE ON household_territories REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION registry_coverage_on_household_rows();
CREATE TRIGGER coverage_household_territories_delete AFTER DELETE ON household_territories REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION registry_coverage_on_household_rows();
CREATE TRIGGER coverage_households_update AFTER UPDATE ON households REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION registry_coverage_on_households();

-- Coverage reads in the access log.
ALTER TABLE access_log DROP CONSTRAINT access_log_kind_check;
ALTER TABLE access_log ADD CONSTRAINT access_log_kind_check CHECK (kind IN (
    'person', 'household', 'lineage-person', 'lineage-household', 'lineage-service-event', 'search',
    'review-queue', 'review-task', 'identity-events', 'territory-events', 'denied', 'rejected-rows-csv',
    'match-models', 'match-model-promotion', 'row-warnings-csv', 'fhir-patient', 'fhir-match', 'coverage'));

SELECT registry_rebuild_coverage();
ANALYZE coverage_households;
ANALYZE coverage_facts;
ANALYZE coverage_household_last;
ANALYZE coverage_cells;
ANALYZE coverage_last_cells;

-- The registry's schema as Storage/Migrations builds it (pg_dump --schema-only), for reading in one place.
-- Generated: `make schema`; a test fails when it no longer matches the migrations. Never applied.

CREATE SCHEMA public;

CREATE TABLE public.access_log (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    subject text NOT NULL,
    role text NOT NULL,
    agency_code text,
    kind text NOT NULL,
    target_id uuid,
    purpose text,
    detail text,
    returned_ids uuid[],
    seq bigint,
    prev_hash bytea,
    hash bytea,
    CONSTRAINT access_log_kind_check CHECK ((kind = ANY (ARRAY['person'::text, 'household'::text, 'lineage-person'::text, 'lineage-household'::text, 'lineage-service-event'::text, 'search'::text, 'review-queue'::text, 'review-task'::text, 'identity-events'::text, 'territory-events'::text, 'denied'::text, 'rejected-rows-csv'::text, 'match-models'::text, 'match-model-promotion'::text, 'row-warnings-csv'::text, 'fhir-patient'::text, 'fhir-match'::text, 'dci-search'::text, 'dci-notify'::text, 'coverage'::text])))
);

CREATE FUNCTION public.access_log_canonical(e public.access_log) RETURNS bytea
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'public'
    AS $$
    SELECT convert_to('registry-access-log/1;' || (
        SELECT string_agg(CASE WHEN v IS NULL THEN '-;' ELSE octet_length(v)::text || ':' || v || ';' END, '' ORDER BY n)
          FROM unnest(ARRAY[
                   e.id::text,
                   (extract(epoch FROM e.at) * 1000000)::bigint::text,
                   e.subject, e.role, e.agency_code, e.kind, e.target_id::text, e.purpose, e.detail,
                   array_to_string(e.returned_ids, ',')]) WITH ORDINALITY AS f(v, n)), 'UTF8')
$$;

CREATE FUNCTION public.access_log_chain_entry() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public'
    AS $$
DECLARE
    head access_log_chain_head;
BEGIN
    SELECT * INTO head FROM access_log_chain_head FOR UPDATE;
    NEW.seq := head.seq + 1;
    NEW.prev_hash := head.hash;
    NEW.hash := sha256(head.hash || access_log_canonical(NEW));
    UPDATE access_log_chain_head SET seq = NEW.seq, hash = NEW.hash;
    RETURN NEW;
END $$;

CREATE FUNCTION public.access_log_refuse_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'access_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE FUNCTION public.outbox_extract_resolved() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.status = 'resolved' AND OLD.status IS DISTINCT FROM 'resolved' THEN
        INSERT INTO outbox_events (type, payload)
        VALUES ('ExtractResolved', jsonb_build_object(
            'extractId', NEW.id, 'feedCode', NEW.feed_code, 'agencyCode', NEW.agency_code, 'sector', NEW.sector,
            'rowsTotal', NEW.rows_total, 'rowsAccepted', NEW.rows_accepted, 'rowsRejected', NEW.rows_rejected,
            'resolvedAt', coalesce(NEW.resolved_at, now())));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION public.outbox_identity_events() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO outbox_events (type, payload)
    SELECT CASE e.kind WHEN 'merge' THEN 'PersonsMerged' ELSE 'PersonSplit' END,
           CASE e.kind
               WHEN 'merge' THEN jsonb_build_object('survivorId', e.person_id, 'mergedId', e.other_person_id,
                                                    'byMachine', e.decided_by = 'machine', 'at', e.at)
               ELSE jsonb_build_object('personId', e.person_id, 'newPersonId', e.other_person_id,
                                       'sourceRecordIds', to_jsonb(e.source_record_ids), 'at', e.at)
           END
      FROM added e
     WHERE e.kind IN ('merge', 'split')
     ORDER BY e.id;
    RETURN NULL;
END $$;

CREATE FUNCTION public.outbox_memberships() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO outbox_events (type, payload)
    SELECT 'HouseholdMembershipChanged', jsonb_build_object('changes', jsonb_agg(jsonb_build_object(
               'householdId', c.household_id, 'personId', c.person_id, 'change', c.change) ORDER BY c.household_id, c.person_id))
      FROM (
        SELECT household_id, person_id, 'joined' AS change FROM (
            SELECT household_id, person_id FROM new_members
            EXCEPT SELECT household_id, person_id FROM old_members) j
        UNION ALL
        SELECT household_id, person_id, 'left' FROM (
            SELECT household_id, person_id FROM old_members
            EXCEPT SELECT household_id, person_id FROM new_members) l
      ) c
    HAVING count(*) > 0;
    RETURN NULL;
END $$;

CREATE FUNCTION public.outbox_memberships_deleted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO outbox_events (type, payload)
    SELECT 'HouseholdMembershipChanged', jsonb_build_object('changes', jsonb_agg(jsonb_build_object(
               'householdId', household_id, 'personId', person_id, 'change', 'left') ORDER BY household_id, person_id))
      FROM (SELECT DISTINCT household_id, person_id FROM old_members) o
    HAVING count(*) > 0;
    RETURN NULL;
END $$;

CREATE FUNCTION public.outbox_memberships_inserted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO outbox_events (type, payload)
    SELECT 'HouseholdMembershipChanged', jsonb_build_object('changes', jsonb_agg(jsonb_build_object(
               'householdId', household_id, 'personId', person_id, 'change', 'joined') ORDER BY household_id, person_id))
      FROM (SELECT DISTINCT household_id, person_id FROM new_members) n
    HAVING count(*) > 0;
    RETURN NULL;
END $$;

CREATE FUNCTION public.outbox_persons_created() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO outbox_events (type, payload)
    SELECT 'PersonsCreated', jsonb_build_object('personIds', jsonb_agg(id ORDER BY id))
      FROM created HAVING count(*) > 0;
    RETURN NULL;
END $$;

CREATE FUNCTION public.outbox_services_recorded() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO outbox_events (type, payload)
    SELECT 'ServicesRecorded', jsonb_build_object('services', jsonb_agg(jsonb_build_object(
               'serviceEventId', s.id, 'personId', s.person_id, 'sector', s.sector,
               'agencyCode', CASE WHEN s.sector IN ('health', 'security') THEN NULL ELSE s.agency_code END,
               'serviceDate', s.service_date) ORDER BY s.id))
      FROM recorded s
    HAVING count(*) > 0;
    RETURN NULL;
END $$;

CREATE FUNCTION public.refuse_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;

CREATE FUNCTION public.registry_add_person_territories(person_ids uuid[], municipalities text[]) RETURNS void
    LANGUAGE sql
    AS $$
    -- Driven row by row (LATERAL … LIMIT 1): an index probe each, whatever the statistics.
    WITH wanted AS (
        SELECT DISTINCT p, m FROM unnest(person_ids, municipalities) AS x(p, m) WHERE m IS NOT NULL AND m <> ''
    ), present AS MATERIALIZED (
        SELECT w.p, w.m, t.person_id IS NOT NULL AS has_row, t.ended_at, other.person_id IS NOT NULL AS had_other
          FROM wanted w
          LEFT JOIN LATERAL (SELECT person_id, ended_at FROM person_territories WHERE person_id = w.p AND municipality = w.m LIMIT 1) t ON true
          LEFT JOIN LATERAL (SELECT person_id FROM person_territories
                              WHERE person_id = w.p AND municipality <> w.m AND ended_at IS NULL LIMIT 1) other ON true
    ), inserted AS (
        INSERT INTO person_territories (person_id, municipality, name_words)
        SELECT x.p, x.m, registry_territory_words(x.m, n.search_name)
          FROM present x
          LEFT JOIN LATERAL (SELECT search_name FROM persons WHERE id = x.p LIMIT 1) n ON true
         WHERE NOT x.has_row
        RETURNING person_id, municipality
    ), revived AS (
        UPDATE person_territories t SET ended_at = NULL, live_since = now()
          FROM present x
         WHERE x.has_row AND x.ended_at IS NOT NULL AND t.person_id = x.p AND t.municipality = x.m
        RETURNING t.person_id, t.municipality
    ), gained AS (
        SELECT person_id, municipality FROM inserted UNION ALL SELECT person_id, municipality FROM revived
    )
    INSERT INTO territory_events (person_id, from_municipality, to_municipality, cause)
    SELECT g.person_id, NULL, g.municipality, 'membership'
      FROM gained g JOIN present x ON x.p = g.person_id AND x.m = g.municipality
     WHERE x.had_other;
$$;

CREATE FUNCTION public.registry_address(data jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$SELECT public.registry_fold(coalesce(data ->> 'Street', '') || ' ' || coalesce(data ->> 'HouseNumber', '') || ' ' || coalesce(data ->> 'Colonia', '') || ' ' || coalesce(data ->> 'PostalCode', ''))$$;

CREATE FUNCTION public.registry_apply_residence_claims() RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    moved uuid[];
BEGIN
    WITH claims AS (
        INSERT INTO residence_claims (source_record_id, municipality, counted, note)
        SELECT source_record_id, municipality, counted, note FROM decided_claims
        RETURNING id, source_record_id
    ), judged AS MATERIALIZED (
        SELECT c.id AS claim_id, dc.source_record_id, dc.person_id, dc.municipality, dc.counted, dc.note, cur.municipality AS current
          FROM claims c JOIN decided_claims dc ON dc.source_record_id = c.source_record_id
          LEFT JOIN LATERAL (SELECT municipality FROM person_residences WHERE person_id = dc.person_id LIMIT 1) cur ON true
    ), ignored AS (
        INSERT INTO territory_events (person_id, from_municipality, to_municipality, cause, source_record_id, reason)
        SELECT person_id, current, municipality, 'ignored-claim', source_record_id, note
          FROM judged WHERE NOT counted AND municipality IS DISTINCT FROM current
    ), changed AS (
        SELECT * FROM (SELECT DISTINCT ON (person_id) * FROM judged WHERE counted ORDER BY person_id, source_record_id DESC) l
         WHERE l.municipality IS DISTINCT FROM l.current
    ), written AS (
        INSERT INTO person_residences AS pr (person_id, municipality, claim_id)
        SELECT person_id, municipality, claim_id FROM changed
        ON CONFLICT (person_id) DO UPDATE SET municipality = excluded.municipality, claim_id = excluded.claim_id, since = now()
        RETURNING pr.person_id
    ), logged AS (
        INSERT INTO territory_events (person_id, from_municipality, to_municipality, cause, source_record_id)
        SELECT person_id, current, municipality, 'record', source_record_id FROM changed WHERE current IS NOT NULL
    )
    SELECT array_agg(person_id) INTO moved FROM written;

    IF moved IS NOT NULL THEN
        PERFORM registry_refresh_territories('{}', moved, 'residence');
    END IF;
END
$$;

CREATE FUNCTION public.registry_coverage_facts_of(p_households uuid[]) RETURNS TABLE(household_id uuid, person_id uuid, sector text, programme text, month date, prev_month date)
    LANGUAGE sql STABLE
    AS $$
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

CREATE FUNCTION public.registry_coverage_last_of(p_households uuid[]) RETURNS TABLE(household_id uuid, sector text, last_month date)
    LANGUAGE sql STABLE
    AS $$
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

CREATE FUNCTION public.registry_coverage_last_recount() RETURNS TABLE(municipality text, poligono text, colonia text, sector text, last_month date, households bigint)
    LANGUAGE sql STABLE
    AS $$
    WITH h AS (SELECT array_agg(id) AS ids FROM households WHERE merged_into IS NULL),
    places AS (SELECT p.* FROM h, registry_coverage_places_of(h.ids) p)
    SELECT pl.municipality, pl.poligono, pl.colonia, l.sector, l.last_month, count(*)
      FROM h CROSS JOIN LATERAL registry_coverage_last_of(h.ids) l JOIN places pl ON pl.household_id = l.household_id
     GROUP BY 1, 2, 3, 4, 5
$$;

CREATE FUNCTION public.registry_coverage_mark(p_households uuid[]) RETURNS void
    LANGUAGE sql
    AS $$
    INSERT INTO coverage_dirty (household_id)
    SELECT DISTINCT h FROM unnest(p_households) h WHERE h IS NOT NULL
$$;

CREATE FUNCTION public.registry_coverage_on_household_rows() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

CREATE FUNCTION public.registry_coverage_on_households() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM registry_coverage_mark(ARRAY(SELECT id FROM new_rows UNION SELECT id FROM old_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION public.registry_coverage_on_service_events() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

CREATE FUNCTION public.registry_coverage_place(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT coalesce(nullif(btrim(regexp_replace(translate(upper(value), 'ÁÀÂÄÉÈÊËÍÌÎÏÓÒÔÖÚÙÛÜ', 'AAAAEEEEIIIIOOOOUUUU'), '\s+', ' ', 'g')), ''), '')
$$;

CREATE FUNCTION public.registry_coverage_places_of(p_households uuid[]) RETURNS TABLE(household_id uuid, municipality text, poligono text, colonia text, members integer)
    LANGUAGE sql STABLE
    AS $$
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

CREATE FUNCTION public.registry_coverage_recount() RETURNS TABLE(municipality text, poligono text, colonia text, sector text, programme text, month date, prev_month date, households bigint, persons bigint)
    LANGUAGE sql STABLE
    AS $$
    WITH h AS (SELECT array_agg(id) AS ids FROM households WHERE merged_into IS NULL),
    places AS (SELECT p.* FROM h, registry_coverage_places_of(h.ids) p)
    SELECT pl.municipality, pl.poligono, pl.colonia, f.sector, f.programme, f.month, f.prev_month,
           count(*) FILTER (WHERE f.person_id = '00000000-0000-0000-0000-000000000000'),
           count(*) FILTER (WHERE f.person_id <> '00000000-0000-0000-0000-000000000000')
      FROM h CROSS JOIN LATERAL registry_coverage_facts_of(h.ids) f JOIN places pl ON pl.household_id = f.household_id
     GROUP BY 1, 2, 3, 4, 5, 6, 7
$$;

CREATE FUNCTION public.registry_coverage_refresh(p_households uuid[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
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

CREATE FUNCTION public.registry_coverage_refresh_pending(p_limit integer) RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
    ids uuid[];
    marks bigint[];
    households uuid[];
BEGIN
    -- One refresher at a time (registry_coverage_refresh takes the same lock): each reads the facts the last one wrote.
    PERFORM pg_advisory_xact_lock(290050);
    SELECT array_agg(DISTINCT household_id) INTO households
      FROM (SELECT household_id FROM coverage_dirty ORDER BY mark LIMIT p_limit) oldest;
    IF households IS NULL THEN RETURN 0; END IF;
    -- Every mark of those households as this statement sees them: the ones deleted below.
    SELECT array_agg(household_id), array_agg(mark) INTO ids, marks
      FROM coverage_dirty WHERE household_id = ANY (households);
    PERFORM registry_coverage_refresh(households);
    DELETE FROM coverage_dirty d USING unnest(ids, marks) AS x(household_id, mark)
     WHERE d.household_id = x.household_id AND d.mark = x.mark;
    RETURN cardinality(households);
END $$;

CREATE FUNCTION public.registry_created_residences(records uuid[]) RETURNS void
    LANGUAGE sql
    AS $$
    WITH created AS MATERIALIZED (
        SELECT DISTINCT ON (d.person_id) d.person_id, f.municipality
          FROM unnest(records) AS r(id)
         CROSS JOIN LATERAL (SELECT person_id, created_person FROM match_decisions WHERE source_record_id = r.id LIMIT 1) d
         CROSS JOIN LATERAL (SELECT data ->> 'Municipality' AS spelled FROM source_records WHERE id = r.id LIMIT 1) s
         CROSS JOIN LATERAL (SELECT registry_fold(s.spelled) AS municipality) f
         WHERE d.created_person AND coalesce(f.municipality, '') <> ''
         ORDER BY d.person_id, r.id
    ), live AS MATERIALIZED (
        SELECT c.person_id, c.municipality, p.search_name
          FROM created c CROSS JOIN LATERAL (SELECT search_name, merged_into FROM persons WHERE id = c.person_id LIMIT 1) p
         WHERE p.merged_into IS NULL
    ), residences AS (
        INSERT INTO person_residences (person_id, municipality) SELECT person_id, municipality FROM live
        ON CONFLICT (person_id) DO NOTHING
    )
    INSERT INTO person_territories (person_id, municipality, name_words)
    SELECT person_id, municipality, registry_territory_words(municipality, search_name) FROM live
    ON CONFLICT (person_id, municipality) DO NOTHING;
$$;

CREATE FUNCTION public.registry_dangling_references() RETURNS TABLE(table_name text, column_name text, dangling bigint)
    LANGUAGE sql STABLE
    AS $$
    SELECT * FROM (
        SELECT 'source_records', 'person_id', count(*) FROM source_records x WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = x.person_id)
        UNION ALL
        SELECT 'source_records', 'extract_id', count(*) FROM source_records x WHERE NOT EXISTS (SELECT 1 FROM extracts e WHERE e.id = x.extract_id)
        UNION ALL
        SELECT 'match_records', 'person_id', count(*) FROM match_records x WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = x.person_id)
        UNION ALL
        SELECT 'match_records', 'source_record_id', count(*) FROM match_records x WHERE NOT EXISTS (SELECT 1 FROM source_records s WHERE s.id = x.source_record_id)
        UNION ALL
        SELECT 'match_decisions', 'person_id', count(*) FROM match_decisions x WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = x.person_id)
        UNION ALL
        SELECT 'match_decisions', 'source_record_id', count(*) FROM match_decisions x WHERE NOT EXISTS (SELECT 1 FROM source_records s WHERE s.id = x.source_record_id)
        UNION ALL
        SELECT 'service_events', 'person_id', count(*) FROM service_events x WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = x.person_id)
        UNION ALL
        SELECT 'service_events', 'source_record_id', count(*) FROM service_events x WHERE NOT EXISTS (SELECT 1 FROM source_records s WHERE s.id = x.source_record_id)
        UNION ALL
        SELECT 'person_keys', 'person_id', count(*) FROM person_keys x WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = x.person_id)
        UNION ALL
        SELECT 'review_tasks', 'source_record_id', count(*) FROM review_tasks x WHERE NOT EXISTS (SELECT 1 FROM source_records s WHERE s.id = x.source_record_id)
        UNION ALL
        SELECT 'review_tasks', 'candidate_person_id', count(*) FROM review_tasks x WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = x.candidate_person_id)
        UNION ALL
        SELECT 'source_records', 'supersedes', count(*) FROM source_records x
         WHERE x.supersedes IS NOT NULL AND NOT EXISTS (SELECT 1 FROM source_records s WHERE s.id = x.supersedes)
        UNION ALL
        SELECT 'service_events', 'superseded_by', count(*) FROM service_events x
         WHERE x.superseded_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM service_events s WHERE s.id = x.superseded_by)
    ) c(table_name, column_name, dangling)
     WHERE dangling > 0
$$;

CREATE FUNCTION public.registry_decide_residence(p_person uuid, p_municipality text, p_steward text, p_reason text) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
DECLARE
    folded text := registry_fold(p_municipality);
    previous text;
    claim bigint;
BEGIN
    SELECT r.municipality INTO previous FROM person_residences r WHERE r.person_id = p_person;
    INSERT INTO residence_claims (person_id, municipality, counted, note, decided_by)
    VALUES (p_person, folded, true, p_reason, p_steward) RETURNING id INTO claim;
    IF previous IS NOT DISTINCT FROM folded THEN
        UPDATE person_residences SET claim_id = claim WHERE person_id = p_person;
        RETURN false;
    END IF;
    INSERT INTO person_residences AS pr (person_id, municipality, claim_id) VALUES (p_person, folded, claim)
    ON CONFLICT (person_id) DO UPDATE SET municipality = excluded.municipality, claim_id = excluded.claim_id, since = now();
    INSERT INTO territory_events (person_id, from_municipality, to_municipality, cause, decided_by, reason)
    VALUES (p_person, previous, folded, 'steward', p_steward, p_reason);
    PERFORM registry_refresh_territories('{}', ARRAY[p_person], 'residence', NULL, p_steward, p_reason);
    RETURN true;
END
$$;

CREATE FUNCTION public.registry_flush_pending_index_entries() RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT gin_clean_pending_list('persons_name_trgm'::regclass), gin_clean_pending_list('persons_name_words'::regclass),
           gin_clean_pending_list('source_records_address_trgm'::regclass);
$$;

CREATE FUNCTION public.registry_fold(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $_$
    SELECT CASE WHEN upper(value) ~ '^[A-Z0-9]+( [A-Z0-9]+)*$'
                 AND ' ' || upper(value) || ' ' !~ ' (D(E|EL|A|I)|L(AS?|OS)|Y|V[AO]N) '
                THEN upper(value)
                ELSE btrim(regexp_replace(
                         regexp_replace(' ' || translate(upper(value), 'ÁÀÂÄÉÈÊËÍÌÎÏÓÒÔÖÚÙÛÜÑÇ', 'AAAAEEEEIIIIOOOOUUUUNC') || ' ', '[^A-Z0-9]+', ' ', 'g'),
                         ' ((D(E|EL|A|I)|L(AS?|OS)|Y|V[AO]N) )+', ' ', 'g')) END
$_$;

CREATE FUNCTION public.registry_fold_all(value text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO '$user', 'public'
    AS $$
    SELECT coalesce(array_agg(registry_fold(v)), '{}') FROM unnest(value) v
$$;

CREATE FUNCTION public.registry_name_words_on_persons() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM registry_refresh_name_words((
        SELECT array_agg(id) FROM (SELECT id, search_name FROM new_rows EXCEPT SELECT id, search_name FROM old_rows) changed));
    RETURN NULL;
END
$$;

CREATE FUNCTION public.registry_names_agree(row_given text, row_paternal text, given text, paternal text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO '$user', 'public'
    AS $$
    SELECT coalesce(registry_fold(row_paternal), '') <> '' AND registry_fold(row_paternal) = registry_fold(paternal)
       AND split_part(registry_fold(row_given), ' ', 1) <> ''
       AND split_part(registry_fold(row_given), ' ', 1) = split_part(registry_fold(given), ' ', 1)
$$;

CREATE FUNCTION public.registry_person_name(given_names text, paternal text, maternal text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$SELECT public.registry_fold(coalesce(given_names, '') || ' ' || coalesce(paternal, '') || ' ' || coalesce(maternal, ''))$$;

CREATE FUNCTION public.registry_rebuild_coverage() RETURNS void
    LANGUAGE plpgsql
    AS $$
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

CREATE FUNCTION public.registry_rebuild_territories() RETURNS void
    LANGUAGE sql
    AS $$
    TRUNCATE person_residences, household_territories, person_territories;
    INSERT INTO person_residences (person_id, municipality, claim_id)
    SELECT r.person_id, r.municipality, r.claim_id
      FROM registry_residences_of(ARRAY(SELECT id FROM persons WHERE merged_into IS NULL)) r
     WHERE r.municipality IS NOT NULL;
    INSERT INTO household_territories (household_id, municipality)
    SELECT DISTINCT hm.household_id, r.municipality
      FROM household_members hm JOIN person_residences r ON r.person_id = hm.person_id
     WHERE hm.valid_to IS NULL
       AND NOT EXISTS (SELECT 1 FROM territory_excluded_records x WHERE x.source_record_id = hm.source_record_id);
    INSERT INTO person_territories (person_id, municipality, name_words, ended_at)
    SELECT x.person_id, x.municipality, registry_territory_words(x.municipality, p.search_name),
           CASE WHEN bool_or(x.until IS NULL) THEN NULL ELSE max(x.until) END
      FROM (SELECT person_id, municipality, NULL::timestamptz AS until FROM person_residences
            UNION ALL
            SELECT hm.person_id, ht.municipality, hm.valid_to::timestamptz
              FROM household_members hm JOIN household_territories ht ON ht.household_id = hm.household_id
             WHERE NOT EXISTS (SELECT 1 FROM territory_excluded_records x WHERE x.source_record_id = hm.source_record_id)) x
      LEFT JOIN persons p ON p.id = x.person_id
     WHERE x.municipality <> ''
     GROUP BY x.person_id, x.municipality, p.search_name;
$$;

CREATE FUNCTION public.registry_recompute_residences(ids uuid[], why text) RETURNS void
    LANGUAGE sql
    AS $$
    WITH fresh AS (
        SELECT r.person_id, r.municipality, r.claim_id, cur.municipality AS from_m, cur.person_id IS NOT NULL AS had
          FROM registry_residences_of(ids) r LEFT JOIN person_residences cur ON cur.person_id = r.person_id
         WHERE r.municipality IS DISTINCT FROM cur.municipality
    ), removed AS (
        DELETE FROM person_residences pr USING fresh f WHERE pr.person_id = f.person_id AND f.municipality IS NULL
    ), written AS (
        INSERT INTO person_residences AS pr (person_id, municipality, claim_id)
        SELECT person_id, municipality, claim_id FROM fresh WHERE municipality IS NOT NULL
        ON CONFLICT (person_id) DO UPDATE SET municipality = excluded.municipality, claim_id = excluded.claim_id, since = now()
    )
    INSERT INTO territory_events (person_id, from_municipality, to_municipality, cause)
    SELECT person_id, from_m, municipality, why FROM fresh WHERE had;
$$;

CREATE FUNCTION public.registry_refresh_name_words(changed_persons uuid[]) RETURNS void
    LANGUAGE sql
    AS $$
    UPDATE person_territories t SET name_words = registry_territory_words(t.municipality, p.search_name)
      FROM persons p
     WHERE p.id = t.person_id AND t.person_id = ANY (changed_persons) AND p.id = ANY (changed_persons)
       AND t.name_words IS DISTINCT FROM registry_territory_words(t.municipality, p.search_name);
$$;

CREATE FUNCTION public.registry_refresh_territories(changed_households uuid[], changed_persons uuid[], why text DEFAULT 'membership'::text, cause_record uuid DEFAULT NULL::uuid, cause_by text DEFAULT NULL::text, cause_reason text DEFAULT NULL::text) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    hh_ids uuid[];
    p_ids uuid[];
BEGIN
    SELECT coalesce(array_agg(DISTINCT h), '{}') INTO hh_ids FROM (
        SELECT unnest(changed_households) AS h
        UNION SELECT hm.household_id FROM household_members hm WHERE hm.person_id = ANY (changed_persons)) x
     WHERE h IS NOT NULL;
    SELECT coalesce(array_agg(DISTINCT p), '{}') INTO p_ids FROM (
        SELECT unnest(changed_persons) AS p
        UNION SELECT hm.person_id FROM household_members hm WHERE hm.household_id = ANY (hh_ids)) x
     WHERE p IS NOT NULL;

    -- Households: live = residences of current members. A household merged into another holds
    -- nothing of its own any more.
    WITH live AS (
        SELECT DISTINCT hm.household_id, r.municipality
          FROM household_members hm JOIN person_residences r ON r.person_id = hm.person_id
         WHERE hm.household_id = ANY (hh_ids) AND hm.valid_to IS NULL
           AND NOT EXISTS (SELECT 1 FROM territory_excluded_records x WHERE x.source_record_id = hm.source_record_id)
    ), before AS (
        SELECT t.household_id, t.municipality, t.ended_at, h.merged_into IS NOT NULL AS merged
          FROM household_territories t LEFT JOIN households h ON h.id = t.household_id
         WHERE t.household_id = ANY (hh_ids)
    ), had AS (
        SELECT DISTINCT household_id FROM before WHERE ended_at IS NULL
    ), merged AS (
        DELETE FROM household_territories t USING before b
         WHERE b.merged AND t.household_id = b.household_id AND t.municipality = b.municipality
    ), ended AS (
        UPDATE household_territories t SET ended_at = CASE WHEN t.live_since = now() THEN '-infinity' ELSE now() END
          FROM before b
         WHERE t.household_id = b.household_id AND t.municipality = b.municipality AND b.ended_at IS NULL AND NOT b.merged
           AND NOT EXISTS (SELECT 1 FROM live l WHERE l.household_id = b.household_id AND l.municipality = b.municipality)
        RETURNING t.household_id, t.municipality
    ), gained AS (
        INSERT INTO household_territories (household_id, municipality)
        SELECT household_id, municipality FROM live
        ON CONFLICT (household_id, municipality) DO UPDATE SET ended_at = NULL, live_since = now() WHERE household_territories.ended_at IS NOT NULL
        RETURNING household_id, municipality
    )
    INSERT INTO territory_events (household_id, from_municipality, to_municipality, cause, source_record_id, decided_by, reason)
    SELECT household_id, municipality, NULL, why, cause_record, cause_by, cause_reason FROM ended
    UNION ALL
    SELECT g.household_id, NULL, g.municipality, why, cause_record, cause_by, cause_reason FROM gained g
     WHERE g.household_id IN (SELECT household_id FROM had);

    -- Persons: residence, current memberships' household territories (live or ended), past
    -- memberships' until the day they ended. NULL until = live.
    WITH candidates AS (
        SELECT person_id, municipality, NULL::timestamptz AS until FROM person_residences WHERE person_id = ANY (p_ids)
        UNION ALL
        SELECT hm.person_id, ht.municipality,
               CASE WHEN hm.valid_to IS NULL THEN ht.ended_at
                    ELSE least(hm.valid_to::timestamptz, coalesce(ht.ended_at, 'infinity')) END
          FROM household_members hm JOIN household_territories ht ON ht.household_id = hm.household_id
         WHERE hm.person_id = ANY (p_ids)
           AND NOT EXISTS (SELECT 1 FROM territory_excluded_records x WHERE x.source_record_id = hm.source_record_id)
    ), wanted AS (
        SELECT person_id, municipality,
               CASE WHEN bool_or(until IS NULL) THEN NULL ELSE max(until) END AS until
          FROM candidates GROUP BY person_id, municipality
    ), before AS (
        -- merged: redirected, or left without records (a merge moves the records before it redirects)
        SELECT t.person_id, t.municipality, t.ended_at,
               p.merged_into IS NOT NULL OR NOT EXISTS (SELECT 1 FROM source_records sr WHERE sr.person_id = t.person_id) AS merged
          FROM person_territories t LEFT JOIN persons p ON p.id = t.person_id
         WHERE t.person_id = ANY (p_ids)
    ), had AS (
        SELECT DISTINCT person_id FROM before WHERE ended_at IS NULL AND NOT merged
    ), merged AS (
        -- A person merged into another holds nothing of their own any more.
        DELETE FROM person_territories t USING before b
         WHERE b.merged AND t.person_id = b.person_id AND t.municipality = b.municipality
    ), ended AS (
        UPDATE person_territories t SET ended_at = CASE WHEN t.live_since = now() THEN '-infinity' ELSE now() END
          FROM before b
         WHERE t.person_id = b.person_id AND t.municipality = b.municipality AND b.ended_at IS NULL AND NOT b.merged
           AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.person_id = b.person_id AND w.municipality = b.municipality)
        RETURNING t.person_id, t.municipality
    ), written AS (
        INSERT INTO person_territories AS t (person_id, municipality, name_words, ended_at)
        SELECT w.person_id, w.municipality, registry_territory_words(w.municipality, p.search_name), w.until
          FROM wanted w LEFT JOIN persons p ON p.id = w.person_id
         WHERE w.municipality <> '' AND p.merged_into IS NULL
           AND NOT EXISTS (SELECT 1 FROM before b WHERE b.person_id = w.person_id AND b.merged)
        ON CONFLICT (person_id, municipality) DO UPDATE
           SET ended_at = excluded.ended_at, live_since = CASE WHEN excluded.ended_at IS NULL THEN now() ELSE t.live_since END
         WHERE t.ended_at IS DISTINCT FROM excluded.ended_at
        RETURNING t.person_id, t.municipality, t.ended_at
    )
    INSERT INTO territory_events (person_id, from_municipality, to_municipality, cause, source_record_id, decided_by, reason)
    SELECT person_id, municipality, NULL, why, cause_record, cause_by, cause_reason FROM ended
    UNION ALL
    -- live before, granted only until a past membership's end now
    SELECT w.person_id, w.municipality, NULL, why, cause_record, cause_by, cause_reason FROM written w
     WHERE w.ended_at IS NOT NULL
       AND EXISTS (SELECT 1 FROM before b WHERE b.person_id = w.person_id AND b.municipality = w.municipality AND b.ended_at IS NULL)
    UNION ALL
    SELECT w.person_id, NULL, w.municipality, why, cause_record, cause_by, cause_reason FROM written w
     WHERE w.ended_at IS NULL AND w.person_id IN (SELECT person_id FROM had)
       AND NOT EXISTS (SELECT 1 FROM before b WHERE b.person_id = w.person_id AND b.municipality = w.municipality AND b.ended_at IS NULL);
END
$$;

CREATE FUNCTION public.registry_residences_of(ids uuid[]) RETURNS TABLE(person_id uuid, municipality text, claim_id bigint)
    LANGUAGE sql STABLE
    AS $$
    SELECT p.id, coalesce(c.municipality, f.municipality), c.id
      FROM unnest(ids) AS p(id)
      LEFT JOIN LATERAL (
          SELECT rc.id, rc.municipality FROM residence_claims rc
           WHERE rc.counted
             AND (rc.source_record_id IN (SELECT sr.id FROM source_records sr WHERE sr.person_id = p.id)
                  OR rc.person_id IN (SELECT pp.id FROM persons pp WHERE pp.id = p.id OR pp.merged_into = p.id))
           ORDER BY rc.at DESC, rc.id DESC LIMIT 1) c ON true
      LEFT JOIN LATERAL (
          SELECT x.municipality FROM (
              SELECT nullif(registry_fold(sr.data ->> 'Municipality'), '') AS municipality, coalesce(d.created_person, false) AS created, sr.id
                FROM source_records sr LEFT JOIN match_decisions d ON d.source_record_id = sr.id
               WHERE sr.person_id = p.id) x
           WHERE x.municipality IS NOT NULL
             AND (x.created OR NOT EXISTS (SELECT 1 FROM source_records s2 JOIN match_decisions d2 ON d2.source_record_id = s2.id
                                            WHERE s2.person_id = p.id AND d2.created_person))
           ORDER BY x.created DESC, x.id LIMIT 1) f ON true
$$;

CREATE FUNCTION public.registry_settle_residences() RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    ids uuid[];
BEGIN
    WITH pending AS (
        UPDATE extract_chunks SET residences_at = now() WHERE residences_at IS NULL
        RETURNING extract_id, first_row, last_row
    )
    SELECT array_agg(sr.id) INTO ids
      FROM pending c
      JOIN source_records sr ON sr.extract_id = c.extract_id AND sr.row_number BETWEEN c.first_row AND c.last_row;
    IF ids IS NOT NULL THEN
        PERFORM registry_created_residences(ids);
    END IF;
END
$$;

CREATE FUNCTION public.registry_territories_on_household_members() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    person_ids uuid[];
    municipalities text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        WITH had AS MATERIALIZED (
            SELECT DISTINCT n.household_id FROM new_rows n
             CROSS JOIN LATERAL (SELECT 1 FROM household_territories ht WHERE ht.household_id = n.household_id AND ht.ended_at IS NULL LIMIT 1) t
        ), household_gained AS (
            INSERT INTO household_territories (household_id, municipality)
            SELECT DISTINCT n.household_id, r.municipality
              FROM new_rows n
             CROSS JOIN LATERAL (SELECT municipality FROM person_residences WHERE person_id = n.person_id LIMIT 1) r
             WHERE n.valid_to IS NULL
               AND NOT EXISTS (SELECT 1 FROM territory_excluded_records x WHERE x.source_record_id = n.source_record_id)
            ON CONFLICT (household_id, municipality) DO UPDATE SET ended_at = NULL, live_since = now() WHERE household_territories.ended_at IS NOT NULL
            RETURNING household_id, municipality
        ), logged AS (
            INSERT INTO territory_events (household_id, from_municipality, to_municipality, cause)
            SELECT g.household_id, NULL, g.municipality, 'membership' FROM household_gained g JOIN had h ON h.household_id = g.household_id
        ), gained AS (
            SELECT hm.person_id, g.municipality FROM household_gained g JOIN household_members hm ON hm.household_id = g.household_id AND hm.valid_to IS NULL
             WHERE NOT EXISTS (SELECT 1 FROM territory_excluded_records x WHERE x.source_record_id = hm.source_record_id)
            UNION
            SELECT n.person_id, ht.municipality FROM new_rows n JOIN household_territories ht ON ht.household_id = n.household_id
             WHERE n.valid_to IS NULL AND ht.ended_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM territory_excluded_records x WHERE x.source_record_id = n.source_record_id)
        )
        SELECT array_agg(person_id), array_agg(municipality) INTO person_ids, municipalities FROM gained;
        IF person_ids IS NOT NULL THEN
            PERFORM registry_add_person_territories(person_ids, municipalities);
        END IF;
        -- Rows copied with an end date (merges) are recomputed.
        IF EXISTS (SELECT 1 FROM new_rows WHERE valid_to IS NOT NULL) THEN
            PERFORM registry_refresh_territories(
                (SELECT array_agg(DISTINCT household_id) FROM new_rows WHERE valid_to IS NOT NULL),
                (SELECT array_agg(DISTINCT person_id) FROM new_rows WHERE valid_to IS NOT NULL), 'membership');
        END IF;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM registry_refresh_territories(
            (SELECT array_agg(DISTINCT h) FROM (SELECT household_id AS h FROM old_rows UNION SELECT household_id FROM new_rows) x),
            (SELECT array_agg(DISTINCT p) FROM (SELECT person_id AS p FROM old_rows UNION SELECT person_id FROM new_rows) x), 'membership');
    ELSE
        PERFORM registry_refresh_territories((SELECT array_agg(DISTINCT household_id) FROM old_rows),
                                             (SELECT array_agg(DISTINCT person_id) FROM old_rows), 'membership');
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION public.registry_territories_on_source_records() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    affected uuid[];
BEGIN
    IF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT moved.p) INTO affected
          FROM old_rows o JOIN new_rows n ON n.id = o.id
         CROSS JOIN LATERAL (VALUES (o.person_id), (n.person_id)) AS moved(p)
         WHERE n.person_id IS DISTINCT FROM o.person_id;
    ELSE
        SELECT array_agg(DISTINCT person_id) INTO affected FROM old_rows;
    END IF;
    IF affected IS NOT NULL THEN
        PERFORM registry_recompute_residences(affected, 'identity');
        PERFORM registry_refresh_territories('{}', affected, 'identity');
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION public.registry_territory_words(municipality text, search_name text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN coalesce(search_name, '') = '' THEN '{}'::text[]
                ELSE array_remove(string_to_array(municipality || ':' || replace(search_name, ' ', '|' || municipality || ':'), '|'),
                                  municipality || ':') END
$$;

CREATE FUNCTION public.territory_events_refuse_truncate() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION 'territory_events is append-only'; END $$;

CREATE TABLE public.access_log_chain_head (
    only_row boolean DEFAULT true NOT NULL,
    seq bigint NOT NULL,
    hash bytea NOT NULL,
    CONSTRAINT access_log_chain_head_only_row_check CHECK (only_row)
);

CREATE SEQUENCE public.access_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.access_log_id_seq OWNED BY public.access_log.id;

CREATE TABLE public.api_pull_cursors (
    feed_code text NOT NULL,
    paging text NOT NULL,
    cursor text,
    last_extract_id uuid,
    pages_registered bigint DEFAULT 0 NOT NULL,
    runs_completed integer DEFAULT 0 NOT NULL,
    last_completed_at timestamp with time zone,
    last_error text,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT api_pull_cursors_paging_check CHECK ((paging = ANY (ARRAY['page-token'::text, 'updated-since'::text])))
);

CREATE TABLE public.chunk_review_proposals (
    extract_id uuid NOT NULL,
    chunk_index integer NOT NULL,
    ord integer NOT NULL,
    id uuid NOT NULL,
    row_number integer NOT NULL,
    candidate_person_id uuid NOT NULL,
    score double precision NOT NULL,
    evidence text NOT NULL,
    reason text NOT NULL,
    model_version text NOT NULL,
    link_threshold double precision NOT NULL,
    review_threshold double precision NOT NULL
);

CREATE TABLE public.coverage_cells (
    municipality text NOT NULL,
    poligono text NOT NULL,
    colonia text NOT NULL,
    sector text NOT NULL,
    programme text NOT NULL,
    month date NOT NULL,
    prev_month date NOT NULL,
    households bigint NOT NULL,
    persons bigint NOT NULL
);

CREATE SEQUENCE public.coverage_dirty_mark
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

CREATE TABLE public.coverage_dirty (
    household_id uuid NOT NULL,
    mark bigint DEFAULT nextval('public.coverage_dirty_mark'::regclass) NOT NULL
);

CREATE TABLE public.coverage_facts (
    household_id uuid NOT NULL,
    person_id uuid NOT NULL,
    sector text NOT NULL,
    programme text NOT NULL,
    month date NOT NULL,
    prev_month date NOT NULL
);

CREATE TABLE public.coverage_household_last (
    household_id uuid NOT NULL,
    sector text NOT NULL,
    last_month date NOT NULL
);

CREATE TABLE public.coverage_households (
    household_id uuid NOT NULL,
    municipality text NOT NULL,
    poligono text NOT NULL,
    colonia text NOT NULL,
    members integer NOT NULL
);

CREATE TABLE public.coverage_last_cells (
    municipality text NOT NULL,
    poligono text NOT NULL,
    colonia text NOT NULL,
    sector text NOT NULL,
    last_month date NOT NULL,
    households bigint NOT NULL
);

CREATE TABLE public.data_protection_keys (
    id bigint NOT NULL,
    friendly_name text NOT NULL,
    xml text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE public.data_protection_keys_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.data_protection_keys_id_seq OWNED BY public.data_protection_keys.id;

CREATE TABLE public.dci_callbacks (
    id bigint NOT NULL,
    uri text NOT NULL,
    action text NOT NULL,
    payload jsonb NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    delivered_at timestamp with time zone,
    failed_at timestamp with time zone,
    last_error text,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE public.dci_callbacks_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.dci_callbacks_id_seq OWNED BY public.dci_callbacks.id;

CREATE TABLE public.dci_event_cursor (
    id integer NOT NULL,
    last_event bigint NOT NULL,
    CONSTRAINT dci_event_cursor_id_check CHECK ((id = 1))
);

CREATE TABLE public.dci_subscriptions (
    code text NOT NULL,
    sender_id text NOT NULL,
    subject text NOT NULL,
    scope jsonb NOT NULL,
    event_type text NOT NULL,
    filter jsonb NOT NULL,
    notify_record_type text NOT NULL,
    notify_uri text,
    status text DEFAULT 'subscribe'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    ended_at timestamp with time zone,
    CONSTRAINT dci_subscriptions_status_check CHECK ((status = ANY (ARRAY['subscribe'::text, 'unsubscribe'::text])))
);

CREATE TABLE public.dci_transactions (
    id bigint NOT NULL,
    sender_id text NOT NULL,
    transaction_id text NOT NULL,
    correlation_id text NOT NULL,
    action text NOT NULL,
    subject text NOT NULL,
    status text NOT NULL,
    response jsonb,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT dci_transactions_status_check CHECK ((status = ANY (ARRAY['rcvd'::text, 'pdng'::text, 'succ'::text, 'rjct'::text])))
);

CREATE SEQUENCE public.dci_transactions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.dci_transactions_id_seq OWNED BY public.dci_transactions.id;

CREATE TABLE public.extract_chunk_plan (
    extract_id uuid NOT NULL,
    chunk_index integer NOT NULL,
    first_row integer NOT NULL,
    last_row integer NOT NULL,
    rows integer NOT NULL
);

CREATE TABLE public.extract_chunks (
    extract_id uuid NOT NULL,
    chunk_index integer NOT NULL,
    first_row integer NOT NULL,
    last_row integer NOT NULL,
    rows integer NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL,
    completed_at timestamp with time zone,
    attached_at timestamp with time zone,
    residences_at timestamp with time zone
);

CREATE TABLE public.extract_receipts (
    id bigint NOT NULL,
    extract_id uuid NOT NULL,
    file_name text NOT NULL,
    duplicate boolean NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE public.extract_receipts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.extract_receipts_id_seq OWNED BY public.extract_receipts.id;

CREATE TABLE public.extracts (
    id uuid NOT NULL,
    feed_code text NOT NULL,
    agency_code text NOT NULL,
    sector text NOT NULL,
    file_name text NOT NULL,
    sha256 text NOT NULL,
    size_bytes bigint NOT NULL,
    archive_path text NOT NULL,
    status text NOT NULL,
    error text,
    rows_total integer,
    rows_accepted integer,
    rows_rejected integer,
    rows_resolved integer DEFAULT 0 NOT NULL,
    chunks_total integer,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    parsed_at timestamp with time zone,
    resolved_at timestamp with time zone,
    rows_unchanged integer DEFAULT 0 NOT NULL,
    parse_started_at timestamp with time zone,
    first_chunk_queued_at timestamp with time zone,
    rows_parsed integer DEFAULT 0 NOT NULL,
    bytes_parsed bigint DEFAULT 0 NOT NULL,
    chunks_queued integer DEFAULT 0 NOT NULL,
    chunk_size integer,
    requeued_at timestamp with time zone,
    parse_lease_until timestamp with time zone,
    parse_leased_by uuid,
    feed_definition text,
    seq bigint NOT NULL,
    CONSTRAINT extracts_check CHECK (((rows_total IS NULL) OR (rows_total = (rows_accepted + rows_rejected)))),
    CONSTRAINT extracts_status_check CHECK ((status = ANY (ARRAY['received'::text, 'parsing'::text, 'queued'::text, 'resolved'::text, 'rejected'::text, 'failed'::text])))
);

CREATE SEQUENCE public.extracts_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.extracts_seq_seq OWNED BY public.extracts.seq;

CREATE TABLE public.feeds (
    code text NOT NULL,
    residence_authoritative boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.frequency_fold (
    id integer NOT NULL,
    through bigint NOT NULL,
    CONSTRAINT frequency_fold_id_check CHECK ((id = 1))
);

CREATE TABLE public.household_events (
    id bigint NOT NULL,
    kind text NOT NULL,
    household_id uuid NOT NULL,
    other_household_id uuid NOT NULL,
    shared_members uuid[] NOT NULL,
    reason text NOT NULL,
    decided_by text NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT household_events_kind_check CHECK ((kind = ANY (ARRAY['merge'::text, 'split'::text])))
);

CREATE SEQUENCE public.household_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.household_events_id_seq OWNED BY public.household_events.id;

CREATE TABLE public.household_keys (
    key text NOT NULL,
    household_id uuid NOT NULL
);

CREATE TABLE public.household_members (
    household_id uuid NOT NULL,
    person_id uuid NOT NULL,
    relationship text,
    valid_from date,
    valid_to date,
    source_record_id uuid NOT NULL
);

CREATE TABLE public.household_territories (
    household_id uuid NOT NULL,
    municipality text NOT NULL,
    ended_at timestamp with time zone,
    live_since timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.households (
    id uuid NOT NULL,
    first_source_record_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    merged_into uuid
);

CREATE TABLE public.identity_changes (
    id bigint NOT NULL,
    keys integer[] NOT NULL
);
ALTER TABLE ONLY public.identity_changes ALTER COLUMN keys SET STORAGE EXTERNAL;

CREATE SEQUENCE public.identity_changes_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.identity_changes_id_seq OWNED BY public.identity_changes.id;

CREATE TABLE public.identity_events (
    id bigint NOT NULL,
    kind text NOT NULL,
    person_id uuid NOT NULL,
    other_person_id uuid,
    source_record_ids uuid[] DEFAULT '{}'::uuid[] NOT NULL,
    bridging_record uuid,
    score double precision,
    evidence jsonb,
    model_version text,
    decided_by text NOT NULL,
    reason text NOT NULL,
    review_task_id uuid,
    at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT identity_events_kind_check CHECK ((kind = ANY (ARRAY['merge'::text, 'split'::text, 'review-match'::text, 'review-non-match'::text, 'review-settled'::text])))
);

CREATE SEQUENCE public.identity_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.identity_events_id_seq OWNED BY public.identity_events.id;

CREATE TABLE public.match_decisions (
    source_record_id uuid NOT NULL,
    person_id uuid NOT NULL,
    rule text NOT NULL,
    matched_key text,
    created_person boolean NOT NULL,
    model_version text NOT NULL,
    decided_by text DEFAULT 'machine'::text NOT NULL,
    decided_at timestamp with time zone DEFAULT now() NOT NULL,
    score double precision,
    evidence json,
    link_threshold double precision,
    review_threshold double precision,
    matched_source_record_id uuid
);

CREATE TABLE public.match_model_events (
    id bigint NOT NULL,
    version text NOT NULL,
    kind text NOT NULL,
    decided_by text NOT NULL,
    reason text NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT match_model_events_kind_check CHECK ((kind = ANY (ARRAY['trained-active'::text, 'trained-shadow'::text, 'saved-active'::text, 'promoted'::text, 'retired'::text])))
);

CREATE SEQUENCE public.match_model_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.match_model_events_id_seq OWNED BY public.match_model_events.id;

CREATE TABLE public.match_models (
    version text NOT NULL,
    parameters jsonb NOT NULL,
    trained_on text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    status text DEFAULT 'shadow'::text NOT NULL,
    report jsonb,
    activated_at timestamp with time zone,
    activated_by text,
    CONSTRAINT match_models_status_check CHECK ((status = ANY (ARRAY['active'::text, 'shadow'::text, 'retired'::text])))
);

CREATE SEQUENCE public.match_records_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

CREATE TABLE public.match_records (
    source_record_id uuid NOT NULL,
    person_id uuid NOT NULL,
    valid_curp text,
    invalid_curp text,
    given_key text NOT NULL,
    given_significant text NOT NULL,
    given_phonetic text NOT NULL,
    paternal_key text,
    paternal_phonetic text,
    maternal_key text,
    maternal_phonetic text,
    birth_date date,
    sex character(1),
    postal_code text,
    municipality text,
    phone text,
    name_from_full_name boolean DEFAULT false NOT NULL,
    other_id text,
    street_key text,
    seq bigint DEFAULT nextval('public.match_records_seq'::regclass),
    colonia text
);

CREATE TABLE public.outbox_events (
    id bigint NOT NULL,
    event_id uuid DEFAULT gen_random_uuid() NOT NULL,
    type text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    published_at timestamp with time zone
);

CREATE SEQUENCE public.outbox_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.outbox_events_id_seq OWNED BY public.outbox_events.id;

CREATE TABLE public.person_exclusions (
    person_a uuid NOT NULL,
    person_b uuid NOT NULL,
    event_id bigint NOT NULL
);

CREATE TABLE public.person_keys (
    key text NOT NULL,
    person_id uuid NOT NULL
);

CREATE TABLE public.person_residences (
    person_id uuid NOT NULL,
    municipality text NOT NULL,
    claim_id bigint,
    since timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.person_territories (
    person_id uuid NOT NULL,
    municipality text NOT NULL,
    name_words text[] DEFAULT '{}'::text[] NOT NULL,
    ended_at timestamp with time zone,
    live_since timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.persons (
    id uuid NOT NULL,
    curp text,
    given_names text,
    paternal_surname text,
    maternal_surname text,
    sex text,
    birth_date date,
    golden_source_record_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    merged_into uuid,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    golden json,
    search_name text GENERATED ALWAYS AS (public.registry_person_name(given_names, paternal_surname, maternal_surname)) STORED,
    restricted_view text,
    restricted_golden json,
    restricted_name_seen boolean,
    CONSTRAINT persons_restricted_view_check CHECK ((restricted_view = ANY (ARRAY['as-golden'::text, 'identity-as-golden'::text, 'own'::text, 'hidden'::text])))
)
WITH (fillfactor='70');

CREATE TABLE public.rejected_rows (
    extract_id uuid NOT NULL,
    row_number integer NOT NULL,
    reason text NOT NULL,
    raw_line text
);

CREATE TABLE public.residence_claims (
    id bigint NOT NULL,
    source_record_id uuid,
    person_id uuid,
    municipality text NOT NULL,
    counted boolean NOT NULL,
    note text,
    decided_by text,
    at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT residence_claims_check CHECK (((source_record_id IS NULL) <> (person_id IS NULL)))
);

CREATE SEQUENCE public.residence_claims_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.residence_claims_id_seq OWNED BY public.residence_claims.id;

CREATE TABLE public.resolution_epoch (
    id integer NOT NULL,
    epoch bigint NOT NULL,
    chunks bigint NOT NULL,
    records bigint NOT NULL,
    pending_records bigint NOT NULL,
    CONSTRAINT resolution_epoch_id_check CHECK ((id = 1))
);

CREATE TABLE public.review_task_records (
    source_record_id uuid NOT NULL,
    candidate_person_id uuid NOT NULL,
    task_id uuid NOT NULL,
    score double precision NOT NULL,
    evidence json NOT NULL,
    reason text NOT NULL,
    model_version text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.review_tasks (
    id uuid NOT NULL,
    source_record_id uuid NOT NULL,
    candidate_person_id uuid NOT NULL,
    score double precision NOT NULL,
    evidence json NOT NULL,
    reason text NOT NULL,
    model_version text NOT NULL,
    status text DEFAULT 'open'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    decided_by text,
    decided_at timestamp with time zone,
    decision_reason text,
    person_a uuid,
    person_b uuid,
    records integer DEFAULT 1 NOT NULL,
    band double precision DEFAULT 0 NOT NULL,
    household_members integer DEFAULT 0 NOT NULL,
    sensitive boolean DEFAULT false NOT NULL,
    priority double precision GENERATED ALWAYS AS (((((60)::double precision * band) + ((2 * LEAST(household_members, 10)))::double precision) + (
CASE
    WHEN sensitive THEN 20
    ELSE 0
END)::double precision)) STORED,
    settlement text,
    settled_by_event bigint,
    folded_into uuid,
    CONSTRAINT review_tasks_settlement_check CHECK ((settlement = ANY (ARRAY['merged'::text, 'different-valid-curps'::text, 'steward-different-persons'::text, 'same-pair'::text, 'different-birth-dates'::text]))),
    CONSTRAINT review_tasks_status_check CHECK ((status = ANY (ARRAY['open'::text, 'match'::text, 'non-match'::text, 'settled'::text, 'folded'::text])))
);

CREATE TABLE public.row_warnings (
    extract_id uuid NOT NULL,
    row_number integer NOT NULL,
    field text NOT NULL,
    source_column text NOT NULL,
    raw_value text NOT NULL,
    reason text NOT NULL
);

CREATE TABLE public.schemaversions (
    schemaversionsid integer NOT NULL,
    scriptname character varying(255) NOT NULL,
    applied timestamp without time zone NOT NULL
);

CREATE SEQUENCE public.schemaversions_schemaversionsid_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.schemaversions_schemaversionsid_seq OWNED BY public.schemaversions.schemaversionsid;

CREATE TABLE public.service_events (
    id uuid NOT NULL,
    source_record_id uuid NOT NULL,
    person_id uuid NOT NULL,
    agency_code text NOT NULL,
    sector text NOT NULL,
    programme text,
    service_type text,
    service_date date,
    status text,
    superseded_by uuid
);

CREATE TABLE public.source_records (
    id uuid NOT NULL,
    extract_id uuid NOT NULL,
    row_number integer NOT NULL,
    feed_code text NOT NULL,
    agency_code text NOT NULL,
    content_hash text NOT NULL,
    person_id uuid NOT NULL,
    data jsonb NOT NULL,
    record_key text NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    supersedes uuid
);

CREATE TABLE public.term_frequencies (
    field text NOT NULL,
    value text NOT NULL,
    n bigint NOT NULL
);

CREATE TABLE public.term_frequency_pending (
    field text NOT NULL,
    value text NOT NULL,
    n bigint NOT NULL,
    epoch bigint NOT NULL
);

CREATE TABLE public.territory_events (
    id bigint NOT NULL,
    person_id uuid,
    household_id uuid,
    from_municipality text,
    to_municipality text,
    cause text NOT NULL,
    source_record_id uuid,
    decided_by text,
    reason text,
    at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT territory_events_cause_check CHECK ((cause = ANY (ARRAY['record'::text, 'steward'::text, 'ignored-claim'::text, 'residence'::text, 'membership'::text, 'identity'::text]))),
    CONSTRAINT territory_events_check CHECK (((person_id IS NOT NULL) OR (household_id IS NOT NULL)))
);

CREATE SEQUENCE public.territory_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.territory_events_id_seq OWNED BY public.territory_events.id;

CREATE TABLE public.territory_excluded_records (
    source_record_id uuid NOT NULL,
    note text NOT NULL
);

CREATE TABLE public.unchanged_rows (
    extract_id uuid NOT NULL,
    row_number integer NOT NULL,
    source_record_id uuid NOT NULL
);

ALTER TABLE ONLY public.access_log ALTER COLUMN id SET DEFAULT nextval('public.access_log_id_seq'::regclass);

ALTER TABLE ONLY public.data_protection_keys ALTER COLUMN id SET DEFAULT nextval('public.data_protection_keys_id_seq'::regclass);

ALTER TABLE ONLY public.dci_callbacks ALTER COLUMN id SET DEFAULT nextval('public.dci_callbacks_id_seq'::regclass);

ALTER TABLE ONLY public.dci_transactions ALTER COLUMN id SET DEFAULT nextval('public.dci_transactions_id_seq'::regclass);

ALTER TABLE ONLY public.extract_receipts ALTER COLUMN id SET DEFAULT nextval('public.extract_receipts_id_seq'::regclass);

ALTER TABLE ONLY public.extracts ALTER COLUMN seq SET DEFAULT nextval('public.extracts_seq_seq'::regclass);

ALTER TABLE ONLY public.household_events ALTER COLUMN id SET DEFAULT nextval('public.household_events_id_seq'::regclass);

ALTER TABLE ONLY public.identity_changes ALTER COLUMN id SET DEFAULT nextval('public.identity_changes_id_seq'::regclass);

ALTER TABLE ONLY public.identity_events ALTER COLUMN id SET DEFAULT nextval('public.identity_events_id_seq'::regclass);

ALTER TABLE ONLY public.match_model_events ALTER COLUMN id SET DEFAULT nextval('public.match_model_events_id_seq'::regclass);

ALTER TABLE ONLY public.outbox_events ALTER COLUMN id SET DEFAULT nextval('public.outbox_events_id_seq'::regclass);

ALTER TABLE ONLY public.residence_claims ALTER COLUMN id SET DEFAULT nextval('public.residence_claims_id_seq'::regclass);

ALTER TABLE ONLY public.schemaversions ALTER COLUMN schemaversionsid SET DEFAULT nextval('public.schemaversions_schemaversionsid_seq'::regclass);

ALTER TABLE ONLY public.territory_events ALTER COLUMN id SET DEFAULT nextval('public.territory_events_id_seq'::regclass);

ALTER TABLE ONLY public.schemaversions
    ADD CONSTRAINT "PK_schemaversions_Id" PRIMARY KEY (schemaversionsid);

ALTER TABLE ONLY public.access_log_chain_head
    ADD CONSTRAINT access_log_chain_head_pkey PRIMARY KEY (only_row);

ALTER TABLE ONLY public.access_log
    ADD CONSTRAINT access_log_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.api_pull_cursors
    ADD CONSTRAINT api_pull_cursors_pkey PRIMARY KEY (feed_code);

ALTER TABLE ONLY public.chunk_review_proposals
    ADD CONSTRAINT chunk_review_proposals_pkey PRIMARY KEY (extract_id, chunk_index, ord);

ALTER TABLE ONLY public.coverage_cells
    ADD CONSTRAINT coverage_cells_pkey PRIMARY KEY (municipality, sector, programme, month, prev_month, poligono, colonia);

ALTER TABLE ONLY public.coverage_facts
    ADD CONSTRAINT coverage_facts_pkey PRIMARY KEY (household_id, person_id, sector, programme, month);

ALTER TABLE ONLY public.coverage_household_last
    ADD CONSTRAINT coverage_household_last_pkey PRIMARY KEY (household_id, sector);

ALTER TABLE ONLY public.coverage_households
    ADD CONSTRAINT coverage_households_pkey PRIMARY KEY (household_id);

ALTER TABLE ONLY public.coverage_last_cells
    ADD CONSTRAINT coverage_last_cells_pkey PRIMARY KEY (municipality, sector, last_month, poligono, colonia);

ALTER TABLE ONLY public.data_protection_keys
    ADD CONSTRAINT data_protection_keys_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.dci_callbacks
    ADD CONSTRAINT dci_callbacks_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.dci_event_cursor
    ADD CONSTRAINT dci_event_cursor_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.dci_subscriptions
    ADD CONSTRAINT dci_subscriptions_pkey PRIMARY KEY (code);

ALTER TABLE ONLY public.dci_transactions
    ADD CONSTRAINT dci_transactions_correlation_id_key UNIQUE (correlation_id);

ALTER TABLE ONLY public.dci_transactions
    ADD CONSTRAINT dci_transactions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.extract_chunk_plan
    ADD CONSTRAINT extract_chunk_plan_pkey PRIMARY KEY (extract_id, chunk_index);

ALTER TABLE ONLY public.extract_chunks
    ADD CONSTRAINT extract_chunks_pkey PRIMARY KEY (extract_id, chunk_index);

ALTER TABLE ONLY public.extract_receipts
    ADD CONSTRAINT extract_receipts_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.extracts
    ADD CONSTRAINT extracts_feed_code_sha256_key UNIQUE (feed_code, sha256);

ALTER TABLE ONLY public.extracts
    ADD CONSTRAINT extracts_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.feeds
    ADD CONSTRAINT feeds_pkey PRIMARY KEY (code);

ALTER TABLE ONLY public.frequency_fold
    ADD CONSTRAINT frequency_fold_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.household_events
    ADD CONSTRAINT household_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.household_keys
    ADD CONSTRAINT household_keys_pkey PRIMARY KEY (key);

ALTER TABLE ONLY public.household_members
    ADD CONSTRAINT household_members_pkey PRIMARY KEY (household_id, person_id);

ALTER TABLE ONLY public.household_territories
    ADD CONSTRAINT household_territories_pkey PRIMARY KEY (household_id, municipality);

ALTER TABLE ONLY public.households
    ADD CONSTRAINT households_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.identity_changes
    ADD CONSTRAINT identity_changes_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.identity_events
    ADD CONSTRAINT identity_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.match_decisions
    ADD CONSTRAINT match_decisions_pkey PRIMARY KEY (source_record_id);

ALTER TABLE ONLY public.match_model_events
    ADD CONSTRAINT match_model_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.match_models
    ADD CONSTRAINT match_models_pkey PRIMARY KEY (version);

ALTER TABLE ONLY public.match_records
    ADD CONSTRAINT match_records_pkey PRIMARY KEY (source_record_id);

ALTER TABLE ONLY public.outbox_events
    ADD CONSTRAINT outbox_events_event_id_key UNIQUE (event_id);

ALTER TABLE ONLY public.outbox_events
    ADD CONSTRAINT outbox_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.person_exclusions
    ADD CONSTRAINT person_exclusions_pkey PRIMARY KEY (person_a, person_b);

ALTER TABLE ONLY public.person_keys
    ADD CONSTRAINT person_keys_pkey PRIMARY KEY (key);

ALTER TABLE ONLY public.person_residences
    ADD CONSTRAINT person_residences_pkey PRIMARY KEY (person_id);

ALTER TABLE ONLY public.person_territories
    ADD CONSTRAINT person_territories_pkey PRIMARY KEY (person_id, municipality);

ALTER TABLE ONLY public.persons
    ADD CONSTRAINT persons_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.rejected_rows
    ADD CONSTRAINT rejected_rows_pkey PRIMARY KEY (extract_id, row_number);

ALTER TABLE ONLY public.residence_claims
    ADD CONSTRAINT residence_claims_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.resolution_epoch
    ADD CONSTRAINT resolution_epoch_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.review_task_records
    ADD CONSTRAINT review_task_records_pkey PRIMARY KEY (source_record_id, candidate_person_id);

ALTER TABLE ONLY public.review_tasks
    ADD CONSTRAINT review_tasks_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.row_warnings
    ADD CONSTRAINT row_warnings_pkey PRIMARY KEY (extract_id, row_number, field);

ALTER TABLE ONLY public.service_events
    ADD CONSTRAINT service_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.service_events
    ADD CONSTRAINT service_events_source_record_id_key UNIQUE (source_record_id);

ALTER TABLE ONLY public.source_records
    ADD CONSTRAINT source_records_extract_id_row_number_key UNIQUE (extract_id, row_number);

ALTER TABLE ONLY public.source_records
    ADD CONSTRAINT source_records_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.term_frequencies
    ADD CONSTRAINT term_frequencies_pkey PRIMARY KEY (field, value);

ALTER TABLE ONLY public.territory_events
    ADD CONSTRAINT territory_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.territory_excluded_records
    ADD CONSTRAINT territory_excluded_records_pkey PRIMARY KEY (source_record_id);

ALTER TABLE ONLY public.unchanged_rows
    ADD CONSTRAINT unchanged_rows_pkey PRIMARY KEY (extract_id, row_number);

CREATE INDEX access_log_at ON public.access_log USING btree (at DESC, id DESC);

CREATE INDEX access_log_returned ON public.access_log USING gin (returned_ids);

CREATE UNIQUE INDEX access_log_seq ON public.access_log USING btree (seq);

CREATE INDEX access_log_subject ON public.access_log USING btree (subject, at DESC);

CREATE INDEX access_log_target ON public.access_log USING btree (target_id, at DESC);

CREATE INDEX coverage_dirty_by_household ON public.coverage_dirty USING btree (household_id);

CREATE INDEX coverage_dirty_by_mark ON public.coverage_dirty USING btree (mark);

CREATE INDEX coverage_households_place ON public.coverage_households USING btree (municipality, poligono, colonia);

CREATE INDEX dci_callbacks_due ON public.dci_callbacks USING btree (next_attempt_at) WHERE ((delivered_at IS NULL) AND (failed_at IS NULL));

CREATE INDEX dci_transactions_by_sender ON public.dci_transactions USING btree (sender_id, transaction_id);

CREATE INDEX extract_chunks_applied_at ON public.extract_chunks USING btree (applied_at);

CREATE INDEX extract_chunks_residences_pending ON public.extract_chunks USING btree (extract_id, chunk_index) WHERE (residences_at IS NULL);

CREATE UNIQUE INDEX extracts_by_seq ON public.extracts USING btree (seq);

CREATE INDEX extracts_open_by_seq ON public.extracts USING btree (seq) WHERE (status = ANY (ARRAY['received'::text, 'parsing'::text, 'queued'::text]));

CREATE INDEX household_keys_household ON public.household_keys USING btree (household_id);

CREATE INDEX household_members_person ON public.household_members USING btree (person_id);

CREATE INDEX household_territories_municipality ON public.household_territories USING btree (municipality, household_id);

CREATE INDEX households_merged_into ON public.households USING btree (merged_into) WHERE (merged_into IS NOT NULL);

CREATE INDEX identity_events_other ON public.identity_events USING btree (other_person_id);

CREATE INDEX identity_events_person ON public.identity_events USING btree (person_id);

CREATE INDEX match_model_events_version ON public.match_model_events USING btree (version);

CREATE UNIQUE INDEX match_models_one_active ON public.match_models USING btree ((true)) WHERE (status = 'active'::text);

CREATE INDEX match_records_by_seq ON public.match_records USING btree (seq);

CREATE INDEX match_records_person ON public.match_records USING btree (person_id) INCLUDE (birth_date);

CREATE INDEX outbox_events_unpublished ON public.outbox_events USING btree (id) WHERE (published_at IS NULL);

CREATE INDEX person_keys_person ON public.person_keys USING btree (person_id);

CREATE INDEX person_territories_municipality ON public.person_territories USING btree (municipality, person_id);

CREATE INDEX person_territories_name_words ON public.person_territories USING gin (name_words) WITH (gin_pending_list_limit='512');

CREATE INDEX persons_merged_into ON public.persons USING btree (merged_into) WHERE (merged_into IS NOT NULL);

CREATE INDEX persons_name_trgm ON public.persons USING gin (search_name public.gin_trgm_ops);

CREATE INDEX persons_name_words ON public.persons USING gin (string_to_array(search_name, ' '::text));

CREATE INDEX residence_claims_person ON public.residence_claims USING btree (person_id) WHERE (person_id IS NOT NULL);

CREATE INDEX residence_claims_record ON public.residence_claims USING btree (source_record_id) WHERE (source_record_id IS NOT NULL);

CREATE INDEX review_task_records_task ON public.review_task_records USING btree (task_id);

CREATE INDEX review_tasks_open ON public.review_tasks USING btree (created_at) WHERE (status = 'open'::text);

CREATE INDEX review_tasks_open_b ON public.review_tasks USING btree (person_b) WHERE (status = 'open'::text);

CREATE UNIQUE INDEX review_tasks_open_pair ON public.review_tasks USING btree (person_a, person_b) WHERE (status = 'open'::text);

CREATE INDEX review_tasks_queue ON public.review_tasks USING btree (priority DESC, created_at, id) WHERE (status = 'open'::text);

CREATE INDEX service_events_person ON public.service_events USING btree (person_id, service_date);

CREATE INDEX source_records_address_trgm ON public.source_records USING gin (public.registry_address(data) public.gin_trgm_ops) WHERE (((data ->> 'Street'::text) IS NOT NULL) OR ((data ->> 'Colonia'::text) IS NOT NULL));

CREATE UNIQUE INDEX source_records_feed_key_content ON public.source_records USING btree (feed_code, record_key, content_hash);

CREATE INDEX source_records_person ON public.source_records USING btree (person_id);

CREATE INDEX source_records_poligono ON public.source_records USING btree (public.registry_fold((data ->> 'Poligono'::text)), person_id) WHERE ((data ->> 'Poligono'::text) IS NOT NULL);

CREATE INDEX source_records_supersedes ON public.source_records USING btree (supersedes) WHERE (supersedes IS NOT NULL);

CREATE INDEX territory_events_at ON public.territory_events USING btree (at);

CREATE INDEX territory_events_household ON public.territory_events USING btree (household_id, id) WHERE (household_id IS NOT NULL);

CREATE INDEX territory_events_person ON public.territory_events USING btree (person_id, id) WHERE (person_id IS NOT NULL);

CREATE TRIGGER access_log_append_only BEFORE DELETE OR UPDATE ON public.access_log FOR EACH ROW EXECUTE FUNCTION public.access_log_refuse_change();

CREATE TRIGGER access_log_chain BEFORE INSERT ON public.access_log FOR EACH ROW EXECUTE FUNCTION public.access_log_chain_entry();

CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON public.access_log FOR EACH STATEMENT EXECUTE FUNCTION public.access_log_refuse_change();

CREATE TRIGGER coverage_household_members_delete AFTER DELETE ON public.household_members REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.registry_coverage_on_household_rows();

CREATE TRIGGER coverage_household_members_insert AFTER INSERT ON public.household_members REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.registry_coverage_on_household_rows();

CREATE TRIGGER coverage_household_members_update AFTER UPDATE ON public.household_members REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.registry_coverage_on_household_rows();

CREATE TRIGGER coverage_household_territories_delete AFTER DELETE ON public.household_territories REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.registry_coverage_on_household_rows();

CREATE TRIGGER coverage_household_territories_insert AFTER INSERT ON public.household_territories REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.registry_coverage_on_household_rows();

CREATE TRIGGER coverage_household_territories_update AFTER UPDATE ON public.household_territories REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.registry_coverage_on_household_rows();

CREATE TRIGGER coverage_households_update AFTER UPDATE ON public.households REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.registry_coverage_on_households();

CREATE TRIGGER coverage_service_events_delete AFTER DELETE ON public.service_events REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.registry_coverage_on_service_events();

CREATE TRIGGER coverage_service_events_insert AFTER INSERT ON public.service_events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.registry_coverage_on_service_events();

CREATE TRIGGER coverage_service_events_update AFTER UPDATE ON public.service_events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.registry_coverage_on_service_events();

CREATE TRIGGER extracts_outbox AFTER UPDATE OF status ON public.extracts FOR EACH ROW EXECUTE FUNCTION public.outbox_extract_resolved();

CREATE TRIGGER household_events_append_only BEFORE DELETE OR UPDATE ON public.household_events FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

CREATE TRIGGER household_members_outbox_delete AFTER DELETE ON public.household_members REFERENCING OLD TABLE AS old_members FOR EACH STATEMENT EXECUTE FUNCTION public.outbox_memberships_deleted();

CREATE TRIGGER household_members_outbox_insert AFTER INSERT ON public.household_members REFERENCING NEW TABLE AS new_members FOR EACH STATEMENT EXECUTE FUNCTION public.outbox_memberships_inserted();

CREATE TRIGGER household_members_outbox_update AFTER UPDATE ON public.household_members REFERENCING OLD TABLE AS old_members NEW TABLE AS new_members FOR EACH STATEMENT EXECUTE FUNCTION public.outbox_memberships();

CREATE TRIGGER household_members_territories_delete AFTER DELETE ON public.household_members REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.registry_territories_on_household_members();

CREATE TRIGGER household_members_territories_insert AFTER INSERT ON public.household_members REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.registry_territories_on_household_members();

CREATE TRIGGER household_members_territories_update AFTER UPDATE ON public.household_members REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.registry_territories_on_household_members();

CREATE TRIGGER identity_events_append_only BEFORE DELETE OR UPDATE ON public.identity_events FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

CREATE TRIGGER identity_events_outbox AFTER INSERT ON public.identity_events REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION public.outbox_identity_events();

CREATE TRIGGER match_model_events_append_only BEFORE DELETE OR UPDATE ON public.match_model_events FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

CREATE TRIGGER persons_name_words_update AFTER UPDATE ON public.persons REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.registry_name_words_on_persons();

CREATE TRIGGER persons_outbox AFTER INSERT ON public.persons REFERENCING NEW TABLE AS created FOR EACH STATEMENT EXECUTE FUNCTION public.outbox_persons_created();

CREATE TRIGGER residence_claims_append_only BEFORE DELETE OR UPDATE ON public.residence_claims FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

CREATE TRIGGER service_events_outbox AFTER INSERT ON public.service_events REFERENCING NEW TABLE AS recorded FOR EACH STATEMENT EXECUTE FUNCTION public.outbox_services_recorded();

CREATE TRIGGER source_records_territories_delete AFTER DELETE ON public.source_records REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.registry_territories_on_source_records();

CREATE TRIGGER source_records_territories_update AFTER UPDATE ON public.source_records REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.registry_territories_on_source_records();

CREATE TRIGGER territory_events_append_only BEFORE DELETE OR UPDATE ON public.territory_events FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

CREATE TRIGGER territory_events_no_truncate BEFORE TRUNCATE ON public.territory_events FOR EACH STATEMENT EXECUTE FUNCTION public.territory_events_refuse_truncate();

ALTER TABLE ONLY public.api_pull_cursors
    ADD CONSTRAINT api_pull_cursors_last_extract_id_fkey FOREIGN KEY (last_extract_id) REFERENCES public.extracts(id);

ALTER TABLE ONLY public.extract_chunk_plan
    ADD CONSTRAINT extract_chunk_plan_extract_id_fkey FOREIGN KEY (extract_id) REFERENCES public.extracts(id);

ALTER TABLE ONLY public.extract_chunks
    ADD CONSTRAINT extract_chunks_extract_id_fkey FOREIGN KEY (extract_id) REFERENCES public.extracts(id);

ALTER TABLE ONLY public.extract_receipts
    ADD CONSTRAINT extract_receipts_extract_id_fkey FOREIGN KEY (extract_id) REFERENCES public.extracts(id);

ALTER TABLE ONLY public.household_events
    ADD CONSTRAINT household_events_household_id_fkey FOREIGN KEY (household_id) REFERENCES public.households(id);

ALTER TABLE ONLY public.household_events
    ADD CONSTRAINT household_events_other_household_id_fkey FOREIGN KEY (other_household_id) REFERENCES public.households(id);

ALTER TABLE ONLY public.household_keys
    ADD CONSTRAINT household_keys_household_id_fkey FOREIGN KEY (household_id) REFERENCES public.households(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY public.household_members
    ADD CONSTRAINT household_members_household_id_fkey FOREIGN KEY (household_id) REFERENCES public.households(id);

ALTER TABLE ONLY public.household_members
    ADD CONSTRAINT household_members_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id);

ALTER TABLE ONLY public.household_members
    ADD CONSTRAINT household_members_source_record_id_fkey FOREIGN KEY (source_record_id) REFERENCES public.source_records(id);

ALTER TABLE ONLY public.households
    ADD CONSTRAINT households_merged_into_fkey FOREIGN KEY (merged_into) REFERENCES public.households(id);

ALTER TABLE ONLY public.identity_events
    ADD CONSTRAINT identity_events_other_person_id_fkey FOREIGN KEY (other_person_id) REFERENCES public.persons(id);

ALTER TABLE ONLY public.identity_events
    ADD CONSTRAINT identity_events_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id);

ALTER TABLE ONLY public.match_model_events
    ADD CONSTRAINT match_model_events_version_fkey FOREIGN KEY (version) REFERENCES public.match_models(version);

ALTER TABLE ONLY public.person_exclusions
    ADD CONSTRAINT person_exclusions_event_id_fkey FOREIGN KEY (event_id) REFERENCES public.identity_events(id);

ALTER TABLE ONLY public.person_exclusions
    ADD CONSTRAINT person_exclusions_person_a_fkey FOREIGN KEY (person_a) REFERENCES public.persons(id);

ALTER TABLE ONLY public.person_exclusions
    ADD CONSTRAINT person_exclusions_person_b_fkey FOREIGN KEY (person_b) REFERENCES public.persons(id);

ALTER TABLE ONLY public.persons
    ADD CONSTRAINT persons_merged_into_fkey FOREIGN KEY (merged_into) REFERENCES public.persons(id);

ALTER TABLE ONLY public.rejected_rows
    ADD CONSTRAINT rejected_rows_extract_id_fkey FOREIGN KEY (extract_id) REFERENCES public.extracts(id);

ALTER TABLE ONLY public.review_task_records
    ADD CONSTRAINT review_task_records_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.review_tasks(id);

ALTER TABLE ONLY public.row_warnings
    ADD CONSTRAINT row_warnings_extract_id_fkey FOREIGN KEY (extract_id) REFERENCES public.extracts(id);

ALTER TABLE ONLY public.unchanged_rows
    ADD CONSTRAINT unchanged_rows_extract_id_fkey FOREIGN KEY (extract_id) REFERENCES public.extracts(id);

ALTER TABLE ONLY public.unchanged_rows
    ADD CONSTRAINT unchanged_rows_source_record_id_fkey FOREIGN KEY (source_record_id) REFERENCES public.source_records(id);

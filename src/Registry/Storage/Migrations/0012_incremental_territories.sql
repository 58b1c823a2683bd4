-- Inserts only ever add territory: a new source record adds its municipality to its person and to
-- that person's households (and so to their members); a new membership adds the person's reported
-- municipalities to the household and the household's territory to the person. So an INSERT extends
-- the three tables with what is new instead of recomputing every affected person from all their
-- records (measured at 100k records: 270 ms of the 365 ms a 2000-row chunk spent inserting its
-- source records). UPDATE and DELETE (merges, splits, moves) keep the full recompute of 0009.
-- The definition is unchanged; registry_rebuild_territories() gives the same tables from scratch,
-- which the integration tests check after a multi-agency load.

-- Adds the given (person, municipality) territories, and the name words of the pairs that are new.
CREATE FUNCTION registry_add_person_territories(person_ids uuid[], municipalities text[]) RETURNS void
LANGUAGE sql AS $$
    WITH added AS (
        INSERT INTO person_territories (person_id, municipality)
        SELECT DISTINCT p, m FROM unnest(person_ids, municipalities) AS x(p, m)
         WHERE m IS NOT NULL AND m <> ''
        ON CONFLICT DO NOTHING
        RETURNING person_id, municipality
    )
    INSERT INTO territory_name_words (municipality, word, person_id)
    SELECT DISTINCT a.municipality, w.word, p.id
      FROM added a JOIN persons p ON p.id = a.person_id
     CROSS JOIN LATERAL unnest(string_to_array(p.search_name, ' ')) AS w(word)
     WHERE w.word <> ''
    ON CONFLICT DO NOTHING;
$$;

CREATE OR REPLACE FUNCTION registry_territories_on_source_records() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    person_ids uuid[];
    municipalities text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- The reporting persons gain the reported municipality; so do their households, and every
        -- member of a household for which the municipality is new.
        WITH reported AS (
            SELECT DISTINCT person_id, registry_fold(data ->> 'Municipality') AS municipality
              FROM new_rows WHERE registry_fold(data ->> 'Municipality') <> ''
        ), household_gained AS (
            INSERT INTO household_territories (household_id, municipality)
            SELECT DISTINCT hm.household_id, r.municipality
              FROM reported r JOIN household_members hm ON hm.person_id = r.person_id
            ON CONFLICT DO NOTHING
            RETURNING household_id, municipality
        ), gained AS (
            SELECT person_id, municipality FROM reported
            UNION
            SELECT hm.person_id, g.municipality FROM household_gained g JOIN household_members hm ON hm.household_id = g.household_id
        )
        SELECT array_agg(person_id), array_agg(municipality) INTO person_ids, municipalities FROM gained;
        PERFORM registry_add_person_territories(person_ids, municipalities);
    ELSIF TG_OP = 'UPDATE' THEN
        -- Only a change of person moves a territory (records move when persons merge or split).
        PERFORM registry_refresh_territories('{}', (SELECT array_agg(DISTINCT moved.p)
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            CROSS JOIN LATERAL (VALUES (o.person_id), (n.person_id)) AS moved(p)
           WHERE n.person_id IS DISTINCT FROM o.person_id));
    ELSE
        PERFORM registry_refresh_territories('{}', (SELECT array_agg(DISTINCT person_id) FROM old_rows));
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION registry_territories_on_household_members() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    person_ids uuid[];
    municipalities text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- A household gains the municipalities its new members were reported in; every member of a
        -- household gains what the household gained, and a new member gains the household's territory.
        WITH household_gained AS (
            INSERT INTO household_territories (household_id, municipality)
            SELECT DISTINCT n.household_id, registry_fold(sr.data ->> 'Municipality')
              FROM new_rows n JOIN source_records sr ON sr.person_id = n.person_id
             WHERE registry_fold(sr.data ->> 'Municipality') <> ''
            ON CONFLICT DO NOTHING
            RETURNING household_id, municipality
        ), gained AS (
            SELECT hm.person_id, g.municipality FROM household_gained g JOIN household_members hm ON hm.household_id = g.household_id
            UNION
            SELECT n.person_id, ht.municipality FROM new_rows n JOIN household_territories ht ON ht.household_id = n.household_id
        )
        SELECT array_agg(person_id), array_agg(municipality) INTO person_ids, municipalities FROM gained;
        PERFORM registry_add_person_territories(person_ids, municipalities);
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM registry_refresh_territories(
            (SELECT array_agg(DISTINCT h) FROM (SELECT household_id AS h FROM old_rows UNION SELECT household_id FROM new_rows) x),
            (SELECT array_agg(DISTINCT p) FROM (SELECT person_id AS p FROM old_rows UNION SELECT person_id FROM new_rows) x));
    ELSE
        PERFORM registry_refresh_territories((SELECT array_agg(DISTINCT household_id) FROM old_rows),
                                             (SELECT array_agg(DISTINCT person_id) FROM old_rows));
    END IF;
    RETURN NULL;
END
$$;

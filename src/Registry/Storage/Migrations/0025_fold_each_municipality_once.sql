-- The territory triggers folded every inserted source record's municipality twice (registry_fold in
-- both the filter and the select list: ~4 µs each, under the resolution lock, 2000 rows a chunk) for
-- the handful of spellings a chunk carries. Each distinct spelling is now folded once. Same results.
CREATE OR REPLACE FUNCTION registry_territories_on_source_records() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    person_ids uuid[];
    municipalities text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- The reporting persons gain the reported municipality; so do their households, and every
        -- member of a household for which the municipality is new. Each distinct spelling is folded once.
        WITH raw AS (
            SELECT DISTINCT person_id, data ->> 'Municipality' AS spelled FROM new_rows WHERE data ? 'Municipality'
        ), folded AS MATERIALIZED (
            SELECT spelled, registry_fold(spelled) AS municipality FROM (SELECT DISTINCT spelled FROM raw) s
        ), reported AS (
            SELECT DISTINCT r.person_id, f.municipality FROM raw r JOIN folded f ON f.spelled = r.spelled WHERE f.municipality <> ''
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
        WITH raw AS (
            SELECT DISTINCT n.household_id, sr.data ->> 'Municipality' AS spelled
              FROM new_rows n JOIN source_records sr ON sr.person_id = n.person_id
             WHERE sr.data ? 'Municipality'
        ), folded AS MATERIALIZED (
            SELECT spelled, registry_fold(spelled) AS municipality FROM (SELECT DISTINCT spelled FROM raw) s
        ), household_gained AS (
            INSERT INTO household_territories (household_id, municipality)
            SELECT DISTINCT r.household_id, f.municipality
              FROM raw r JOIN folded f ON f.spelled = r.spelled
             WHERE f.municipality <> ''
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

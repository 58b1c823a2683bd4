-- A chunk's service events, its records' territories and its name frequencies are written by the
-- chunk's completion, outside the resolution lock: no later decision reads them, and under the lock
-- they were ~17 % of the critical section that bounds throughput. The territories of new source
-- records therefore stop being a trigger on INSERT; the completion calls this function for its
-- chunk's rows. UPDATE and DELETE (records moving between persons) keep their trigger.

-- The persons who reported a municipality gain it; so do their households, and every member of a
-- household for which the municipality is new (what the INSERT branch of 0012's trigger did).
CREATE FUNCTION registry_add_source_territories(chunk_extract uuid, first_row int, last_row int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    person_ids uuid[];
    municipalities text[];
BEGIN
    WITH reported AS (
        SELECT DISTINCT person_id, municipality
          FROM (SELECT person_id, registry_fold(data ->> 'Municipality') AS municipality
                  FROM source_records
                 WHERE extract_id = chunk_extract AND row_number BETWEEN first_row AND last_row
                 OFFSET 0) folded -- folded once per record
         WHERE municipality <> ''
    ), household_gained AS (
        INSERT INTO household_territories (household_id, municipality)
        SELECT DISTINCT hm.household_id, r.municipality
          FROM reported r JOIN household_members hm ON hm.person_id = r.person_id
         ORDER BY 1, 2
        ON CONFLICT DO NOTHING
        RETURNING household_id, municipality
    ), gained AS (
        SELECT person_id, municipality FROM reported
        UNION
        SELECT hm.person_id, g.municipality FROM household_gained g JOIN household_members hm ON hm.household_id = g.household_id
    )
    SELECT array_agg(person_id ORDER BY person_id, municipality), array_agg(municipality ORDER BY person_id, municipality)
      INTO person_ids, municipalities FROM gained;
    PERFORM registry_add_person_territories(person_ids, municipalities);
END
$$;

DROP TRIGGER source_records_territories_insert ON source_records;

CREATE OR REPLACE FUNCTION registry_territories_on_source_records() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
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

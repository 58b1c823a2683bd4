-- A case manager's name search blocks on the name words of their territory. Until now those were
-- territory_name_words, a B-tree row per (municipality, word, person): ~3 rows for every new person,
-- inserted under the resolution lock by the source-record trigger (ON CONFLICT: a speculative insert
-- each), ~30 ms of a 2000-row chunk that creates 2000 persons, and 145 MB at 1M records. The words
-- now live on the territory row itself, prefixed with its municipality ("RIO BRAVO:MARTA"), under a
-- GIN index: one row per person and municipality (already written anyway), whose few keys go to the
-- index's pending list. The index is ~8 MB at 1M records; "has these two words in Reynosa" is
-- the intersection of two posting lists (a crowded 3-word search: 238 → 20 ms in isolation).

-- The territory name words of a person in a municipality: each word of its folded name
-- (persons.search_name: single spaces, no leading or trailing one) prefixed with the municipality.
-- Plain string functions (no unnest): it runs for every territory row written.
CREATE FUNCTION registry_territory_words(municipality text, search_name text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN coalesce(search_name, '') = '' THEN '{}'::text[]
                ELSE array_remove(string_to_array(municipality || ':' || replace(search_name, ' ', '|' || municipality || ':'), '|'),
                                  municipality || ':') END
$$;

ALTER TABLE person_territories ADD COLUMN name_words text[] NOT NULL DEFAULT '{}';
UPDATE person_territories t SET name_words = registry_territory_words(t.municipality, p.search_name)
  FROM persons p WHERE p.id = t.person_id;
CREATE INDEX person_territories_name_words ON person_territories USING gin (name_words);
DROP TABLE territory_name_words;

-- A person's name changed (their golden record did): their territory rows' words follow.
CREATE OR REPLACE FUNCTION registry_refresh_name_words(changed_persons uuid[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE person_territories t SET name_words = registry_territory_words(t.municipality, p.search_name)
      FROM persons p
     WHERE p.id = t.person_id AND t.person_id = ANY (changed_persons)
       AND t.name_words IS DISTINCT FROM registry_territory_words(t.municipality, p.search_name);
$$;

-- As in 0012: adds the given (person, municipality) territories that are new, each with its name
-- words. Its callers (the insert triggers) run under the resolution lock, so "not there yet" stays
-- true until the insert; NOT EXISTS instead of ON CONFLICT spares a speculative insert per row. A
-- writer without the lock would fail on the primary key, not lose or double a territory.
CREATE OR REPLACE FUNCTION registry_add_person_territories(person_ids uuid[], municipalities text[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO person_territories (person_id, municipality, name_words)
    SELECT x.p, x.m, registry_territory_words(x.m, p.search_name)
      FROM (SELECT DISTINCT p, m FROM unnest(person_ids, municipalities) AS x(p, m) WHERE m IS NOT NULL AND m <> '') x
      LEFT JOIN persons p ON p.id = x.p
     WHERE NOT EXISTS (SELECT 1 FROM person_territories t WHERE t.person_id = x.p AND t.municipality = x.m);
$$;

-- As in 0009, the territory rows written with their name words (no separate refresh of them).
CREATE OR REPLACE FUNCTION registry_refresh_territories(changed_households uuid[], changed_persons uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    households uuid[];
    persons uuid[];
BEGIN
    SELECT coalesce(array_agg(DISTINCT h), '{}') INTO households FROM (
        SELECT unnest(changed_households) AS h
        UNION SELECT hm.household_id FROM household_members hm WHERE hm.person_id = ANY (changed_persons)) x
     WHERE h IS NOT NULL;
    SELECT coalesce(array_agg(DISTINCT p), '{}') INTO persons FROM (
        SELECT unnest(changed_persons) AS p
        UNION SELECT hm.person_id FROM household_members hm WHERE hm.household_id = ANY (households)) x
     WHERE p IS NOT NULL;

    DELETE FROM household_territories WHERE household_id = ANY (households);
    INSERT INTO household_territories (household_id, municipality)
    SELECT DISTINCT hm.household_id, registry_fold(sr.data ->> 'Municipality')
      FROM household_members hm JOIN source_records sr ON sr.person_id = hm.person_id
     WHERE hm.household_id = ANY (households) AND registry_fold(sr.data ->> 'Municipality') <> ''
    ON CONFLICT DO NOTHING;

    DELETE FROM person_territories WHERE person_id = ANY (persons);
    INSERT INTO person_territories (person_id, municipality, name_words)
    SELECT x.person_id, x.municipality, registry_territory_words(x.municipality, p.search_name) FROM (
        SELECT DISTINCT person_id, municipality FROM (
            SELECT sr.person_id, registry_fold(sr.data ->> 'Municipality') AS municipality
              FROM source_records sr WHERE sr.person_id = ANY (persons)
            UNION ALL
            SELECT hm.person_id, ht.municipality
              FROM household_members hm JOIN household_territories ht ON ht.household_id = hm.household_id
             WHERE hm.person_id = ANY (persons)) y
         WHERE municipality IS NOT NULL AND municipality <> '') x
      LEFT JOIN persons p ON p.id = x.person_id
    ON CONFLICT DO NOTHING;
END
$$;

CREATE OR REPLACE FUNCTION registry_rebuild_territories() RETURNS void
LANGUAGE sql AS $$
    TRUNCATE household_territories, person_territories;
    INSERT INTO household_territories (household_id, municipality)
    SELECT DISTINCT hm.household_id, registry_fold(sr.data ->> 'Municipality')
      FROM household_members hm JOIN source_records sr ON sr.person_id = hm.person_id
     WHERE registry_fold(sr.data ->> 'Municipality') <> '';
    INSERT INTO person_territories (person_id, municipality, name_words)
    SELECT x.person_id, x.municipality, registry_territory_words(x.municipality, p.search_name) FROM (
        SELECT sr.person_id, registry_fold(sr.data ->> 'Municipality') AS municipality FROM source_records sr
        UNION
        SELECT hm.person_id, ht.municipality FROM household_members hm JOIN household_territories ht ON ht.household_id = hm.household_id) x
      LEFT JOIN persons p ON p.id = x.person_id
     WHERE x.municipality IS NOT NULL AND x.municipality <> '';
$$;

ANALYZE person_territories;

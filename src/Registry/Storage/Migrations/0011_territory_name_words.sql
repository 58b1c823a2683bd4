-- A name index per territory: (municipality, word of the folded name, person) for every person of
-- a territory (person_territories). A case manager's name search blocks on it, so a block holds the
-- persons of their municipalities only (about a tenth of the registry in a 10-municipality state)
-- instead of every person in the state who shares two words of the name. Kept by the same
-- refresh as the territories, and by a trigger when a person's name (golden record) changes.

CREATE TABLE territory_name_words (
    municipality text NOT NULL,
    word         text NOT NULL,
    person_id    uuid NOT NULL,
    PRIMARY KEY (municipality, word, person_id)
);
CREATE INDEX territory_name_words_person ON territory_name_words (person_id);

CREATE FUNCTION registry_refresh_name_words(changed_persons uuid[]) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM territory_name_words WHERE person_id = ANY (changed_persons);
    INSERT INTO territory_name_words (municipality, word, person_id)
    SELECT DISTINCT t.municipality, w.word, p.id
      FROM persons p
      JOIN person_territories t ON t.person_id = p.id
     CROSS JOIN LATERAL unnest(string_to_array(p.search_name, ' ')) AS w(word)
     WHERE p.id = ANY (changed_persons) AND w.word <> ''
    ON CONFLICT DO NOTHING;
$$;

-- The territory refresh (0009) now also refreshes the name words of the persons it touched.
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
    INSERT INTO person_territories (person_id, municipality)
    SELECT DISTINCT person_id, municipality FROM (
        SELECT sr.person_id, registry_fold(sr.data ->> 'Municipality') AS municipality
          FROM source_records sr WHERE sr.person_id = ANY (persons)
        UNION ALL
        SELECT hm.person_id, ht.municipality
          FROM household_members hm JOIN household_territories ht ON ht.household_id = hm.household_id
         WHERE hm.person_id = ANY (persons)) x
     WHERE municipality IS NOT NULL AND municipality <> ''
    ON CONFLICT DO NOTHING;

    PERFORM registry_refresh_name_words(persons);
END
$$;

-- A person's name changes when their golden record does (a better source arrived, a merge).
CREATE FUNCTION registry_name_words_on_persons() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM registry_refresh_name_words((
        SELECT array_agg(n.id) FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE n.search_name IS DISTINCT FROM o.search_name));
    RETURN NULL;
END
$$;
CREATE TRIGGER persons_name_words_update AFTER UPDATE ON persons
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_name_words_on_persons();

CREATE OR REPLACE FUNCTION registry_rebuild_territories() RETURNS void
LANGUAGE sql AS $$
    TRUNCATE household_territories, person_territories, territory_name_words;
    INSERT INTO household_territories (household_id, municipality)
    SELECT DISTINCT hm.household_id, registry_fold(sr.data ->> 'Municipality')
      FROM household_members hm JOIN source_records sr ON sr.person_id = hm.person_id
     WHERE registry_fold(sr.data ->> 'Municipality') <> '';
    INSERT INTO person_territories (person_id, municipality)
    SELECT person_id, municipality FROM (
        SELECT sr.person_id, registry_fold(sr.data ->> 'Municipality') AS municipality FROM source_records sr
        UNION
        SELECT hm.person_id, ht.municipality FROM household_members hm JOIN household_territories ht ON ht.household_id = hm.household_id) x
     WHERE municipality IS NOT NULL AND municipality <> '';
    INSERT INTO territory_name_words (municipality, word, person_id)
    SELECT DISTINCT t.municipality, w.word, p.id
      FROM persons p
      JOIN person_territories t ON t.person_id = p.id
     CROSS JOIN LATERAL unnest(string_to_array(p.search_name, ' ')) AS w(word)
     WHERE w.word <> '';
$$;

INSERT INTO territory_name_words (municipality, word, person_id)
SELECT DISTINCT t.municipality, w.word, p.id
  FROM persons p
  JOIN person_territories t ON t.person_id = p.id
 CROSS JOIN LATERAL unnest(string_to_array(p.search_name, ' ')) AS w(word)
 WHERE w.word <> '';
ANALYZE territory_name_words;

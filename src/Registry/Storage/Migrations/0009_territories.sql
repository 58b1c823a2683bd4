-- Territories, kept up to date by the database itself, so a case manager's territory check is one
-- index probe instead of a walk over every member's source records (the household search spent
-- most of its time there at 1M persons), and a case manager's name search blocks on a name index
-- of their own territory instead of on every person in the state who shares two words of the name.
--
-- The definition is the one TerritoryScope has always used (any membership, past or current):
--   a household is in municipality M when one of its members was reported in M by some agency;
--   a person is in M when they were reported in M, or belong to a household that is in M.
-- Municipalities are folded with registry_fold (upper case, no accents, no particles).

CREATE TABLE household_territories (
    household_id uuid NOT NULL,
    municipality text NOT NULL,
    PRIMARY KEY (household_id, municipality)
);

CREATE TABLE person_territories (
    person_id    uuid NOT NULL,
    municipality text NOT NULL,
    PRIMARY KEY (person_id, municipality)
);

-- (municipality, word of the folded name, person) for every person of a territory.
CREATE TABLE territory_name_words (
    municipality text NOT NULL,
    word         text NOT NULL,
    person_id    uuid NOT NULL,
    PRIMARY KEY (municipality, word, person_id)
);

-- The name words of the given persons, from their folded name and their territories.
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

-- Recomputes the territories of the given households and persons, and of everything that follows
-- from them: the households of the given persons, every member of an affected household, and the
-- name words of every affected person. Delete-then-insert per affected id. Every writer of persons,
-- households and source records (chunk resolution, stewardship) holds the resolution advisory lock,
-- so refreshes never interleave; ON CONFLICT only guards a writer that does not.
CREATE FUNCTION registry_refresh_territories(changed_households uuid[], changed_persons uuid[]) RETURNS void
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

-- Statement-level triggers (set-based: one refresh per statement, whatever its row count).
CREATE FUNCTION registry_territories_on_source_records() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM registry_refresh_territories('{}', (SELECT array_agg(DISTINCT person_id) FROM new_rows));
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

CREATE FUNCTION registry_territories_on_household_members() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM registry_refresh_territories((SELECT array_agg(DISTINCT household_id) FROM new_rows),
                                             (SELECT array_agg(DISTINCT person_id) FROM new_rows));
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

CREATE TRIGGER source_records_territories_insert AFTER INSERT ON source_records
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_territories_on_source_records();
CREATE TRIGGER source_records_territories_update AFTER UPDATE ON source_records
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_territories_on_source_records();
CREATE TRIGGER source_records_territories_delete AFTER DELETE ON source_records
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_territories_on_source_records();

CREATE TRIGGER household_members_territories_insert AFTER INSERT ON household_members
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_territories_on_household_members();
CREATE TRIGGER household_members_territories_update AFTER UPDATE ON household_members
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_territories_on_household_members();
CREATE TRIGGER household_members_territories_delete AFTER DELETE ON household_members
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_territories_on_household_members();

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

-- All three from scratch: for what is already in the registry, and for bulk loaders that fill the
-- tables with triggers off (SET session_replication_role = replica), then call this.
CREATE FUNCTION registry_rebuild_territories() RETURNS void
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
SELECT registry_rebuild_territories();

-- "Which territories is this household in" is the probe; "whose territory is M" is the scan for
-- a case manager's lists; the name words are also deleted per person.
CREATE INDEX household_territories_municipality ON household_territories (municipality, household_id);
CREATE INDEX person_territories_municipality ON person_territories (municipality, person_id);
CREATE INDEX territory_name_words_person ON territory_name_words (person_id);
ANALYZE household_territories;
ANALYZE person_territories;
ANALYZE territory_name_words;

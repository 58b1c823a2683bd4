-- 0031: the territory name-words refresh reads only the changed persons, whatever the statistics.
-- registry_refresh_name_words runs in the trigger of every golden-record UPDATE of persons. A SQL
-- function's UPDATE is planned generically, without the array's contents. While a registry fills up,
-- person_territories may have no statistics yet (autovacuum busy with the large tables): then
-- `person_id = ANY (changed_persons)` is estimated at 0.5 % of the table per element (~24,000 rows)
-- and the plan hashed or merge-joined every person (a full scan of persons: 300–430 ms a call, 25 s of
-- the 36 s that golden UPDATEs took in a 1M load, for ~35 changed persons a call). With the persons'
-- side restricted by the same array, every join method reads only the changed persons' rows.
CREATE OR REPLACE FUNCTION registry_refresh_name_words(changed_persons uuid[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE person_territories t SET name_words = registry_territory_words(t.municipality, p.search_name)
      FROM persons p
     WHERE p.id = t.person_id AND t.person_id = ANY (changed_persons) AND p.id = ANY (changed_persons)
       AND t.name_words IS DISTINCT FROM registry_territory_words(t.municipality, p.search_name);
$$;

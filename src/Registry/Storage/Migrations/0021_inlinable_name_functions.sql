-- registry_person_name (persons.search_name, computed on every insert and golden-record update)
-- and registry_address (the address index's expression, on every record with an address) ran as
-- separate SQL-function calls, each with its own executor start (~9 µs a row): two things kept the
-- planner from inlining them into the expression — the SET search_path of 0011, and concat_ws,
-- which is only STABLE inside an IMMUTABLE function. They now name registry_fold by its schema
-- (what 0011 needed the search path for: autovacuum's ANALYZE runs with an empty one) and join
-- with ||: registry_fold turns the extra spaces of missing parts into nothing, so every value is
-- the same as before. The schema is the database's own (current_schema()), so the bodies are built
-- as strings (DbUp reads a dollar-quote tag as one of its variables).
DO $$
DECLARE
    fold text := quote_ident(current_schema()) || '.registry_fold';
BEGIN
    EXECUTE 'CREATE OR REPLACE FUNCTION registry_person_name(given_names text, paternal text, maternal text) RETURNS text '
         || 'LANGUAGE sql IMMUTABLE PARALLEL SAFE AS '
         || quote_literal('SELECT ' || fold || '(coalesce(given_names, '''') || '' '' || coalesce(paternal, '''') || '' '' || coalesce(maternal, ''''))');
    ALTER FUNCTION registry_person_name(text, text, text) RESET search_path;
    EXECUTE 'CREATE OR REPLACE FUNCTION registry_address(data jsonb) RETURNS text '
         || 'LANGUAGE sql IMMUTABLE PARALLEL SAFE AS '
         || quote_literal('SELECT ' || fold || '(coalesce(data ->> ''Street'', '''') || '' '' || coalesce(data ->> ''HouseNumber'', '''') || '' '' '
                          || '|| coalesce(data ->> ''Colonia'', '''') || '' '' || coalesce(data ->> ''PostalCode'', ''''))');
    ALTER FUNCTION registry_address(jsonb) RESET search_path;
END
$$;

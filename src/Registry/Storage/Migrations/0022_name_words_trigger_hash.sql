-- The territory name words of a person follow its folded name (persons.search_name). The statement
-- trigger of 0009 found the persons whose name changed by joining the UPDATE's old and new rows on
-- id; the planner knows nothing of transition tables and nested-looped them: ~22 ms a golden-record
-- UPDATE of 2000 persons, a third of the database's time in a 1M-record load (pg_stat_statements).
-- EXCEPT hashes both sides once; NULLs compare equal in it, as IS DISTINCT FROM had them.
CREATE OR REPLACE FUNCTION registry_name_words_on_persons() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM registry_refresh_name_words((
        SELECT array_agg(id) FROM (SELECT id, search_name FROM new_rows EXCEPT SELECT id, search_name FROM old_rows) changed));
    RETURN NULL;
END
$$;

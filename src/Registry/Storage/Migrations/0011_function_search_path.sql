-- Functions that call registry_fold carry the schema search path they were created with. Without
-- it, autovacuum (which runs with an empty search path) could not evaluate the address index's
-- expression, so ANALYZE of source_records failed every time ("function registry_fold(text) does
-- not exist") and the planner worked on statistics that were never collected.
ALTER FUNCTION registry_address(jsonb) SET search_path FROM CURRENT;
ALTER FUNCTION registry_person_name(text, text, text) SET search_path FROM CURRENT;
ALTER FUNCTION registry_fold_all(text[]) SET search_path FROM CURRENT;
ANALYZE source_records;

-- The per-record rows the chunk resolver writes (source records, their match features, decisions
-- and service events) no longer carry foreign keys. Each was checked row by row after every insert
-- and every merge's move: at 200k records ~4.4 "SELECT … FOR KEY SHARE" probes of persons and ~3.1 of
-- source_records per record, about a tenth of the database's CPU, on a machine where the database's
-- CPU is what bounds resolution. Nothing can leave them dangling: persons and source records are
-- never deleted (merges redirect, splits create; source records are append-only), and the resolver
-- writes each of these rows in the same statement set as its parent, from the same staging row.
-- registry_dangling_references() below finds any that did; the integration tests assert it is empty
-- after loads, merges and splits. Low-volume tables (households, reviews, identity events,
-- exclusions) keep theirs.
ALTER TABLE source_records DROP CONSTRAINT source_records_person_id_fkey;
ALTER TABLE source_records DROP CONSTRAINT source_records_extract_id_fkey;
ALTER TABLE match_records DROP CONSTRAINT match_records_person_id_fkey;
ALTER TABLE match_records DROP CONSTRAINT match_records_source_record_id_fkey;
ALTER TABLE match_decisions DROP CONSTRAINT match_decisions_person_id_fkey;
ALTER TABLE match_decisions DROP CONSTRAINT match_decisions_source_record_id_fkey;
ALTER TABLE service_events DROP CONSTRAINT service_events_person_id_fkey;
ALTER TABLE service_events DROP CONSTRAINT service_events_source_record_id_fkey;

-- (table, column, rows whose reference points nowhere) for each reference dropped above; no row when
-- all are intact.
CREATE FUNCTION registry_dangling_references() RETURNS TABLE (table_name text, column_name text, dangling bigint)
LANGUAGE sql STABLE AS $$
    SELECT * FROM (
        SELECT 'source_records', 'person_id', count(*) FROM source_records x WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = x.person_id)
        UNION ALL
        SELECT 'source_records', 'extract_id', count(*) FROM source_records x WHERE NOT EXISTS (SELECT 1 FROM extracts e WHERE e.id = x.extract_id)
        UNION ALL
        SELECT 'match_records', 'person_id', count(*) FROM match_records x WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = x.person_id)
        UNION ALL
        SELECT 'match_records', 'source_record_id', count(*) FROM match_records x WHERE NOT EXISTS (SELECT 1 FROM source_records s WHERE s.id = x.source_record_id)
        UNION ALL
        SELECT 'match_decisions', 'person_id', count(*) FROM match_decisions x WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = x.person_id)
        UNION ALL
        SELECT 'match_decisions', 'source_record_id', count(*) FROM match_decisions x WHERE NOT EXISTS (SELECT 1 FROM source_records s WHERE s.id = x.source_record_id)
        UNION ALL
        SELECT 'service_events', 'person_id', count(*) FROM service_events x WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = x.person_id)
        UNION ALL
        SELECT 'service_events', 'source_record_id', count(*) FROM service_events x WHERE NOT EXISTS (SELECT 1 FROM source_records s WHERE s.id = x.source_record_id)
    ) c(table_name, column_name, dangling)
     WHERE dangling > 0
$$;

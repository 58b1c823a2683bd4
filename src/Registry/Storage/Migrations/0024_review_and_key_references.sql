-- Two more per-record tables lose their foreign keys, as 0019's did: deterministic keys (one or two a
-- record: a valid CURP, an agency's person id) and review tasks (one a record in the review band, half
-- the rows of the resolve benchmark's tiny name vocabulary). At 1M records their checks were ~0.9M
-- "SELECT … FOR KEY SHARE" probes of persons and source records, run under the resolution lock (the
-- keys' at commit). The resolver writes both from the same staging rows as the persons and source
-- records they name, neither parent is ever deleted, and registry_dangling_references() — asserted
-- empty by the integration tests after loads, merges, splits and steward decisions — now checks them too.
ALTER TABLE person_keys DROP CONSTRAINT person_keys_person_id_fkey;
ALTER TABLE review_tasks DROP CONSTRAINT review_tasks_source_record_id_fkey;
ALTER TABLE review_tasks DROP CONSTRAINT review_tasks_candidate_person_id_fkey;

CREATE OR REPLACE FUNCTION registry_dangling_references() RETURNS TABLE (table_name text, column_name text, dangling bigint)
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
        UNION ALL
        SELECT 'person_keys', 'person_id', count(*) FROM person_keys x WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = x.person_id)
        UNION ALL
        SELECT 'review_tasks', 'source_record_id', count(*) FROM review_tasks x WHERE NOT EXISTS (SELECT 1 FROM source_records s WHERE s.id = x.source_record_id)
        UNION ALL
        SELECT 'review_tasks', 'candidate_person_id', count(*) FROM review_tasks x WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = x.candidate_person_id)
    ) c(table_name, column_name, dangling)
     WHERE dangling > 0
$$;

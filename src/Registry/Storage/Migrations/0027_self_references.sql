-- The two self-references of per-record tables lose their foreign keys too (0019, 0024): a record's
-- earlier version (source_records.supersedes) and the service event that replaced an event
-- (service_events.superseded_by). Null on nearly every row, yet an insert queued a foreign-key trigger
-- event for each row, fired at the end of the statement, under the resolution lock: 2000 record and
-- up to 2000 event inserts a chunk. The resolver writes both from the versions it has just looked up;
-- records and events are never deleted; registry_dangling_references() now checks them.
ALTER TABLE source_records DROP CONSTRAINT source_records_supersedes_fkey;
ALTER TABLE service_events DROP CONSTRAINT service_events_superseded_by_fkey;

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
        UNION ALL
        SELECT 'source_records', 'supersedes', count(*) FROM source_records x
         WHERE x.supersedes IS NOT NULL AND NOT EXISTS (SELECT 1 FROM source_records s WHERE s.id = x.supersedes)
        UNION ALL
        SELECT 'service_events', 'superseded_by', count(*) FROM service_events x
         WHERE x.superseded_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM service_events s WHERE s.id = x.superseded_by)
    ) c(table_name, column_name, dangling)
     WHERE dangling > 0
$$;

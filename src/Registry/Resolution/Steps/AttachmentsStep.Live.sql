-- Rows received unchanged have no source record of their own: nothing to attach.
INSERT INTO stage_decisions (row_number, person_id, prev_id)
SELECT s.row_number, sr.person_id, sr.supersedes
  FROM stage_rows s CROSS JOIN LATERAL (SELECT person_id, supersedes FROM source_records WHERE id = s.source_record_id LIMIT 1) sr;
DELETE FROM stage_rows s WHERE NOT EXISTS (SELECT 1 FROM stage_decisions d WHERE d.row_number = s.row_number)

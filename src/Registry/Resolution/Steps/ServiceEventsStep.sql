-- Service events (metadata only).
INSERT INTO service_events (id, source_record_id, person_id, agency_code, sector, programme, service_type, service_date, status)
SELECT s.service_event_id, s.source_record_id, d.person_id, @agency, @sector, s.programme, s.service_type, s.service_date, s.service_status
  FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number WHERE s.service_event_id IS NOT NULL;

-- The service event of a superseded record version is superseded too (kept, not deleted).
UPDATE service_events old SET superseded_by = new.id
  FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number
 CROSS JOIN LATERAL (SELECT id FROM service_events WHERE source_record_id = s.source_record_id LIMIT 1) new
 WHERE d.prev_id IS NOT NULL AND old.source_record_id = d.prev_id AND old.superseded_by IS NULL;

INSERT INTO source_records (id, extract_id, row_number, feed_code, agency_code, record_key, version, supersedes, content_hash, person_id, data)
SELECT s.source_record_id, @extract, s.row_number, @feed, @agency, s.record_key, coalesce(d.prev_version, 0) + 1, d.prev_id,
       s.content_hash, d.person_id, s.data
  FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number

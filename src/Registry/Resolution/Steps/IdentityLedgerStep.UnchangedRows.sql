INSERT INTO unchanged_rows (extract_id, row_number, source_record_id)
SELECT @extract, row_number, source_record_id FROM stage_unchanged
ON CONFLICT DO NOTHING;

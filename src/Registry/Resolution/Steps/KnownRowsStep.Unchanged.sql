INSERT INTO stage_unchanged (row_number, source_record_id) SELECT * FROM unnest(@rows, @ids);
DELETE FROM stage_rows WHERE row_number = ANY (@rows);

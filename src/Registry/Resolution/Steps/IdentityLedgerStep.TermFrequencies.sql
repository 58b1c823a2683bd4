-- The name, birth-date and place frequencies the chunk's new match records add (TermFrequencies), set aside until
-- the epoch closes; the chunk counts itself and its records in the open epoch. Counted from the staged
-- features the match records were written from (the live rows'), not read back from the registry's tables. The same
-- terms as StagingStep.Frequencies.sql, which counts them before the lock for a chunk whose every row is live.
UPDATE resolution_epoch SET chunks = chunks + 1, pending_records = pending_records + @records RETURNING chunks;
INSERT INTO term_frequency_pending (field, value, n)
SELECT field, value, count(*)
  FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number JOIN stage_match m ON m.row_number = s.row_number
 CROSS JOIN LATERAL (VALUES ('given_names', nullif(m.given_key, '')), ('given_names', CASE WHEN m.given_key <> '' THEN '' END),
                            ('paternal_surname', m.paternal_key), ('paternal_surname', CASE WHEN m.paternal_key IS NOT NULL THEN '' END),
                            ('maternal_surname', m.maternal_key), ('maternal_surname', CASE WHEN m.maternal_key IS NOT NULL THEN '' END),
                            ('birth_date', to_char(m.birth_date, 'YYYY-MM-DD')), ('birth_date', CASE WHEN m.birth_date IS NOT NULL THEN '' END),
                            ('colonia', m.colonia), ('colonia', CASE WHEN m.colonia IS NOT NULL THEN '' END),
                            ('postal_code', m.postal_code), ('postal_code', CASE WHEN m.postal_code IS NOT NULL THEN '' END),
                            ('municipality', m.municipality), ('municipality', CASE WHEN m.municipality IS NOT NULL THEN '' END)) v(field, value)
 WHERE value IS NOT NULL
 GROUP BY field, value

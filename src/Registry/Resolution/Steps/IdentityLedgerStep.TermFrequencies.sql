-- The name, birth-date and place frequencies the chunk's new match records add (TermFrequencies), in the identity
-- phase: the next chunk in order scores against exactly the registry this chunk leaves (Steps/TurnStep).
-- In (field, value) order: no two writers lock the same rows in opposite orders.
INSERT INTO term_frequencies (field, value, n)
SELECT field, value, count(*)
  FROM source_records sr JOIN match_records m ON m.source_record_id = sr.id
 CROSS JOIN LATERAL (VALUES ('given_names', nullif(m.given_key, '')), ('given_names', CASE WHEN m.given_key <> '' THEN '' END),
                            ('paternal_surname', m.paternal_key), ('paternal_surname', CASE WHEN m.paternal_key IS NOT NULL THEN '' END),
                            ('maternal_surname', m.maternal_key), ('maternal_surname', CASE WHEN m.maternal_key IS NOT NULL THEN '' END),
                            ('birth_date', to_char(m.birth_date, 'YYYY-MM-DD')), ('birth_date', CASE WHEN m.birth_date IS NOT NULL THEN '' END),
                            ('colonia', m.colonia), ('colonia', CASE WHEN m.colonia IS NOT NULL THEN '' END),
                            ('postal_code', m.postal_code), ('postal_code', CASE WHEN m.postal_code IS NOT NULL THEN '' END)) v(field, value)
 WHERE sr.extract_id = @extract AND sr.row_number BETWEEN @first AND @last AND value IS NOT NULL
 GROUP BY field, value
 ORDER BY field, value
ON CONFLICT (field, value) DO UPDATE SET n = term_frequencies.n + excluded.n

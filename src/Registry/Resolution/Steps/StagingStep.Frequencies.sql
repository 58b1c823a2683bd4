-- Before the lock: the name, birth-date and place frequencies of every staged row, counted once the chunk is staged.
-- When every staged row becomes a match record (no row is unchanged), these are exactly what its identity phase adds
-- (IdentityLedgerStep.TermFrequencies.sql), and it copies them rather than counting under the lock.
CREATE TEMP TABLE stage_frequencies ON COMMIT DROP AS
SELECT field, value, count(*) AS n
  FROM stage_match m
 CROSS JOIN LATERAL (VALUES ('given_names', nullif(m.given_key, '')), ('given_names', CASE WHEN m.given_key <> '' THEN '' END),
                            ('paternal_surname', m.paternal_key), ('paternal_surname', CASE WHEN m.paternal_key IS NOT NULL THEN '' END),
                            ('maternal_surname', m.maternal_key), ('maternal_surname', CASE WHEN m.maternal_key IS NOT NULL THEN '' END),
                            ('birth_date', to_char(m.birth_date, 'YYYY-MM-DD')), ('birth_date', CASE WHEN m.birth_date IS NOT NULL THEN '' END),
                            ('colonia', m.colonia), ('colonia', CASE WHEN m.colonia IS NOT NULL THEN '' END),
                            ('postal_code', m.postal_code), ('postal_code', CASE WHEN m.postal_code IS NOT NULL THEN '' END),
                            ('municipality', m.municipality), ('municipality', CASE WHEN m.municipality IS NOT NULL THEN '' END)) v(field, value)
 WHERE value IS NOT NULL
 GROUP BY field, value

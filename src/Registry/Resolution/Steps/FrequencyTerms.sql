-- The terms whose frequencies the registry counts, one (field, value) per row of stage_match m, and each field's total
-- under value ''. Spliced into both statements that count a chunk's terms (StepSql.WithFrequencyTerms).
 CROSS JOIN LATERAL (VALUES ('given_names', nullif(m.given_key, '')), ('given_names', CASE WHEN m.given_key <> '' THEN '' END),
                            ('paternal_surname', m.paternal_key), ('paternal_surname', CASE WHEN m.paternal_key IS NOT NULL THEN '' END),
                            ('maternal_surname', m.maternal_key), ('maternal_surname', CASE WHEN m.maternal_key IS NOT NULL THEN '' END),
                            ('birth_date', to_char(m.birth_date, 'YYYY-MM-DD')), ('birth_date', CASE WHEN m.birth_date IS NOT NULL THEN '' END),
                            ('colonia', m.colonia), ('colonia', CASE WHEN m.colonia IS NOT NULL THEN '' END),
                            ('postal_code', m.postal_code), ('postal_code', CASE WHEN m.postal_code IS NOT NULL THEN '' END),
                            ('municipality', m.municipality), ('municipality', CASE WHEN m.municipality IS NOT NULL THEN '' END)) v(field, value)

WITH written AS (
    INSERT INTO match_records (source_record_id, person_id, valid_curp, invalid_curp, given_key, given_significant, given_phonetic,
                               paternal_key, paternal_phonetic, maternal_key, maternal_phonetic, birth_date, sex, postal_code,
                               municipality, phone, name_from_full_name, other_id, street_key, colonia)
    SELECT s.source_record_id, d.person_id, m.valid_curp, m.invalid_curp, m.given_key, m.given_significant, m.given_phonetic,
           m.paternal_key, m.paternal_phonetic, m.maternal_key, m.maternal_phonetic, m.birth_date, m.sex, m.postal_code,
           m.municipality, m.phone, m.name_from_full_name, m.other_id, m.street_key, m.colonia
      FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number JOIN stage_match m ON m.row_number = s.row_number
     ORDER BY s.row_number
    RETURNING seq)
SELECT coalesce(min(seq), 0), coalesce(max(seq), 0), count(*)::int FROM written

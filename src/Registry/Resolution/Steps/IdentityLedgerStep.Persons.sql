-- A new person's golden record: the decision's when the chunk gave it several records, else its row's.
INSERT INTO persons (id, curp, given_names, paternal_surname, maternal_surname, sex, birth_date, golden_source_record_id, golden,
                     restricted_view, restricted_golden, restricted_name_seen)
SELECT DISTINCT ON (d.person_id) d.person_id, g.curp, g.given, g.paternal, g.maternal, g.sex, g.birth::date,
       coalesce(g.anchor, s.source_record_id), g.golden, g.r_view, g.r_golden, g.r_name_seen
  FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number
 CROSS JOIN LATERAL (SELECT d.golden, d.g_curp, d.g_given, d.g_paternal, d.g_maternal, d.g_sex, d.g_birth, d.g_anchor,
                            d.r_view, d.r_golden, d.r_name_seen WHERE d.golden IS NOT NULL
                     UNION ALL
                     SELECT s.golden, s.g_curp, s.g_given, s.g_paternal, s.g_maternal, s.g_sex, s.g_birth, s.g_anchor,
                            s.r_view, s.r_golden, s.r_name_seen WHERE d.golden IS NULL)
       g(golden, curp, given, paternal, maternal, sex, birth, anchor, r_view, r_golden, r_name_seen)
 WHERE d.created_person ORDER BY d.person_id, s.row_number

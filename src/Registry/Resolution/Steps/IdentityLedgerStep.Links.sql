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
 WHERE d.created_person ORDER BY d.person_id, s.row_number;

-- Remember each row's new deterministic keys for the person it was linked to (sorted: no lock-order
-- surprises). Every writer of person_keys holds the resolution lock, so a key absent now is absent
-- at the insert: NOT EXISTS rather than ON CONFLICT, which costs a speculative insert per new key.
INSERT INTO person_keys (key, person_id)
SELECT k, person_id FROM (
    SELECT DISTINCT ON (k) k, person_id
      FROM (SELECT s.curp_key AS k, d.person_id, s.row_number FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number
             WHERE s.curp_key IS NOT NULL
            UNION ALL
            SELECT s.agency_key, d.person_id, s.row_number FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number
             WHERE s.agency_key IS NOT NULL) x
     ORDER BY k, row_number) n
 WHERE NOT EXISTS (SELECT 1 FROM person_keys pk WHERE pk.key = n.k)
 ORDER BY k;

INSERT INTO source_records (id, extract_id, row_number, feed_code, agency_code, record_key, version, supersedes, content_hash, person_id, data)
SELECT s.source_record_id, @extract, s.row_number, @feed, @agency, s.record_key, coalesce(d.prev_version, 0) + 1, d.prev_id,
       s.content_hash, d.person_id, s.data
  FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number;

-- Why each record was linked (hard rule 3): rule, key or score with per-field evidence, thresholds, model.
INSERT INTO match_decisions (source_record_id, person_id, rule, matched_key, created_person, model_version,
                             score, evidence, link_threshold, review_threshold, matched_source_record_id)
SELECT s.source_record_id, d.person_id, d.rule, d.matched_key, d.created_person, @model,
       d.score, d.evidence, @link, @review, d.matched_source_record_id
  FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number;

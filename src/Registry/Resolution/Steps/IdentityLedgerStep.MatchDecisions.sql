-- Why each record was linked (hard rule 3): rule, key or score with per-field evidence, thresholds, model.
INSERT INTO match_decisions (source_record_id, person_id, rule, matched_key, created_person, model_version,
                             score, evidence, link_threshold, review_threshold, matched_source_record_id)
SELECT s.source_record_id, d.person_id, d.rule, d.matched_key, d.created_person, @model,
       d.score, d.evidence, @link, @review, d.matched_source_record_id
  FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number

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
 ORDER BY k

-- Households: the agency's household id is the key; membership keeps its source record.
WITH wanted AS (
    SELECT DISTINCT ON (household_key) household_key, source_record_id
      FROM stage_rows WHERE household_key IS NOT NULL
     ORDER BY household_key, row_number
), claimed AS (
    INSERT INTO household_keys (key, household_id)
    SELECT household_key, gen_random_uuid() FROM wanted ORDER BY household_key
    ON CONFLICT (key) DO NOTHING
    RETURNING key, household_id
)
INSERT INTO households (id, first_source_record_id)
SELECT c.household_id, w.source_record_id FROM claimed c JOIN wanted w ON w.household_key = c.key;

INSERT INTO household_members (household_id, person_id, relationship, valid_from, source_record_id)
SELECT DISTINCT ON (coalesce(h.merged_into, h.id), d.person_id) coalesce(h.merged_into, h.id), d.person_id, s.relationship, s.service_date, s.source_record_id
  FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number
  JOIN household_keys hk ON hk.key = s.household_key JOIN households h ON h.id = hk.household_id
 ORDER BY coalesce(h.merged_into, h.id), d.person_id, s.row_number
ON CONFLICT (household_id, person_id) DO NOTHING;

-- A chunk that holds the attachments lock in its identity phase: its new persons' residences now, then the residence
-- claims of its rows about known persons (a residence-authoritative feed's, @claims), counted when the row was linked
-- by score or carries the person's name, so that every territory it moves changes in this commit.
SELECT registry_created_residences(ARRAY(SELECT source_record_id FROM stage_rows));
CREATE TEMP TABLE IF NOT EXISTS decided_claims (
    source_record_id uuid, person_id uuid, municipality text, counted boolean, note text
) ON COMMIT DROP;
DELETE FROM decided_claims;
INSERT INTO decided_claims
SELECT source_record_id, person_id, municipality, corroborated,
       CASE WHEN rule LIKE 'probabilistic%' THEN 'linked by score'
            WHEN corroborated THEN 'identifier and name agree'
            ELSE 'linked by identifier (' || rule || ') alone: name absent or different' END
  FROM (SELECT s.source_record_id, d.person_id, d.rule, registry_fold(s.data ->> 'Municipality') AS municipality,
               d.rule LIKE 'probabilistic%'
                   OR registry_names_agree(s.data ->> 'GivenNames', s.data ->> 'PaternalSurname', p.given_names, p.paternal_surname) AS corroborated
          FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number
          LEFT JOIN LATERAL (SELECT given_names, paternal_surname FROM persons
                              WHERE id = d.person_id AND d.rule NOT LIKE 'probabilistic%' LIMIT 1) p ON true
         WHERE @claims AND NOT d.created_person) x
 WHERE coalesce(municipality, '') <> '';
SELECT registry_apply_residence_claims() WHERE EXISTS (SELECT 1 FROM decided_claims)

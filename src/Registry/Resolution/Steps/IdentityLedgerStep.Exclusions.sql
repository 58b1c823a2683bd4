-- A household row linked to a known person by an identifier alone (CURP or agency key), without the person's name,
-- never carries its household's territory to that person (nor the person's to it): one agency row with a known CURP
-- must not widen who sees the person. Judged against the person's names as the registry holds them now.
INSERT INTO territory_excluded_records (source_record_id, note)
SELECT s.source_record_id, 'linked by identifier (' || d.rule || ') alone: name absent or different'
  FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number
  LEFT JOIN LATERAL (SELECT given_names, paternal_surname FROM persons WHERE id = d.person_id LIMIT 1) p ON true
 WHERE NOT d.created_person AND d.rule NOT LIKE 'probabilistic%' AND s.data ? 'AgencyHouseholdId'
   AND NOT registry_names_agree(s.data ->> 'GivenNames', s.data ->> 'PaternalSurname', p.given_names, p.paternal_surname)

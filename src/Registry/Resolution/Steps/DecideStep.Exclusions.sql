WITH mine AS (SELECT id FROM persons WHERE id = ANY (@ids) OR merged_into = ANY (@ids))
SELECT coalesce(pa.merged_into, x.person_a), coalesce(pb.merged_into, x.person_b)
  FROM person_exclusions x JOIN persons pa ON pa.id = x.person_a JOIN persons pb ON pb.id = x.person_b
 WHERE x.person_a IN (SELECT id FROM mine) OR x.person_b IN (SELECT id FROM mine)

-- How common each birth date is in the registry (issue 24): an agency that does not know a birth date often types one
-- (01/01/1900, the first of January of some year), and thousands of strangers then "agree" on it. The resolver's
-- completion now counts birth dates in term_frequencies next to names (field 'birth_date', value YYYY-MM-DD, and the
-- total under the empty value); this counts the records already stored, the way the completion counts a chunk's.
INSERT INTO term_frequencies (field, value, n)
SELECT 'birth_date', v, count(*)
  FROM source_records sr JOIN match_records m ON m.source_record_id = sr.id
 CROSS JOIN LATERAL (VALUES (to_char(m.birth_date, 'YYYY-MM-DD')), (CASE WHEN m.birth_date IS NOT NULL THEN '' END)) x(v)
 WHERE v IS NOT NULL
 GROUP BY v
ON CONFLICT (field, value) DO UPDATE SET n = excluded.n;

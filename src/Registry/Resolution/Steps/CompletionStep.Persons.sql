SELECT DISTINCT coalesce(p.merged_into, p.id)
  FROM source_records sr JOIN persons p ON p.id = sr.person_id
 WHERE sr.extract_id = @extract AND sr.row_number BETWEEN @first AND @last

UPDATE extracts
   SET rows_resolved = rows_resolved + @n,
       rows_unchanged = rows_unchanged + (SELECT count(*) FROM unchanged_rows
                                           WHERE extract_id = @extract AND row_number BETWEEN @first AND @last),
       status = CASE WHEN rows_accepted IS NOT NULL AND rows_resolved + @n >= rows_accepted THEN 'resolved' ELSE status END,
       resolved_at = CASE WHEN rows_accepted IS NOT NULL AND rows_resolved + @n >= rows_accepted THEN now() ELSE resolved_at END
 WHERE id = @extract;
UPDATE extract_chunks SET completed_at = now() WHERE extract_id = @extract AND chunk_index = @chunk;

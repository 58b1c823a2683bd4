INSERT INTO extract_chunks (extract_id, chunk_index, first_row, last_row, rows)
VALUES (@extract, @chunk, @first, @last, @rows)
ON CONFLICT DO NOTHING

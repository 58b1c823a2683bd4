UPDATE extract_chunks SET attached_at = now() WHERE extract_id = @extract AND chunk_index = @chunk AND attached_at IS NULL

SELECT completed_at IS NULL FROM extract_chunks WHERE extract_id = @extract AND chunk_index = @chunk FOR UPDATE

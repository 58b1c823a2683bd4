SELECT id, data::text, row_number, record_key, content_hash FROM source_records WHERE extract_id = @extract AND row_number BETWEEN @first AND @last

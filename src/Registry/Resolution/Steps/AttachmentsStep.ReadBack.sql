SELECT id, data::text FROM source_records WHERE extract_id = @extract AND row_number BETWEEN @first AND @last

SELECT sector, received_at FROM extracts WHERE id = @extract

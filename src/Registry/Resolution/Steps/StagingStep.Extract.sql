SELECT e.sector, e.received_at, coalesce((SELECT f.residence_authoritative FROM feeds f WHERE f.code = e.feed_code), false)
  FROM extracts e WHERE e.id = @extract

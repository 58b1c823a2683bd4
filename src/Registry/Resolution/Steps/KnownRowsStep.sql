SELECT s.row_number, v.latest_id, v.latest_version, v.same_id,
       coalesce(pc.person_id, pa.person_id), coalesce(pc.key, pa.key), pc.person_id IS NOT NULL,
       /*identity-changes*/ AS through
  FROM stage_rows s
  LEFT JOIN LATERAL (SELECT (array_agg(id ORDER BY version DESC))[1] AS latest_id, max(version) AS latest_version,
                            (array_agg(id) FILTER (WHERE content_hash = s.content_hash))[1] AS same_id
                       FROM source_records WHERE feed_code = @feed AND record_key = s.record_key) v ON true
  LEFT JOIN LATERAL (SELECT key, person_id FROM person_keys WHERE key = s.curp_key LIMIT 1) pc ON true
  LEFT JOIN LATERAL (SELECT a.key, a.person_id FROM person_keys a
                      WHERE a.key = s.agency_key
                        AND (s.curp IS NULL OR NOT EXISTS (SELECT 1 FROM person_keys o WHERE o.person_id = a.person_id
                                                             AND o.key LIKE 'curp:%' AND o.key <> s.curp_key)) LIMIT 1) pa ON true
 WHERE @rows::int[] IS NULL OR s.row_number = ANY (@rows)
 ORDER BY s.row_number

-- Golden documents name each source record once (Persons/GoldenDocument.cs): {"sources": [ids], "<field>": [value, index, rule]}
-- instead of repeating the record's id and the keys "value", "sourceRecordId", "rule" in every field — half of a person's row.
-- Documents written before are rewritten in place; the fields keep their order.
CREATE FUNCTION pg_temp.compact_golden(doc json) RETURNS json LANGUAGE sql IMMUTABLE AS $$
    WITH f AS (SELECT key, value ->> 'value' AS v, value ->> 'sourceRecordId' AS s, value ->> 'rule' AS r, o
                 FROM json_each(doc) WITH ORDINALITY AS e(key, value, o)),
         s AS (SELECT s, (row_number() OVER (ORDER BY min(o)))::int - 1 AS i FROM f GROUP BY s)
    SELECT ('{"sources":' || coalesce((SELECT json_agg(s ORDER BY i) FROM s)::text, '[]')
            || coalesce((SELECT string_agg(',' || to_json(f.key)::text || ':' || json_build_array(f.v, s.i, f.r)::text, '' ORDER BY f.o)
                           FROM f JOIN s ON s.s = f.s), '') || '}')::json
$$;

UPDATE persons SET golden = pg_temp.compact_golden(golden)
 WHERE golden IS NOT NULL AND json_typeof(golden -> 'sources') IS DISTINCT FROM 'array';
UPDATE persons SET restricted_golden = pg_temp.compact_golden(restricted_golden)
 WHERE restricted_golden IS NOT NULL AND json_typeof(restricted_golden -> 'sources') IS DISTINCT FROM 'array';

-- Chunks still to be resolved before (@extract, @chunk) in the canonical order: every chunk of every extract
-- registered earlier (extracts.seq), then this extract's chunks with a lower index. An earlier extract whose parse has
-- not finished counts as @unparsed (its number of chunks is not known yet). An extract marked failed (a chunk that
-- waiting could not fix went to the error queue) holds nobody back, nor do its own chunks hold back its later ones.
-- A chunk counts as resolved once its identity phase committed (extract_chunks).
WITH me AS (SELECT seq, status FROM extracts WHERE id = @extract)
SELECT (coalesce((SELECT sum(CASE WHEN e.chunks_total IS NULL THEN @unparsed
                                 ELSE greatest(e.chunks_total - (SELECT count(*) FROM extract_chunks c WHERE c.extract_id = e.id), 0) END)
                   FROM extracts e, me
                  WHERE e.status IN ('received', 'parsing', 'queued') AND e.seq < me.seq), 0)
     + coalesce((SELECT CASE WHEN me.status = 'failed' THEN 0
                             ELSE @chunk - (SELECT count(*) FROM extract_chunks c WHERE c.extract_id = @extract AND c.chunk_index < @chunk) END
                   FROM me), 0))::bigint

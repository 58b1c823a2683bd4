-- After the identity commit of a chunk that closed an epoch, outside the lock: the counts of every closed epoch into
-- term_frequencies (in (field, value) order, as every writer), and the last epoch folded noted, in one statement, so a
-- reader sees them either still set aside or folded, never both or neither. A fold that did not run (a crash) is done by
-- the next.
WITH open AS (SELECT epoch FROM resolution_epoch WHERE id = 1),
folded AS (
    DELETE FROM term_frequency_pending WHERE epoch < (SELECT epoch FROM open)
    RETURNING field, value, n),
noted AS (
    UPDATE frequency_fold SET through = greatest(through, (SELECT epoch FROM open) - 1) WHERE id = 1)
INSERT INTO term_frequencies (field, value, n)
SELECT field, value, sum(n) FROM folded GROUP BY field, value ORDER BY field, value
ON CONFLICT (field, value) DO UPDATE SET n = term_frequencies.n + excluded.n

-- Closes the epoch: its pending frequencies into term_frequencies (in (field, value) order, as every writer), its records
-- into the size scoring uses.
INSERT INTO term_frequencies (field, value, n)
SELECT field, value, sum(n) FROM term_frequency_pending GROUP BY field, value ORDER BY field, value
ON CONFLICT (field, value) DO UPDATE SET n = term_frequencies.n + excluded.n;
DELETE FROM term_frequency_pending;
UPDATE resolution_epoch SET epoch = epoch + 1, chunks = 0, records = records + pending_records, pending_records = 0

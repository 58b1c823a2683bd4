-- As IdentityLedgerStep.TermFrequencies.sql, when every staged row became a match record: the counts made before the lock.
UPDATE resolution_epoch SET chunks = chunks + 1, pending_records = pending_records + @records RETURNING chunks;
INSERT INTO term_frequency_pending (field, value, n, epoch)
SELECT field, value, n, (SELECT epoch FROM resolution_epoch WHERE id = 1) FROM stage_frequencies

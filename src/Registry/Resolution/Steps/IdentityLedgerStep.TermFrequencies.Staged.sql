-- As IdentityLedgerStep.TermFrequencies.sql, when every staged row became a match record: the counts made before the lock.
UPDATE resolution_epoch SET chunks = chunks + 1, pending_records = pending_records + @records RETURNING chunks;
INSERT INTO term_frequency_pending (field, value, n) SELECT field, value, n FROM stage_frequencies

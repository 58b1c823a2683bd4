-- Before the lock: the name, birth-date and place frequencies of every staged row, counted once the chunk is staged.
-- When every staged row becomes a match record (no row is unchanged), these are exactly what its identity phase adds
-- (IdentityLedgerStep.TermFrequencies.sql), and it copies them rather than counting under the lock.
CREATE TEMP TABLE stage_frequencies ON COMMIT DROP AS
SELECT field, value, count(*) AS n
  FROM stage_match m
 /*frequency-terms*/
 WHERE value IS NOT NULL
 GROUP BY field, value

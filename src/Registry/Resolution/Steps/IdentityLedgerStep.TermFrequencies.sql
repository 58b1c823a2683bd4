-- The name, birth-date and place frequencies the chunk's new match records add (TermFrequencies), set aside until
-- the epoch closes, under the open epoch's number; the chunk counts itself and its records in the open epoch. Counted from the staged
-- features the match records were written from (the live rows'), not read back from the registry's tables. The terms are
-- FrequencyTerms.sql, as for StagingStep.Frequencies.sql, which counts them before the lock for a chunk whose every row is live.
UPDATE resolution_epoch SET chunks = chunks + 1, pending_records = pending_records + @records RETURNING chunks;
INSERT INTO term_frequency_pending (field, value, n, epoch)
SELECT field, value, count(*), (SELECT epoch FROM resolution_epoch WHERE id = 1)
  FROM stage_rows s JOIN stage_decisions d ON d.row_number = s.row_number JOIN stage_match m ON m.row_number = s.row_number
 /*frequency-terms*/
 WHERE value IS NOT NULL
 GROUP BY field, value

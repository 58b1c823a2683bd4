-- The frequencies a chunk counts are set aside under the epoch it counted them in. Closing an epoch, under the identity
-- lock, only numbers the next one; the closed epochs' counts are folded into term_frequencies after that commit, outside
-- the lock (IdentityLedgerStep.FoldFrequencies.sql). A reader takes term_frequencies plus the rows of closed epochs not
-- folded yet (TermFrequencies.LoadAsync), so what scoring sees of an epoch is the same whenever the fold runs.
ALTER TABLE term_frequency_pending ADD COLUMN epoch bigint;
UPDATE term_frequency_pending SET epoch = (SELECT epoch FROM resolution_epoch WHERE id = 1);
ALTER TABLE term_frequency_pending ALTER COLUMN epoch SET NOT NULL;

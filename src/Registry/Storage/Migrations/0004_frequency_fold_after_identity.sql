-- The frequencies a chunk counts are set aside under the epoch it counted them in. Closing an epoch, under the identity
-- lock, only numbers the next one; the closed epochs' counts are folded into term_frequencies after that commit, outside
-- the lock (IdentityLedgerStep.FoldFrequencies.sql). A reader takes term_frequencies plus the rows of closed epochs not
-- folded yet (TermFrequencies.LoadAsync), so what scoring sees of an epoch is the same whenever the fold runs.
ALTER TABLE term_frequency_pending ADD COLUMN epoch bigint;
UPDATE term_frequency_pending SET epoch = (SELECT epoch FROM resolution_epoch WHERE id = 1);
ALTER TABLE term_frequency_pending ALTER COLUMN epoch SET NOT NULL;

-- The last epoch folded: a reader looks for set-aside counts of closed epochs only when one after it is closed
-- (a row of its own, not resolution_epoch's, which every identity phase updates: the fold never waits for the lock's holder).
CREATE TABLE frequency_fold (
    id integer PRIMARY KEY CHECK (id = 1),
    through bigint NOT NULL
);
INSERT INTO frequency_fold (id, through) SELECT 1, epoch - 1 FROM resolution_epoch WHERE id = 1;

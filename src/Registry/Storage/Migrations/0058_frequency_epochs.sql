-- Name frequencies and the registry's size, as scoring reads them, change only every few chunks (an epoch), at the
-- same chunks in every run: a chunk scored before its turn in the canonical order (Resolution/Steps/TurnStep) scored
-- against what it will be decided against unless an epoch closed meanwhile, and then it is scored again in its turn.
--
-- Each chunk's identity phase adds the frequencies its records bring to term_frequency_pending and counts itself
-- in resolution_epoch; every Resolution/Steps/IdentityLedgerStep.EpochChunks-th chunk folds the pending rows into
-- term_frequencies, adds its records to the size, and opens the next epoch. All of it under the resolution lock.

CREATE TABLE term_frequency_pending (
    field text NOT NULL,
    value text NOT NULL,
    n bigint NOT NULL
);

CREATE TABLE resolution_epoch (
    id integer PRIMARY KEY CHECK (id = 1),
    epoch bigint NOT NULL,          -- closed epochs
    chunks bigint NOT NULL,         -- chunks resolved in the open epoch
    records bigint NOT NULL,        -- match records as of the last closed epoch: the size scoring uses
    pending_records bigint NOT NULL -- match records of the open epoch's chunks
);
INSERT INTO resolution_epoch (id, epoch, chunks, records, pending_records)
SELECT 1, 0, 0, count(*), 0 FROM match_records;

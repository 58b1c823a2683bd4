-- Closes the epoch: the next one is numbered, and the records counted in it join the size scoring uses. Its frequencies
-- stay set aside under its number until the fold after this commit (IdentityLedgerStep.FoldFrequencies.sql); readers
-- count them from now on.
UPDATE resolution_epoch SET epoch = epoch + 1, chunks = 0, records = records + pending_records, pending_records = 0

-- A chunk's attachments — its service events, household memberships and household merges, and the territories their
-- triggers keep — are written in a transaction of their own after the identity phase's commit, outside the resolution
-- lock (issue 26 item 2), under the attachments lock that every writer of those tables takes. Each chunk's attachments
-- are written once: attached_at is set in their transaction, and a redelivered chunk whose identity phase committed but
-- whose attachments did not writes them then (read back from its source records), before its completion.
ALTER TABLE extract_chunks ADD COLUMN attached_at timestamptz;
-- Chunks applied before this migration wrote their attachments in the identity phase's transaction.
UPDATE extract_chunks SET attached_at = applied_at;

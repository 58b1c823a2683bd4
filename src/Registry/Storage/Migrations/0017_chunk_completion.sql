-- A chunk is applied in two transactions (ChunkResolver): the identity phase under the resolution
-- lock (decisions, persons, source records, match features, households, service events), then the
-- completion outside it (golden records of the persons it added to, the extract's progress).
-- completed_at marks the second: a chunk whose completion failed (a crash between the two, a
-- deadlock) is completed by its redelivery, is re-sent by the stall check like a missing chunk,
-- and does not count as resolved in the acceptance report until then.
ALTER TABLE extract_chunks ADD COLUMN completed_at timestamptz;
UPDATE extract_chunks SET completed_at = applied_at;

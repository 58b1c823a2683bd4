-- What each writer under the identity lock changed that a chunk's known-row probe reads (KnownRowsStep): the hashes of the
-- record keys, CURP keys and agency keys a chunk stored, and of the persons whose keys it or a move (merge, split) changed.
-- A resolver probes its rows before the lock and, under it, probes again only the rows whose keys or persons the writers
-- since logged. Ids are taken under the identity lock, so any snapshot sees a prefix of them. Only the recent entries are
-- kept (IdentityChanges.PruneAsync); a probe older than the oldest kept probes every row again.
CREATE TABLE identity_changes (
    id bigserial PRIMARY KEY,
    keys integer[] NOT NULL
);
-- Hashes do not compress: stored as they are, not tried by pglz at every insert.
ALTER TABLE identity_changes ALTER COLUMN keys SET STORAGE EXTERNAL;

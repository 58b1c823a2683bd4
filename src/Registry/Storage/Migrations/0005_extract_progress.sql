-- 0005: progress and timings of an extract while it runs, for the acceptance report.
-- rows_parsed / bytes_parsed / chunks_queued advance during the parse (written at most about once a
-- second, and at the first chunk); chunks resolved are counted from extract_chunks (one row per
-- applied chunk). A restarted parse resets them. rows_total = rows_accepted + rows_rejected still
-- holds (the CHECK of 0001): these columns never take part in it.
ALTER TABLE extracts
    ADD COLUMN parse_started_at      timestamptz,
    ADD COLUMN first_chunk_queued_at timestamptz,
    ADD COLUMN rows_parsed           int    NOT NULL DEFAULT 0,
    ADD COLUMN bytes_parsed          bigint NOT NULL DEFAULT 0,
    ADD COLUMN chunks_queued         int    NOT NULL DEFAULT 0,
    -- Rows per chunk of this extract's parse: a restarted worker re-sends the chunks that never got
    -- applied with the same boundaries, whatever Inbox:ChunkSize says by then.
    ADD COLUMN chunk_size            int,
    -- When a worker last re-sent this extract's missing chunks (one worker per stall, see ExtractStore.ClaimStalledAsync).
    ADD COLUMN requeued_at           timestamptz;

-- "Was any chunk applied lately?" — the stall check reads the newest applied_at.
CREATE INDEX extract_chunks_applied_at ON extract_chunks (applied_at);

-- Extracts numbered in the order they are registered: the canonical order in which their chunks are resolved.
--
-- With competing consumers, a chunk's decisions depend on which chunks were in the registry when it was decided
-- (a borderline row joins the person an earlier chunk created, or creates it). Resolving chunks in one order
-- — extracts as registered, then each extract's chunks in order — makes the same extracts give the same persons
-- whatever the number of workers, the timing, or a fault that redelivers chunks (Steps/TurnStep).
-- Existing extracts are numbered by when they were received.

CREATE SEQUENCE extracts_seq_seq;
ALTER TABLE extracts ADD COLUMN seq bigint;
UPDATE extracts e SET seq = o.n
  FROM (SELECT id, row_number() OVER (ORDER BY received_at, id) AS n FROM extracts) o
 WHERE o.id = e.id;
SELECT setval('extracts_seq_seq', coalesce(max(seq), 0) + 1, false) FROM extracts;
ALTER TABLE extracts ALTER COLUMN seq SET DEFAULT nextval('extracts_seq_seq'), ALTER COLUMN seq SET NOT NULL;
ALTER SEQUENCE extracts_seq_seq OWNED BY extracts.seq;
CREATE UNIQUE INDEX extracts_by_seq ON extracts (seq);
-- The extracts a chunk can wait for: registered, being parsed, or with chunks still to resolve.
CREATE INDEX extracts_open_by_seq ON extracts (seq) WHERE status IN ('received', 'parsing', 'queued');

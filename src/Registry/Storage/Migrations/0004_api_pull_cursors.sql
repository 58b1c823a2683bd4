-- 0004: where each api-pull feed continues. The cursor is advanced in the same transaction that
-- registers the page's extract, so a page is registered if and only if the cursor has moved past
-- it: after a crash the pull resumes at the first page not yet registered, and never re-applies one.
CREATE TABLE api_pull_cursors (
    feed_code         text PRIMARY KEY,
    paging            text        NOT NULL CHECK (paging IN ('page-token', 'updated-since')),
    -- Page token of the next page, or the newest updatedAt applied; NULL = from the first page.
    cursor            text,
    last_extract_id   uuid REFERENCES extracts (id),
    pages_registered  bigint      NOT NULL DEFAULT 0,
    runs_completed    int         NOT NULL DEFAULT 0,
    last_completed_at timestamptz,
    -- The last run that stopped early (malformed page, API fault) and why; cleared when a run completes.
    last_error        text,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

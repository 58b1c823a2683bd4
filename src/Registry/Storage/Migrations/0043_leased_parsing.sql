-- Parsing that survives outages and replicas (issue 25).
-- A parse holds a lease on its extract, renewed while it runs: any worker replica re-parses an extract
-- whose lease ran out (its parser died or lost the database), never two at once.
-- The first parse records the chunk size and the feed definition it used, and each chunk's row range,
-- so a re-parse or a re-send cuts exactly the chunks the first parse sent, whatever the current settings.
ALTER TABLE extracts
    ADD COLUMN parse_lease_until timestamptz,
    ADD COLUMN parse_leased_by   uuid,
    ADD COLUMN feed_definition   text;

CREATE TABLE extract_chunk_plan (
    extract_id  uuid NOT NULL REFERENCES extracts (id),
    chunk_index int  NOT NULL,
    first_row   int  NOT NULL,
    last_row    int  NOT NULL,
    rows        int  NOT NULL,
    PRIMARY KEY (extract_id, chunk_index)
);


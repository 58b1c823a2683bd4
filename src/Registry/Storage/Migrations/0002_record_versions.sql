-- 0002: agencies re-send whole rosters. A row whose record (feed + record key) was already
-- received with the same content is "unchanged": it is accounted for in unchanged_rows and
-- creates nothing new. A row with the same record key and other content is a new version of
-- that source record; the previous version and its service event stay, marked superseded.

ALTER TABLE source_records
    ADD COLUMN record_key text,
    ADD COLUMN version    int  NOT NULL DEFAULT 1,
    ADD COLUMN supersedes uuid REFERENCES source_records (id);
UPDATE source_records SET record_key = 'legacy:' || id::text WHERE record_key IS NULL;
ALTER TABLE source_records ALTER COLUMN record_key SET NOT NULL;
-- One stored copy of a given content per record: concurrent chunks cannot store it twice.
CREATE UNIQUE INDEX source_records_feed_key_content ON source_records (feed_code, record_key, content_hash);
CREATE INDEX source_records_feed_key_version ON source_records (feed_code, record_key, version DESC);

ALTER TABLE extracts ADD COLUMN rows_unchanged int NOT NULL DEFAULT 0;

CREATE TABLE unchanged_rows (
    extract_id       uuid NOT NULL REFERENCES extracts (id),
    row_number       int  NOT NULL,
    source_record_id uuid NOT NULL REFERENCES source_records (id),
    PRIMARY KEY (extract_id, row_number)
);

ALTER TABLE service_events ADD COLUMN superseded_by uuid REFERENCES service_events (id);

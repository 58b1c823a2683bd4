-- Field-level quality (issue 27): a row is rejected only when it lacks a required field or names no one;
-- an invalid or implausible optional value (a birth date in the future, a CURP that is no CURP, a phone
-- that is none) is left out of the row and kept here, one row per value, written by the parse like
-- rejected_rows (and discarded with them when a parse starts again or the file is rejected whole). The
-- acceptance report counts them per field and offers them as CSV; the source record's data carries the
-- same warnings (lineage). source_column is the feed's column (or API property) as the parse named it.
CREATE TABLE row_warnings (
    extract_id    uuid    NOT NULL REFERENCES extracts (id),
    row_number    integer NOT NULL,
    field         text    NOT NULL,
    source_column text    NOT NULL,
    raw_value     text    NOT NULL,
    reason        text    NOT NULL,
    PRIMARY KEY (extract_id, row_number, field)
);

-- Downloading an extract's warnings (values as the agency sent them) is logged like the rejected rows.
ALTER TABLE access_log DROP CONSTRAINT access_log_kind_check;
ALTER TABLE access_log ADD CONSTRAINT access_log_kind_check CHECK (kind IN (
    'person', 'household', 'lineage-person', 'lineage-household', 'lineage-service-event', 'search',
    'review-queue', 'review-task', 'identity-events', 'territory-events', 'denied', 'rejected-rows-csv',
    'match-models', 'match-model-promotion', 'row-warnings-csv'));
